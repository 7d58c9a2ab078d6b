// Benchmark half of tools/bench/remits: assigns schools to LSOAs and districts with the remits
// PolygonIndex and writes `urn,lsoa_code,lad_code` for comparison with PostGIS.
// usage: remits_assign DATA.gpkg OUT.csv [REPEATS]
// Timed: building both indexes and assigning every school (the data is already loaded in memory).
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/remits/polygon_index.hpp"
#include "coldspot/geo/workspace.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>

using namespace coldspot::geo;
using namespace coldspot::geo::remits;

namespace {

PolygonIndex index_of(const std::vector<Area>& areas) {
    std::vector<MultiPolygon> polygons;
    std::vector<std::string> keys;
    for (const auto& a : areas) {
        polygons.push_back(a.geometry);
        keys.push_back(a.code);
    }
    return PolygonIndex(std::move(polygons), std::move(keys));
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: remits_assign DATA.gpkg OUT.csv [REPEATS]\n";
        return 2;
    }
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
    const Workspace ws(argv[1]);
    const auto schools = read_schools(ws.read(model::layer::schools), argv[1]);
    const auto lsoas = read_areas(ws.read(model::layer::areas), argv[1]);
    const auto districts = read_areas(ws.read(model::layer::local_authorities), argv[1]);

    std::vector<std::pair<std::optional<PolygonHit>, std::optional<PolygonHit>>> result;
    std::vector<double> ms;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        // Same semantics as ST_Contains: interior only, no snapping (snap distance 0).
        const PolygonIndex lsoa_index = index_of(lsoas), district_index = index_of(districts);
        result.clear();
        result.reserve(schools.size());
        for (const auto& s : schools) result.emplace_back(lsoa_index.locate(s.location, Metres(0)), district_index.locate(s.location, Metres(0)));
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::ofstream out(argv[2]);
    out << "urn,lsoa_code,lad_code\n";
    std::size_t boundary = 0;
    for (std::size_t i = 0; i < schools.size(); ++i) {
        const auto& [l, d] = result[i];
        if ((l && l->placement != Placement::Interior) || (d && d->placement != Placement::Interior)) ++boundary;
        out << schools[i].urn << "," << (l ? lsoas[l->polygon].code : "") << "," << (d ? districts[d->polygon].code : "") << "\n";
    }
    std::cout << "schools " << schools.size() << " lsoas " << lsoas.size() << " districts " << districts.size()
              << " boundary_hits " << boundary << "\n";
    std::cout << "coldspot_ms_median " << ms[ms.size() / 2] << " min " << ms.front() << " max " << ms.back() << " runs " << repeats << "\n";
    return 0;
}
