#include "coldspot/geo/style/area_labels.hpp"

#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <cmath>

namespace coldspot::geo::style {

namespace {

void add_labels(FeatureTable& out, const FeatureTable& areas, const char* kind) {
    const int name = areas.field_index("name");
    if (name < 0) return;
    for (const auto& f : areas.features) {
        const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
        const auto& label = f.values[static_cast<std::size_t>(name)];
        if (!mp || mp->empty() || is_null(label)) continue;
        const double area_m2 = std::abs(boost::geometry::area(*mp));
        // Within 1 % of the area's size: a metre-exact pole is no better placed for a label and costs
        // far more on a detailed coast.
        const double tolerance = std::max(10.0, 0.01 * std::sqrt(area_m2));
        out.features.push_back(Feature{static_cast<std::int64_t>(out.features.size()) + 1, label_point(*mp, tolerance),
                                       {as_text(label), std::string(kind), area_m2 / 1e6}});
    }
}

} // namespace

std::optional<FeatureTable> area_labels(const FeatureTable* upper_tier_authorities, const FeatureTable* districts) {
    const FeatureTable* first = upper_tier_authorities ? upper_tier_authorities : districts;
    if (!first) return std::nullopt;
    FeatureTable out;
    out.name = model::layer::area_labels;
    out.description = "Label points of authorities and districts";
    out.geometry_type = GeometryType::Point;
    out.epsg = first->epsg;
    out.fields = {{"name", FieldType::String}, {"kind", FieldType::String}, {"area_km2", FieldType::Real}};
    if (upper_tier_authorities) add_labels(out, *upper_tier_authorities, "authority");
    if (districts) add_labels(out, *districts, "district");
    return out;
}

} // namespace coldspot::geo::style
