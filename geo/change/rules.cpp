// The documented change rules (docs/methodology.md, "Change over time"), free of workspaces so
// the tests can hand them tiny inputs with exact answers.
#include "coldspot/geo/change/change.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/csv_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

namespace coldspot::geo::change {

std::string_view to_string(CarryRule r) noexcept {
    switch (r) {
    case CarryRule::SameCode: return "same_code";
    case CarryRule::Unchanged: return "unchanged";
    case CarryRule::Split: return "split";
    case CarryRule::Merged: return "merged";
    case CarryRule::Irregular: return "irregular";
    case CarryRule::NotInLookup: return "not_in_lookup";
    }
    return "unknown";
}

int decile_of_rank(double rank, int total) {
    // IoD deciles are exactly ceil(10 rank / N) (checked on every row of IoD2019 and IoD2025).
    return std::clamp(static_cast<int>(std::ceil(10.0 * rank / total - 1e-9)), 1, 10);
}

std::vector<LookupPair> read_lsoa_lookup(const ChangeOptions& o, const std::vector<std::string>& keep_new) {
    const std::unordered_set<std::string> keep(keep_new.begin(), keep_new.end());
    import::CsvReader csv(*o.lsoa_lookup);
    const std::size_t oc = csv.require_column(o.lookup_old_column), nc = csv.require_column(o.lookup_new_column),
                      cc = csv.require_column(o.lookup_change_column);
    std::vector<LookupPair> out;
    import::CsvRecord row;
    while (csv.next(row)) {
        if (row.fields.size() != csv.header().size())
            throw FormatError({o.lsoa_lookup->string(), row.line, ""}, "expected " + std::to_string(csv.header().size()) + " fields, got " +
                                                                          std::to_string(row.fields.size()));
        if (!keep.count(row.fields[nc])) continue;
        const std::string& code = row.fields[cc];
        if (code.size() != 1 || std::string_view("USMX").find(code[0]) == std::string_view::npos)
            throw FormatError({o.lsoa_lookup->string(), row.line, o.lookup_change_column},
                              "change code '" + code + "' is not one of U, S, M, X");
        out.push_back({row.fields[oc], row.fields[nc], code[0]});
    }
    return out;
}

namespace {

CarryRule rule_of(const std::vector<char>& codes) {
    const auto has = [&](char c) { return std::find(codes.begin(), codes.end(), c) != codes.end(); };
    if (has('X')) return CarryRule::Irregular;
    if (has('M')) return CarryRule::Merged;
    if (has('S')) return CarryRule::Split;
    return CarryRule::Unchanged;
}

} // namespace

std::vector<CarriedArea> carry_deprivation(const std::vector<std::string>& new_codes, const std::vector<LookupPair>& pairs,
                                           const std::map<std::string, Deprivation>& old_areas, int old_total_areas) {
    std::unordered_map<std::string, std::vector<std::size_t>> rows_of;
    for (std::size_t i = 0; i < pairs.size(); ++i) rows_of[pairs[i].new_code].push_back(i);
    std::vector<CarriedArea> out;
    out.reserve(new_codes.size());
    for (const auto& code : new_codes) {
        CarriedArea a;
        a.code = code;
        std::vector<char> changes;
        if (pairs.empty()) {
            a.rule = CarryRule::SameCode;
            a.parents = {code};
        } else if (auto it = rows_of.find(code); it != rows_of.end()) {
            for (std::size_t r : it->second) {
                if (std::find(a.parents.begin(), a.parents.end(), pairs[r].old_code) == a.parents.end()) a.parents.push_back(pairs[r].old_code);
                changes.push_back(pairs[r].change);
            }
            a.rule = rule_of(changes);
        }
        double rank_sum = 0;
        for (const auto& p : a.parents) {
            const auto o = old_areas.find(p);
            if (o == old_areas.end() || !o->second.rank) a.missing.push_back(p);
            else rank_sum += *o->second.rank;
        }
        // Any parent missing: unknown, never a value from part of the area.
        if (a.parents.empty() || !a.missing.empty()) {
            out.push_back(std::move(a));
            continue;
        }
        if (a.parents.size() == 1) {
            a.old_value = old_areas.at(a.parents[0]);
        } else {
            const double mean = rank_sum / static_cast<double>(a.parents.size());
            a.old_value = Deprivation{mean, decile_of_rank(mean, old_total_areas)};
        }
        out.push_back(std::move(a));
    }
    return out;
}

std::string deprived_transition(std::optional<int> old_decile, std::optional<int> new_decile, int deciles) {
    if (!old_decile || !new_decile) return "unknown";
    const bool was = *old_decile <= deciles, is = *new_decile <= deciles;
    if (was && is) return "stayed_in";
    if (was) return "left";
    if (is) return "entered";
    return "stayed_out";
}

std::string coldspot_change(const ColdClass& o, const ColdClass& n) {
    if (!o.known || !n.known) return "unknown";
    if (o.cold && n.cold) {
        if (std::abs(n.bin) > std::abs(o.bin)) return "intensifying";
        if (std::abs(n.bin) < std::abs(o.bin)) return "diminishing";
        return "persistent";
    }
    if (n.cold) return "new";
    if (o.cold) return "no_longer";
    return "never";
}

std::string hub_name_key(std::string_view name) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string words;
    for (std::size_t i = 0; i < lower.size(); ++i) words += lower[i] == '&' ? std::string(" and ") : std::string(1, lower[i]);
    while (!words.empty() && words.front() == ' ') words.erase(0, 1);
    if (words.rfind("the ", 0) == 0) words.erase(0, 4);
    std::string key;
    for (char c : words)
        if (std::isalnum(static_cast<unsigned char>(c))) key += c;
    return key;
}

// ---------------------------------------------------------------------------------------------
// Options

ChangeOptions parse_change_options(const nlohmann::json& j, const std::string& source) {
    ChangeOptions o;
    if (j.is_null()) return o;
    if (!j.is_object()) throw ManifestError({source, 0, ""}, "change parameters must be a JSON object");
    const auto fail = [&](const std::string& key, const std::string& why) { throw ManifestError({source, 0, key}, why); };
    for (const auto& item : j.items()) {
        // Named references, not a structured binding: clang 14 (the fuzz and lint builds) cannot
        // capture structured bindings in the lambdas below.
        const std::string& key = item.key();
        const nlohmann::json& v = item.value();
        const auto text = [&](std::string& out) {
            if (!v.is_string() || v.get<std::string>().empty()) fail(key, "must be a non-empty string");
            out = v.get<std::string>();
        };
        const auto positive = [&](int& out, int max) {
            if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > max)
                fail(key, "must be an integer from 1 to " + std::to_string(max));
            out = v.get<int>();
        };
        const auto flag = [&](bool& out) {
            if (!v.is_boolean()) fail(key, "must be true or false");
            out = v.get<bool>();
        };
        if (key == "lsoa_lookup") {
            std::string p;
            text(p);
            o.lsoa_lookup = p;
        } else if (key == "lookup_old_column") text(o.lookup_old_column);
        else if (key == "lookup_new_column") text(o.lookup_new_column);
        else if (key == "lookup_change_column") text(o.lookup_change_column);
        else if (key == "old_total_areas") positive(o.old_total_areas, 10'000'000);
        else if (key == "new_total_areas") positive(o.new_total_areas, 10'000'000);
        else if (key == "deprived_deciles") positive(o.deprived_deciles, 9);
        else if (key == "old_hubs_complete") flag(o.old_hubs_complete);
        else if (key == "new_hubs_complete") flag(o.new_hubs_complete);
        else if (key == "engagement_table") text(o.engagement_table);
        else if (key == "engagement_key") text(o.engagement_key);
        else if (key == "engagement_rate") text(o.engagement_rate);
        else if (key == "engagement_count") text(o.engagement_count);
        else if (key == "since_label") text(o.since_label);
        else if (key == "$comment") continue;
        else fail(key, "is not a change parameter (data/params/change.json lists them)");
    }
    return o;
}

nlohmann::json to_json(const ChangeOptions& o) {
    return {{"lsoa_lookup", o.lsoa_lookup ? nlohmann::json(o.lsoa_lookup->string()) : nlohmann::json()},
            {"lookup_old_column", o.lookup_old_column},
            {"lookup_new_column", o.lookup_new_column},
            {"lookup_change_column", o.lookup_change_column},
            {"old_total_areas", o.old_total_areas},
            {"new_total_areas", o.new_total_areas},
            {"deprived_deciles", o.deprived_deciles},
            {"old_hubs_complete", o.old_hubs_complete},
            {"new_hubs_complete", o.new_hubs_complete},
            {"engagement_table", o.engagement_table},
            {"engagement_key", o.engagement_key},
            {"engagement_rate", o.engagement_rate},
            {"engagement_count", o.engagement_count},
            {"since_label", o.since_label}};
}

} // namespace coldspot::geo::change
