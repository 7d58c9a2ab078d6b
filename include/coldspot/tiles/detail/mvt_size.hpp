#pragma once
// Protobuf size arithmetic of vector_tile.proto, beside the encoder (detail/mvt_encoder.hpp): how
// many bytes a varint, a length-delimited field, a Feature message and a layer's fixed part take.
// The encoder frames its messages with these; the tile service decides what fits a tile with them
// before anything is encoded.
#include "coldspot/geo/feature_table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace coldspot::tiles::detail {

/// Bytes of `v` as a protobuf varint.
constexpr std::size_t varint_size(std::uint64_t v) noexcept {
    std::size_t n = 1;
    while (v >= 0x80) v >>= 7, ++n;
    return n;
}

/// Bytes of a length-delimited field of `n` bytes with a one-byte key: key, length, payload.
constexpr std::size_t field_size(std::size_t n) noexcept { return 1 + varint_size(n) + n; }

/// Bytes of a Feature message's body (without its own key and length): its type, its geometry of
/// `geometry_bytes`, its id when it has one, and its tags (`tag_bytes`) when it has any.
constexpr std::size_t feature_body_size(std::size_t geometry_bytes, std::optional<std::uint64_t> id,
                                        std::size_t tag_count, std::size_t tag_bytes) noexcept {
    std::size_t body = 2 + field_size(geometry_bytes); // type, geometry
    if (id) body += 1 + varint_size(*id);
    if (tag_count) body += field_size(tag_bytes);
    return body;
}

/// Bytes of a layer message without its features and values: name, version, extent, and the
/// key table (every field, an upper bound).
inline std::size_t layer_overhead(const std::string& name, const geo::FeatureTable& T, std::uint32_t extent) {
    std::size_t overhead = 1 + varint_size(name.size()) + name.size() + 2 + 1 + varint_size(extent) + 4;
    for (const auto& f : T.fields) overhead += 2 + f.name.size();
    return overhead;
}

} // namespace coldspot::tiles::detail
