#include "coldspot/geo/routing/road_coverage_summary.hpp"

#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/routing/access_parameters.hpp"
#include "coldspot/geo/workspace.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <set>

namespace coldspot::geo::routing {

namespace {

namespace bgi = boost::geometry::index;
using Segment = bg::model::segment<Point>;

std::size_t within_of_roads(const FeatureTable& roads, const FeatureTable& schools, double limit_m) {
    std::vector<Segment> segments;
    for (const auto& f : roads.features)
        if (const auto* lines = std::get_if<MultiLineString>(&f.geometry))
            for (const auto& line : *lines)
                for (std::size_t i = 1; i < line.size(); ++i) segments.emplace_back(line[i - 1], line[i]);
    if (segments.empty()) return 0;
    const bgi::rtree<Segment, bgi::rstar<16>> tree(segments.begin(), segments.end());
    std::size_t within = 0;
    for (const auto& f : schools.features) {
        const auto* p = std::get_if<Point>(&f.geometry);
        if (!p) continue;
        for (auto it = tree.qbegin(bgi::nearest(*p, 1)); it != tree.qend(); ++it)
            within += bg::distance(*p, *it) <= limit_m;
    }
    return within;
}

} // namespace

RoadCoverageSummary summarise_road_coverage(const Workspace& ws, double limit_m) {
    RoadCoverageSummary out;
    out.limit_m = limit_m;
    if (ws.has_layer(model::layer::school_access)) {
        const FeatureTable sa = ws.read(model::layer::school_access);
        const auto i_urn = sa.require_field(model::access::urn), i_flag = sa.require_field(model::access::snap_flag);
        std::set<std::string> all, covered;
        for (const auto& f : sa.features) {
            const std::string urn = as_text(f.values[i_urn]);
            all.insert(urn);
            if (as_text(f.values[i_flag]) != "no_road") covered.insert(urn);
        }
        out.schools = all.size();
        out.within = covered.size();
        out.basis = model::layer::school_access;
        out.limit_m = recorded_access_parameters(ws).parameters.access.no_coverage_m; // what the run used
        return out;
    }
    if (!ws.has_layer(model::layer::schools)) return out;
    const FeatureTable schools = ws.read(model::layer::schools);
    out.schools = schools.features.size();
    if (!ws.has_layer(model::layer::roads)) {
        out.basis = "no roads";
        return out;
    }
    out.within = within_of_roads(ws.read(model::layer::roads), schools, limit_m);
    out.basis = "roads layer";
    return out;
}

} // namespace coldspot::geo::routing
