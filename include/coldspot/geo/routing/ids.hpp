#pragma once
// Strong 32-bit ids for the road graph (OSRM-style): a NodeId cannot be passed where an EdgeId is
// expected, and both fit the CSR arrays' 32-bit indices.
#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace coldspot::geo::routing {

template <typename Tag>
struct StrongId {
    std::uint32_t value = std::numeric_limits<std::uint32_t>::max();

    constexpr StrongId() = default;
    constexpr explicit StrongId(std::uint32_t v) : value(v) {}
    static constexpr StrongId invalid() { return StrongId{}; }
    constexpr bool valid() const noexcept { return value != std::numeric_limits<std::uint32_t>::max(); }
    constexpr auto operator<=>(const StrongId&) const = default;
};

struct NodeTag;
struct EdgeTag;
using NodeId = StrongId<NodeTag>;
using EdgeId = StrongId<EdgeTag>;

/// Travel time in milliseconds: integral labels keep Dijkstra exact and comparable across
/// implementations; 2^32 ms is 49 days, far beyond any drive.
using TimeMs = std::uint32_t;
inline constexpr TimeMs kUnreachable = std::numeric_limits<TimeMs>::max();

} // namespace coldspot::geo::routing

template <typename Tag>
struct std::hash<coldspot::geo::routing::StrongId<Tag>> {
    std::size_t operator()(const coldspot::geo::routing::StrongId<Tag>& id) const noexcept { return id.value; }
};
