// coldspot fetch --region NAME | --la NAME ... | --england -o DIR: the official open datasets,
// downloaded from their publishers into DIR with a manifest for `coldspot import`.
#include "command.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/fetch/fetch.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#ifndef COLDSPOT_DEFAULT_SOURCES
#define COLDSPOT_DEFAULT_SOURCES "data/sources.json"
#endif

namespace coldspot::cli {
namespace {

using namespace coldspot::geo::fetch;

std::string human_bytes(double b) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return buf;
}

/// Bytes, rate and time left, redrawn in place on a terminal at most five times a second.
class ProgressLine {
public:
    void operator()(std::uint64_t done, std::uint64_t total) {
        const auto now = std::chrono::steady_clock::now();
        if (done < last_done_) start_ = now; // a new file (or a restart)
        last_done_ = done;
        if (now - drawn_ < std::chrono::milliseconds(200)) return;
        drawn_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        const double rate = secs > 0 ? done / secs : 0;
        std::string line = "  " + human_bytes(static_cast<double>(done));
        if (total > 0) line += " of " + human_bytes(static_cast<double>(total));
        line += "  " + human_bytes(rate) + "/s";
        if (total > done && rate > 0) line += "  " + std::to_string(static_cast<long>((total - done) / rate)) + " s left";
        std::fprintf(stderr, "\r%-70s", line.c_str());
        std::fflush(stderr);
        shown_ = true;
    }
    void clear() {
        if (shown_) std::fprintf(stderr, "\r%-70s\r", "");
        shown_ = false;
    }

private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), drawn_{};
    std::uint64_t last_done_ = 0;
    bool shown_ = false;
};

int run_fetch_verb(CommandArgs argv) {
    const Args args(argv,
                    {"--region", "--la", "-o", "--output", "--sources", "--mirror", "--shared-data", "--retries", "--backoff",
                     "--stall-timeout", "--connect-timeout"},
                    {"--england", "--no-roads", "--quiet", "--progress"});
    args.expect_positionals(0, 0, "no positional arguments (use --region, --la or --england, and -o DIR)");
    FetchRequest request;
    request.region = args.value("--region");
    request.authorities = args.values("--la");
    request.england = args.flag("--england");
    FetchOptions o;
    auto out = args.value("-o");
    if (!out) out = args.value("--output");
    if (!out) throw InvalidArgumentError("option -o DIR is required");
    o.output = *out;
    o.sources = args.value_or("--sources", COLDSPOT_DEFAULT_SOURCES);
    o.mirror = args.value("--mirror");
    o.shared_data = args.value("--shared-data") ? std::filesystem::path(*args.value("--shared-data"))
                                                : o.sources.parent_path() / ".." / ".." / "shared" / "data";
    o.roads = !args.flag("--no-roads");
    if (auto n = args.integer("--retries")) {
        if (*n < 0) throw InvalidArgumentError("--retries must be zero or more");
        o.download.attempts = static_cast<int>(*n) + 1;
    }
    if (auto b = args.number("--backoff")) o.download.backoff_seconds = std::max(0.0, *b);
    if (auto s = args.integer("--stall-timeout")) o.download.timeouts.stall_seconds = std::max(1LL, *s);
    if (auto s = args.integer("--connect-timeout")) o.download.timeouts.connect_seconds = std::max(1LL, *s);
    const bool quiet = args.flag("--quiet");
    const bool terminal = !quiet && (args.flag("--progress") || isatty(STDERR_FILENO));
    ProgressLine progress;
    if (terminal) o.download.progress = [&](std::uint64_t d, std::uint64_t t) { progress(d, t); };
    o.download.log = [&](const std::string& line) {
        progress.clear();
        if (!quiet) std::cerr << "  " << line << "\n";
    };

    const FetchResult r = run_fetch(request, o);
    progress.clear();
    std::cout << "fetched " << r.selection.label << ": " << r.selection.districts.size() << " districts, "
              << r.selection.upper_tier.size() << " upper-tier authorities, into " << o.output.string() << "\n\n";
    std::uint64_t transferred = 0;
    for (const auto& f : r.files) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "  %-28s %-18s %10s  %s\n", f.id.c_str(), to_string(f.status), human_bytes(static_cast<double>(f.size)).c_str(),
                      f.path.lexically_relative(o.output).string().c_str());
        std::cout << buf;
        transferred += f.bytes_transferred;
    }
    std::cout << "\n" << human_bytes(static_cast<double>(transferred)) << " transferred\n";
    for (const auto& w : r.warnings) std::cerr << "warning: " << w << "\n";
    std::cout << "manifest: " << r.manifest.string() << "\nprovenance: " << (o.output / "provenance.json").string()
              << " (and FILE.provenance.json beside each file)\n";
    std::cout << "next: coldspot import " << r.manifest.string() << " -o WORKSPACE.gpkg";
    if (r.roads_spec) std::cout << "\n      coldspot access WORKSPACE.gpkg --roads " << r.roads_spec->string();
    std::cout << "\n";
    return 0;
}

const RegisterCommand reg{Command{
    "fetch", "download the official open data for a region, authorities or England",
    "usage: coldspot fetch (--region NAME | --la NAME|CODE [--la ...] | --england) -o DIR [options]\n"
    "\n"
    "Downloads every dataset listed in the sources file (schools register, census, workforce, deprivation,\n"
    "boundaries, rural-urban classes, hub tables, targeted-funding lists, OpenStreetMap extracts) from its\n"
    "publisher into DIR, checks sizes, checksums and columns, and writes DIR/manifest.json for\n"
    "`coldspot import` and a provenance record (URL, retrieval time, size, SHA-256, licence) per file.\n"
    "Districts are chosen by code; schools and areas by where they are, so a school registered to another\n"
    "authority but sited in the region is in it. A second run downloads only what changed (ETag /\n"
    "Last-Modified); an interrupted download resumes (HTTP Range); without a network the copies from an\n"
    "earlier run are used.\n"
    "\n"
    "  --region NAME          an English region (\"East of England\")\n"
    "  --la NAME|CODE         a district or upper-tier authority by name or ONS code (repeatable)\n"
    "  --england              all of England (the road extract is not imported: see roads.json)\n"
    "  -o DIR                 output folder (reused: it is also the cache)\n"
    "  --sources FILE         dataset list (default " COLDSPOT_DEFAULT_SOURCES ")\n"
    "  --mirror URL           fetch URL/HOST/PATH instead of each published https://HOST/PATH\n"
    "  --shared-data DIR      where shared: URLs point without a mirror (default beside the repository)\n"
    "  --no-roads             skip the OpenStreetMap extracts\n"
    "  --retries N            retries per file after a network failure or 5xx (default 3)\n"
    "  --backoff S            first retry after S seconds, doubling (default 1)\n"
    "  --stall-timeout S      abandon a transfer that sends nothing for S seconds (default 60)\n"
    "  --connect-timeout S    (default 20)\n"
    "  --progress / --quiet   force the progress line / print only the summary\n"
    "\n"
    "Exit codes: 0 ok, 2 bad arguments or a name that matches nothing (nearest names suggested),\n"
    "3 a publisher's file whose columns changed, 1 network, HTTP, checksum or disk errors (a partial\n"
    "download is kept for a resume and never imported). docs/fetch.md.",
    run_fetch_verb}};

} // namespace
} // namespace coldspot::cli
