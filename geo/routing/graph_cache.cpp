#include "coldspot/geo/routing/graph_cache.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/detail/huge_pages.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/wkb.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <type_traits>

namespace coldspot::geo::routing {

namespace {

constexpr char kMagic[8] = {'C', 'S', 'P', 'T', 'R', 'G', 'R', 'F'};

/// zlib's crc32 takes uInt lengths: feeds big arrays in chunks.
uLong crc_update(uLong crc, const void* p, std::size_t n) {
    const auto* b = static_cast<const Bytef*>(p);
    while (n > 0) {
        const std::size_t chunk = std::min<std::size_t>(n, 1u << 30);
        crc = crc32(crc, b, static_cast<uInt>(chunk));
        b += chunk;
        n -= chunk;
    }
    return crc;
}

class CrcWriter {
public:
    explicit CrcWriter(std::ofstream& out) : out_(out) {}
    void bytes(const void* p, std::size_t n) {
        out_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
        crc_ = crc_update(crc_, p, n);
    }
    template <typename T>
    void value(T v) { bytes(&v, sizeof v); }
    template <typename T>
    void array(std::span<const T> a) { bytes(a.data(), a.size_bytes()); }
    uLong crc() const { return crc_; }

private:
    std::ofstream& out_;
    uLong crc_ = crc32(0L, Z_NULL, 0);
};

/// Reads the cache straight into its arrays (no copy of the whole file). The checksum is computed
/// after the read, on two threads over 4 MiB blocks joined with crc32_combine: one crc32 pass over a
/// whole-England cache (1.3 GB) was a quarter of the load's CPU time.
class Reader {
public:
    Reader(std::ifstream& in, std::uint64_t size) : in_(in), left_(size) {}
    /// Reads n bytes into p, which must stay unchanged until crc() is called.
    bool take(void* p, std::size_t n) {
        if (n > left_ || !in_.read(static_cast<char*>(p), static_cast<std::streamsize>(n))) return false;
        left_ -= n;
        for (std::size_t at = 0; at < n; at += kBlock)
            blocks_.push_back({static_cast<const Bytef*>(p) + at, std::min(kBlock, n - at)});
        return true;
    }
    template <typename T>
    bool vec(std::vector<T>& v, std::uint64_t count) {
        if (left_ / sizeof(T) < count) return false; // never allocate more than the file holds
        geo::detail::resize_huge(v, count);
        return take(v.data(), count * sizeof(T));
    }
    std::uint64_t left() const { return left_; }
    /// The CRC-32 of everything taken so far, in order.
    uLong crc() const {
        std::vector<uLong> part(blocks_.size());
        auto run = [&](std::size_t from) {
            for (std::size_t i = from; i < blocks_.size(); i += 2)
                part[i] = crc_update(crc32(0L, Z_NULL, 0), blocks_[i].data, blocks_[i].size);
        };
        std::thread other(run, 1);
        run(0);
        other.join();
        uLong crc = crc32(0L, Z_NULL, 0);
        for (std::size_t i = 0; i < blocks_.size(); ++i)
            crc = crc32_combine(crc, part[i], static_cast<z_off_t>(blocks_[i].size));
        return crc;
    }

private:
    static constexpr std::size_t kBlock = std::size_t{4} << 20;
    struct Block {
        const Bytef* data;
        std::size_t size;
    };
    std::ifstream& in_;
    std::uint64_t left_;
    std::vector<Block> blocks_;
};

std::optional<CachedGraph> fail(std::string* why_not, std::string reason) {
    if (why_not) *why_not = std::move(reason);
    return std::nullopt;
}

} // namespace

void save_graph_cache(const std::filesystem::path& path, const RoadGraph& graph, const std::string& key) {
    save_graph_cache(path, graph, ContractedGraph(graph), key);
}

void save_graph_cache(const std::filesystem::path& path, const RoadGraph& graph, const ContractedGraph& contracted,
                      const std::string& key) {
    write_atomically(path, [&](const std::filesystem::path& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw_io_error("create road graph cache", tmp, errno);
        CrcWriter w(out);
        w.bytes(kMagic, sizeof kMagic);
        w.value<std::uint32_t>(kGraphCacheVersion);
        w.value<std::uint32_t>(static_cast<std::uint32_t>(key.size()));
        w.bytes(key.data(), key.size());
        w.value<std::uint64_t>(graph.node_count());
        w.value<std::uint64_t>(graph.edge_count());
        w.array(graph.first_out_array());
        w.array(graph.head_array());
        w.array(graph.time_array());
        w.array(graph.length_array());
        for (const auto& p : graph.coords()) {
            w.value<double>(p.x());
            w.value<double>(p.y());
        }
        const RoadGraph& c = contracted.forward();
        w.value<std::uint64_t>(c.node_count());
        w.value<std::uint64_t>(c.edge_count());
        w.array(c.first_out_array());
        w.array(c.head_array());
        w.array(c.time_array());
        w.array(c.length_array());
        w.array(contracted.original_of_array());
        w.array(contracted.chain_of_array());
        const auto crc = static_cast<std::uint32_t>(w.crc());
        out.write(reinterpret_cast<const char*>(&crc), sizeof crc);
        out.close();
        if (!out) throw_io_error("write road graph cache", tmp, errno);
    });
}

std::optional<std::string> graph_cache_key(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    char magic[8];
    std::uint32_t version = 0, key_len = 0;
    if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) return std::nullopt;
    if (!in.read(reinterpret_cast<char*>(&version), 4) || version != kGraphCacheVersion) return std::nullopt;
    if (!in.read(reinterpret_cast<char*>(&key_len), 4) || key_len > (1u << 20)) return std::nullopt;
    std::string key(key_len, '\0');
    if (!in.read(key.data(), key_len)) return std::nullopt;
    return key;
}

std::optional<RoadGraph> load_graph_cache(const std::filesystem::path& path, const std::string& key,
                                          std::string* why_not) {
    auto cached = load_cached_graph(path, key, why_not);
    if (!cached) return std::nullopt;
    return std::move(cached->graph);
}

std::optional<CachedGraph> load_cached_graph(const std::filesystem::path& path, const std::string& key,
                                            std::string* why_not) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(why_not, "no cache at " + path.string());
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return fail(why_not, "no cache at " + path.string());
    if (size < sizeof kMagic + 8) return fail(why_not, "cache truncated");
    // The arrays are read straight into place and checksummed on the way; the CRC-32 at the end is
    // compared before anything read is used. (A copy of the whole file first cost a second or more
    // on a whole-England cache.)
    Reader r(in, size - 4);
    char magic[8];
    r.take(magic, 8);
    if (std::memcmp(magic, kMagic, 8) != 0) return fail(why_not, "not a Coldspot road graph cache");
    std::uint32_t version = 0, key_len = 0;
    if (!r.take(&version, 4) || version != kGraphCacheVersion)
        return fail(why_not, "cache format version " + std::to_string(version) + " (expected " +
                                 std::to_string(kGraphCacheVersion) + ")");
    if (!r.take(&key_len, 4) || key_len > r.left()) return fail(why_not, "cache truncated");
    std::string stored_key(key_len, '\0');
    if (!r.take(stored_key.data(), key_len)) return fail(why_not, "cache truncated");
    if (stored_key != key) return fail(why_not, "cache built from other roads or another speed profile");
    std::uint64_t n = 0, m = 0;
    if (!r.take(&n, 8) || !r.take(&m, 8) || n >= std::numeric_limits<std::uint32_t>::max() ||
        m >= std::numeric_limits<std::uint32_t>::max())
        return fail(why_not, "cache header invalid");
    static_assert(sizeof(Point) == 2 * sizeof(double) && std::is_trivially_copyable_v<Point>);
    std::vector<std::uint32_t> first, head;
    std::vector<TimeMs> time;
    std::vector<float> length;
    std::vector<Point> coords;
    if (!r.vec(first, n + 1) || !r.vec(head, m) || !r.vec(time, m) || !r.vec(length, m) || !r.vec(coords, n))
        return fail(why_not, "cache truncated");
    std::uint64_t kn = 0, km = 0;
    if (!r.take(&kn, 8) || !r.take(&km, 8) || kn > n || km > m) return fail(why_not, "cache contracted header invalid");
    std::vector<std::uint32_t> kfirst, khead, original_of, chain_of;
    std::vector<TimeMs> ktime;
    std::vector<float> klength;
    if (!r.vec(kfirst, kn + 1) || !r.vec(khead, km) || !r.vec(ktime, km) || !r.vec(klength, km) ||
        !r.vec(original_of, kn) || !r.vec(chain_of, m) || r.left() != 0)
        return fail(why_not, "cache truncated");
    std::uint32_t stored_crc = 0;
    if (!in.read(reinterpret_cast<char*>(&stored_crc), 4)) return fail(why_not, "cache truncated");
    if (static_cast<std::uint32_t>(r.crc()) != stored_crc) return fail(why_not, "cache checksum mismatch (corrupt file)");

    auto valid_csr = [](const std::vector<std::uint32_t>& f, const std::vector<std::uint32_t>& h, std::uint64_t nodes) {
        for (std::uint64_t i = 0; i < nodes; ++i)
            if (f[i] > f[i + 1]) return false;
        if (f[0] != 0 || f[nodes] != h.size()) return false;
        return std::all_of(h.begin(), h.end(), [nodes](std::uint32_t x) { return x < nodes; });
    };
    if (!valid_csr(first, head, n)) return fail(why_not, "cache offsets or edge heads invalid");
    CachedGraph out{RoadGraph(std::move(first), std::move(head), std::move(time), std::move(length), std::move(coords)), {}};
    if (!valid_csr(kfirst, khead, kn)) return fail(why_not, "cache contracted offsets invalid");
    std::vector<Point> kcoords;
    kcoords.reserve(kn);
    for (auto v : original_of) {
        if (v >= n) return fail(why_not, "cache contracted node out of range");
        kcoords.push_back(out.graph.coord(NodeId{v}));
    }
    try {
        out.contracted = ContractedGraph(out.graph,
                                         RoadGraph(std::move(kfirst), std::move(khead), std::move(ktime), std::move(klength),
                                                   std::move(kcoords)),
                                         std::move(original_of), std::move(chain_of));
    } catch (const InvalidArgumentError& e) {
        return fail(why_not, std::string("cache contracted graph invalid: ") + e.what());
    }
    return out;
}

std::string roads_fingerprint(const FeatureTable& roads) {
    // FNV-1a 64 over field names, WKB and values: cheap, stable across runs and platforms.
    std::uint64_t h = 1469598103934665603ULL;
    auto mix = [&h](const void* p, std::size_t n) {
        const auto* b = static_cast<const unsigned char*>(p);
        for (std::size_t i = 0; i < n; ++i) {
            h ^= b[i];
            h *= 1099511628211ULL;
        }
    };
    for (const auto& f : roads.fields) mix(f.name.data(), f.name.size());
    for (const auto& f : roads.features) {
        const auto wkb = to_wkb(f.geometry);
        mix(wkb.data(), wkb.size());
        for (const auto& v : f.values) {
            const std::string text = as_text(v);
            mix(text.data(), text.size());
            mix("\x1f", 1);
        }
    }
    std::ostringstream os;
    os << std::hex << h << "-" << roads.features.size();
    return os.str();
}

} // namespace coldspot::geo::routing
