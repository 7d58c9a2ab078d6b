#pragma once
// The road graph with its degree-2 chains contracted: a node with exactly two neighbours that is
// passed straight through (two-way on both sides, or one way in and one way out) is not a search
// node; the chain of segments between two junctions becomes one edge whose time and length are the
// sums of its segments' (integers for time, so exact). Searches then settle junctions only: on
// OSM-like data five nodes of six are shape nodes (docs/routing.md, "Contracted chains").
//
// Places stay exact: a school or venue is still snapped onto a segment of the full graph, and
// ChainSearch walks from that segment along its chain to the junction at its end, adding the
// segments' own times, so every answer equals the uncontracted search's (same millisecond times;
// metres to float rounding; which venue only differs between venues at exactly the same time).
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <span>
#include <vector>

namespace coldspot::geo::routing {

class ContractedGraph {
public:
    static constexpr std::uint32_t kInterior = std::numeric_limits<std::uint32_t>::max();

    ContractedGraph() = default;
    /// Contracts `original` (linear time; a ring with no junction keeps one of its nodes).
    explicit ContractedGraph(const RoadGraph& original);
    /// From stored arrays (the graph cache): `forward` holds the kept nodes (node i is original
    /// node original_of[i]) and one edge per chain; chain_of[e] is the chain of original edge e.
    /// Throws InvalidArgumentError when they do not fit `original`.
    ContractedGraph(const RoadGraph& original, RoadGraph forward, std::vector<std::uint32_t> original_of,
                    std::vector<std::uint32_t> chain_of);

    const RoadGraph& forward() const noexcept { return forward_; }
    const RoadGraph& reversed() const noexcept { return reversed_; }
    /// Contracted id of an original node, or kInterior for a node inside a chain.
    std::uint32_t node_of(NodeId original) const noexcept { return node_of_[original.value]; }
    NodeId original_of(std::uint32_t kept) const noexcept { return NodeId{original_of_[kept]}; }
    /// The contracted edge (chain) an original edge lies on.
    std::uint32_t chain_of(EdgeId original) const noexcept { return chain_of_[original.value]; }
    /// Contracted tail of a chain.
    std::uint32_t chain_tail(std::uint32_t chain) const noexcept;

    std::span<const std::uint32_t> original_of_array() const noexcept { return original_of_; }
    std::span<const std::uint32_t> chain_of_array() const noexcept { return chain_of_; }
    std::size_t memory_bytes() const noexcept;

private:
    void finish(const RoadGraph& original);
    RoadGraph forward_, reversed_;
    std::vector<std::uint32_t> original_of_, node_of_, chain_of_;
};

/// The edge continuing a chain at interior node v entered from node `from`.
EdgeId chain_continuation(const RoadGraph& original, NodeId v, NodeId from) noexcept;

/// Multi-source search on the contracted graph with places on the full graph: the same answers as
/// MultiSourceSearch + sources_for + arrival on the reversed full graph (times *to* the sources).
class ChainSearch {
public:
    ChainSearch(const RoadGraph& original, const ContractedGraph& contracted);

    /// Sources for the next run: each snapped venue with its label (as sources_for would).
    void clear_sources();
    void add_source(const Snap& place, std::uint32_t label);
    /// Settles every junction within `cutoff` ms (inclusive) of the sources.
    void run(TimeMs cutoff = kUnreachable);

    /// A snapped place's time to the nearest source (as arrival() with the sources' same-edge positions).
    Arrival arrival(const Snap& place) const;
    /// Time from an original node to the nearest source.
    Arrival node_arrival(NodeId original) const;
    /// Every original node's time (kUnreachable when not reached): what MultiSourceSearch::times()
    /// gives on the full reversed graph, for isochrones. One sweep over the chains.
    std::vector<TimeMs> node_times() const;
    /// The search over junctions (contracted ids) of the last run.
    const MultiSourceSearch& junction_search() const noexcept { return search_; }

private:
    struct OnArc {
        std::uint32_t arc;
        double fraction;
        std::uint32_t label;
        auto operator<=>(const OnArc&) const = default;
    };
    /// Time and metres from the tail of `chain` to the tail of original edge `arc` on it.
    std::pair<TimeMs, double> before(std::uint32_t chain, EdgeId arc) const;
    void walk(EdgeId first, NodeId from, Arrival& best) const;
    bool chain_has_sources(std::uint32_t chain) const;
    std::span<const OnArc> on_arc(std::uint32_t arc) const;

    const RoadGraph& original_;
    const ContractedGraph& contracted_;
    MultiSourceSearch search_;
    std::vector<SearchSource> sources_;
    std::vector<OnArc> on_arc_;
    std::vector<std::uint32_t> source_chains_;
};

} // namespace coldspot::geo::routing
