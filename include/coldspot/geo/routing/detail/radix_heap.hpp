#pragma once
// A radix heap (Ahuja, Mehlhorn, Orlin, Tarjan 1990) for Dijkstra with integer times: keys only
// grow, so entries are kept in 33 buckets by the highest bit in which they differ from the last
// key popped, and each entry moves down at most 32 times. Cheaper than a binary heap on road
// graphs, where the queue holds a wide frontier.
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace coldspot::geo::routing::detail {

class RadixHeap {
public:
    using Key = std::uint32_t;
    using Entry = std::pair<Key, std::uint32_t>;

    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    void clear() {
        for (auto& b : buckets_) b.clear();
        size_ = 0;
        last_ = 0;
    }
    /// key must not be below the last key popped (Dijkstra guarantees it).
    void push(Key key, std::uint32_t value) {
        buckets_[bucket_of(key)].emplace_back(key, value);
        ++size_;
    }
    /// Removes and returns an entry with the smallest key. Precondition: !empty().
    Entry pop() {
        if (buckets_[0].empty()) {
            std::size_t i = 1;
            while (buckets_[i].empty()) ++i;
            Key smallest = std::numeric_limits<Key>::max();
            for (const auto& e : buckets_[i]) smallest = std::min(smallest, e.first);
            last_ = smallest;
            for (const auto& e : buckets_[i]) buckets_[bucket_of(e.first)].push_back(e);
            buckets_[i].clear();
        }
        const Entry e = buckets_[0].back();
        buckets_[0].pop_back();
        --size_;
        return e;
    }

private:
    std::size_t bucket_of(Key key) const noexcept {
        return key == last_ ? 0 : static_cast<std::size_t>(32 - std::countl_zero(key ^ last_));
    }
    std::array<std::vector<Entry>, 33> buckets_;
    std::size_t size_ = 0;
    Key last_ = 0;
};

} // namespace coldspot::geo::routing::detail
