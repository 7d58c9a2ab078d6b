// coldspot access WORKSPACE: drive times from every school to the venues of every hub type, the
// schools x venues matrix and isochrones, written into a new workspace version.
#include "command.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
#include "coldspot/geo/routing/access_run.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace coldspot::cli {
namespace {

using namespace coldspot::geo::routing;

/// --roads: a .osm.pbf path, a JSON file holding a manifest `roads` entry, or that JSON inline.
RoadSource road_source_option(const std::string& spec) {
    if (!spec.empty() && spec.front() == '{') {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(spec);
        } catch (const nlohmann::json::parse_error& e) {
            throw InvalidArgumentError(std::string("--roads: not valid JSON: ") + e.what());
        }
        return parse_road_source(j, std::filesystem::current_path(), "--roads");
    }
    const std::filesystem::path p(spec);
    if (p.extension() == ".json") {
        std::ifstream in(p);
        if (!in) throw FileNotFoundError({spec, 0, ""}, "cannot open road source file");
        nlohmann::json j;
        try {
            in >> j;
        } catch (const nlohmann::json::parse_error& e) {
            throw FormatError({spec, 0, ""}, std::string("not valid JSON: ") + e.what());
        }
        return parse_road_source(j.contains("roads") ? j["roads"] : j, p.parent_path(), spec);
    }
    return parse_road_source(nlohmann::json{{"path", spec}}, std::filesystem::current_path(), "--roads");
}

std::vector<double> minutes_list(const std::string& text) {
    std::vector<double> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            std::size_t used = 0;
            const double v = std::stod(item, &used);
            if (used != item.size() || !(v > 0)) throw std::invalid_argument(item);
            out.push_back(v);
        } catch (const std::exception&) {
            throw InvalidArgumentError("--bands: '" + item + "' is not a positive number of minutes");
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int run(CommandArgs argv) {
    const Args args(argv,
                    {"--roads", "--profile", "--bands", "--cell-m", "--matrix-cutoff", "--flag-snap-m",
                     "--no-coverage-m", "--own-hub-ratio", "--own-hub-extra-min"},
                    {"--no-cache", "--no-write"});
    args.expect_positionals(1, 1, "one WORKSPACE");
    AccessRunOptions o;
    if (auto r = args.value("--roads")) o.roads = road_source_option(*r);
    if (auto p = args.value("--profile")) o.profile = load_speed_profile(*p);
    if (auto b = args.value("--bands")) o.access.isochrones.minutes = minutes_list(*b);
    auto positive = [&](const char* name, double& target, bool allow_zero = false) {
        if (auto v = args.number(name)) {
            if (!(*v > 0 || (allow_zero && *v == 0)))
                throw InvalidArgumentError(std::string(name) + " must be " + (allow_zero ? "zero or more" : "positive"));
            target = *v;
        }
    };
    positive("--cell-m", o.access.isochrones.cell_m);
    positive("--matrix-cutoff", o.access.matrix_cutoff_minutes, true);
    positive("--flag-snap-m", o.access.flag_snap_m);
    positive("--no-coverage-m", o.access.no_coverage_m);
    positive("--own-hub-ratio", o.access.own_hub_ratio);
    positive("--own-hub-extra-min", o.access.own_hub_extra_minutes, true);
    o.use_cache = !args.flag("--no-cache");
    o.write = !args.flag("--no-write");

    const std::filesystem::path workspace = args.positionals()[0];
    const AccessRun run = run_access(workspace, o);
    const auto& g = run.graph;
    if (g.no_roads) std::cerr << "warning: " << g.cache_note << "\n";
    else std::cout << "road graph: " << g.graph.node_count() << " nodes, " << g.graph.edge_count() << " edges, "
              << g.graph.memory_bytes() / 1048576.0 << " MiB (" << g.seconds << " s)\n";
    if (!g.no_roads) std::cout << "  " << g.cache_note << "\n";
    if (g.build) std::cout << "  " << g.build->to_string() << "\n";
    std::cout << "access: " << run.result.report.to_string() << " (" << run.access_seconds << " s)\n";
    // Per hub type: median and worst nearest-venue time by road.
    const auto& sa = run.result.school_access;
    const auto i_type = sa.require_field(geo::model::access::hub_type), i_role = sa.require_field(geo::model::access::role),
               i_min = sa.require_field(geo::model::access::minutes), i_method = sa.require_field(geo::model::access::method);
    std::map<std::string, std::vector<double>> by_type;
    for (const auto& f : sa.features)
        if (geo::as_text(f.values[i_role]) == geo::model::access_role::nearest && geo::as_text(f.values[i_method]) == geo::model::access_method::road)
            by_type[geo::as_text(f.values[i_type])].push_back(*geo::as_number(f.values[i_min]));
    for (const auto& [type, v] : by_type) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "  %-30s nearest venue by road: median %.1f min, max %.1f min (%zu schools)\n",
                      type.c_str(), median(v), *std::max_element(v.begin(), v.end()), v.size());
        std::cout << buf;
    }
    std::cout << (o.write ? "wrote school_access, isochrones, access_matrix to " + workspace.string() : std::string("not written (--no-write)"))
              << "\n";
    return 0;
}

const RegisterCommand registered{Command{
    "access", "drive times from schools to hub venues, matrix and isochrones",
    "usage: coldspot access WORKSPACE [options]\n"
    "\n"
    "Builds (or reads from WORKSPACE.roadgraph) the road graph, snaps schools and hub venues to the nearest\n"
    "road segment, and writes into a new workspace version:\n"
    "  school_access   per school and hub type: the nearest venue (role=nearest) and the nearest venue of\n"
    "                  each hub whose remit covers the school (role=own_hub), minutes, metres, method\n"
    "                  (road | straight_line), snap distance and flags\n"
    "  access_matrix   school x venue pairs within --matrix-cutoff minutes\n"
    "  isochrones      per hub type and band: the area within N minutes' drive of a venue\n"
    "  analysis_runs   a row recording this run's options (the speed profile itself, thresholds, cutoff,\n"
    "                  bands): a scenario or venue suggestion re-routing later uses the same ones\n"
    "\n"
    "  --roads SPEC             road source instead of the workspace roads layer: an .osm.pbf path, a JSON\n"
    "                           file with a manifest roads entry, or that JSON inline\n"
    "  --profile FILE           speed profile JSON (default: built-in, same as data/profiles/car.json)\n"
    "  --bands LIST             isochrone minutes, comma-separated (default 15,30,45,60)\n"
    "  --cell-m M               isochrone grid cell size in metres (default 100)\n"
    "  --matrix-cutoff MIN      matrix cutoff in minutes; 0 = no matrix (default 45)\n"
    "  --flag-snap-m M          flag schools snapped farther than M metres (default 500)\n"
    "  --no-coverage-m M        beyond M metres from a road use the straight-line fallback (default 2000)\n"
    "  --own-hub-ratio R        own hub 'much farther' when > R x nearest ... (default 1.5)\n"
    "  --own-hub-extra-min MIN  ... and > nearest + MIN minutes (default 10)\n"
    "  --no-cache               neither read nor write the road graph cache\n"
    "  --no-write               compute and print only\n",
    run}};

} // namespace
} // namespace coldspot::cli
