// coldspot target WORKSPACE [--hub NAME] [--la CODE] [--area LSOA] [--top N] [--csv FILE] [--geojson FILE]
//                 [--suggest K --hub-type TYPE [--cutoff MINUTES] [--candidates SITES.csv]]
#include "command.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/coldspots/candidate_points.hpp"
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/error.hpp"

#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>

namespace coldspot::cli {
namespace {

/// Writes what `write` puts out as the whole of `path`, atomically (geo::write_file_atomically): a
/// run killed while writing leaves no half-written file, and a failure is an IoError naming it.
template <class Write>
void write_output(const std::string& path, const Write& write) {
    std::ostringstream out;
    write(out);
    geo::write_file_atomically(path, out.str());
}

int run_target(CommandArgs argv) {
    Args args(argv, {"--hub", "--la", "--area", "--top", "--csv", "--geojson", "--suggest", "--hub-type", "--cutoff", "--candidates"}, {});
    args.expect_positionals(1, 1, "one workspace: coldspot target WORKSPACE.gpkg --hub NAME --top N");
    const geo::Workspace ws(args.positionals()[0]);
    geo::coldspots::TargetQuery q;
    q.hub = args.value("--hub");
    q.authority = args.value("--la");
    q.area = args.value("--area");
    if (const auto top = args.integer("--top")) {
        if (*top < 1) throw InvalidArgumentError("--top must be at least 1");
        q.top = static_cast<std::size_t>(*top);
    }
    if (const auto k = args.integer("--suggest")) {
        if (*k < 1) throw InvalidArgumentError("--suggest must be at least 1");
        const std::string type = args.required("--hub-type");
        const double cutoff = args.number("--cutoff").value_or(30.0);
        std::optional<std::vector<geo::Point>> sites;
        if (const auto path = args.value("--candidates")) sites = geo::coldspots::read_candidate_points(*path);
        const auto s = geo::coldspots::suggest_venues(ws, q, type, static_cast<std::size_t>(*k), geo::Minutes(cutoff), sites ? &*sites : nullptr);
        const auto& c = s.choice;
        std::cout << "venue suggestion for " << type << " within " << cutoff << " min among " << s.schools
                  << " schools (weight = cold-spot index / 100; greedy, >= (1 - 1/e) of the optimum)\n";
        if (sites) std::cout << "candidates: " << sites->size() << " sites from " << *args.value("--candidates") << "\n";
        std::cout << "coverage: " << s.method << "\n";
        std::cout << "covered before: " << c.covered_before << " of " << c.total << "\n";
        for (std::size_t i = 0; i < s.urns.size(); ++i) {
            std::cout << "  " << i + 1 << ". ";
            // A site from the list is named by its row and place; a school by its URN.
            if (sites) std::cout << s.names[i] << " at " << std::lround(s.points[i].x()) << " " << std::lround(s.points[i].y());
            else std::cout << "URN " << s.urns[i] << " " << s.names[i];
            std::cout << ": +" << c.gain[i] << "\n";
        }
        std::cout << "covered after: " << c.covered_after << " of " << c.total << "\n";
        return 0;
    }
    const auto table = geo::coldspots::select_targets(ws, q);
    bool wrote = false;
    if (const auto path = args.value("--csv")) {
        write_output(*path, [&](std::ostream& out) { geo::coldspots::write_csv(table, out); });
        wrote = true;
    }
    if (const auto path = args.value("--geojson")) {
        write_output(*path, [&](std::ostream& out) { geo::coldspots::write_geojson(table, out); });
        wrote = true;
    }
    if (!wrote) geo::coldspots::write_csv(table, std::cout);
    else std::cerr << table.features.size() << " schools written\n";
    return 0;
}

const RegisterCommand reg{Command{
    "target", "ranked list of schools to reach first for a hub, authority or area (CSV/GeoJSON), or venue suggestions",
    "usage: coldspot target WORKSPACE.gpkg [--hub NAME|HUB_ID] [--la CODE] [--area LSOA] [--top N]\n"
    "                       [--csv FILE] [--geojson FILE]\n"
    "       coldspot target WORKSPACE.gpkg [selection] --suggest K --hub-type TYPE [--cutoff MINUTES]\n"
    "                       [--candidates SITES.csv]\n\n"
    "Needs a workspace analysed by `coldspot coldspots`. Schools in significant cold spots come first, then by\n"
    "Gi* bin and index; each row gives the reasons and every component's contribution. Without --csv/--geojson\n"
    "the CSV goes to standard output. --suggest picks K candidate schools as new venues to maximise the index-\n"
    "weighted schools within the cutoff (default 30 min) of drive time (school -> venue) on the road graph the\n"
    "access run used, existing venues fixed; without a road graph, by straight-line estimate (it says which).\n"
    "--candidates chooses among the sites of a CSV instead (columns lon,lat in WGS 84 or easting,northing in\n"
    "EPSG:27700; the map page's \"Suggest among places I pick\" sends the same).",
    run_target}};

} // namespace
} // namespace coldspot::cli
