#pragma once
// Several order statistics of one small array of 16-bit values at once (the rank quantiles of one
// unit over the Monte Carlo draws, docs/methodology.md "Rank stability").
#include <cstddef>
#include <cstdint>
#include <span>

namespace coldspot::geo::stats {

/// out[j] = the ks[j]-th smallest (0-based) of `values`, as std::nth_element would find it, for
/// ks ascending and each below values.size(). Two-level radix select: a histogram of the high bytes
/// finds the bucket holding each ks[j], a histogram of the low bytes inside it the value; linear in
/// values.size(), without the data-dependent branches of a comparison select.
void select_u16(std::span<const std::uint16_t> values, std::span<const std::size_t> ks, std::span<std::uint32_t> out);

} // namespace coldspot::geo::stats
