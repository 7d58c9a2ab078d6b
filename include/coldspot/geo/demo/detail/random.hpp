#pragma once
// The demo's random numbers. The standard distributions (std::normal_distribution, ...) are
// implementation-defined, so two standard libraries could draw different demo regions from the same
// seed; SplitMix64 with our own uniform and normal transforms gives the same sequence everywhere.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>

namespace coldspot::geo::demo::detail {

class DemoRandom {
public:
    explicit DemoRandom(std::uint64_t seed) noexcept : state_(seed) {}

    /// SplitMix64 (Steele, Lea, Flood 2014): full period over 64-bit states, passes BigCrush.
    std::uint64_t next() noexcept {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, 1), 53 random bits.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n); the modulo bias is below 2^-40 for the small n used here.
    std::size_t index(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }
    /// Standard normal by Box-Muller; the second value is dropped so that each call consumes the
    /// same number of draws, which keeps the sequence easy to reason about.
    double normal() noexcept {
        const double u1 = 1.0 - uniform(); // (0, 1]: log(0) is impossible
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }
    double normal(double mean, double sd) noexcept { return mean + sd * normal(); }
    bool chance(double p) noexcept { return uniform() < p; }

private:
    std::uint64_t state_;
};

} // namespace coldspot::geo::demo::detail
