// The road-graph cache reader on mutated caches. The first byte chooses whether the harness
// repairs the trailing CRC-32 after mutating, so the fuzzer reaches the structure checks behind
// the checksum instead of stopping at it. A cache is either refused with a reason or loaded as a
// graph whose offsets, heads and arrays agree (every edge inside the node range).
#include "coldspot/geo/routing/graph_cache.hpp"
#include "fuzz_support.hpp"

#include <zlib.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace coldspot;
    fuzz::Input in(data, size);
    const bool fix_crc = in.byte() & 1;
    std::string bytes(in.rest());
    if (fix_crc && bytes.size() >= 4) {
        const auto crc = static_cast<std::uint32_t>(
            crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
        std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
    }
    const auto path = fuzz::scratch_file("ws.gpkg.roadgraph", bytes);
    const auto key = geo::routing::graph_cache_key(path);
    std::string why;
    const auto graph = geo::routing::load_graph_cache(path, key.value_or("fuzz"), &why);
    if (!graph) {
        if (why.empty()) fuzz::fail("cache refused without a reason");
        return 0;
    }
    const auto n = graph->node_count();
    const auto& first = graph->first_out_array();
    const auto& head = graph->head_array();
    if (first.size() != n + 1ull || first.front() != 0 || first.back() != head.size()) fuzz::fail("offsets disagree with edges");
    if (graph->time_array().size() != head.size() || graph->length_array().size() != head.size()) fuzz::fail("edge arrays differ in length");
    for (auto h : head)
        if (h >= n) fuzz::fail("edge head outside the nodes");
    return 0;
}
