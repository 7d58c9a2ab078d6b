#include "coldspot/geo/coldspots/venue_suggestion.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <string>

namespace coldspot::geo::coldspots {

namespace {

void validate(const CoverageProblem& p) {
    const std::size_t n = p.demand.size();
    if (!p.already_covered.empty() && p.already_covered.size() != n)
        throw InvalidArgumentError("coverage: already_covered has " + std::to_string(p.already_covered.size()) +
                                   " entries for " + std::to_string(n) + " demand points");
    for (std::size_t i = 0; i < n; ++i)
        if (!(p.demand[i] >= 0)) throw InvalidArgumentError("coverage: demand " + std::to_string(i) + " is negative or NaN");
    for (std::size_t c = 0; c < p.covers.size(); ++c)
        for (auto d : p.covers[c])
            if (d >= n)
                throw InvalidArgumentError("coverage: candidate " + std::to_string(c) + " covers unknown demand point " +
                                           std::to_string(d));
}

CoverageChoice start(const CoverageProblem& p, std::vector<std::uint8_t>& covered) {
    CoverageChoice out;
    covered = p.already_covered.empty() ? std::vector<std::uint8_t>(p.demand.size(), 0) : p.already_covered;
    for (std::size_t i = 0; i < p.demand.size(); ++i) {
        out.total += p.demand[i];
        if (covered[i]) out.covered_before += p.demand[i];
    }
    out.covered_after = out.covered_before;
    return out;
}

} // namespace

CoverageChoice greedy_max_cover(const CoverageProblem& p, std::size_t k) {
    validate(p);
    std::vector<std::uint8_t> covered;
    CoverageChoice out = start(p, covered);
    std::vector<std::uint8_t> used(p.covers.size(), 0);
    for (std::size_t round = 0; round < k; ++round) {
        double best_gain = 0;
        std::size_t best = p.covers.size();
        for (std::size_t c = 0; c < p.covers.size(); ++c) {
            if (used[c]) continue;
            double g = 0;
            for (auto d : p.covers[c])
                if (!covered[d]) g += p.demand[d];
            if (g > best_gain) {
                best_gain = g;
                best = c;
            }
        }
        if (best == p.covers.size()) break; // nothing left to gain
        used[best] = 1;
        // A demand point listed twice by one candidate must count once.
        double gained = 0;
        for (auto d : p.covers[best])
            if (!covered[d]) {
                covered[d] = 1;
                gained += p.demand[d];
            }
        out.chosen.push_back(best);
        out.gain.push_back(gained);
        out.covered_after += gained;
    }
    return out;
}

CoverageChoice exact_max_cover(const CoverageProblem& p, std::size_t k, std::uint64_t max_subsets) {
    validate(p);
    const std::size_t m = p.covers.size();
    k = std::min(k, m);
    // C(m, k) without overflow past the cap.
    std::uint64_t subsets = 1;
    for (std::size_t i = 0; i < k; ++i) {
        subsets = subsets * (m - i) / (i + 1);
        if (subsets > max_subsets)
            throw InvalidArgumentError("exact covering: more than " + std::to_string(max_subsets) + " subsets of " +
                                       std::to_string(k) + " among " + std::to_string(m) + " candidates");
    }
    std::vector<std::uint8_t> base;
    CoverageChoice best = start(p, base);
    std::vector<std::size_t> pick(k);
    for (std::size_t i = 0; i < k; ++i) pick[i] = i;
    double best_value = -1;
    std::vector<std::uint8_t> covered;
    for (;;) {
        covered = base;
        double value = best.covered_before;
        for (auto c : pick)
            for (auto d : p.covers[c])
                if (!covered[d]) {
                    covered[d] = 1;
                    value += p.demand[d];
                }
        if (value > best_value) {
            best_value = value;
            best.chosen = pick;
        }
        // Next k-combination in lexicographic order.
        std::size_t i = k;
        while (i > 0 && pick[i - 1] == m - k + (i - 1)) --i;
        if (i == 0) break;
        ++pick[i - 1];
        for (std::size_t j = i; j < k; ++j) pick[j] = pick[j - 1] + 1;
    }
    best.covered_after = std::max(best_value, best.covered_before);
    // Gains in the chosen order, for the report.
    covered = base;
    for (auto c : best.chosen) {
        double g = 0;
        for (auto d : p.covers[c])
            if (!covered[d]) {
                covered[d] = 1;
                g += p.demand[d];
            }
        best.gain.push_back(g);
    }
    return best;
}

} // namespace coldspot::geo::coldspots
