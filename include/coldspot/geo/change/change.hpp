#pragma once
// Change over time: two analysed workspaces (an OLD and a NEW vintage) compared into change
// layers written beside the NEW workspace's own (docs/methodology.md, "Change over time").
#include "coldspot/geo/feature_table.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::change {

/// What `coldspot change` and POST /analysis {"kind": "change"} accept; every key of
/// data/params/change.json, defaults as documented there.
struct ChangeOptions {
    /// The ONS LSOA 2011 -> 2021 lookup (one row per old/new pair with a change code); unset when
    /// both workspaces use the same LSOA codes.
    std::optional<std::filesystem::path> lsoa_lookup;
    std::string lookup_old_column = "lsoa11_code";
    std::string lookup_new_column = "lsoa21_code";
    std::string lookup_change_column = "change_code";
    /// LSOAs in England in each release: ranks become national percentiles and a carried mean
    /// rank becomes a decile with these (IoD2019: 32,844; IoD2025: 33,755). Checked against
    /// every area's published rank and decile.
    int old_total_areas = 32844;
    int new_total_areas = 33755;
    int deprived_deciles = 2; ///< "most deprived 20 %": decile <= this
    /// A district absent from a hub table is a gap only when the table is declared complete;
    /// otherwise its hub is "unknown" (the 2021 East of England table is partial).
    bool old_hubs_complete = false;
    bool new_hubs_complete = false;
    std::string engagement_table = "ecf_participation";
    std::string engagement_key = "code";
    std::string engagement_rate = "participation_rate";
    std::string engagement_count = "ects_provider_led";
    std::string since_label = "since 2019/2021";
};

/// Reads options from JSON (any subset of the keys above; unknown keys are refused with
/// ManifestError naming `source` and the key).
ChangeOptions parse_change_options(const nlohmann::json& j, const std::string& source);
nlohmann::json to_json(const ChangeOptions& o);

// ---------------------------------------------------------------------------------------------
// Areas: IoD of the OLD vintage carried onto the NEW LSOAs

/// The rule an area got, from the lookup's change codes (U, S, M, X).
enum class CarryRule { SameCode, Unchanged, Split, Merged, Irregular, NotInLookup };
std::string_view to_string(CarryRule r) noexcept;

struct LookupPair {
    std::string old_code, new_code;
    char change = 'U';
};

/// Reads the lookup CSV; rows whose new code is not in `keep_new` are skipped (a national
/// lookup on a regional workspace). Throws MissingColumnError / FileNotFoundError naming the file.
std::vector<LookupPair> read_lsoa_lookup(const ChangeOptions& o, const std::vector<std::string>& keep_new);

struct Deprivation {
    std::optional<double> rank; ///< a carried mean rank may be fractional
    std::optional<int> decile;
};

struct CarriedArea {
    std::string code;
    CarryRule rule = CarryRule::NotInLookup;
    std::vector<std::string> parents;      ///< OLD codes, in lookup order
    std::vector<std::string> missing;      ///< parents the OLD workspace does not have
    Deprivation old_value;                 ///< NULL when any parent is missing
};

/// Carries OLD (code -> rank/decile) onto each NEW code. Without pairs every NEW code takes the
/// OLD area of the same code (SameCode). U/S: the parent's published rank and decile. M/X: the
/// unweighted mean of the parents' ranks, decile ceil(10 rank / old_total_areas).
std::vector<CarriedArea> carry_deprivation(const std::vector<std::string>& new_codes, const std::vector<LookupPair>& pairs,
                                           const std::map<std::string, Deprivation>& old_areas, int old_total_areas);

/// The decile of a rank among `total` areas (rank 1 = most deprived).
int decile_of_rank(double rank, int total);

/// entered / left / stayed_in / stayed_out / unknown for the most deprived `deciles` tenths.
std::string deprived_transition(std::optional<int> old_decile, std::optional<int> new_decile, int deciles);

// ---------------------------------------------------------------------------------------------
// Cold spots

/// A unit's cold-spot class in one vintage: known, cold, and its Gi* confidence bin (2 = 95 %,
/// 3 = 99 %).
struct ColdClass {
    bool known = false;
    bool cold = false;
    int bin = 0;
};
/// new, persistent, intensifying, diminishing, no_longer, never, or unknown.
std::string coldspot_change(const ColdClass& old_class, const ColdClass& new_class);

// ---------------------------------------------------------------------------------------------
// Hubs

/// The identity used to say two hub rows of different tables are the same hub: the name lower-
/// cased, "&" read as "and", a leading "the " and every non-alphanumeric character dropped.
std::string hub_name_key(std::string_view name);

// ---------------------------------------------------------------------------------------------
// The whole comparison

using ChangeProgress = std::function<void(std::string_view stage, double fraction)>;

struct ChangeSummary {
    std::vector<std::string> layers;   ///< layers written
    std::vector<std::string> warnings; ///< also in change_notes (severity warning)
    std::vector<std::string> notes;    ///< also in change_notes (severity info)
    std::map<std::string, long long> counts; ///< headline figures (e.g. "areas_entered_deprived")
};

/// Compares OLD with NEW and writes NEW plus the change layers to `output` (atomically; `output`
/// may be NEW itself). Throws InvalidArgumentError for inputs that cannot be compared (the same
/// workspace or vintage twice, no common district, LSOA codes that differ with no lookup),
/// CrsError when layers are in different CRSs, WorkspaceError for a missing workspace.
ChangeSummary run_change(const ChangeOptions& options, const std::filesystem::path& old_workspace,
                         const std::filesystem::path& new_workspace, const std::filesystem::path& output,
                         const ChangeProgress& progress = {});

} // namespace coldspot::geo::change
