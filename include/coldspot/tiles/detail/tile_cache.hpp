#pragma once
// A thread-safe LRU cache of encoded tiles bounded by bytes, not entries: one z14 tile of a dense
// city can weigh as much as hundreds of rural ones.
#include "coldspot/tiles/tileset.hpp"

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace coldspot::tiles {

class TileCache {
public:
    explicit TileCache(std::size_t byte_budget) : budget_(byte_budget) {}

    /// The cached tile, moved to the front; nullptr on a miss.
    std::shared_ptr<const EncodedTile> find(const std::string& key);
    /// Inserts (or replaces) and evicts least recently used tiles beyond the budget. A tile larger
    /// than the whole budget is not kept.
    void put(const std::string& key, std::shared_ptr<const EncodedTile> tile);
    CacheStats stats() const;

    /// Bytes a tile is charged: its body plus the bookkeeping around it.
    static std::size_t cost(const std::string& key, const EncodedTile& tile) noexcept;

private:
    struct Entry {
        std::string key;
        std::shared_ptr<const EncodedTile> tile;
        std::size_t cost;
    };
    mutable std::mutex mutex_;
    std::size_t budget_;
    std::list<Entry> lru_; ///< most recent first
    std::unordered_map<std::string, std::list<Entry>::iterator> index_;
    std::size_t bytes_ = 0;
    std::size_t hits_ = 0, misses_ = 0, evictions_ = 0;
};

} // namespace coldspot::tiles
