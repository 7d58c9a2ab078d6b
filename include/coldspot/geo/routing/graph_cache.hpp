#pragma once
// A binary cache of the road graph beside the workspace (`NAME.gpkg.roadgraph`), so a restart
// does not re-read and re-build the roads. Layout, little-endian, every u64 and every array starting at
// a multiple of 8 bytes from the file's start (zero padding before it), so the file can be memory-mapped
// and its arrays used in place:
//   "CSPTRGRF" | u32 format version | u32 key length | key bytes | u64 nodes | u64 edges
//   | first_out[u32; nodes+1] | head[u32; edges] | time_ms[u32; edges] | length_m[f32; edges]
//   | coords[2 x f64; nodes]
//   | u64 junctions | u64 chains | chain first_out[u32; junctions+1] | chain head[u32; chains]
//   | chain time_ms[u32; chains] | chain length_m[f32; chains] | original node of each junction[u32; junctions]
//   | chain of each edge[u32; edges]
//   | u32 CRC-32 (zlib) of everything before it
// The key names what the graph was built from (input hash + speed profile); a cache whose
// version, key or checksum does not match is ignored and rebuilt, never trusted.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace coldspot::geo::routing {

/// 2: the contracted graph (degree-2 chains as single edges) follows the full one. 3: arrays aligned
/// to 8 bytes, for a mapped load. An older file is reported ("cache format version 2 (expected 3)")
/// and rebuilt.
inline constexpr std::uint32_t kGraphCacheVersion = 3;

/// The road graph and its contraction, as the cache holds them.
struct CachedGraph {
    RoadGraph graph;
    ContractedGraph contracted;
};

/// Writes the cache atomically (geo::write_atomically). Throws IoError naming the file on I/O failure.
void save_graph_cache(const std::filesystem::path& path, const RoadGraph& graph, const ContractedGraph& contracted,
                      const std::string& key);
/// The same, contracting the graph first.
void save_graph_cache(const std::filesystem::path& path, const RoadGraph& graph, const std::string& key);

/// The cached graph when the file exists, is intact and was built from `key`; otherwise nullopt
/// with the reason in *why_not (missing, stale key, bad checksum, truncated, ...).
std::optional<CachedGraph> load_cached_graph(const std::filesystem::path& path, const std::string& key,
                                            std::string* why_not = nullptr);
/// load_cached_graph's full graph only.
std::optional<RoadGraph> load_graph_cache(const std::filesystem::path& path, const std::string& key,
                                          std::string* why_not = nullptr);

/// The key a cache file was built with, read from its header (nullopt when the file is missing or
/// is not a cache of this format version). Lets a later step reuse the graph an access run built
/// from a road source it does not know; load_graph_cache with this key still checks the checksum.
std::optional<std::string> graph_cache_key(const std::filesystem::path& path);

/// A content hash (hex) of a roads layer: geometry and attributes, in order.
std::string roads_fingerprint(const FeatureTable& roads);

} // namespace coldspot::geo::routing
