#include "coldspot/service/feature_text_cache.hpp"

namespace coldspot::service {

FeatureTextCache::FeatureTextCache(std::size_t features, std::shared_ptr<FeatureTextBudget> budget) : size_(features), budget_(std::move(budget)) {
    // make_unique<T[]> value-initialises: every slot starts null.
    for (auto& s : slots_) s = std::make_unique<Slot[]>(features);
    for (auto& s : fragments_) s = std::make_unique<FragmentSlot[]>(features);
    for (auto& s : blocks_) s = std::make_unique<FragmentSlot[]>(features / kBlockFeatures);
}

FeatureTextCache::~FeatureTextCache() {
    for (auto& s : slots_)
        for (std::size_t i = 0; i < size_; ++i) delete s[i].load(std::memory_order_relaxed);
    for (auto& s : fragments_)
        for (std::size_t i = 0; i < size_; ++i) delete s[i].load(std::memory_order_relaxed);
    for (auto& s : blocks_)
        for (std::size_t i = 0; i < size_ / kBlockFeatures; ++i) delete s[i].load(std::memory_order_relaxed);
}

const std::string* FeatureTextCache::keep(Slot& slot, const std::string& text) {
    const std::size_t cost = text.size() + sizeof(std::string);
    // Reserve the bytes first, so that concurrent writers can never overrun the budget together.
    if (budget_->used.fetch_add(cost, std::memory_order_relaxed) + cost > budget_->limit) {
        budget_->used.fetch_sub(cost, std::memory_order_relaxed);
        return nullptr;
    }
    auto copy = std::make_unique<const std::string>(text);
    const std::string* expected = nullptr;
    if (slot.compare_exchange_strong(expected, copy.get(), std::memory_order_acq_rel, std::memory_order_acquire)) return copy.release();
    // Another thread kept the same feature first: use its text, give the bytes back.
    budget_->used.fetch_sub(cost, std::memory_order_relaxed);
    return expected;
}

const DeflateFragment* FeatureTextCache::keep(FragmentSlot& slot, DeflateFragment& fragment) {
    const std::size_t cost = fragment.bytes.size() + sizeof(DeflateFragment);
    if (budget_->used.fetch_add(cost, std::memory_order_relaxed) + cost > budget_->limit) {
        budget_->used.fetch_sub(cost, std::memory_order_relaxed);
        return nullptr;
    }
    auto kept = std::make_unique<const DeflateFragment>(std::move(fragment));
    const DeflateFragment* expected = nullptr;
    if (slot.compare_exchange_strong(expected, kept.get(), std::memory_order_acq_rel, std::memory_order_acquire)) return kept.release();
    budget_->used.fetch_sub(cost, std::memory_order_relaxed);
    return expected;
}

} // namespace coldspot::service
