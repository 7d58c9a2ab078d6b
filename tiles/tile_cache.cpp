#include "coldspot/tiles/detail/tile_cache.hpp"

namespace coldspot::tiles {

std::size_t TileCache::cost(const std::string& key, const EncodedTile& tile) noexcept {
    return tile.gzip_body.size() + tile.etag.size() + 2 * key.size() + sizeof(EncodedTile) + 96;
}

std::shared_ptr<const EncodedTile> TileCache::find(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) {
        ++misses_;
        return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->tile;
}

void TileCache::put(const std::string& key, std::shared_ptr<const EncodedTile> tile) {
    const std::size_t c = cost(key, *tile);
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(key); it != index_.end()) {
        bytes_ -= it->second->cost;
        lru_.erase(it->second);
        index_.erase(it);
    }
    if (c > budget_) return;
    lru_.push_front(Entry{key, std::move(tile), c});
    index_.emplace(key, lru_.begin());
    bytes_ += c;
    while (bytes_ > budget_) {
        const Entry& victim = lru_.back();
        bytes_ -= victim.cost;
        index_.erase(victim.key);
        lru_.pop_back();
        ++evictions_;
    }
}

CacheStats TileCache::stats() const {
    std::lock_guard lock(mutex_);
    CacheStats s;
    s.hits = hits_;
    s.misses = misses_;
    s.entries = lru_.size();
    s.bytes = bytes_;
    s.evictions = evictions_;
    return s;
}

} // namespace coldspot::tiles
