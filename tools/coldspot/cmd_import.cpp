// coldspot import MANIFEST.json -o WORKSPACE.gpkg
#include "command.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/importer.hpp"

#include <chrono>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace coldspot::cli {
namespace {

/// The report as CSV, written atomically (geo::write_file_atomically): a run killed while writing
/// leaves no half-written file, and a failure is an IoError naming it.
void write_report_csv(const geo::import::ImportReport& report, const std::string& path) {
    std::ostringstream out;
    auto q = [](const std::string& s) {
        std::string r = "\"";
        for (char c : s) r += (c == '"') ? std::string("\"\"") : std::string(1, c);
        return r + "\"";
    };
    out << "dataset,file,line,key,field,reason,action\n";
    for (const auto& e : report.entries())
        out << q(e.dataset) << ',' << q(e.file) << ',' << e.line << ',' << q(e.key) << ',' << q(e.field) << ',' << q(e.reason)
            << ',' << q(e.action) << '\n';
    geo::write_file_atomically(path, out.str());
}

int run_import(CommandArgs argv) {
    Args args(argv, {"-o", "--output", "--report"}, {"--quiet"});
    args.expect_positionals(1, 1, "one manifest: coldspot import MANIFEST.json -o WORKSPACE.gpkg");
    auto out = args.value("-o");
    if (!out) out = args.value("--output");
    if (!out) throw InvalidArgumentError("option -o WORKSPACE.gpkg is required");
    const bool quiet = args.flag("--quiet");
    const auto t0 = std::chrono::steady_clock::now();
    const auto manifest = geo::import::read_manifest(args.positionals()[0]);
    auto last = t0;
    auto result = geo::import::import_workspace(manifest, *out, [&](const std::string& step) {
        const auto now = std::chrono::steady_clock::now();
        if (!quiet)
            std::cerr << "  [" << std::fixed << std::setprecision(2) << std::chrono::duration<double>(now - t0).count() << " s] " << step
                      << "\n";
        last = now;
    });
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto& report = result.report;
    std::cout << "imported " << manifest.name << " into " << *out << " in " << std::fixed << std::setprecision(1) << secs << " s\n\n";
    std::cout << std::left << std::setw(34) << "dataset" << std::right << std::setw(10) << "read" << std::setw(10) << "kept"
              << std::setw(10) << "rejected" << "\n";
    for (const auto& d : report.datasets())
        std::cout << std::left << std::setw(34) << d.dataset << std::right << std::setw(10) << d.rows_read << std::setw(10)
                  << d.rows_kept << std::setw(10) << d.rows_rejected << "\n";
    std::map<std::pair<std::string, std::string>, std::size_t> by_action;
    for (const auto& e : report.entries()) ++by_action[{e.dataset, e.action}];
    if (!by_action.empty()) {
        std::cout << "\nreport entries (all in the workspace table import_report):\n";
        for (const auto& [k, n] : by_action) std::cout << "  " << k.first << ": " << n << " " << k.second << "\n";
        std::size_t shown = 0;
        for (const auto& e : report.entries()) {
            if (e.action != "rejected" || shown == 10) continue;
            std::cout << "  e.g. " << e.file << ":" << e.line << " " << (e.key.empty() ? "" : e.key + " ") << e.field << ": " << e.reason << "\n";
            ++shown;
        }
    }
    std::cout << "\nlayers:\n";
    for (const auto& l : result.layers) std::cout << "  " << std::left << std::setw(24) << l.name << l.features.size() << "\n";
    if (auto path = args.value("--report")) {
        write_report_csv(report, *path);
        std::cout << "\nreport written to " << *path << "\n";
    }
    return 0;
}

const RegisterCommand reg{Command{
    "import", "build a workspace from the inputs a manifest names",
    "usage: coldspot import MANIFEST.json -o WORKSPACE.gpkg [--report REPORT.csv] [--quiet]\n\n"
    "Reads every input the manifest names (schools CSV, boundaries, deprivation and other tables, hub\n"
    "footprints, venues), validates and reprojects to EPSG:27700, and writes a new workspace atomically:\n"
    "on any error nothing is written and an existing workspace is left untouched.\n"
    "Rows that are not kept as they were are listed in the workspace table import_report (file, line,\n"
    "key, field, reason) and, with --report, in a CSV file. Manifest format: docs/import.md.\n"
    "Exit codes: 0 ok, 2 bad arguments, 3 bad input (message names file, line and field), 1 other errors.",
    run_import}};

} // namespace
} // namespace coldspot::cli
