// The OSM PBF road reader on mutated PBFs (the seeds are small real-shaped extracts written by
// libosmium): it refuses a broken file only with an InputError naming it (FormatError for a
// damaged PBF), and roads it reads are MultiLineStrings of at least two points with finite
// coordinates and the documented fields.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "fuzz_support.hpp"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace coldspot;
    geo::routing::RoadSource source;
    source.kind = geo::routing::RoadSourceKind::Pbf;
    source.path = fuzz::scratch_file("roads.osm.pbf", {reinterpret_cast<const char*>(data), size});
    try {
        const auto roads = geo::routing::read_road_lines(source);
        if (roads.geometry_type != geo::GeometryType::MultiLineString) fuzz::fail("roads are not lines");
        for (const auto& f : roads.features) {
            if (f.values.size() != roads.fields.size()) fuzz::fail("row and schema differ");
            const auto* lines = std::get_if<geo::MultiLineString>(&f.geometry);
            if (!lines || lines->empty()) fuzz::fail("road without a line");
            for (const auto& line : *lines) {
                if (line.size() < 2) fuzz::fail("road line of one point");
                for (const auto& p : line)
                    if (!std::isfinite(p.x()) || !std::isfinite(p.y())) fuzz::fail("road point not finite");
            }
        }
    } catch (const InputError& e) {
        if (e.where().file.find("roads.osm.pbf") == std::string::npos) fuzz::fail(std::string("error without the file: ") + e.what());
    } catch (const CrsError&) {
        // A location PROJ cannot bring to EPSG:27700 (beyond the projection's domain).
    }
    return 0;
}
