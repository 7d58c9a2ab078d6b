#include "coldspot/geo/stats/spatial_weights.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <string>

namespace coldspot::geo::stats {

std::string_view to_string(WeightStyle style) noexcept {
    return style == WeightStyle::Binary ? "binary" : "row-standardised";
}

WeightStyle weight_style_from_string(std::string_view text) {
    if (text == "binary" || text == "B") return WeightStyle::Binary;
    if (text == "row" || text == "row-standardised" || text == "W") return WeightStyle::RowStandardised;
    throw InvalidArgumentError("unknown weight style '" + std::string(text) +
                               "' (expected 'binary' or 'row-standardised')");
}

SpatialWeights SpatialWeights::from_neighbours(const std::vector<std::vector<FeatureIndex>>& neighbours) {
    SpatialWeights w;
    const std::size_t n = neighbours.size();
    w.offsets_.reserve(n + 1);
    w.offsets_.push_back(0);
    std::vector<FeatureIndex> row;
    for (std::size_t i = 0; i < n; ++i) {
        row = neighbours[i];
        std::sort(row.begin(), row.end());
        row.erase(std::unique(row.begin(), row.end()), row.end());
        for (FeatureIndex j : row) {
            if (j >= n)
                throw InvalidArgumentError("neighbour " + std::to_string(j) + " of feature " + std::to_string(i) +
                                           " is out of range (" + std::to_string(n) + " features)");
            if (j == i)
                throw InvalidArgumentError("feature " + std::to_string(i) + " is listed as its own neighbour");
        }
        w.neighbours_.insert(w.neighbours_.end(), row.begin(), row.end());
        w.offsets_.push_back(w.neighbours_.size());
    }
    w.weights_.assign(w.neighbours_.size(), 1.0);
    return w;
}

std::vector<FeatureIndex> SpatialWeights::islands() const {
    std::vector<FeatureIndex> out;
    for (std::size_t i = 0; i < size(); ++i) {
        const auto nb = neighbours(i);
        const bool only_self = std::all_of(nb.begin(), nb.end(), [i](FeatureIndex j) { return j == i; });
        if (only_self) out.push_back(static_cast<FeatureIndex>(i));
    }
    return out;
}

bool SpatialWeights::is_symmetric() const {
    for (std::size_t i = 0; i < size(); ++i)
        for (FeatureIndex j : neighbours(i)) {
            const auto back = neighbours(j);
            if (!std::binary_search(back.begin(), back.end(), static_cast<FeatureIndex>(i))) return false;
        }
    return true;
}

double SpatialWeights::mean_cardinality() const noexcept {
    return size() == 0 ? 0.0 : static_cast<double>(link_count()) / static_cast<double>(size());
}

SpatialWeights SpatialWeights::with_self() const {
    if (self_included_) return *this;
    SpatialWeights w;
    w.self_included_ = true;
    w.offsets_.reserve(offsets_.size());
    w.offsets_.push_back(0);
    w.neighbours_.reserve(neighbours_.size() + size());
    for (std::size_t i = 0; i < size(); ++i) {
        const auto nb = neighbours(i);
        const auto pos = std::lower_bound(nb.begin(), nb.end(), static_cast<FeatureIndex>(i));
        w.neighbours_.insert(w.neighbours_.end(), nb.begin(), pos);
        w.neighbours_.push_back(static_cast<FeatureIndex>(i));
        w.neighbours_.insert(w.neighbours_.end(), pos, nb.end());
        w.offsets_.push_back(w.neighbours_.size());
    }
    w.weights_.assign(w.neighbours_.size(), 1.0);
    return w.transformed(style_);
}

SpatialWeights SpatialWeights::transformed(WeightStyle style) const {
    SpatialWeights w = *this;
    w.style_ = style;
    for (std::size_t i = 0; i < size(); ++i) {
        const std::size_t k = cardinality(i);
        const double value = (style == WeightStyle::Binary || k == 0) ? 1.0 : 1.0 / static_cast<double>(k);
        std::fill(w.weights_.begin() + static_cast<std::ptrdiff_t>(offsets_[i]),
                  w.weights_.begin() + static_cast<std::ptrdiff_t>(offsets_[i + 1]), value);
    }
    return w;
}

double SpatialWeights::row_sum(std::size_t i) const noexcept {
    double s = 0;
    for (double v : weights(i)) s += v;
    return s;
}

double SpatialWeights::row_sum_of_squares(std::size_t i) const noexcept {
    double s = 0;
    for (double v : weights(i)) s += v * v;
    return s;
}

std::vector<double> SpatialWeights::lag(std::span<const double> values) const {
    if (values.size() != size())
        throw InvalidArgumentError("spatial lag of " + std::to_string(values.size()) + " values with weights for " +
                                   std::to_string(size()) + " features");
    std::vector<double> out(size(), 0.0);
    for (std::size_t i = 0; i < size(); ++i) {
        const auto nb = neighbours(i);
        const auto w = weights(i);
        double s = 0;
        for (std::size_t k = 0; k < nb.size(); ++k) s += w[k] * values[nb[k]];
        out[i] = s;
    }
    return out;
}

} // namespace coldspot::geo::stats
