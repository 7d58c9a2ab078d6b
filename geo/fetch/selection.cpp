#include "coldspot/geo/fetch/selection.hpp"

#include "coldspot/geo/fetch/errors.hpp"

#include <algorithm>
#include <numeric>

namespace coldspot::geo::fetch {

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

void add(Selection& s, const District& d) {
    s.districts.insert(d.code);
    if (!d.upper_tier_code.empty()) s.upper_tier.insert(d.upper_tier_code);
    s.regions.insert(d.region);
}

[[noreturn]] void unknown(const std::string& what, const std::string& name, const std::vector<std::string>& candidates) {
    auto near = nearest_names(name, candidates);
    std::string msg = "no " + what + " called '" + name + "'";
    if (!near.empty()) {
        msg += "; nearest: ";
        for (std::size_t i = 0; i < near.size(); ++i) msg += (i ? ", " : "") + near[i];
    }
    throw UnknownAreaError(msg, std::move(near));
}

} // namespace

std::string normalise_name(const std::string& name) {
    std::string out;
    bool space = false;
    auto put = [&](const std::string& s) {
        if (space && !out.empty()) out += ' ';
        space = false;
        out += s;
    };
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || u >= 0x80) put(std::string(1, static_cast<char>(std::tolower(u))));
        else if (c == '&') {
            space = true;
            put("and");
            space = true;
        } else if (c == '\'') continue; // King's Lynn = Kings Lynn
        else space = true;
    }
    return out;
}

std::vector<std::string> nearest_names(const std::string& name, const std::vector<std::string>& candidates, std::size_t n) {
    const std::string key = normalise_name(name);
    std::vector<std::pair<std::size_t, std::size_t>> scored; // (distance, index)
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const std::string c = normalise_name(candidates[i]);
        // A candidate that contains the name (or is contained) is as near as a one-letter typo.
        const bool part = !key.empty() && (c.find(key) != std::string::npos || key.find(c) != std::string::npos);
        scored.emplace_back(part ? 1 : edit_distance(key, c), i);
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (const auto& [d, i] : scored) {
        if (out.size() == n) break;
        if (std::find(out.begin(), out.end(), candidates[i]) == out.end()) out.push_back(candidates[i]);
    }
    return out;
}

std::vector<std::string> AreaLookup::regions() const {
    std::vector<std::string> out;
    for (const auto& d : districts)
        if (std::find(out.begin(), out.end(), d.region) == out.end()) out.push_back(d.region);
    std::sort(out.begin(), out.end());
    return out;
}

Selection select_region(const AreaLookup& lookup, const std::string& name) {
    Selection s;
    const std::string key = normalise_name(name);
    for (const auto& d : lookup.districts)
        if (normalise_name(d.region) == key) {
            add(s, d);
            s.label = d.region;
        }
    if (s.districts.empty()) unknown("region", name, lookup.regions());
    return s;
}

Selection select_authorities(const AreaLookup& lookup, const std::vector<std::string>& names) {
    Selection s;
    for (const auto& name : names) {
        const std::string key = normalise_name(name);
        const std::string code = upper(name);
        std::string matched;
        for (const auto& d : lookup.districts) {
            if (d.code == code || normalise_name(d.name) == key) matched = d.name;
            else if (d.upper_tier_code == code || normalise_name(d.upper_tier_name) == key) matched = d.upper_tier_name;
            else continue;
            add(s, d);
        }
        if (matched.empty()) {
            std::vector<std::string> candidates;
            for (const auto& d : lookup.districts) {
                candidates.push_back(d.name);
                if (!d.upper_tier_name.empty() && d.upper_tier_name != d.name) candidates.push_back(d.upper_tier_name);
            }
            unknown("local authority", name, candidates);
        }
        s.label += (s.label.empty() ? "" : ", ") + matched;
    }
    return s;
}

Selection select_england(const AreaLookup& lookup) {
    Selection s;
    s.label = "England";
    s.england = true;
    for (const auto& d : lookup.districts) add(s, d);
    return s;
}

} // namespace coldspot::geo::fetch
