#pragma once
// What the map's API looks up in a snapshot, prepared once when the snapshot loads: the search
// entries (schools, hubs, authorities, postcodes) with their text folded for matching, and each
// hub's and authority's extent in CRS84. Immutable like the snapshot it belongs to.
#include "coldspot/geo/geometry.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace coldspot::service {

struct Snapshot;

/// Lower-case ASCII letters and digits of `text`, accented Latin letters folded to their base
/// letter (Welsh ŵ, ŷ, â ... included), apostrophes dropped (St Mary's = st marys), anything else
/// (punctuation, symbols, emoji, invalid UTF-8) a single space; no leading or trailing space.
std::string fold_for_search(std::string_view text);

struct SearchEntry {
    std::string kind;   ///< school, hub, authority, postcode
    std::string id;     ///< URN, hub_id, authority code, postcode
    std::string name;
    std::string detail; ///< one line: phase, authority, hub type, ...
    std::string folded; ///< fold_for_search of the name
    std::string keys;   ///< folded extra words that also match (URN, postcode, codes)
    std::optional<geo::Box> bbox;    ///< CRS84
    std::optional<geo::Point> point; ///< CRS84
    std::string href;   ///< path of the record, empty when there is none
    std::string folded_id = {}; ///< fold_for_search of the id
};

struct SearchHit {
    const SearchEntry* entry;
    int score; ///< lower is better
};

class MapIndex {
public:
    explicit MapIndex(const Snapshot& snapshot);

    /// Entries matching `query` best first, at most `limit`: an exact URN or code first, then names
    /// equal to the query, starting with it, with every query word starting a word of the name,
    /// and containing it; ties by kind (authority, hub, school, postcode) and name.
    std::vector<SearchHit> search(std::string_view query, std::size_t limit) const;

    const std::vector<SearchEntry>& entries() const noexcept { return entries_; }
    /// Extent (CRS84) of a hub's footprint or an authority, when known.
    std::optional<geo::Box> extent(const std::string& kind, const std::string& id) const;

    /// A value derived from the snapshot, made on first use and kept as long as the snapshot (a
    /// hub's whole target list, its figures): the snapshot never changes, so neither does it.
    /// `make` may throw (nothing is kept then). Callers key only things that exist.
    template <typename T, typename Make>
    std::shared_ptr<const T> memo(const std::string& key, Make&& make) const {
        return std::static_pointer_cast<const T>(memo_any(key, [&] { return std::shared_ptr<const void>(std::make_shared<const T>(make())); }));
    }

private:
    std::shared_ptr<const void> memo_any(const std::string& key, const std::function<std::shared_ptr<const void>()>& make) const;

    mutable std::mutex memo_mutex_;
    mutable std::map<std::string, std::shared_ptr<const void>> memo_;
    std::vector<SearchEntry> entries_;
    std::map<std::pair<std::string, std::string>, std::size_t> by_kind_id_;
};

} // namespace coldspot::service
