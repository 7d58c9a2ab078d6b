#pragma once
// GeoJSON text of whole features, kept per output CRS for the life of a snapshot. Most items
// requests ask for every property, and writing a feature (numbers, escaped strings, projected
// coordinates) is most of a page's CPU; a snapshot never changes, so the text of a feature in a CRS
// never changes either. Texts are made on first use, not at load (a workspace of England in three
// CRSs would be hundreds of MB, most of it never asked for), and within a byte budget shared by
// every collection of the snapshot: past it, features are written afresh on each request.
#include "coldspot/service/output_crs.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

namespace coldspot::service {

/// Bytes of feature text a snapshot may keep, shared by all its caches.
struct FeatureTextBudget {
    explicit FeatureTextBudget(std::size_t limit) : limit(limit) {}
    const std::size_t limit;
    std::atomic<std::size_t> used{0};
};

class FeatureTextCache {
public:
    FeatureTextCache(std::size_t features, std::shared_ptr<FeatureTextBudget> budget);
    ~FeatureTextCache();
    FeatureTextCache(const FeatureTextCache&) = delete;
    FeatureTextCache& operator=(const FeatureTextCache&) = delete;

    /// The text of feature `position` in `crs`: the kept one, or `make(scratch)`'s, kept when the
    /// budget allows. Safe to call from any number of threads at once (two threads making the same
    /// text at the same moment keep one of them; the other is dropped).
    template <typename Make>
    const std::string& text(OutputCrs crs, std::size_t position, std::string& scratch, const Make& make) {
        auto& slot = slots_[static_cast<std::size_t>(crs)][position];
        if (const std::string* kept = slot.load(std::memory_order_acquire)) return *kept;
        scratch.clear();
        make(scratch);
        if (const std::string* kept = keep(slot, scratch)) return *kept;
        return scratch;
    }

    std::size_t size() const noexcept { return size_; }

private:
    using Slot = std::atomic<const std::string*>;
    const std::string* keep(Slot& slot, const std::string& text);

    std::size_t size_;
    std::shared_ptr<FeatureTextBudget> budget_;
    std::array<std::unique_ptr<Slot[]>, 3> slots_; ///< one per OutputCrs
};

} // namespace coldspot::service
