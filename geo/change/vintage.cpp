// Reading the two vintages and deciding whether they can be compared at all.
#include "sections.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/workspace.hpp"

#include <algorithm>
#include <boost/geometry.hpp>

namespace coldspot::geo::change::detail {

namespace bg = boost::geometry;

std::optional<double> number(const FeatureTable& t, const Feature& f, std::string_view field) {
    const int i = t.field_index(field);
    return i < 0 ? std::nullopt : as_number(f.values[static_cast<std::size_t>(i)]);
}

std::string text(const FeatureTable& t, const Feature& f, std::string_view field) {
    const int i = t.field_index(field);
    return i < 0 ? std::string() : as_text(f.values[static_cast<std::size_t>(i)]);
}

Value opt_value(const std::optional<double>& v) { return v ? Value(*v) : Value(); }
Value opt_int(const std::optional<int>& v) { return v ? Value(std::int64_t{*v}) : Value(); }

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
}

Point inner_point(const MultiPolygon& mp) {
    if (mp.empty() || mp.front().outer().empty()) return Point{0, 0};
    Point c;
    bg::centroid(mp, c);
    if (bg::covered_by(c, mp)) return c;
    // A concave area: the midpoint of a chord across the largest part's first vertices.
    const auto& ring = mp.front().outer();
    for (std::size_t i = 2; i < ring.size(); ++i) {
        Point m{(ring[0].x() + ring[i].x()) / 2, (ring[0].y() + ring[i].y()) / 2};
        if (bg::within(m, mp)) return m;
    }
    return ring.front();
}

PolygonLayer::PolygonLayer(const FeatureTable& t, std::string_view key_field) : table(&t) {
    std::vector<MultiPolygon> polys;
    for (const auto& f : t.features) {
        const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
        polys.push_back(mp ? *mp : MultiPolygon{});
        keys.push_back(text(t, f, key_field));
    }
    index = std::make_unique<remits::PolygonIndex>(std::move(polys), keys);
}

std::optional<std::size_t> PolygonLayer::locate_row(const Point& p, double snap_m) const {
    const auto hit = index->locate(p, Metres(snap_m));
    if (!hit) return std::nullopt;
    return hit->polygon;
}

std::string PolygonLayer::locate(const Point& p, double snap_m) const {
    const auto row = locate_row(p, snap_m);
    return row ? keys[*row] : std::string();
}

std::vector<std::size_t> PolygonLayer::locate_all(const Point& p) const {
    std::vector<std::size_t> out;
    for (const auto& h : index->locate_all(p, Metres(0))) out.push_back(h.polygon);
    return out;
}

Vintage read_vintage(const std::filesystem::path& path, const std::string& label, const ChangeOptions& o) {
    const Workspace ws(path);
    Vintage v;
    v.path = path;
    v.label = label;
    const auto read = [&](std::optional<FeatureTable>& slot, const std::string& name) {
        if (ws.has_layer(name)) slot = ws.read(name);
    };
    read(v.areas, model::layer::areas);
    read(v.local_authorities, model::layer::local_authorities);
    read(v.upper_tier, model::layer::upper_tier_authorities);
    read(v.hubs, model::layer::hubs);
    read(v.hub_districts, model::layer::hub_districts);
    read(v.schools, model::layer::schools);
    read(v.coldspots_schools, model::layer::coldspots_schools);
    read(v.coldspots_areas, model::layer::coldspots_areas);
    read(v.engagement, o.engagement_table);
    read(v.provenance, model::layer::provenance);
    read(v.analysis_runs, model::layer::analysis_runs);
    // Every spatial layer must be in one CRS across both workspaces (checked in check_comparable).
    return v;
}

namespace {

std::set<std::string> codes(const std::optional<FeatureTable>& t) {
    std::set<std::string> out;
    if (!t) return out;
    for (const auto& f : t->features) out.insert(text(*t, f, "code"));
    return out;
}

void check_crs(const Vintage& o, const Vintage& n) {
    const auto epsg_of = [](const Vintage& v) {
        std::map<std::string, int> out;
        for (const auto* t : {&v.areas, &v.local_authorities, &v.upper_tier, &v.hubs, &v.schools, &v.coldspots_schools, &v.coldspots_areas})
            if (*t && (*t)->geometry_type != GeometryType::None) out[(*t)->name] = (*t)->epsg;
        return out;
    };
    const auto oe = epsg_of(o), ne = epsg_of(n);
    for (const auto& [name, epsg] : oe) {
        const auto it = ne.find(name);
        if (it != ne.end() && it->second != epsg)
            throw CrsError("layer '" + name + "' is in EPSG:" + std::to_string(epsg) + " in " + o.path.string() + " but in EPSG:" +
                           std::to_string(it->second) + " in " + n.path.string() + "; both workspaces must be in one CRS (EPSG:27700)");
    }
    for (const auto& [name, epsg] : ne)
        if (epsg != 27700 && epsg != 0)
            throw CrsError("layer '" + name + "' of " + n.path.string() + " is in EPSG:" + std::to_string(epsg) +
                           ", not British National Grid (EPSG:27700) as a Coldspot workspace must be");
}

void check_region(const Vintage& o, const Vintage& n, ChangeOutput& out) {
    const auto oc = codes(o.local_authorities), nc = codes(n.local_authorities);
    if (oc.empty() || nc.empty()) {
        out.warn("inputs", "a workspace has no local_authorities layer, so their study areas cannot be compared; areas and schools "
                           "outside the NEW study area are still left out");
        return;
    }
    std::vector<std::string> common, only_old, only_new;
    std::set_intersection(oc.begin(), oc.end(), nc.begin(), nc.end(), std::back_inserter(common));
    std::set_difference(oc.begin(), oc.end(), nc.begin(), nc.end(), std::back_inserter(only_old));
    std::set_difference(nc.begin(), nc.end(), oc.begin(), oc.end(), std::back_inserter(only_new));
    if (common.empty())
        throw InvalidArgumentError("the workspaces cover different regions: no district of " + o.path.string() + " (" +
                                   std::to_string(oc.size()) + " districts) is in " + n.path.string() + " (" + std::to_string(nc.size()) +
                                   "); compare workspaces of the same study area");
    if (!only_old.empty() || !only_new.empty())
        out.warn("inputs", "the study areas differ: " + std::to_string(only_old.size()) + " districts only in OLD (" +
                               join(std::vector<std::string>(only_old.begin(), only_old.begin() + std::min<std::size_t>(5, only_old.size())), ", ") +
                               (only_old.size() > 5 ? ", ..." : "") + "), " + std::to_string(only_new.size()) + " only in NEW (" +
                               join(std::vector<std::string>(only_new.begin(), only_new.begin() + std::min<std::size_t>(5, only_new.size())), ", ") +
                               (only_new.size() > 5 ? ", ..." : "") + "); the comparison covers the NEW study area and says 'unknown' where OLD has no data");
}

/// (dataset -> "sha256|vintage|rows kept") of a provenance table.
std::map<std::string, std::string> sources(const std::optional<FeatureTable>& p) {
    std::map<std::string, std::string> out;
    if (!p) return out;
    for (const auto& f : p->features)
        out[text(*p, f, model::source::dataset)] = text(*p, f, model::source::sha256) + "|" + text(*p, f, model::source::vintage) + "|" + text(*p, f, model::source::rows_kept);
    return out;
}

void check_vintages(const Vintage& o, const Vintage& n, ChangeOutput& out) {
    std::error_code ec;
    if (std::filesystem::equivalent(o.path, n.path, ec))
        throw InvalidArgumentError("OLD and NEW are the same workspace (" + o.path.string() + "): the same vintage twice has no change to show");
    const auto os = sources(o.provenance), ns = sources(n.provenance);
    if (!os.empty() && os == ns)
        throw InvalidArgumentError("OLD (" + o.path.string() + ") and NEW (" + n.path.string() +
                                   ") were imported from the same files with the same vintages: the same vintage twice has no change to show");
    (void)out;
}

/// The parameters JSON of the last analysis_runs row of each step ("coldspots" for rows without one).
std::map<std::string, nlohmann::json> last_runs(const std::optional<FeatureTable>& runs) {
    std::map<std::string, nlohmann::json> out;
    if (!runs) return out;
    for (const auto& f : runs->features) {
        const auto j = nlohmann::json::parse(text(*runs, f, "parameters"), nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        out[j.value("step", std::string("coldspots"))] = j;
    }
    return out;
}

void check_parameters(const Vintage& o, const Vintage& n, ChangeOutput& out) {
    const auto orun = last_runs(o.analysis_runs), nrun = last_runs(n.analysis_runs);
    for (const auto& [step, params] : nrun) {
        if (step == "change") continue;
        const auto it = orun.find(step);
        if (it == orun.end()) {
            out.warn("inputs", "NEW has a '" + step + "' run but OLD has none, so its results have nothing to compare with");
            continue;
        }
        std::vector<std::string> differ;
        for (const auto& d : nlohmann::json::diff(it->second, params)) differ.push_back(d.value("path", std::string()));
        if (!differ.empty())
            out.warn("inputs", "the '" + step + "' step ran with different parameters in OLD and NEW (" +
                                   join(std::vector<std::string>(differ.begin(), differ.begin() + std::min<std::size_t>(6, differ.size())), ", ") +
                                   (differ.size() > 6 ? ", ..." : "") + "): part of any change in its results comes from the parameters, not the places");
    }
}

} // namespace

void check_comparable(const Vintage& o, const Vintage& n, const ChangeOptions&, ChangeOutput& out) {
    check_vintages(o, n, out);
    check_crs(o, n);
    check_region(o, n, out);
    check_parameters(o, n, out);
}

} // namespace coldspot::geo::change::detail
