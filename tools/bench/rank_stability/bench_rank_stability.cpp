// Rank stability benchmark: the Monte Carlo of docs/methodology.md §13 on N schools x D draws with
// six components (5 % of scores missing, as schools without an LSOA match or a need field), timed as
// the best of R runs, on 1 and 2 threads.
//   bench_rank_stability [SCHOOLS] [DRAWS] [REPEATS]
#include "coldspot/geo/stats/rank_stability.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <vector>

using namespace coldspot::geo::stats;

int main(int argc, char** argv) {
    const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 30000;
    const unsigned draws = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10)) : 1000;
    const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> scores(n * 6);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < 6; ++c)
            scores[i * 6 + c] = (c > 0 && u(rng) < 0.05) ? std::numeric_limits<double>::quiet_NaN() : u(rng);
    const std::vector<double> weights{0.35, 0.25, 0.15, 0.10, 0.10, 0.05};
    for (unsigned threads : {1u, 2u}) {
        RankStabilityOptions o;
        o.draws = draws;
        o.threads = threads;
        double best = 1e300;
        std::size_t robust = 0;
        for (int r = 0; r < repeats; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            const auto result = rank_stability(scores, weights, o);
            best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            robust = static_cast<std::size_t>(std::count(result.robust.begin(), result.robust.end(), 1));
        }
        std::printf("rank_stability schools=%zu draws=%u threads=%u best_of=%d seconds=%.3f robust_targets=%zu\n", n, draws,
                    threads, repeats, best, robust);
    }
    return 0;
}
