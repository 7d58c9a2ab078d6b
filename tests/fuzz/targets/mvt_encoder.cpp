// The MVT path from geometry to bytes, fed arbitrary geometries: points, lines and polygons (any
// rings: self-crossing, spiked, degenerate, far outside the tile) in Web Mercator around a tile,
// through point_to_tile / lines_to_tile / polygon_to_tile (clip, simplify, quantise, repair) and
// MvtLayerBuilder. The tile must decode with protozero as valid MVT 2.1: version 2, a name, an
// extent, tags in pairs pointing into the key and value tables, geometry commands well formed
// for their type (MoveTo/LineTo counts, polygons closed, each polygon's first ring an exterior
// with positive area in y-down units).
#include "coldspot/tiles/detail/mvt_encoder.hpp"
#include "coldspot/tiles/detail/tile_geometry.hpp"
#include "fuzz_support.hpp"

#include <protozero/pbf_reader.hpp>

#include <cmath>

namespace {

using namespace coldspot;
using namespace coldspot::tiles;

constexpr std::uint32_t kExtent = 4096;

geo::Point point(fuzz::Input& in, const TileFrame& f) {
    const double u = in.value<std::int16_t>() + in.byte() / 256.0;
    const double v = in.value<std::int16_t>() + in.byte() / 256.0;
    return {f.minx + u / f.scale, f.miny + v / f.scale};
}

std::vector<geo::Point> path(fuzz::Input& in, const TileFrame& f) {
    std::vector<geo::Point> out(in.byte() % 24);
    for (auto& p : out) p = point(in, f);
    return out;
}

void check_geometry(MvtGeomType type, const std::vector<std::uint32_t>& cmds) {
    std::size_t i = 0;
    std::int64_t x = 0, y = 0;
    int rings = 0;
    bool expect_move = true;
    std::int64_t ring_area2 = 0, sx = 0, sy = 0, px = 0, py = 0;
    if (cmds.empty()) fuzz::fail("feature without geometry");
    while (i < cmds.size()) {
        const std::uint32_t id = cmds[i] & 7, count = cmds[i] >> 3;
        ++i;
        if (id == 1) { // MoveTo
            if (!expect_move && type != MvtGeomType::Point) fuzz::fail("MoveTo where LineTo/ClosePath was due");
            if (count == 0 || (type != MvtGeomType::Point && count != 1)) fuzz::fail("MoveTo count " + std::to_string(count));
            if (i + 2 * count > cmds.size()) fuzz::fail("MoveTo parameters missing");
            for (std::uint32_t k = 0; k < count; ++k) {
                x += protozero::decode_zigzag32(cmds[i++]);
                y += protozero::decode_zigzag32(cmds[i++]);
            }
            sx = px = x, sy = py = y;
            ring_area2 = 0;
            expect_move = type == MvtGeomType::Point;
        } else if (id == 2) { // LineTo
            if (type == MvtGeomType::Point || expect_move) fuzz::fail("LineTo out of place");
            if (count == 0 || i + 2 * count > cmds.size()) fuzz::fail("LineTo count");
            for (std::uint32_t k = 0; k < count; ++k) {
                x += protozero::decode_zigzag32(cmds[i++]);
                y += protozero::decode_zigzag32(cmds[i++]);
                ring_area2 += px * y - x * py;
                px = x, py = y;
            }
            if (type == MvtGeomType::Polygon && count < 2) fuzz::fail("ring with fewer than three points");
            expect_move = type == MvtGeomType::LineString;
        } else if (id == 7) { // ClosePath
            if (type != MvtGeomType::Polygon || count != 1 || expect_move) fuzz::fail("ClosePath out of place");
            ring_area2 += px * sy - sx * py;
            if (ring_area2 == 0) fuzz::fail("ring of zero area");
            if (rings == 0 && ring_area2 < 0) fuzz::fail("polygon starts with a hole (negative area)");
            ++rings;
            expect_move = true;
        } else {
            fuzz::fail("unknown command " + std::to_string(id));
        }
    }
    if (!expect_move) fuzz::fail("geometry ends mid-path");
}

void check_tile(const std::string& tile) {
    protozero::pbf_reader t(tile);
    while (t.next()) {
        if (t.tag() != 3) fuzz::fail("tile field other than layers");
        protozero::pbf_reader layer = t.get_message();
        std::uint32_t version = 0, extent = 0, keys = 0, values = 0;
        std::string name;
        std::vector<std::pair<MvtGeomType, std::vector<std::uint32_t>>> geometries;
        std::vector<std::vector<std::uint32_t>> tags;
        while (layer.next()) {
            switch (layer.tag()) {
            case 15: version = layer.get_uint32(); break;
            case 1: name = layer.get_string(); break;
            case 3: ++keys, (void)layer.get_string(); break;
            case 4: {
                ++values;
                protozero::pbf_reader v = layer.get_message();
                int fields = 0;
                while (v.next()) ++fields, v.skip();
                if (fields != 1) fuzz::fail("value message with " + std::to_string(fields) + " fields");
                break;
            }
            case 5: extent = layer.get_uint32(); break;
            case 2: {
                protozero::pbf_reader f = layer.get_message();
                MvtGeomType type = MvtGeomType::Unknown;
                std::vector<std::uint32_t> g, tg;
                while (f.next()) {
                    switch (f.tag()) {
                    case 1: (void)f.get_uint64(); break;
                    case 2: for (auto v : f.get_packed_uint32()) tg.push_back(v); break;
                    case 3: type = static_cast<MvtGeomType>(f.get_enum()); break;
                    case 4: for (auto v : f.get_packed_uint32()) g.push_back(v); break;
                    default: fuzz::fail("unknown feature field");
                    }
                }
                if (type == MvtGeomType::Unknown) fuzz::fail("feature without a type");
                geometries.emplace_back(type, std::move(g));
                tags.push_back(std::move(tg));
                break;
            }
            default: fuzz::fail("unknown layer field " + std::to_string(layer.tag()));
            }
        }
        if (version != 2 || name.empty() || extent != kExtent) fuzz::fail("layer header wrong");
        for (const auto& tg : tags) {
            if (tg.size() % 2) fuzz::fail("odd tag count");
            for (std::size_t i = 0; i < tg.size(); i += 2)
                if (tg[i] >= keys || tg[i + 1] >= values) fuzz::fail("tag index outside the tables");
        }
        for (const auto& [type, g] : geometries) check_geometry(type, g);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint32_t z = in.byte() % 15;
    const std::uint32_t n = 1u << z;
    const TileId id{z, in.value<std::uint16_t>() % n, in.value<std::uint16_t>() % n};
    const TileFrame frame(id, kExtent, 64);
    const double tolerance = (in.byte() % 8) * 0.5;
    MvtLayerBuilder layer("fuzz", kExtent);
    int features = 0;
    while (in.left() > 0 && features < 32) {
        ++features;
        std::vector<std::uint32_t> tags;
        for (int k = in.byte() % 3; k > 0; --k) {
            tags.push_back(layer.key(std::string("k") + static_cast<char>('a' + in.byte() % 4)));
            const std::uint8_t kind = in.byte() % 4;
            tags.push_back(layer.value(kind == 0   ? MvtValue::of_int(in.value<std::int64_t>())
                                       : kind == 1 ? MvtValue::of_double(in.value<double>())
                                       : kind == 2 ? MvtValue::of_bool(in.byte() & 1)
                                                   : MvtValue::of(geo::Value{std::string(in.bytes(16))})));
        }
        const std::optional<std::uint64_t> fid = (in.byte() & 1) ? std::optional<std::uint64_t>(features) : std::nullopt;
        switch (in.byte() % 3) {
        case 0: {
            TilePath pts;
            for (int k = 1 + in.byte() % 4; k > 0; --k)
                if (const auto p = point_to_tile(point(in, frame), frame)) pts.push_back(*p);
            if (!pts.empty()) layer.add_feature(fid, MvtGeomType::Point, {pts}, tags);
            break;
        }
        case 1: {
            geo::MultiLineString lines;
            for (int k = 1 + in.byte() % 3; k > 0; --k) {
                const auto p = path(in, frame);
                lines.push_back(geo::LineString(p.begin(), p.end()));
            }
            const auto parts = lines_to_tile(lines, frame, tolerance);
            for (const auto& part : parts)
                if (part.size() < 2) fuzz::fail("line part of fewer than two points");
            if (!parts.empty()) layer.add_feature(fid, MvtGeomType::LineString, parts, tags);
            break;
        }
        default: {
            geo::MultiPolygon mp;
            mp.resize(1 + in.byte() % 2);
            for (auto& poly : mp) {
                auto outer = path(in, frame);
                if (!outer.empty()) outer.push_back(outer.front());
                poly.outer().assign(outer.begin(), outer.end());
                if (in.byte() & 1) {
                    auto hole = path(in, frame);
                    if (!hole.empty()) hole.push_back(hole.front());
                    poly.inners().emplace_back(hole.begin(), hole.end());
                }
            }
            const auto outcome = polygon_to_tile(mp, geo::envelope(geo::Geometry{mp}), frame, tolerance);
            for (const auto& ring : outcome.rings)
                if (ring.size() < 3) fuzz::fail("ring of fewer than three points");
            if (!outcome.rings.empty()) layer.add_feature(fid, MvtGeomType::Polygon, outcome.rings, tags);
            break;
        }
        }
    }
    std::string tile;
    if (!layer.empty()) layer.write_to(tile);
    check_tile(tile);
    return 0;
}
