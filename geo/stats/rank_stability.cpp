#include "coldspot/geo/stats/rank_stability.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/detail/order_statistics.hpp"
#include "stats/conditional_permutation.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <functional>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>

namespace coldspot::geo::stats {

std::string_view to_string(MissingRule rule) noexcept {
    switch (rule) {
    case MissingRule::Renormalise: return "renormalise";
    case MissingRule::Median: return "median";
    case MissingRule::Zero: return "zero";
    }
    return "";
}

MissingRule missing_rule_from_string(std::string_view text) {
    for (auto r : {MissingRule::Renormalise, MissingRule::Median, MissingRule::Zero})
        if (text == to_string(r)) return r;
    throw InvalidArgumentError("missing-input rule must be 'renormalise', 'median' or 'zero', got '" + std::string(text) +
                               "'");
}

namespace {

constexpr std::size_t kMaxComponents = 16; // availability masks index a 2^C table

/// The scores in the three forms the rules need, built once.
struct Prepared {
    std::size_t n = 0, c = 0;
    std::vector<double> zero_filled, median_filled; ///< row-major
    std::vector<std::uint32_t> mask;                ///< bit c set: the row has component c
};

double median_of(std::vector<double> v) {
    if (v.empty()) return 0.0; // a component nobody has adds the same to every row
    const std::size_t h = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h), v.end());
    const double upper = v[h];
    if (v.size() % 2) return upper;
    return (*std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(h)) + upper) / 2.0;
}

Prepared prepare(std::span<const double> scores, std::size_t c) {
    Prepared p;
    p.c = c;
    p.n = scores.size() / c;
    p.zero_filled.assign(scores.size(), 0.0);
    p.mask.assign(p.n, 0);
    std::vector<std::vector<double>> present(c);
    for (std::size_t i = 0; i < p.n; ++i) {
        for (std::size_t k = 0; k < c; ++k) {
            const double v = scores[i * c + k];
            if (std::isnan(v)) continue;
            if (!(v >= 0) || !std::isfinite(v))
                throw InvalidArgumentError("rank stability: score " + std::to_string(k) + " of unit " + std::to_string(i) +
                                           " is not a finite number >= 0");
            p.zero_filled[i * c + k] = v;
            p.mask[i] |= 1u << k;
            present[k].push_back(v);
        }
        if (p.mask[i] == 0) throw InvalidArgumentError("rank stability: unit " + std::to_string(i) + " has no score");
    }
    std::vector<double> med(c);
    for (std::size_t k = 0; k < c; ++k) med[k] = median_of(std::move(present[k]));
    p.median_filled = p.zero_filled;
    for (std::size_t i = 0; i < p.n; ++i)
        for (std::size_t k = 0; k < c; ++k)
            if (!(p.mask[i] >> k & 1u)) p.median_filled[i * c + k] = med[k];
    return p;
}

double uniform(std::uint64_t& state) noexcept {
    return static_cast<double>(detail::splitmix64(state) >> 11) * 0x1.0p-53;
}

/// One draw: its weights and rule from its own stream (seeded from (seed, draw), so results do
/// not depend on the number of threads), the composite for every row, and every row's rank.
template <typename Rank>
class DrawRunner {
public:
    DrawRunner(const Prepared& p, std::span<const double> weights, const RankStabilityOptions& o)
        : p_(p), base_(weights.begin(), weights.end()), o_(o), w_(p.c), den_(std::size_t{1} << p.c), value_(p.n) {}

    void run(unsigned draw, Rank* ranks) {
        std::uint64_t state = o_.seed ^ (0x9E6C63D0676A9A99ULL * (static_cast<std::uint64_t>(draw) + 1));
        double total = 0;
        for (std::size_t k = 0; k < p_.c; ++k) {
            w_[k] = base_[k] * (1.0 + o_.weight_range * (2.0 * uniform(state) - 1.0));
            total += w_[k];
        }
        for (auto& w : w_) w /= total;
        const auto rules = o_.missing_rules.size();
        const MissingRule rule =
            o_.missing_rules[std::min(rules - 1, static_cast<std::size_t>(uniform(state) * static_cast<double>(rules)))];
        composite(rule);
        rank(ranks);
    }

private:
    void composite(MissingRule rule) {
        const std::size_t c = p_.c;
        const double* m = (rule == MissingRule::Median ? p_.median_filled : p_.zero_filled).data();
        for (std::size_t i = 0; i < p_.n; ++i) {
            double s = 0;
            for (std::size_t k = 0; k < c; ++k) s += w_[k] * m[i * c + k];
            value_[i] = s;
        }
        if (rule != MissingRule::Renormalise) return;
        // Weight available to each availability pattern, then each row divided by its own.
        for (std::size_t mask = 1; mask < den_.size(); ++mask) {
            double d = 0;
            for (std::size_t k = 0; k < c; ++k)
                if (mask >> k & 1u) d += w_[k];
            den_[mask] = d;
        }
        for (std::size_t i = 0; i < p_.n; ++i) value_[i] /= den_[p_.mask[i]];
    }

    /// Every unit's rank in this draw (units whose composite is NaN keep what `ranks` holds). The
    /// composites' bit patterns order as the values do (all are >= 0): one counting pass into about
    /// as many buckets as units over the patterns' range, then each bucket (mostly of 0-2 units)
    /// sorted; ties then share the best rank.
    void rank(Rank* ranks) {
        items_.clear();
        std::uint64_t lo = std::numeric_limits<std::uint64_t>::max(), hi = 0;
        for (std::size_t i = 0; i < p_.n; ++i) {
            if (std::isnan(value_[i])) continue;
            const auto key = std::bit_cast<std::uint64_t>(value_[i] + 0.0); // -0.0 as +0.0
            items_.push_back({key, static_cast<std::uint32_t>(i)});
            lo = std::min(lo, key);
            hi = std::max(hi, key);
        }
        const std::size_t m = items_.size();
        if (m == 0) return;
        const auto bits = static_cast<unsigned>(std::bit_width(m));
        const auto span = static_cast<unsigned>(std::bit_width(hi - lo));
        const unsigned shift = span > bits ? span - bits : 0;
        const std::size_t buckets = static_cast<std::size_t>((hi - lo) >> shift) + 1;
        count_.assign(buckets, 0);
        for (const auto& it : items_) ++count_[(it.key - lo) >> shift];
        std::uint32_t total = 0;
        for (auto& c : count_) total += std::exchange(c, total); // count_[b]: where bucket b starts
        sorted_.resize(m);
        for (const auto& it : items_) sorted_[count_[(it.key - lo) >> shift]++] = it; // count_[b]: where b ends
        const auto by_key = [](const Keyed& a, const Keyed& b) { return a.key < b.key; };
        std::size_t start = 0;
        for (const std::size_t end : count_) {
            if (end - start > 16) {
                std::sort(sorted_.begin() + static_cast<std::ptrdiff_t>(start), sorted_.begin() + static_cast<std::ptrdiff_t>(end), by_key);
            } else {
                for (std::size_t i = start + 1; i < end; ++i) // insertion sort
                    for (std::size_t j = i; j > start && by_key(sorted_[j], sorted_[j - 1]); --j) std::swap(sorted_[j], sorted_[j - 1]);
            }
            start = end;
        }
        // Highest first; tied values share the best rank.
        Rank current = 0;
        for (std::size_t r = m, position = 0; r-- > 0; ++position) {
            if (r + 1 == m || sorted_[r].key != sorted_[r + 1].key) current = static_cast<Rank>(position + 1);
            ranks[sorted_[r].index] = current;
        }
    }

    struct Keyed {
        std::uint64_t key; ///< the composite's bit pattern
        std::uint32_t index;
    };

    const Prepared& p_;
    std::vector<double> base_;
    const RankStabilityOptions& o_;
    std::vector<double> w_, den_, value_;
    std::vector<Keyed> items_, sorted_;
    std::vector<std::uint32_t> count_;
};

template <typename Fn>
void parallel_for(std::size_t count, unsigned threads, Fn fn) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < count;) fn(i);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
}

template <typename Rank>
RankStability run(const Prepared& p, std::span<const double> weights, const RankStabilityOptions& o) {
    const std::size_t n = p.n, draws = o.draws;
    // Draw-major: each draw writes one contiguous row.
    std::vector<Rank> ranks(n * draws);
    {
        std::vector<std::unique_ptr<DrawRunner<Rank>>> runners;
        std::atomic<std::size_t> next{0};
        auto work = [&](DrawRunner<Rank>& runner) {
            for (std::size_t d; (d = next.fetch_add(1)) < draws;) runner.run(static_cast<unsigned>(d), ranks.data() + d * n);
        };
        const unsigned threads = std::max(1u, std::min<unsigned>(o.threads, o.draws));
        for (unsigned t = 0; t < threads; ++t) runners.push_back(std::make_unique<DrawRunner<Rank>>(p, weights, o));
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, std::ref(*runners[t]));
        work(*runners[0]);
        for (auto& t : pool) t.join();
    }
    RankStability out;
    out.median.resize(n);
    out.p05.resize(n);
    out.p95.resize(n);
    out.top_share.resize(n);
    out.robust.resize(n);
    auto nearest_rank = [&](double q) {
        return static_cast<std::size_t>(std::max(1.0, std::ceil(q * static_cast<double>(draws)))) - 1;
    };
    const std::size_t ks[3] = {nearest_rank(0.05), nearest_rank(0.5), nearest_rank(0.95)};
    constexpr std::size_t kBlock = 256;
    parallel_for((n + kBlock - 1) / kBlock, o.threads, [&](std::size_t block) {
        std::vector<Rank> mine(draws);
        std::uint32_t q[3];
        for (std::size_t i = block * kBlock; i < std::min(n, (block + 1) * kBlock); ++i) {
            std::size_t top = 0;
            for (std::size_t d = 0; d < draws; ++d) {
                mine[d] = ranks[d * n + i];
                top += mine[d] <= o.top_n;
            }
            if constexpr (std::is_same_v<Rank, std::uint16_t>) {
                select_u16(mine, ks, q); // linear; the same values nth_element finds
            } else {
                for (std::size_t j = 0; j < 3; ++j) {
                    std::nth_element(mine.begin(), mine.begin() + static_cast<std::ptrdiff_t>(ks[j]), mine.end());
                    q[j] = static_cast<std::uint32_t>(mine[ks[j]]);
                }
            }
            out.p05[i] = q[0];
            out.median[i] = q[1];
            out.p95[i] = q[2];
            out.top_share[i] = static_cast<double>(top) / static_cast<double>(draws);
            out.robust[i] = out.top_share[i] >= o.robust_share;
        }
    });
    return out;
}

} // namespace

RankStability rank_stability(std::span<const double> scores, std::span<const double> weights,
                             const RankStabilityOptions& o) {
    const std::size_t c = weights.size();
    if (c == 0 || c > kMaxComponents)
        throw InvalidArgumentError("rank stability needs 1 to " + std::to_string(kMaxComponents) + " components, got " +
                                   std::to_string(c));
    if (scores.size() % c != 0)
        throw InvalidArgumentError("rank stability: " + std::to_string(scores.size()) + " scores do not fill rows of " +
                                   std::to_string(c));
    double sum = 0;
    for (double w : weights) {
        if (!(w >= 0) || !std::isfinite(w)) throw InvalidArgumentError("rank stability: weights must be finite and >= 0");
        sum += w;
    }
    if (!(sum > 0)) throw InvalidArgumentError("rank stability: at least one weight must be positive");
    if (!(o.weight_range >= 0 && o.weight_range < 1))
        throw InvalidArgumentError("rank stability: the weight range must be in [0, 1)");
    if (o.missing_rules.empty()) throw InvalidArgumentError("rank stability needs at least one missing-input rule");
    if (o.draws == 0) throw InvalidArgumentError("rank stability needs at least one draw");
    const Prepared p = prepare(scores, c);
    if (p.n <= std::numeric_limits<std::uint16_t>::max()) return run<std::uint16_t>(p, weights, o);
    return run<std::uint32_t>(p, weights, o);
}

} // namespace coldspot::geo::stats
