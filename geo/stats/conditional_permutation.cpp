#include "stats/conditional_permutation.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace coldspot::geo::stats::detail {

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

namespace {

/// xoshiro256** (Blackman & Vigna): fast, 256-bit state, good enough for resampling.
class Xoshiro256 {
public:
    explicit Xoshiro256(std::uint64_t seed) noexcept {
        for (auto& w : s_) w = splitmix64(seed);
    }
    std::uint64_t operator()() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform in [0, range) by Lemire's multiply-shift; the bias (range / 2^32) is far below what
    /// a few thousand permutations can detect.
    std::uint32_t below(std::uint32_t range) noexcept {
        return static_cast<std::uint32_t>(((operator()() >> 32) * static_cast<std::uint64_t>(range)) >> 32);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

} // namespace

PermutationResult conditional_permutation(const PermutationInput& in, unsigned permutations, std::uint64_t seed,
                                          unsigned threads) {
    const SpatialWeights& w = *in.weights;
    const std::size_t n = w.size();
    PermutationResult out;
    out.p_sim.assign(n, std::nan(""));
    out.z_sim.assign(n, std::nan(""));
    if (permutations == 0 || n < 2) return out;

    std::atomic<std::size_t> next{0};
    constexpr std::size_t kBlock = 64;
    const auto n_minus_1 = static_cast<std::uint32_t>(n - 1);

    auto work = [&] {
        // stamp[j] == generation marks j as drawn in the current permutation: O(1) reset.
        std::vector<std::uint32_t> stamp(n, 0);
        std::uint32_t generation = 0;
        std::vector<double> sims(permutations);
        for (;;) {
            const std::size_t begin = next.fetch_add(kBlock);
            if (begin >= n) break;
            const std::size_t end = std::min(n, begin + kBlock);
            for (std::size_t i = begin; i < end; ++i) {
                if (!in.skip.empty() && in.skip[i]) continue;
                if (std::isnan(in.observed[i])) continue;
                const auto nb = w.neighbours(i);
                const auto wt = w.weights(i);
                std::uint64_t stream = seed ^ (0xD1B54A32D192ED03ULL * (static_cast<std::uint64_t>(i) + 1));
                Xoshiro256 rng(splitmix64(stream));
                const double scale = in.scale[i];
                const double offset = in.offset[i];
                for (unsigned r = 0; r < permutations; ++r) {
                    if (++generation == 0) { // wrapped: clear and start again
                        std::fill(stamp.begin(), stamp.end(), 0);
                        generation = 1;
                    }
                    double sum = 0;
                    for (std::size_t s = 0; s < nb.size(); ++s) {
                        if (nb[s] == i) continue;
                        std::uint32_t j;
                        do {
                            j = rng.below(n_minus_1);
                            if (j >= i) ++j; // skip i itself: its value is fixed
                        } while (stamp[j] == generation);
                        stamp[j] = generation;
                        sum += wt[s] * in.drawn_values[j];
                    }
                    sims[r] = scale * sum + offset;
                }
                const double obs = in.observed[i];
                std::size_t larger = 0;
                double mean = 0;
                for (double v : sims) {
                    larger += v >= obs;
                    mean += v;
                }
                mean /= permutations;
                double ss = 0;
                for (double v : sims) ss += (v - mean) * (v - mean);
                if (permutations - larger < larger) larger = permutations - larger;
                out.p_sim[i] = (static_cast<double>(larger) + 1.0) / (static_cast<double>(permutations) + 1.0);
                const double sd = permutations > 1 ? std::sqrt(ss / (permutations - 1)) : 0.0;
                out.z_sim[i] = sd > 0 ? (obs - mean) / sd : std::nan("");
            }
        }
    };
    const unsigned count = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>((n + kBlock - 1) / kBlock)));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < count; ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
    return out;
}

} // namespace coldspot::geo::stats::detail
