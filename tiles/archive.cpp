#include "coldspot/tiles/archive.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/tiles/gzip.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <atomic>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unistd.h>

namespace coldspot::tiles {

namespace {

struct RenderedTile {
    TileId id;
    EncodedTile tile;
};

/// Renders every candidate tile of the zoom range in parallel; keeps the non-empty ones.
std::vector<RenderedTile> render_range(const TileService& service, const std::string& tileset,
                                       const ArchiveOptions& options, int& minzoom, int& maxzoom,
                                       ArchiveStats& stats) {
    const TilesetSpec& spec = service.spec(tileset);
    minzoom = options.minzoom < 0 ? spec.minzoom : options.minzoom;
    maxzoom = options.maxzoom < 0 ? spec.maxzoom : options.maxzoom;
    if (minzoom < spec.minzoom || maxzoom > spec.maxzoom || minzoom > maxzoom)
        throw InvalidArgumentError("zoom range " + std::to_string(minzoom) + "-" + std::to_string(maxzoom) +
                                   " is outside tileset '" + tileset + "' (" + std::to_string(spec.minzoom) + "-" +
                                   std::to_string(spec.maxzoom) + ")");
    std::vector<RenderedTile> out;
    const unsigned nthreads = std::max(1u, options.threads);
    for (int z = minzoom; z <= maxzoom; ++z) {
        const auto ids = service.candidate_tiles(tileset, static_cast<std::uint32_t>(z));
        std::vector<std::optional<EncodedTile>> results(ids.size());
        std::atomic<std::size_t> next{0};
        std::exception_ptr failure;
        std::mutex failure_mutex;
        const auto work = [&] {
            try {
                for (std::size_t i; (i = next.fetch_add(1)) < ids.size();) results[i] = service.render(tileset, ids[i]);
            } catch (...) {
                std::lock_guard lock(failure_mutex);
                failure = std::current_exception();
                next = ids.size();
            }
        };
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < nthreads; ++t) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
        if (failure) std::rethrow_exception(failure);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            EncodedTile& t = *results[i];
            stats.features_dropped += t.features_dropped;
            stats.features_reduced += t.features_reduced;
            if (t.empty) continue;
            if (t.mvt_bytes > stats.max_tile_mvt_bytes) {
                stats.max_tile_mvt_bytes = t.mvt_bytes;
                stats.largest_tile = ids[i].to_string();
            }
            stats.max_tile_features = std::max(stats.max_tile_features, t.feature_count);
            stats.bytes += t.gzip_body.size();
            out.push_back(RenderedTile{ids[i], std::move(t)});
        }
        stats.tiles = out.size();
        if (options.progress) options.progress(z, stats);
    }
    stats.tiles = out.size();
    return out;
}

/// Owns a sqlite3 connection.
class Sqlite {
public:
    explicit Sqlite(const std::filesystem::path& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
            const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
            sqlite3_close(db_);
            throw IoError("MBTiles: cannot create " + path.string() + ": " + msg);
        }
    }
    ~Sqlite() { sqlite3_close(db_); }
    Sqlite(const Sqlite&) = delete;
    Sqlite& operator=(const Sqlite&) = delete;
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            const std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw IoError("MBTiles " + std::string(sqlite3_db_filename(db_, "main")) + ": " + msg);
        }
    }
    sqlite3* get() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

/// Owns a prepared statement.
class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
            throw IoError("MBTiles " + std::string(sqlite3_db_filename(db, "main")) + ": " + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(st_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    sqlite3_stmt* get() const { return st_; }
    void step_and_reset() {
        if (sqlite3_step(st_) != SQLITE_DONE)
            throw IoError("MBTiles " + std::string(sqlite3_db_filename(db_, "main")) + ": " + sqlite3_errmsg(db_));
        sqlite3_reset(st_);
        sqlite3_clear_bindings(st_);
    }

private:
    sqlite3* db_;
    sqlite3_stmt* st_ = nullptr;
};

std::string format_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
}

// ---- PMTiles v3 ------------------------------------------------------------------------------

struct PmEntry {
    std::uint64_t tile_id = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    std::uint32_t run_length = 0;
};

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

/// Directory layout from the spec: count, then columns of delta ids, run lengths, lengths and
/// offsets (0 meaning "right after the previous entry"), gzip-compressed.
std::string serialize_directory(const std::vector<PmEntry>& entries) {
    std::string raw;
    put_varint(raw, entries.size());
    std::uint64_t last_id = 0;
    for (const auto& e : entries) {
        put_varint(raw, e.tile_id - last_id);
        last_id = e.tile_id;
    }
    for (const auto& e : entries) put_varint(raw, e.run_length);
    for (const auto& e : entries) put_varint(raw, e.length);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (i > 0 && entries[i].offset == entries[i - 1].offset + entries[i - 1].length) put_varint(raw, 0);
        else put_varint(raw, entries[i].offset + 1);
    }
    return gzip_compress(raw);
}

template <typename T>
void put_le(std::string& out, std::size_t at, T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i)
        out[at + i] = static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
}

std::int32_t e7(double deg) { return static_cast<std::int32_t>(std::lround(deg * 1e7)); }

} // namespace

std::uint64_t pmtiles::zxy_to_tileid(std::uint32_t z, std::uint32_t x, std::uint32_t y) {
    if (z > 26) throw InvalidArgumentError("PMTiles: zoom above 26");
    std::uint64_t acc = ((std::uint64_t{1} << (2 * z)) - 1) / 3;
    for (std::uint64_t s = z == 0 ? 0 : (std::uint64_t{1} << (z - 1)); s > 0; s >>= 1) {
        const std::uint64_t rx = (x & s) ? 1 : 0, ry = (y & s) ? 1 : 0;
        acc += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = static_cast<std::uint32_t>(s - 1 - (x & (s - 1)));
                y = static_cast<std::uint32_t>(s - 1 - (y & (s - 1)));
            }
            std::swap(x, y);
        }
    }
    return acc;
}

ArchiveStats write_mbtiles(const TileService& service, const std::string& tileset, const std::filesystem::path& path,
                           const ArchiveOptions& options) {
    ArchiveStats stats;
    int minzoom = 0, maxzoom = 0;
    const auto tiles = render_range(service, tileset, options, minzoom, maxzoom, stats);
    stats.unique_tiles = tiles.size();
    const nlohmann::json tj = service.tilejson(tileset, "");
    geo::write_atomically(path, [&](const std::filesystem::path& tmp) {
            Sqlite db(tmp);
            db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                    "CREATE TABLE metadata (name text, value text);"
                    "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);"
                    "BEGIN;");
            {
                Statement meta(db.get(), "INSERT INTO metadata (name, value) VALUES (?, ?)");
                const auto& b = tj["bounds"];
                const auto& c = tj["center"];
                const std::vector<std::pair<std::string, std::string>> rows{
                    {"name", tileset},
                    {"format", "pbf"},
                    {"bounds", format_number(b[0]) + "," + format_number(b[1]) + "," + format_number(b[2]) + "," +
                                   format_number(b[3])},
                    {"center", format_number(c[0]) + "," + format_number(c[1]) + "," + std::to_string(int(c[2]))},
                    {"minzoom", std::to_string(minzoom)},
                    {"maxzoom", std::to_string(maxzoom)},
                    {"attribution", tj["attribution"]},
                    {"description", tj["description"]},
                    {"type", "overlay"},
                    {"version", "1"},
                    {"json", nlohmann::json{{"vector_layers", tj["vector_layers"]}}.dump()},
                };
                for (const auto& [k, v] : rows) {
                    sqlite3_bind_text(meta.get(), 1, k.c_str(), -1, SQLITE_TRANSIENT);
                    sqlite3_bind_text(meta.get(), 2, v.c_str(), -1, SQLITE_TRANSIENT);
                    meta.step_and_reset();
                }
            }
            {
                Statement ins(db.get(), "INSERT INTO tiles VALUES (?, ?, ?, ?)");
                for (const auto& t : tiles) {
                    // MBTiles rows count from the south (TMS).
                    const std::int64_t row = (std::int64_t{1} << t.id.z) - 1 - t.id.y;
                    sqlite3_bind_int(ins.get(), 1, static_cast<int>(t.id.z));
                    sqlite3_bind_int64(ins.get(), 2, t.id.x);
                    sqlite3_bind_int64(ins.get(), 3, row);
                    sqlite3_bind_blob(ins.get(), 4, t.tile.gzip_body.data(), static_cast<int>(t.tile.gzip_body.size()),
                                      SQLITE_STATIC);
                    ins.step_and_reset();
                }
            }
            db.exec("COMMIT; CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);");
    });
    return stats;
}

ArchiveStats write_pmtiles(const TileService& service, const std::string& tileset, const std::filesystem::path& path,
                           const ArchiveOptions& options) {
    ArchiveStats stats;
    int minzoom = 0, maxzoom = 0;
    auto tiles = render_range(service, tileset, options, minzoom, maxzoom, stats);
    std::vector<std::pair<std::uint64_t, const EncodedTile*>> order;
    order.reserve(tiles.size());
    for (const auto& t : tiles) order.emplace_back(pmtiles::zxy_to_tileid(t.id.z, t.id.x, t.id.y), &t.tile);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

    // Tile data in id order (clustered); identical bodies (sea, solid interiors) stored once and
    // consecutive repeats folded into one run.
    std::string data;
    std::vector<PmEntry> entries;
    std::unordered_map<std::string, std::uint64_t> seen; // body -> offset
    for (const auto& [id, tile] : order) {
        const std::string& body = tile->gzip_body;
        if (!entries.empty() && entries.back().tile_id + entries.back().run_length == id &&
            data.compare(entries.back().offset, entries.back().length, body) == 0) {
            ++entries.back().run_length;
            continue;
        }
        std::uint64_t offset;
        if (const auto it = seen.find(body); it != seen.end()) offset = it->second;
        else {
            offset = data.size();
            data += body;
            seen.emplace(body, offset);
        }
        entries.push_back(PmEntry{id, offset, static_cast<std::uint32_t>(body.size()), 1});
    }
    stats.unique_tiles = seen.size();

    constexpr std::size_t kHeaderBytes = 127;
    const std::size_t kRootBudget = std::max<std::size_t>(options.pmtiles_root_bytes, kHeaderBytes + 64) - kHeaderBytes;
    std::string root = serialize_directory(entries);
    std::string leaves;
    if (root.size() > kRootBudget) {
        for (std::size_t leaf_size = std::min<std::size_t>(4096, std::max<std::size_t>(16, entries.size() / 8));; leaf_size *= 2) {
            std::vector<PmEntry> root_entries;
            leaves.clear();
            for (std::size_t i = 0; i < entries.size(); i += leaf_size) {
                const std::vector<PmEntry> chunk(entries.begin() + static_cast<std::ptrdiff_t>(i),
                                                 entries.begin() + static_cast<std::ptrdiff_t>(std::min(entries.size(), i + leaf_size)));
                const std::string leaf = serialize_directory(chunk);
                root_entries.push_back(PmEntry{chunk.front().tile_id, leaves.size(), static_cast<std::uint32_t>(leaf.size()), 0});
                leaves += leaf;
            }
            root = serialize_directory(root_entries);
            if (root.size() <= kRootBudget) break;
        }
    }

    const nlohmann::json tj = service.tilejson(tileset, "");
    const std::string metadata = gzip_compress(nlohmann::json{{"name", tileset},
                                                              {"description", tj["description"]},
                                                              {"attribution", tj["attribution"]},
                                                              {"type", "overlay"},
                                                              {"version", "1"},
                                                              {"vector_layers", tj["vector_layers"]}}
                                                   .dump());
    std::string header(kHeaderBytes, '\0');
    header.replace(0, 7, "PMTiles");
    header[7] = 3;
    const std::uint64_t root_off = kHeaderBytes, meta_off = root_off + root.size(), leaf_off = meta_off + metadata.size(),
                        data_off = leaf_off + leaves.size();
    put_le<std::uint64_t>(header, 8, root_off);
    put_le<std::uint64_t>(header, 16, root.size());
    put_le<std::uint64_t>(header, 24, meta_off);
    put_le<std::uint64_t>(header, 32, metadata.size());
    put_le<std::uint64_t>(header, 40, leaf_off);
    put_le<std::uint64_t>(header, 48, leaves.size());
    put_le<std::uint64_t>(header, 56, data_off);
    put_le<std::uint64_t>(header, 64, data.size());
    put_le<std::uint64_t>(header, 72, order.size());  // addressed tiles
    put_le<std::uint64_t>(header, 80, entries.size()); // tile entries
    put_le<std::uint64_t>(header, 88, seen.size());   // tile contents
    header[96] = 1;                                   // clustered
    header[97] = 2;                                   // internal compression: gzip
    header[98] = 2;                                   // tile compression: gzip
    header[99] = 1;                                   // tile type: MVT
    header[100] = static_cast<char>(minzoom);
    header[101] = static_cast<char>(maxzoom);
    const auto& b = tj["bounds"];
    const auto& c = tj["center"];
    put_le<std::int32_t>(header, 102, e7(b[0]));
    put_le<std::int32_t>(header, 106, e7(b[1]));
    put_le<std::int32_t>(header, 110, e7(b[2]));
    put_le<std::int32_t>(header, 114, e7(b[3]));
    header[118] = static_cast<char>(std::clamp(int(c[2]), minzoom, maxzoom));
    put_le<std::int32_t>(header, 119, e7(c[0]));
    put_le<std::int32_t>(header, 123, e7(c[1]));

    geo::write_atomically(path, [&](const std::filesystem::path& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) geo::throw_io_error("create PMTiles archive", tmp, errno);
        out << header << root << metadata << leaves << data;
        out.close();
        if (!out) geo::throw_io_error("write PMTiles archive", tmp, errno);
    });
    return stats;
}

} // namespace coldspot::tiles
