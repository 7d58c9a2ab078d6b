#include "coldspot/tiles/detail/mvt_encoder.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/tiles/detail/mvt_size.hpp"

#include <protozero/pbf_writer.hpp>

#include <cstring>
#include <stdexcept>

namespace coldspot::tiles {

namespace {

// Field numbers from vector_tile.proto (MVT 2.1).
namespace layer_field {
constexpr protozero::pbf_tag_type name = 1, features = 2, keys = 3, values = 4, extent = 5, version = 15;
}
namespace feature_field {
constexpr protozero::pbf_tag_type id = 1, tags = 2, type = 3, geometry = 4;
}
namespace value_field {
constexpr protozero::pbf_tag_type string_value = 1, double_value = 3, uint_value = 5, sint_value = 6,
                                  bool_value = 7;
}
constexpr protozero::pbf_tag_type tile_layers = 3;

constexpr std::uint32_t command(std::uint32_t id, std::uint32_t count) { return (id & 0x7) | (count << 3); }
constexpr std::uint32_t kMoveTo = 1, kLineTo = 2, kClosePath = 7;
constexpr std::uint32_t zigzag(std::int32_t v) {
    return (static_cast<std::uint32_t>(v) << 1) ^ (v < 0 ? 0xFFFFFFFFu : 0u); // the sign in every bit, as (v >> 31)
}

} // namespace

MvtValue MvtValue::of(const geo::Value& v) {
    MvtValue out;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return of_int(*i);
    if (const auto* d = std::get_if<double>(&v)) return of_double(*d);
    if (const auto* s = std::get_if<std::string>(&v)) out.s = *s;
    return out;
}
MvtValue MvtValue::of_bool(bool b) {
    MvtValue out;
    out.kind = Kind::Bool;
    out.b = b;
    return out;
}
MvtValue MvtValue::of_int(std::int64_t i) {
    MvtValue out;
    out.kind = Kind::Int;
    out.i = i;
    return out;
}
MvtValue MvtValue::of_double(double d) {
    MvtValue out;
    out.kind = Kind::Double;
    out.d = d;
    return out;
}

MvtLayerBuilder::MvtLayerBuilder(std::string name, std::uint32_t extent) : name_(std::move(name)), extent_(extent) {}

std::uint32_t MvtLayerBuilder::key(std::string_view name) {
    const auto it = key_index_.find(std::string(name));
    if (it != key_index_.end()) return it->second;
    const auto idx = static_cast<std::uint32_t>(keys_.size());
    keys_.emplace_back(name);
    key_index_.emplace(std::string(name), idx);
    return idx;
}

std::string MvtLayerBuilder::encode_value(const MvtValue& v) {
    std::string encoded;
    protozero::pbf_writer w(encoded);
    switch (v.kind) {
    case MvtValue::Kind::String: w.add_string(value_field::string_value, v.s); break;
    case MvtValue::Kind::Double: w.add_double(value_field::double_value, v.d); break;
    case MvtValue::Kind::Int:
        if (v.i >= 0) w.add_uint64(value_field::uint_value, static_cast<std::uint64_t>(v.i));
        else w.add_sint64(value_field::sint_value, v.i);
        break;
    case MvtValue::Kind::Bool: w.add_bool(value_field::bool_value, v.b); break;
    }
    return encoded;
}

std::uint32_t MvtLayerBuilder::value(const MvtValue& v) {
    if (!indexed_) {
        // Values added by id skipped the message index; build it once, first occurrence wins.
        for (std::uint32_t i = 0; i < values_.size(); ++i) value_index_.emplace(values_[i], i);
        indexed_ = true;
    }
    return encoded_value(encode_value(v));
}

std::uint32_t MvtLayerBuilder::encoded_value(std::string encoded) {
    // The encoded Value message is its own dedup key: equal type and bits give equal bytes.
    const auto it = value_index_.find(encoded);
    if (it != value_index_.end()) return it->second;
    const auto idx = static_cast<std::uint32_t>(values_.size());
    value_index_.emplace(encoded, idx);
    values_.push_back(std::move(encoded));
    return idx;
}

std::uint32_t MvtLayerBuilder::value_by_id(std::uint32_t id, std::string_view encoded) {
    const auto it = id_index_.find(id);
    if (it != id_index_.end()) return it->second;
    std::uint32_t idx;
    if (indexed_ && !value_index_.empty()) {
        idx = encoded_value(std::string(encoded));
    } else {
        // Distinct ids are distinct messages (the caller's ids come from one dedup), so no
        // hashing of the message is needed while only ids are used.
        idx = static_cast<std::uint32_t>(values_.size());
        values_.emplace_back(encoded);
        indexed_ = false;
    }
    id_index_.emplace(id, idx);
    return idx;
}

void MvtLayerBuilder::add_feature(std::optional<std::uint64_t> id, MvtGeomType type,
                                  const std::vector<TilePath>& parts, const std::vector<std::uint32_t>& tags) {
    std::vector<std::uint32_t>& geometry = geometry_; // reused: one allocation per layer, not per feature
    geometry.clear();
    std::int32_t cx = 0, cy = 0;
    const auto delta = [&](const TilePoint& p) {
        geometry.push_back(zigzag(p.x - cx));
        geometry.push_back(zigzag(p.y - cy));
        cx = p.x;
        cy = p.y;
    };
    switch (type) {
    case MvtGeomType::Point: {
        std::uint32_t count = 0;
        for (const auto& part : parts) count += static_cast<std::uint32_t>(part.size());
        if (count == 0) return;
        geometry.push_back(command(kMoveTo, count));
        for (const auto& part : parts)
            for (const auto& p : part) delta(p);
        break;
    }
    case MvtGeomType::LineString:
        for (const auto& line : parts) {
            if (line.size() < 2) throw GeometryError("MVT: a line needs at least two points");
            geometry.push_back(command(kMoveTo, 1));
            delta(line[0]);
            geometry.push_back(command(kLineTo, static_cast<std::uint32_t>(line.size() - 1)));
            for (std::size_t i = 1; i < line.size(); ++i) delta(line[i]);
        }
        break;
    case MvtGeomType::Polygon:
        for (const auto& ring : parts) {
            if (ring.size() < 3) throw GeometryError("MVT: a ring needs at least three points");
            geometry.push_back(command(kMoveTo, 1));
            delta(ring[0]);
            geometry.push_back(command(kLineTo, static_cast<std::uint32_t>(ring.size() - 1)));
            for (std::size_t i = 1; i < ring.size(); ++i) delta(ring[i]);
            geometry.push_back(command(kClosePath, 1));
        }
        break;
    case MvtGeomType::Unknown: throw GeometryError("MVT: unknown geometry type");
    }
    if (geometry.empty()) return;
    protozero::pbf_writer layer(features_);
    protozero::pbf_writer feature(layer, layer_field::features);
    if (id) feature.add_uint64(feature_field::id, *id);
    if (!tags.empty()) feature.add_packed_uint32(feature_field::tags, tags.begin(), tags.end());
    feature.add_enum(feature_field::type, static_cast<std::int32_t>(type));
    feature.add_packed_uint32(feature_field::geometry, geometry.begin(), geometry.end());
    ++feature_count_;
}

void MvtLayerBuilder::write_to(std::string& tile) const {
    std::string layer;
    protozero::pbf_writer lw(layer);
    lw.add_uint32(layer_field::version, 2);
    lw.add_string(layer_field::name, name_);
    layer += features_; // already framed as repeated field 2; the writer holds no open submessage
    for (const auto& k : keys_) lw.add_string(layer_field::keys, k);
    for (const auto& v : values_) lw.add_message(layer_field::values, v);
    lw.add_uint32(layer_field::extent, extent_);
    protozero::pbf_writer tw(tile);
    tw.add_message(tile_layers, layer);
}

} // namespace coldspot::tiles

namespace coldspot::tiles::detail {

namespace {

char* put_varint(char* p, std::uint64_t v) noexcept {
    while (v >= 0x80) {
        *p++ = static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
}
/// Key of a length-delimited field (wire type 2) or a varint field (wire type 0).
constexpr std::uint32_t length_key(std::uint32_t field) { return field << 3 | 2; }
constexpr std::uint32_t varint_key(std::uint32_t field) { return field << 3; }

} // namespace

void IndexedLayerEncoder::reset(std::size_t value_count) {
    // Only the ids the previous tile used are marked: clearing them costs what that tile used,
    // not the size of the layer's value table (tens of thousands of codes and names).
    for (auto id : used_)
        if (id < index_.size()) index_[id] = kUnused;
    used_.clear();
    extras_.clear();
    extra_index_.clear();
    // Extras are numbered above every layer value id, so the table only ever grows here.
    if (index_.size() < value_count) index_.resize(value_count, kUnused);
    features_.clear();
    feature_count_ = 0;
}

std::uint32_t IndexedLayerEncoder::extra_value(std::string message) {
    const auto [it, fresh] = extra_index_.try_emplace(std::move(message), static_cast<std::uint32_t>(used_.size()));
    if (fresh) {
        used_.push_back(static_cast<std::uint32_t>(index_.size() + extras_.size()));
        extras_.push_back(it->first);
    }
    return it->second;
}

void IndexedLayerEncoder::add_point(std::optional<std::uint64_t> id, const TilePoint& q, const std::uint32_t* tags,
                                   std::size_t tag_count) {
    geometry_.clear();
    char* p = geometry_.reserve(15);
    p = put_varint(p, command(kMoveTo, 1));
    p = put_varint(p, zigzag(q.x));
    p = put_varint(p, zigzag(q.y));
    geometry_.commit(p);
    add_encoded(id, MvtGeomType::Point, geometry_.data(), geometry_.size(), tags, tag_count);
}

std::size_t encode_geometry(MvtGeomType type, const TilePaths& paths, std::size_t first_path, std::size_t path_count,
                            ByteBuffer& out) {
    // At most 5 bytes per command integer and per coordinate delta.
    std::size_t points = 0;
    for (std::size_t r = first_path; r < first_path + path_count; ++r) points += paths.paths[r].size;
    if (type == MvtGeomType::Unknown) throw GeometryError("MVT: unknown geometry type");
    if (points == 0 && type == MvtGeomType::Point) return 0;
    if (path_count == 0) return 0;
    char* const start = out.reserve(10 * points + 15 * path_count);
    char* p = start;
    std::int32_t cx = 0, cy = 0;
    const auto delta = [&](const TilePoint& q) {
        p = put_varint(p, zigzag(q.x - cx));
        p = put_varint(p, zigzag(q.y - cy));
        cx = q.x;
        cy = q.y;
    };
    if (type == MvtGeomType::Point) {
        p = put_varint(p, command(kMoveTo, static_cast<std::uint32_t>(points)));
        for (std::size_t r = first_path; r < first_path + path_count; ++r)
            for (std::uint32_t i = 0; i < paths.paths[r].size; ++i) delta(paths.points[paths.paths[r].first + i]);
    } else {
        const bool polygon = type == MvtGeomType::Polygon;
        for (std::size_t r = first_path; r < first_path + path_count; ++r) {
            const PathRef& path = paths.paths[r];
            if (polygon && path.size < 3) throw GeometryError("MVT: a ring needs at least three points");
            if (!polygon && path.size < 2) throw GeometryError("MVT: a line needs at least two points");
            const TilePoint* q = paths.points.data() + path.first;
            p = put_varint(p, command(kMoveTo, 1));
            delta(q[0]);
            p = put_varint(p, command(kLineTo, path.size - 1));
            for (std::uint32_t i = 1; i < path.size; ++i) delta(q[i]);
            if (polygon) p = put_varint(p, command(kClosePath, 1));
        }
    }
    out.commit(p);
    return static_cast<std::size_t>(p - start);
}

void IndexedLayerEncoder::add_feature(std::optional<std::uint64_t> id, MvtGeomType type, const TilePaths& paths,
                                      std::size_t first_path, std::size_t path_count, const std::uint32_t* tags,
                                      std::size_t tag_count) {
    geometry_.clear();
    if (encode_geometry(type, paths, first_path, path_count, geometry_) == 0) return;
    add_encoded(id, type, geometry_.data(), geometry_.size(), tags, tag_count);
}

void IndexedLayerEncoder::add_encoded(std::optional<std::uint64_t> id, MvtGeomType type, const char* geometry,
                                      std::size_t geometry_bytes, const std::uint32_t* tags, std::size_t tag_count) {
    std::size_t tag_bytes = 0;
    for (std::size_t t = 0; t < tag_count; ++t) tag_bytes += varint_size(tags[t]);
    const std::size_t body = feature_body_size(geometry_bytes, id, tag_count, tag_bytes);

    char* f = features_.reserve(1 + 5 + body);
    f = put_varint(f, length_key(layer_field::features));
    f = put_varint(f, body);
    if (id) {
        f = put_varint(f, varint_key(feature_field::id));
        f = put_varint(f, *id);
    }
    if (tag_count) {
        f = put_varint(f, length_key(feature_field::tags));
        f = put_varint(f, tag_bytes);
        for (std::size_t t = 0; t < tag_count; ++t) f = put_varint(f, tags[t]);
    }
    f = put_varint(f, varint_key(feature_field::type));
    f = put_varint(f, static_cast<std::uint32_t>(type));
    f = put_varint(f, length_key(feature_field::geometry));
    f = put_varint(f, geometry_bytes);
    std::memcpy(f, geometry, geometry_bytes);
    features_.commit(f + geometry_bytes);
    ++feature_count_;
}

void IndexedLayerEncoder::write_to(std::string& tile, std::string_view name, const std::vector<std::string>& keys,
                                   const std::vector<std::string>& value_messages, std::uint32_t extent) const {
    std::size_t layer = 2 + field_size(name.size()) + features_.size() + 1 + varint_size(extent);
    for (const auto& k : keys) layer += field_size(k.size());
    const auto message = [&](std::uint32_t id) -> const std::string& {
        return id < index_.size() ? value_messages[id] : extras_[id - index_.size()];
    };
    for (auto id : used_) layer += field_size(message(id).size());
    const std::size_t at = tile.size();
    tile.resize(at + field_size(layer));
    char* p = tile.data() + at;
    const auto bytes = [&](std::uint32_t field, const char* data, std::size_t n) {
        p = put_varint(p, length_key(field));
        p = put_varint(p, n);
        std::memcpy(p, data, n);
        p += n;
    };
    p = put_varint(p, length_key(tile_layers));
    p = put_varint(p, layer);
    p = put_varint(p, varint_key(layer_field::version));
    p = put_varint(p, 2);
    bytes(layer_field::name, name.data(), name.size());
    std::memcpy(p, features_.data(), features_.size());
    p += features_.size();
    for (const auto& k : keys) bytes(layer_field::keys, k.data(), k.size());
    for (auto id : used_) bytes(layer_field::values, message(id).data(), message(id).size());
    p = put_varint(p, varint_key(layer_field::extent));
    p = put_varint(p, extent);
    if (p != tile.data() + tile.size()) throw std::logic_error("MVT layer length mismatch");
}

} // namespace coldspot::tiles::detail
