#pragma once
// Spatial weights: for each feature, its neighbours and their weights, stored as compressed rows
// (CSR) so that a spatial lag is one pass over two flat arrays. Builders (distance band, k nearest,
// queen contiguity) live in their own headers; this file is the container and its transforms.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace coldspot::geo::stats {

/// Index of a feature in the input order of the layer the weights were built from.
using FeatureIndex = std::uint32_t;

/// Binary weights (1 per neighbour) or row-standardised ("W": each row sums to 1).
enum class WeightStyle : std::uint8_t { Binary, RowStandardised };
std::string_view to_string(WeightStyle style) noexcept;
/// "binary"/"B" or "row"/"W"; throws InvalidArgumentError otherwise.
WeightStyle weight_style_from_string(std::string_view text);

class SpatialWeights {
public:
    SpatialWeights() = default;
    /// Binary weights from neighbour lists. Each list is sorted and deduplicated; throws
    /// InvalidArgumentError on an index out of range or a feature listed as its own neighbour.
    static SpatialWeights from_neighbours(const std::vector<std::vector<FeatureIndex>>& neighbours);

    std::size_t size() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
    std::span<const FeatureIndex> neighbours(std::size_t i) const noexcept {
        return {neighbours_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
    }
    std::span<const double> weights(std::size_t i) const noexcept {
        return {weights_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
    }
    std::size_t cardinality(std::size_t i) const noexcept { return offsets_[i + 1] - offsets_[i]; }
    /// Number of (directed) links.
    std::size_t link_count() const noexcept { return neighbours_.size(); }
    /// Features with no neighbour other than themselves.
    std::vector<FeatureIndex> islands() const;
    bool includes_self() const noexcept { return self_included_; }
    WeightStyle style() const noexcept { return style_; }
    /// True when j is a neighbour of i exactly when i is a neighbour of j.
    bool is_symmetric() const;
    double mean_cardinality() const noexcept;

    /// The same neighbours with each feature added to its own list (weight 1 before
    /// standardisation), as Gi* needs; spdep's include.self(). Idempotent.
    SpatialWeights with_self() const;
    /// Returns a copy with the weights recomputed in `style` from the neighbour structure.
    SpatialWeights transformed(WeightStyle style) const;

    /// Sum of weights of row i (Wi) and of their squares (S1i).
    double row_sum(std::size_t i) const noexcept;
    double row_sum_of_squares(std::size_t i) const noexcept;
    /// sum_j w_ij * values[j] for every i; 0 for an island.
    std::vector<double> lag(std::span<const double> values) const;

private:
    std::vector<std::size_t> offsets_;
    std::vector<FeatureIndex> neighbours_;
    std::vector<double> weights_;
    WeightStyle style_ = WeightStyle::Binary;
    bool self_included_ = false;
};

} // namespace coldspot::geo::stats
