#pragma once
// GeoJSON text of whole features, kept per output CRS for the life of a snapshot. Most items
// requests ask for every property, and writing a feature (numbers, escaped strings, projected
// coordinates) is most of a page's CPU; a snapshot never changes, so the text of a feature in a CRS
// never changes either. Texts are made on first use, not at load (a workspace of England in three
// CRSs would be hundreds of MB, most of it never asked for), and within a byte budget shared by
// every collection of the snapshot: past it, features are written afresh on each request.
//
// Beside a text, the cache keeps its deflate fragment (of "," + text, the separator that precedes
// every feature of a page but the first): a gzip page is then laid together from fragments with
// memcpy and crc32_combine instead of being deflated on every request (see gzip.hpp). Fragments are
// made on the first gzip request for the feature, so clients that never ask for gzip pay nothing.
#include "coldspot/service/gzip.hpp"
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

    /// The deflate fragment of "," followed by the text of feature `position` in `crs` (the text
    /// through text() with `make`): the kept one, or one made now in `scratch_fragment`, kept when
    /// the budget allows. Past the budget the fragment is made at a cheaper level each time.
    template <typename Make>
    const DeflateFragment& separated_fragment(OutputCrs crs, std::size_t position, std::string& scratch, DeflateFragment& scratch_fragment, const Make& make) {
        auto& slot = fragments_[static_cast<std::size_t>(crs)][position];
        if (const DeflateFragment* kept = slot.load(std::memory_order_acquire)) return *kept;
        const std::string& feature = text(crs, position, scratch, make);
        const bool room = budget_->used.load(std::memory_order_relaxed) < budget_->limit;
        // Level 6 when the fragment will be kept (paid once), level 1 when it is made per request.
        scratch_fragment = deflate_fragment(",", feature, room ? 6 : 1);
        if (room)
            if (const DeflateFragment* kept = keep(slot, scratch_fragment)) return *kept;
        return scratch_fragment;
    }

    /// Features per block fragment: enough for deflate to find the field names and structure
    /// that repeat from feature to feature (compressed alone, a feature keeps only about 40% of
    /// that saving), few enough that most of a page's features are laid a block at a time.
    static constexpr std::size_t kBlockFeatures = 64;

    /// The deflate fragment of ",text" for each of the kBlockFeatures features of block `block`
    /// (positions block * kBlockFeatures onwards, all within the cache), each text through text()
    /// with `make_at(position, out)`: the kept one, or one made now in `scratch_fragment`.
    template <typename MakeAt>
    const DeflateFragment& separated_block(OutputCrs crs, std::size_t block, std::string& scratch, DeflateFragment& scratch_fragment, const MakeAt& make_at) {
        auto& slot = blocks_[static_cast<std::size_t>(crs)][block];
        if (const DeflateFragment* kept = slot.load(std::memory_order_acquire)) return *kept;
        std::string joined;
        for (std::size_t p = block * kBlockFeatures; p < (block + 1) * kBlockFeatures; ++p) {
            joined += ',';
            joined += text(crs, p, scratch, [&](std::string& out) { make_at(p, out); });
        }
        const bool room = budget_->used.load(std::memory_order_relaxed) < budget_->limit;
        scratch_fragment = deflate_fragment(joined, {}, room ? 6 : 1);
        if (room)
            if (const DeflateFragment* kept = keep(slot, scratch_fragment)) return *kept;
        return scratch_fragment;
    }

    std::size_t size() const noexcept { return size_; }

private:
    using Slot = std::atomic<const std::string*>;
    using FragmentSlot = std::atomic<const DeflateFragment*>;
    const std::string* keep(Slot& slot, const std::string& text);
    const DeflateFragment* keep(FragmentSlot& slot, DeflateFragment& fragment);

    std::size_t size_;
    std::shared_ptr<FeatureTextBudget> budget_;
    std::array<std::unique_ptr<Slot[]>, 3> slots_;             ///< one per OutputCrs
    std::array<std::unique_ptr<FragmentSlot[]>, 3> fragments_; ///< one per OutputCrs
    std::array<std::unique_ptr<FragmentSlot[]>, 3> blocks_;    ///< one per OutputCrs, size_ / kBlockFeatures each
};

} // namespace coldspot::service
