// Benchmark of the statistics engine on national data: Gi* (analytical and with 999 conditional
// permutations) and local Moran's I on the 33,755 England LSOAs (IMD 2025 score, distance band
// between polygon centroids) and on ~23,500 open schools (the IMD score of their LSOA). Writes the inputs and weights for the R spdep run that tools/bench/stats/run does next.
//   bench_stats SHARED_DATA_DIR OUT_DIR LSOA_BAND_M SCHOOL_BAND_M PERMUTATIONS
#include "coldspot/geo/stats/distance_weights.hpp"
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/vector_file.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using namespace coldspot::geo;
using namespace coldspot::geo::stats;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds used by the process so far: on a shared machine, wall time alone overstates cost.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

Point centroid_of(const MultiPolygon& mp) {
    double a = 0, cx = 0, cy = 0;
    for (const auto& poly : mp) {
        auto ring_sum = [&](const Ring& r) {
            for (std::size_t i = 0; i + 1 < r.size(); ++i) {
                const double cross = r[i].x() * r[i + 1].y() - r[i + 1].x() * r[i].y();
                a += cross;
                cx += (r[i].x() + r[i + 1].x()) * cross;
                cy += (r[i].y() + r[i + 1].y()) * cross;
            }
        };
        ring_sum(poly.outer());
        for (const auto& hole : poly.inners()) ring_sum(hole);
    }
    return Point{cx / (3 * a), cy / (3 * a)};
}

struct Dataset {
    std::string name;
    std::vector<Point> points;
    std::vector<double> x;
};

void run(const Dataset& d, double band, unsigned permutations, unsigned repeats, const std::filesystem::path& out) {
    auto t0 = Clock::now();
    const auto w = distance_band_weights(d.points, band);
    const double t_weights = seconds_since(t0);

    // Analytical Gi*: one warm-up call, then the best of `repeats` (wall and CPU time). A call of a
    // few milliseconds on a loaded machine is mostly scheduling noise (one lost time slice is
    // several ms), so a single wall-clock sample says little; spdep's localG is timed the same way
    // in bench_spdep.R. The call does at least what localG does: Gi*, E, Var, z and p for every
    // feature, plus the Benjamini-Hochberg adjustment and the confidence bins.
    auto analytical = getis_ord(d.x, w, true, WeightStyle::Binary);
    double t_analytical = 1e300, c_analytical = 1e300;
    for (unsigned r = 0; r < repeats; ++r) {
        t0 = Clock::now();
        const double c = cpu_seconds();
        analytical = getis_ord(d.x, w, true, WeightStyle::Binary);
        c_analytical = std::min(c_analytical, cpu_seconds() - c);
        t_analytical = std::min(t_analytical, seconds_since(t0));
    }

    t0 = Clock::now();
    const double c0 = cpu_seconds();
    const auto permuted = getis_ord(d.x, w, true, WeightStyle::Binary, {permutations, 1, 2, false, false});
    const double t_perm = seconds_since(t0);
    const double c_perm = cpu_seconds() - c0;

    t0 = Clock::now();
    const auto moran = local_moran(d.x, w, WeightStyle::RowStandardised, {permutations, 1, 2, false, false});
    const double t_moran = seconds_since(t0);

    std::size_t hot = 0, cold = 0;
    for (auto b : analytical.bin) {
        hot += b == 3;
        cold += b == -3;
    }
    std::cout << "cpp " << d.name << " n=" << d.x.size() << " band_m=" << band << " mean_neighbours=" << w.mean_cardinality()
              << " islands=" << w.islands().size() << " weights_s=" << t_weights << " gistar_analytical_s=" << t_analytical
              << " gistar_analytical_cpu_s=" << c_analytical << " repeats=" << repeats
              << " gistar_perm_s=" << t_perm << " gistar_perm_cpu_s=" << c_perm << " moran_perm_s=" << t_moran << " permutations=" << permutations
              << " hot99=" << hot << " cold99=" << cold << '\n';

    std::ofstream x(out / (d.name + "_x.txt")), e(out / (d.name + "_edges.txt")), z(out / (d.name + "_z.txt"));
    x.precision(17);
    z.precision(17);
    for (double v : d.x) x << v << '\n';
    for (std::size_t i = 0; i < w.size(); ++i)
        for (FeatureIndex j : w.neighbours(i)) e << i + 1 << ' ' << j + 1 << '\n';
    for (double v : analytical.z) z << v << '\n';
    (void)permuted;
    (void)moran;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::cerr << "usage: bench_stats SHARED_DATA_DIR OUT_DIR LSOA_BAND_M SCHOOL_BAND_M PERMUTATIONS\n";
        return 2;
    }
    const std::filesystem::path data = argv[1], out = argv[2];
    const double lsoa_band = std::stod(argv[3]), school_band = std::stod(argv[4]);
    const auto permutations = static_cast<unsigned>(std::stoul(argv[5]));
    try {
        auto t0 = Clock::now();
        const FeatureTable lsoas =
            read_vector_file("/vsigzip/" + (data / "boundaries/lsoa21_bsc/lsoa21_england_bsc.geojson.gz").string());
        const FeatureTable imd_table = read_vector_file((data / "deprivation/imd2025_england_lsoa21.csv").string());
        std::map<std::string, double> imd;
        const auto ic = imd_table.require_field("lsoa21_code"), is = imd_table.require_field("IMD_score");
        for (const auto& f : imd_table.features)
            imd[as_text(f.values[ic])] = as_number(f.values[is]).value_or(std::stod(as_text(f.values[is])));
        Dataset l{"lsoa", {}, {}};
        const auto lc = lsoas.require_field("lsoa21_code");
        for (const auto& f : lsoas.features) {
            l.points.push_back(centroid_of(std::get<MultiPolygon>(f.geometry)));
            l.x.push_back(imd.at(as_text(f.values[lc])));
        }
        const FeatureTable schools = read_vector_file((data / "schools/schools_gias2024_composite_geocoded.csv").string());
        const auto st = schools.require_field("status"), se = schools.require_field("easting"),
                   sn = schools.require_field("northing"), sl = schools.require_field("lsoa21_code");
        Dataset s{"schools", {}, {}};
        for (const auto& f : schools.features) {
            const std::string status = as_text(f.values[st]), code = as_text(f.values[sl]);
            const std::string e = as_text(f.values[se]), n = as_text(f.values[sn]);
            if (status.rfind("Open", 0) != 0 || e.empty() || e == "NA" || !imd.count(code)) continue;
            s.points.emplace_back(std::stod(e), std::stod(n));
            s.x.push_back(imd.at(code));
        }
        std::cout << "cpp load_s=" << seconds_since(t0) << '\n';
        const char* rep = std::getenv("ANALYTICAL_REPEATS");
        const unsigned repeats = rep ? static_cast<unsigned>(std::max(1L, std::atol(rep))) : 10u;
        run(l, lsoa_band, permutations, repeats, out);
        run(s, school_band, permutations, repeats, out);
    } catch (const std::exception& e) {
        std::cerr << "bench_stats: " << e.what() << '\n';
        return 1;
    }
}
