#include "coldspot/geo/routing/graph_cache.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/error.hpp"
#include "../detail/mapped_file.hpp"
#include "coldspot/geo/detail/wkb.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <thread>
#include <type_traits>

namespace coldspot::geo::routing {

namespace {

constexpr char kMagic[8] = {'C', 'S', 'P', 'T', 'R', 'G', 'R', 'F'};
constexpr std::size_t kAlign = 8; ///< every u64 and array starts at a multiple of this (version 3)

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
        offset_ += n;
    }
    template <typename T>
    void value(T v) { bytes(&v, sizeof v); }
    /// Zero bytes up to the next multiple of 8 from the file's start, so that a mapped file's arrays
    /// are aligned for their types.
    void pad() {
        static constexpr char kZeros[8] = {};
        bytes(kZeros, (kAlign - offset_ % kAlign) % kAlign);
    }
    template <typename T>
    void array(std::span<const T> a) {
        pad();
        bytes(a.data(), a.size_bytes());
    }
    uLong crc() const { return crc_; }

private:
    std::ofstream& out_;
    uLong crc_ = crc32(0L, Z_NULL, 0);
    std::uint64_t offset_ = 0;
};

/// Walks a mapped cache: values copied out, arrays returned as views at 8-byte aligned offsets.
class Cursor {
public:
    explicit Cursor(std::span<const std::byte> bytes) : bytes_(bytes) {}
    template <typename T>
    bool value(T& v) {
        if (bytes_.size() - at_ < sizeof v) return false;
        std::memcpy(&v, bytes_.data() + at_, sizeof v);
        at_ += sizeof v;
        return true;
    }
    bool text(std::string& s, std::size_t n) {
        if (bytes_.size() - at_ < n) return false;
        s.assign(reinterpret_cast<const char*>(bytes_.data() + at_), n);
        at_ += n;
        return true;
    }
    /// Skips the writer's padding to the next multiple of 8.
    bool align() {
        const std::size_t to = (at_ + kAlign - 1) / kAlign * kAlign;
        if (to > bytes_.size()) return false;
        at_ = to;
        return true;
    }
    template <typename T>
    bool array(std::span<const T>& out, std::uint64_t count) {
        static_assert(alignof(T) <= kAlign && std::is_trivially_copyable_v<T>);
        if (!align() || (bytes_.size() - at_) / sizeof(T) < count) return false;
        out = {reinterpret_cast<const T*>(bytes_.data() + at_), static_cast<std::size_t>(count)};
        at_ += count * sizeof(T);
        return true;
    }
    std::size_t left() const { return bytes_.size() - at_; }

private:
    std::span<const std::byte> bytes_;
    std::size_t at_ = 0;
};

/// CRC-32 of `bytes`, on two threads over 4 MiB blocks joined with crc32_combine (one pass over a
/// whole-England cache, 1.3 GB, was a quarter of the load's CPU time).
uLong parallel_crc(std::span<const std::byte> bytes) {
    constexpr std::size_t kBlock = std::size_t{4} << 20;
    const std::size_t blocks = (bytes.size() + kBlock - 1) / kBlock;
    std::vector<uLong> part(blocks);
    auto run = [&](std::size_t from) {
        for (std::size_t i = from; i < blocks; i += 2) {
            const std::size_t n = std::min(kBlock, bytes.size() - i * kBlock);
            part[i] = crc_update(crc32(0L, Z_NULL, 0), bytes.data() + i * kBlock, n);
        }
    };
    std::thread other(run, 1);
    run(0);
    other.join();
    uLong crc = crc32(0L, Z_NULL, 0);
    for (std::size_t i = 0; i < blocks; ++i)
        crc = crc32_combine(crc, part[i], static_cast<z_off_t>(std::min(kBlock, bytes.size() - i * kBlock)));
    return crc;
}

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
        w.pad();
        w.value<std::uint64_t>(graph.node_count());
        w.value<std::uint64_t>(graph.edge_count());
        w.array(graph.first_out_array());
        w.array(graph.head_array());
        w.array(graph.time_array());
        w.array(graph.length_array());
        w.array(graph.coords());
        const RoadGraph& c = contracted.forward();
        w.pad();
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

namespace {

bool valid_csr(std::span<const std::uint32_t> first, std::span<const std::uint32_t> head, std::uint64_t nodes) {
    for (std::uint64_t i = 0; i < nodes; ++i)
        if (first[i] > first[i + 1]) return false;
    if (first[0] != 0 || first[nodes] != head.size()) return false;
    return std::all_of(head.begin(), head.end(), [nodes](std::uint32_t x) { return x < nodes; });
}

/// The arrays of a mapped cache, in file order (views into the mapping).
struct CacheArrays {
    std::uint64_t n = 0, m = 0, kn = 0, km = 0;
    std::span<const std::uint32_t> first, head, kfirst, khead, original_of, chain_of;
    std::span<const TimeMs> time, ktime;
    std::span<const float> length, klength;
    std::span<const Point> coords;
};

/// Reads the header and the arrays' places; the reason on failure.
std::optional<std::string> read_layout(Cursor& r, const std::string& key, CacheArrays& a) {
    char magic[8];
    if (!r.value(magic) || std::memcmp(magic, kMagic, 8) != 0) return "not a Coldspot road graph cache";
    std::uint32_t version = 0, key_len = 0;
    if (!r.value(version) || version != kGraphCacheVersion)
        return "cache format version " + std::to_string(version) + " (expected " + std::to_string(kGraphCacheVersion) + ")";
    std::string stored_key;
    if (!r.value(key_len) || key_len > r.left() || !r.text(stored_key, key_len)) return "cache truncated";
    if (stored_key != key) return "cache built from other roads or another speed profile";
    if (!r.align() || !r.value(a.n) || !r.value(a.m) || a.n >= std::numeric_limits<std::uint32_t>::max() ||
        a.m >= std::numeric_limits<std::uint32_t>::max())
        return "cache header invalid";
    static_assert(sizeof(Point) == 2 * sizeof(double) && std::is_trivially_copyable_v<Point>);
    if (!r.array(a.first, a.n + 1) || !r.array(a.head, a.m) || !r.array(a.time, a.m) || !r.array(a.length, a.m) ||
        !r.array(a.coords, a.n))
        return "cache truncated";
    if (!r.align() || !r.value(a.kn) || !r.value(a.km) || a.kn > a.n || a.km > a.m) return "cache contracted header invalid";
    if (!r.array(a.kfirst, a.kn + 1) || !r.array(a.khead, a.km) || !r.array(a.ktime, a.km) || !r.array(a.klength, a.km) ||
        !r.array(a.original_of, a.kn) || !r.array(a.chain_of, a.m) || r.left() != 4)
        return "cache truncated";
    return std::nullopt;
}

} // namespace

std::optional<CachedGraph> load_cached_graph(const std::filesystem::path& path, const std::string& key,
                                            std::string* why_not) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return fail(why_not, "no cache at " + path.string());
    // The arrays are used where they lie in the mapped file: nothing is copied, and the CRC-32 at the
    // end is checked before anything is used. (Reading 1.3 GB of England into fresh memory cost 1-4 s
    // on these VMs, most of it the kernel handing out and clearing pages.)
    std::shared_ptr<const geo::detail::MappedFile> file;
    try {
        file = std::make_shared<const geo::detail::MappedFile>(path);
    } catch (const IoError& e) {
        return fail(why_not, e.what());
    }
    const auto bytes = file->bytes();
    if (bytes.size() < sizeof kMagic + 8 + 4) return fail(why_not, "cache truncated");
    Cursor r(bytes);
    CacheArrays a;
    if (auto why = read_layout(r, key, a)) return fail(why_not, *why);
    std::uint32_t stored_crc = 0;
    std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
    if (static_cast<std::uint32_t>(parallel_crc(bytes.first(bytes.size() - 4))) != stored_crc)
        return fail(why_not, "cache checksum mismatch (corrupt file)");
    if (!valid_csr(a.first, a.head, a.n)) return fail(why_not, "cache offsets or edge heads invalid");
    CachedGraph out{RoadGraph(a.first, a.head, a.time, a.length, a.coords, file), {}};
    if (!valid_csr(a.kfirst, a.khead, a.kn)) return fail(why_not, "cache contracted offsets invalid");
    std::vector<Point> kcoords;
    kcoords.reserve(a.kn);
    for (auto v : a.original_of) {
        if (v >= a.n) return fail(why_not, "cache contracted node out of range");
        kcoords.push_back(out.graph.coord(NodeId{v}));
    }
    try {
        out.contracted = ContractedGraph(out.graph,
                                         RoadGraph(std::vector<std::uint32_t>(a.kfirst.begin(), a.kfirst.end()),
                                                   std::vector<std::uint32_t>(a.khead.begin(), a.khead.end()),
                                                   std::vector<TimeMs>(a.ktime.begin(), a.ktime.end()),
                                                   std::vector<float>(a.klength.begin(), a.klength.end()), std::move(kcoords)),
                                         std::vector<std::uint32_t>(a.original_of.begin(), a.original_of.end()),
                                         std::vector<std::uint32_t>(a.chain_of.begin(), a.chain_of.end()));
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
