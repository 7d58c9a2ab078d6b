#pragma once
// Multi-source Dijkstra over a RoadGraph: every node gets the time (and path length) from the
// nearest source and that source's label. Run on RoadGraph::reversed() with venues as sources,
// it gives each node its drive time *to* the nearest venue. A cutoff bounds the search; state
// is reset only where the previous search went, so many small searches stay cheap.
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/detail/radix_heap.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <span>
#include <vector>

namespace coldspot::geo::routing {

struct SearchSource {
    NodeId node;
    TimeMs time = 0;      ///< already spent when the search starts here (e.g. part of an edge)
    float metres = 0;
    std::uint32_t label = 0;
};

class MultiSourceSearch {
public:
    explicit MultiSourceSearch(const RoadGraph& graph);

    /// Settles every node within `cutoff` ms (inclusive) of the sources.
    void run(std::span<const SearchSource> sources, TimeMs cutoff = kUnreachable);

    TimeMs time(NodeId n) const noexcept { return time_[n.value]; }
    float metres(NodeId n) const noexcept { return metres_[n.value]; }
    std::uint32_t label(NodeId n) const noexcept { return label_[n.value]; }
    /// Nodes settled by the last run, in order of time.
    std::span<const std::uint32_t> settled() const noexcept { return settled_; }
    std::span<const TimeMs> times() const noexcept { return time_; }
    const RoadGraph& graph() const noexcept { return graph_; }

private:
    const RoadGraph& graph_;
    std::vector<TimeMs> time_;
    std::vector<float> metres_;
    std::vector<std::uint32_t> label_;
    std::vector<std::uint32_t> touched_, settled_;
    detail::RadixHeap heap_;
};

/// A place's time to the nearest source (label = that source's label), or time == kUnreachable.
struct Arrival {
    TimeMs time = kUnreachable;
    double metres = 0;
    std::uint32_t label = 0;
};

/// A source placed on the road (a venue), as the reversed-graph search needs it: for each of its
/// positions on a forward edge (c->d at fraction g), node c is g of the edge's time away.
std::vector<SearchSource> sources_for(const RoadGraph& forward, const Snap& place, std::uint32_t label);

/// Arrival of a snapped place (a school) at the searched sources: leave along each forward edge
/// position (a->b at f) to b, then follow the search's times from b. `same_edge` are the sources'
/// own positions, for a school and a venue on the same edge with the venue downstream.
struct LabelledPosition {
    EdgePosition position;
    std::uint32_t label;
};
Arrival arrival(const RoadGraph& forward, const MultiSourceSearch& search, const Snap& place,
                std::span<const LabelledPosition> same_edge = {});

} // namespace coldspot::geo::routing
