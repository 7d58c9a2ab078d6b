#include "coldspot/geo/routing/road_graph.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace coldspot::geo::routing {

namespace {

RoadGraph csr_from_arcs(std::uint32_t n, std::vector<Point> coords, std::span<const std::uint32_t> tail,
                        std::span<const std::uint32_t> head_in, std::span<const TimeMs> time_in, std::span<const float> length_in) {
    std::vector<std::uint32_t> first(n + 1, 0);
    for (auto t : tail) ++first[t + 1];
    std::partial_sum(first.begin(), first.end(), first.begin());
    std::vector<std::uint32_t> pos(first.begin(), first.end() - 1);
    std::vector<std::uint32_t> head(tail.size());
    std::vector<TimeMs> time(tail.size());
    std::vector<float> length(tail.size());
    for (std::size_t i = 0; i < tail.size(); ++i) {
        const std::uint32_t slot = pos[tail[i]]++;
        head[slot] = head_in[i];
        time[slot] = time_in[i];
        length[slot] = length_in[i];
    }
    return RoadGraph(std::move(first), std::move(head), std::move(time), std::move(length), std::move(coords));
}

} // namespace

namespace {

/// The arrays of a graph that owns them.
struct OwnedArrays {
    std::vector<std::uint32_t> first_out, head;
    std::vector<TimeMs> time_ms;
    std::vector<float> length_m;
    std::vector<Point> coords;
};

} // namespace

RoadGraph::RoadGraph() : RoadGraph(std::vector<std::uint32_t>{0}, {}, {}, {}, {}) {}

RoadGraph::RoadGraph(std::vector<std::uint32_t> first_out, std::vector<std::uint32_t> head, std::vector<TimeMs> time_ms,
                     std::vector<float> length_m, std::vector<Point> coords) {
    auto a = std::make_shared<OwnedArrays>(
        OwnedArrays{std::move(first_out), std::move(head), std::move(time_ms), std::move(length_m), std::move(coords)});
    first_out_ = a->first_out, head_ = a->head, time_ms_ = a->time_ms, length_m_ = a->length_m, coords_ = a->coords;
    owner_ = std::move(a);
    check_shape();
}

RoadGraph::RoadGraph(std::span<const std::uint32_t> first_out, std::span<const std::uint32_t> head, std::span<const TimeMs> time_ms,
                     std::span<const float> length_m, std::span<const Point> coords, std::shared_ptr<const void> owner)
    : owner_(std::move(owner)), first_out_(first_out), head_(head), time_ms_(time_ms), length_m_(length_m), coords_(coords) {
    check_shape();
}

void RoadGraph::check_shape() const {
    if (first_out_.size() != coords_.size() + 1 || head_.size() != time_ms_.size() || head_.size() != length_m_.size() ||
        first_out_.back() != head_.size())
        throw InvalidArgumentError("RoadGraph: inconsistent CSR arrays");
}

std::vector<std::uint32_t> RoadGraph::tails() const {
    std::vector<std::uint32_t> tail(head_.size());
    for (std::uint32_t n = 0; n < node_count(); ++n)
        for (std::uint32_t e = first_out_[n]; e < first_out_[n + 1]; ++e) tail[e] = n;
    return tail;
}

RoadGraph RoadGraph::reversed() const {
    // Every edge u->v becomes v->u; the counting sort keeps each node's edges in input order.
    return csr_from_arcs(node_count(), std::vector<Point>(coords_.begin(), coords_.end()), head_, tails(), time_ms_, length_m_);
}

std::size_t RoadGraph::memory_bytes() const noexcept {
    return first_out_.size() * sizeof(std::uint32_t) + head_.size() * sizeof(std::uint32_t) +
           time_ms_.size() * sizeof(TimeMs) + length_m_.size() * sizeof(float) + coords_.size() * sizeof(Point);
}

std::string GraphBuildReport::to_string() const {
    std::ostringstream os;
    os << roads_read << " road lines read, " << roads_not_routable << " not routable by class";
    if (!not_routable_classes.empty()) {
        os << " (";
        bool first = true;
        for (const auto& [cls, count] : not_routable_classes) {
            os << (first ? "" : ", ") << (cls.empty() ? "<empty>" : cls) << ": " << count;
            first = false;
        }
        os << ")";
    }
    os << ", " << roads_degenerate << " degenerate; graph " << nodes_before << " nodes / " << edges_before
       << " edges in " << components << " strongly connected components; kept the largest, removing "
       << nodes_removed << " nodes and " << edges_removed << " edges";
    return os.str();
}

TimeMs segment_time_ms(double length_m, double kph) {
    if (!(kph > 0)) throw InvalidArgumentError("segment speed must be positive");
    const double ms = std::round(length_m / (kph / 3.6) * 1000.0);
    return static_cast<TimeMs>(std::max(length_m > 0 ? 1.0 : 0.0, ms));
}

NodeId RoadGraphBuilder::add_node(const Point& p) {
    if (coords_.size() >= std::numeric_limits<std::uint32_t>::max() - 1)
        throw InvalidArgumentError("road graph exceeds 2^32 nodes");
    coords_.push_back(p);
    return NodeId{static_cast<std::uint32_t>(coords_.size() - 1)};
}

NodeId RoadGraphBuilder::junction_at(const Point& p) {
    // Ends closer than kJoinTolerance are one junction: sources round coordinates (7 decimal
    // degrees is ~1 cm), so ends that meet in the source can differ by a centimetre or two after
    // reprojection. A grid of tolerance-sized cells finds the candidates in the 3 x 3 block.
    constexpr double kJoinTolerance = 0.05;
    const auto cx = static_cast<std::int64_t>(std::floor(p.x() / kJoinTolerance));
    const auto cy = static_cast<std::int64_t>(std::floor(p.y() / kJoinTolerance));
    auto key = [](std::int64_t x, std::int64_t y) {
        return (static_cast<std::uint64_t>(x + (1LL << 31)) << 32) ^ static_cast<std::uint64_t>(y + (1LL << 31));
    };
    for (std::int64_t dx = -1; dx <= 1; ++dx)
        for (std::int64_t dy = -1; dy <= 1; ++dy) {
            auto it = junctions_.find(key(cx + dx, cy + dy));
            if (it != junctions_.end() && bg::distance(coords_[it->second], p) <= kJoinTolerance) return NodeId{it->second};
        }
    const NodeId n = add_node(p);
    junctions_.emplace(key(cx, cy), n.value);
    return n;
}

void RoadGraphBuilder::add_segment(NodeId a, NodeId b, double length_m, double kph, int oneway) {
    if (a == b) return;
    const TimeMs t = segment_time_ms(length_m, kph);
    const auto len = static_cast<float>(length_m);
    if (oneway >= 0) arcs_.push_back({a.value, b.value, t, len});
    if (oneway <= 0) arcs_.push_back({b.value, a.value, t, len});
}

bool RoadGraphBuilder::add_line(const LineString& line, double length_m, double kph, int oneway) {
    // Drop repeated vertices; a line needs two distinct ones.
    LineString pts;
    for (const auto& p : line)
        if (pts.empty() || !bg::equals(pts.back(), p)) pts.push_back(p);
    if (pts.size() < 2) return false;
    const double drawn = bg::length(pts);
    const double scale = drawn > 0 ? length_m / drawn : 0;
    NodeId prev = junction_at(pts.front());
    for (std::size_t i = 1; i < pts.size(); ++i) {
        const NodeId next = (i + 1 == pts.size()) ? junction_at(pts[i]) : add_node(pts[i]);
        add_segment(prev, next, bg::distance(pts[i - 1], pts[i]) * scale, kph, oneway);
        prev = next;
    }
    return true;
}

std::uint32_t strongly_connected_components(const RoadGraph& g, std::vector<std::uint32_t>& component) {
    constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
    const std::uint32_t n = g.node_count();
    const auto first = g.first_out_array();
    const auto head = g.head_array();
    std::vector<std::uint32_t> index(n, kNone), low(n, 0), next_edge(n, 0);
    std::vector<std::uint32_t> stack, call;
    std::vector<bool> on_stack(n, false);
    component.assign(n, kNone);
    std::uint32_t counter = 0, components = 0;
    for (std::uint32_t root = 0; root < n; ++root) {
        if (index[root] != kNone) continue;
        call.push_back(root);
        index[root] = low[root] = counter++;
        next_edge[root] = first[root];
        stack.push_back(root);
        on_stack[root] = true;
        while (!call.empty()) {
            const std::uint32_t v = call.back();
            if (next_edge[v] < first[v + 1]) {
                const std::uint32_t w = head[next_edge[v]++];
                if (index[w] == kNone) {
                    index[w] = low[w] = counter++;
                    next_edge[w] = first[w];
                    stack.push_back(w);
                    on_stack[w] = true;
                    call.push_back(w);
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            call.pop_back();
            if (!call.empty()) low[call.back()] = std::min(low[call.back()], low[v]);
            if (low[v] == index[v]) {
                std::uint32_t w;
                // Pops the component off the stack down to v: w is read from the stack each time round.
                do { // NOLINT(bugprone-infinite-loop): the check does not see stack.back() change
                    w = stack.back();
                    stack.pop_back();
                    on_stack[w] = false;
                    component[w] = components;
                } while (w != v);
                ++components;
            }
        }
    }
    return components;
}

BuiltGraph RoadGraphBuilder::build(bool keep_largest_scc) {
    BuiltGraph out;
    const auto n = static_cast<std::uint32_t>(coords_.size());
    std::vector<std::uint32_t> tail(arcs_.size()), head(arcs_.size());
    std::vector<TimeMs> time(arcs_.size());
    std::vector<float> length(arcs_.size());
    for (std::size_t i = 0; i < arcs_.size(); ++i) {
        tail[i] = arcs_[i].tail;
        head[i] = arcs_[i].head;
        time[i] = arcs_[i].time;
        length[i] = arcs_[i].length;
    }
    arcs_.clear();
    arcs_.shrink_to_fit();
    junctions_.clear();
    RoadGraph full = csr_from_arcs(n, std::move(coords_), tail, head, time, length);
    coords_.clear();
    out.report.nodes_before = full.node_count();
    out.report.edges_before = full.edge_count();
    if (!keep_largest_scc || n == 0) {
        out.report.components = n == 0 ? 0 : 1;
        out.graph = std::move(full);
        return out;
    }
    std::vector<std::uint32_t> comp;
    const std::uint32_t count = strongly_connected_components(full, comp);
    out.report.components = count;
    std::vector<std::uint32_t> size(count, 0);
    for (auto c : comp) ++size[c];
    const auto largest = static_cast<std::uint32_t>(std::max_element(size.begin(), size.end()) - size.begin());
    constexpr std::uint32_t kDropped = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> new_id(n, kDropped);
    std::vector<Point> coords;
    coords.reserve(size[largest]);
    for (std::uint32_t v = 0; v < n; ++v)
        if (comp[v] == largest) {
            new_id[v] = static_cast<std::uint32_t>(coords.size());
            coords.push_back(full.coord(NodeId{v}));
        }
    tail.clear();
    head.clear();
    time.clear();
    length.clear();
    for (std::uint32_t v = 0; v < n; ++v) {
        if (new_id[v] == kDropped) continue;
        for (std::uint32_t e = full.first_out(NodeId{v}); e < full.end_out(NodeId{v}); ++e) {
            const std::uint32_t w = full.head(EdgeId{e}).value;
            if (new_id[w] == kDropped) continue;
            tail.push_back(new_id[v]);
            head.push_back(new_id[w]);
            time.push_back(full.time_ms(EdgeId{e}));
            length.push_back(full.length_m(EdgeId{e}));
        }
    }
    const auto kept = static_cast<std::uint32_t>(coords.size());
    out.graph = csr_from_arcs(kept, std::move(coords), tail, head, time, length);
    out.report.nodes_removed = n - kept;
    out.report.edges_removed = full.edge_count() - out.graph.edge_count();
    return out;
}

BuiltGraph build_road_graph(const FeatureTable& roads, const SpeedProfile& profile, bool keep_largest_scc) {
    const std::size_t i_class = roads.require_field(model::road::highway);
    const std::size_t i_oneway = roads.require_field(model::road::oneway);
    const std::size_t i_speed = roads.require_field(model::road::maxspeed_kph);
    const std::size_t i_length = roads.require_field(model::road::length_m);
    RoadGraphBuilder builder;
    GraphBuildReport report;
    for (const auto& f : roads.features) {
        ++report.roads_read;
        const std::string cls = as_text(f.values[i_class]);
        const std::string_view primary = primary_class(cls);
        if (!profile.routable(primary)) {
            ++report.roads_not_routable;
            ++report.not_routable_classes[std::string(primary)];
            continue;
        }
        const auto* lines = std::get_if<MultiLineString>(&f.geometry);
        if (!lines) {
            ++report.roads_degenerate;
            continue;
        }
        const auto oneway_value = as_number(f.values[i_oneway]);
        const int oneway = oneway_value ? static_cast<int>(*oneway_value) : 0;
        if (oneway < -1 || oneway > 1)
            throw InputError({roads.name, static_cast<std::size_t>(f.fid), "oneway"}, "must be -1, 0 or 1");
        const double kph = profile.speed_kph(primary, as_number(f.values[i_speed]));
        const double drawn = bg::length(*lines);
        const auto len_value = as_number(f.values[i_length]);
        const double total = len_value && *len_value > 0 ? *len_value : drawn;
        bool any = false;
        for (const auto& line : *lines) {
            // A multi-part road shares its length by drawn length.
            const double part = drawn > 0 ? total * bg::length(line) / drawn : 0;
            any = builder.add_line(line, part, kph, oneway) || any;
        }
        if (!any) ++report.roads_degenerate;
    }
    BuiltGraph built = builder.build(keep_largest_scc);
    const GraphBuildReport structure = built.report;
    built.report = report;
    built.report.nodes_before = structure.nodes_before;
    built.report.edges_before = structure.edges_before;
    built.report.components = structure.components;
    built.report.nodes_removed = structure.nodes_removed;
    built.report.edges_removed = structure.edges_removed;
    return built;
}

} // namespace coldspot::geo::routing
