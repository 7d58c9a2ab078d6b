#pragma once
// Internals of run_change: the two vintages as read, and one function per section of the
// comparison. Each section appends its layers and notes to a ChangeOutput.
#include "coldspot/geo/change/change.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/remits/polygon_index.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace coldspot::geo::change::detail {

/// The layers of one workspace the comparison reads; absent layers stay empty.
struct Vintage {
    std::filesystem::path path;
    std::string label; ///< "OLD" or "NEW", for messages
    std::optional<FeatureTable> areas, local_authorities, upper_tier, hubs, hub_districts, schools, coldspots_schools,
        coldspots_areas, engagement, provenance, analysis_runs;
};
Vintage read_vintage(const std::filesystem::path& path, const std::string& label, const ChangeOptions& o);

struct ChangeOutput {
    std::vector<FeatureTable> layers;
    std::vector<std::pair<std::string, std::string>> warnings, notes; ///< (section, message)
    std::map<std::string, long long> counts;
    void warn(const std::string& section, const std::string& m) { warnings.emplace_back(section, m); }
    void note(const std::string& section, const std::string& m) { notes.emplace_back(section, m); }
};

/// Throws for inputs that cannot be compared; warns (in `out`) for those that can, with caveats.
void check_comparable(const Vintage& o, const Vintage& n, const ChangeOptions& opt, ChangeOutput& out);

/// Per NEW area: the transition into or out of the most deprived deciles, keyed by LSOA code.
struct AreaChange {
    std::optional<int> old_decile, new_decile;
    std::string transition;
    std::string lad_code;
};
std::map<std::string, AreaChange> compare_areas(const Vintage& o, const Vintage& n, const ChangeOptions& opt,
                                                const std::vector<LookupPair>& pairs, ChangeOutput& out);

/// Per NEW district: the remit status for each hub type ("same", "changed", ...).
std::map<std::string, std::vector<std::string>> compare_remits(const Vintage& o, const Vintage& n, const ChangeOptions& opt,
                                                               ChangeOutput& out);

/// Per school (URN): what the dashboards count.
struct SchoolChange {
    std::string status;         ///< opened, closed, continuing
    std::string hub_change;     ///< joined, left, changed, same, none, unknown
    std::string coldspot;       ///< coldspot_change() of the school
    std::string deprived;       ///< deprived_transition() at its location
    std::vector<std::string> new_hub_ids; ///< NEW hub footprints holding it (old point for closed schools)
    std::string lad_code, utla_code;      ///< NEW districts/upper tier holding it
};
std::map<std::int64_t, SchoolChange> compare_schools(const Vintage& o, const Vintage& n, const ChangeOptions& opt, ChangeOutput& out);

void compare_coldspot_areas(const Vintage& o, const Vintage& n, const std::vector<LookupPair>& pairs, ChangeOutput& out);

/// Per upper-tier code: (old rate, new rate) of the engagement table.
struct EngagementChange {
    std::optional<double> old_rate, new_rate, old_count, new_count;
};
std::map<std::string, EngagementChange> compare_engagement(const Vintage& o, const Vintage& n, const ChangeOptions& opt, ChangeOutput& out);

void write_dashboards(const Vintage& n, const ChangeOptions& opt, const std::map<std::string, AreaChange>& areas,
                      const std::map<std::string, std::vector<std::string>>& remits, const std::map<std::int64_t, SchoolChange>& schools,
                      const std::map<std::string, EngagementChange>& engagement, ChangeOutput& out);

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the sections

std::optional<double> number(const FeatureTable& t, const Feature& f, std::string_view field);
std::string text(const FeatureTable& t, const Feature& f, std::string_view field);
Value opt_value(const std::optional<double>& v);
Value opt_int(const std::optional<int>& v);
std::string join(const std::vector<std::string>& parts, const char* sep = ";");

/// A point-in-polygon index over a polygon layer with its `key` field per polygon.
struct PolygonLayer {
    const FeatureTable* table = nullptr;
    std::vector<std::string> keys;
    std::unique_ptr<remits::PolygonIndex> index;
    PolygonLayer(const FeatureTable& t, std::string_view key_field);
    /// The key of the polygon holding p (snapped within `snap_m`), or "".
    std::string locate(const Point& p, double snap_m = 0) const;
    std::optional<std::size_t> locate_row(const Point& p, double snap_m = 0) const;
    std::vector<std::size_t> locate_all(const Point& p) const;
};

/// A representative point of a polygon (its envelope centre when inside, else its first vertex).
Point inner_point(const MultiPolygon& mp);

} // namespace coldspot::geo::change::detail
