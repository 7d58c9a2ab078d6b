// coldspot remits WORKSPACE: assigns schools to authorities and hub remits, overlays the remits,
// stores the result layers in a new workspace version and prints the hub (or authority) dashboard.
#include "command.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/remits/analysis.hpp"
#include "coldspot/geo/workspace.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace coldspot::cli {
namespace {

using namespace coldspot::geo::remits;

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string cell(const geo::Value& v) {
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.4f", *d);
        return buf;
    }
    return geo::as_text(v);
}

void print_csv(const geo::FeatureTable& t, std::ostream& out) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) out << (i ? "," : "") << csv_field(t.fields[i].name);
    out << "\n";
    for (const auto& f : t.features) {
        for (std::size_t i = 0; i < f.values.size(); ++i) out << (i ? "," : "") << csv_field(cell(f.values[i]));
        out << "\n";
    }
}

/// An aligned text table of the chosen columns.
void print_table(const geo::FeatureTable& t, const std::vector<std::string>& columns, std::ostream& out) {
    std::vector<std::size_t> idx;
    idx.reserve(columns.size());
    for (const auto& c : columns) idx.push_back(t.require_field(c));
    std::vector<std::vector<std::string>> rows{columns};
    for (const auto& f : t.features) {
        std::vector<std::string> r;
        r.reserve(idx.size());
        for (std::size_t i : idx) r.push_back(cell(f.values[i]));
        rows.push_back(std::move(r));
    }
    std::vector<std::size_t> width(columns.size(), 0);
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
    for (const auto& r : rows) {
        for (std::size_t c = 0; c < r.size(); ++c) {
            out << r[c];
            if (c + 1 < r.size()) out << std::string(width[c] - r[c].size() + 2, ' ');
        }
        out << "\n";
    }
}

void print_summary(const RemitAnalysis& a, std::ostream& out) {
    const auto& o = a.overlay;
    char buf[256];
    std::snprintf(buf, sizeof buf, "study area %.1f km2, %zu zones, %zu schools located (%d outside the study area)\n",
                  o.study_area_km2, o.zones.size(), a.inputs.schools.size(), o.schools_outside_study_area);
    out << buf;
    for (const auto& g : o.gaps) {
        std::snprintf(buf, sizeof buf, "gap  %-28s %10.3f km2  %6d schools  %6d deprived\n", g.hub_type.c_str(), g.area_km2,
                      g.tally.schools, g.tally.deprived_schools);
        out << buf;
    }
    for (const auto& ov : o.overlaps) {
        std::snprintf(buf, sizeof buf, "overlap %-25s %10.3f km2  %6d schools  %s\n", ov.hub_type.c_str(), ov.area_km2,
                      ov.tally.schools, hub_set_key(a.inputs.hubs, ov.hubs).c_str());
        out << buf;
    }
    if (!o.slivers.empty()) {
        double total = 0;
        for (const auto& s : o.slivers) total += s.area_m2;
        std::snprintf(buf, sizeof buf, "%zu sliver parts below %.0f m2 (%.0f m2 in all), listed in remit_slivers\n",
                      o.slivers.size(), a.options.sliver_area_m2, total);
        out << buf;
    }
    int snapped = 0;
    for (const auto& s : a.assignments)
        if (s.district && s.district->placement == Placement::Snapped) ++snapped;
    out << snapped << " schools snapped to a district within " << a.options.snap_distance_m << " m\n";
    if (o.schools_without_zone > 0)
        out << o.schools_without_zone << " schools on boundaries or snapped have a hub set no zone has (counted in no zone)\n";
    out << "\n";
}

void print_school(const RemitAnalysis& a, std::int64_t urn, std::ostream& out) {
    const auto& in = a.inputs;
    for (std::size_t i = 0; i < in.schools.size(); ++i) {
        if (in.schools[i].urn != urn) continue;
        const auto& s = in.schools[i];
        const auto& as = a.assignments[i];
        const auto& r = a.records[i];
        out << s.urn << " " << s.name << " (" << s.phase << ")\n";
        out << "  LSOA " << (as.lsoa ? in.lsoas[as.lsoa->polygon].code : "-") << ", district "
            << (as.district ? in.districts[as.district->polygon].code + " " + in.districts[as.district->polygon].name : "-")
            << ", authority "
            << (as.upper_tier ? in.upper_tier[as.upper_tier->polygon].code + " " + in.upper_tier[as.upper_tier->polygon].name : "-")
            << (as.district ? " [" + std::string(to_string(as.district->placement)) + "]" : "") << "\n";
        if (s.trust_uid) {
            out << "  trust " << *s.trust_uid << " " << s.trust_name;
            if (r.trust)
                out << ": " << r.trust->schools << " schools in " << r.trust->authorities << " authorities, median "
                    << r.trust->median_km << " km apart" << (r.trust->local ? "" : " (NOT LOCAL)");
            out << "\n";
        }
        for (const auto& h : r.hubs) {
            const auto& hub = in.hubs[h.hub];
            out << "  " << hub.type << ": " << hub.name << " [" << hub.id << "]";
            if (h.lead_school) out << ", lead " << in.schools[*h.lead_school].name;
            if (h.nearest_venue) out << ", nearest venue " << in.venues[*h.nearest_venue].name << " (" << h.nearest_venue_km << " km)";
            if (h.placement != Placement::Interior) out << " [" << to_string(h.placement) << "]";
            out << "\n";
        }
        for (const auto& t : r.outside_types) out << "  FLAG outside every " << t << "\n";
        for (const auto& t : r.multi_hub_types) out << "  FLAG under two or more of type " << t << "\n";
        return;
    }
    throw NotFoundError("no located school with URN " + std::to_string(urn));
}

int run(CommandArgs argv) {
    const Args args(argv,
                    {"--snap-m", "--sliver-m2", "--trust-max-authorities", "--trust-max-median-km", "--min-authority-share",
                     "--region", "--school"},
                    {"--csv", "--la", "--no-write"});
    args.expect_positionals(1, 1, "one WORKSPACE");
    RemitOptions options;
    if (auto v = args.number("--snap-m")) options.snap_distance_m = geo::Metres(*v);
    if (auto v = args.number("--sliver-m2")) options.sliver_area_m2 = *v;
    if (auto v = args.integer("--trust-max-authorities")) options.trust_max_authorities = static_cast<int>(*v);
    if (auto v = args.number("--trust-max-median-km")) options.trust_max_median_km = *v;
    if (auto v = args.number("--min-authority-share")) options.min_authority_share = *v;
    options.region = args.value("--region");
    options.validate();

    const std::filesystem::path path = args.positionals()[0];
    const RemitAnalysis a = args.flag("--no-write")
                                ? analyse_remits(read_remit_inputs(geo::Workspace(path)), options)
                                : run_remits(path, options);
    if (auto urn = args.integer("--school")) {
        print_school(a, *urn, std::cout);
        return 0;
    }
    const auto layers = result_layers(a);
    const auto& table = *std::find_if(layers.begin(), layers.end(), [&](const geo::FeatureTable& t) {
        return t.name == (args.flag("--la") ? geo::model::layer::la_dashboard : geo::model::layer::hub_dashboard);
    });
    if (args.flag("--csv")) {
        print_csv(table, std::cout);
        return 0;
    }
    print_summary(a, std::cout);
    if (args.flag("--la"))
        print_table(table, {"level", geo::model::dashboard::la_code, geo::model::dashboard::la_name, geo::model::dashboard::hub_type, geo::model::dashboard::hub_id, "covered_share", geo::model::dashboard::schools, "schools_covered"}, std::cout);
    else
        print_table(table, {geo::model::dashboard::hub_id, "name", geo::model::dashboard::schools, "pupils", "deprived_share", "rural_share", "shared_schools", "area_km2", "authorities"},
                    std::cout);
    return 0;
}

const RegisterCommand registered{Command{
    "remits", "which hubs serve each school; remit zones, gaps, overlaps and dashboards",
    "usage: coldspot remits WORKSPACE [options]\n"
    "\n"
    "Assigns every school to its LSOA, district, upper-tier authority and every hub footprint containing\n"
    "it; partitions the study area into remit zones; writes school_remits, remit_zones, remit_gaps,\n"
    "remit_overlaps, remit_slivers, hub_dashboard, la_dashboard and remit columns on schools into a new\n"
    "workspace version; prints a summary and the hub dashboard.\n"
    "\n"
    "  --csv                       print the dashboard as CSV (all columns) instead of a table\n"
    "  --la                        print the per-authority dashboard (districts, then upper tier)\n"
    "  --school URN                print one school's one-stop record\n"
    "  --no-write                  analyse and print without writing a new workspace version\n"
    "  --region NAME               study area = districts of this region (default: all)\n"
    "  --snap-m M                  snap schools outside every polygon within M metres (default 2000)\n"
    "  --sliver-m2 A               report zone/gap/overlap parts below A m2 as slivers (default 10000)\n"
    "  --trust-max-authorities N   a trust in more upper-tier authorities is not local (default 3)\n"
    "  --trust-max-median-km D     a trust whose schools are a median D km apart is not local (default 50)\n"
    "  --min-authority-share S     a hub serves a district when it covers this share of it (default 0.01)\n",
    run}};

} // namespace
} // namespace coldspot::cli
