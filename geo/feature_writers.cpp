// CSV is written here (a few lines of RFC 4180); XLSX and FlatGeobuf through GDAL's drivers, which
// write files: XLSX into /vsimem (a zip is only complete when closed), FlatGeobuf (without spatial
// index GDAL writes it front to back) into a file of our own VSI handler that forwards every byte to
// the sink as it comes.
#include "coldspot/geo/feature_writers.hpp"

#include "coldspot/geo/error.hpp"
#include "gdal_handles.hpp"

#include <cpl_string.h>
#include <cpl_vsi.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>

namespace coldspot::geo {

namespace {

constexpr std::size_t kChunkBytes = 64 * 1024; // bytes handed to the sink at a time

bool ascii_equal_nocase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_point_layout(const ExportLayout& l) { return l.geometry_type == GeometryType::Point; }

/// The geometry columns of a table format, after Auto is resolved.
TabularGeometry resolve(const ExportLayout& l, ExportFormat format) {
    TabularGeometry g = l.tabular_geometry;
    if (l.geometry_type == GeometryType::None) return TabularGeometry::None;
    if (g == TabularGeometry::Auto) g = is_point_layout(l) ? TabularGeometry::XY : format == ExportFormat::Csv ? TabularGeometry::Wkt : TabularGeometry::None;
    if (g == TabularGeometry::XY && !is_point_layout(l))
        throw InvalidArgumentError("x/y columns need a point layer; " + l.layer_name + " has " + std::string(to_string(l.geometry_type)) + " geometries");
    if (g == TabularGeometry::Wkt && format == ExportFormat::Xlsx)
        throw InvalidArgumentError("a spreadsheet cell holds at most 32,767 characters: XLSX carries x/y columns for points and no WKT");
    return g;
}

/// The columns a table format adds before and after the fields: the id and the geometry. A name a
/// field already has gets a prefix instead (the demo schools have fields `x` and `y`).
struct ExtraColumns {
    std::string id = "id", x = "x", y = "y", wkt = "wkt";
    explicit ExtraColumns(const std::vector<Field>& fields) {
        const auto taken = [&](const std::string& n) { return std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.name == n; }); };
        if (taken(id)) id = "feature_id";
        if (taken(x) || taken(y)) x = "geometry_x", y = "geometry_y";
        if (taken(wkt)) wkt = "geometry_wkt";
    }
};

const Value& value_at(const ExportLayout& l, const std::vector<Value>& values, std::size_t column) {
    static const Value null;
    const std::size_t i = l.value_index.empty() ? column : l.value_index[column];
    return i < values.size() ? values[i] : null;
}

template <typename Range>
void append_coordinates(std::string& out, const Range& points, int decimals) {
    out += '(';
    bool first = true;
    for (const auto& p : points) {
        if (!first) out += ", ";
        first = false;
        append_number(out, p.x(), decimals);
        out += ' ';
        append_number(out, p.y(), decimals);
    }
    out += ')';
}

void append_polygon_wkt(std::string& out, const Polygon& poly, int decimals) {
    // Boost keeps exterior rings clockwise; WKT has no orientation rule, so rings go as stored.
    out += '(';
    append_coordinates(out, poly.outer(), decimals);
    for (const auto& inner : poly.inners()) {
        out += ", ";
        append_coordinates(out, inner, decimals);
    }
    out += ')';
}

// ---------------------------------------------------------------------------------------------
// CSV

void append_csv_text(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos && (s.empty() || (s.front() != ' ' && s.back() != ' '))) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

class CsvWriter final : public FeatureWriter {
public:
    CsvWriter(const ExportLayout& layout, ByteSink sink) : layout_(layout), sink_(std::move(sink)), geometry_(resolve(layout, ExportFormat::Csv)) {
        const ExtraColumns extra(layout_.fields);
        out_ = extra.id;
        for (const auto& f : layout_.fields) {
            out_ += ',';
            append_csv_text(out_, f.name);
        }
        if (geometry_ == TabularGeometry::XY) out_ += "," + extra.x + "," + extra.y;
        if (geometry_ == TabularGeometry::Wkt) out_ += "," + extra.wkt;
        out_ += "\r\n";
    }
    void write(std::int64_t fid, const Geometry& geometry, const std::vector<Value>& values) override {
        char buf[24];
        out_.append(buf, std::to_chars(buf, buf + sizeof buf, fid).ptr);
        for (std::size_t c = 0; c < layout_.fields.size(); ++c) {
            out_ += ',';
            const Value& v = value_at(layout_, values, c);
            if (const auto* i = std::get_if<std::int64_t>(&v)) out_.append(buf, std::to_chars(buf, buf + sizeof buf, *i).ptr);
            else if (const auto* d = std::get_if<double>(&v)) {
                if (std::isfinite(*d)) append_number(out_, *d);
            } else if (const auto* s = std::get_if<std::string>(&v)) append_csv_text(out_, *s);
        }
        if (geometry_ == TabularGeometry::XY) {
            out_ += ',';
            if (const auto* p = std::get_if<Point>(&geometry)) {
                append_number(out_, p->x(), layout_.decimals);
                out_ += ',';
                append_number(out_, p->y(), layout_.decimals);
            } else {
                out_ += ',';
            }
        } else if (geometry_ == TabularGeometry::Wkt) {
            out_ += ',';
            if (!std::holds_alternative<std::monostate>(geometry)) {
                std::string wkt;
                append_wkt(wkt, geometry, layout_.decimals);
                append_csv_text(out_, wkt);
            }
        }
        out_ += "\r\n";
        if (out_.size() >= kChunkBytes) flush();
    }
    void finish() override { flush(); }

private:
    void flush() {
        if (!out_.empty()) sink_(out_);
        out_.clear();
    }
    ExportLayout layout_;
    ByteSink sink_;
    TabularGeometry geometry_;
    std::string out_;
};

// ---------------------------------------------------------------------------------------------
// A VSI file system whose files are sinks: `/vsicoldspotsink/N.fgb` opened for writing forwards
// its bytes to the sink registered under that name. Only sequential writes are possible.

struct SinkTarget {
    ByteSink sink;
    std::string buffer;
    vsi_l_offset written = 0;
    std::exception_ptr error; ///< what the sink threw, rethrown outside GDAL
    void flush() {
        if (buffer.empty() || error) return;
        try {
            sink(buffer);
        } catch (...) {
            error = std::current_exception();
        }
        buffer.clear();
    }
};

constexpr const char* kSinkPrefix = "/vsicoldspotsink/";

std::mutex& sink_mutex() {
    static std::mutex m;
    return m;
}
std::map<std::string, SinkTarget*>& sink_targets() {
    static std::map<std::string, SinkTarget*> targets;
    return targets;
}

void* sink_open(void*, const char* filename, const char* access) {
    if (!access || !std::strchr(access, 'w')) return nullptr;
    std::lock_guard lock(sink_mutex());
    const auto it = sink_targets().find(std::string(kSinkPrefix) + filename); // GDAL strips the prefix
    return it == sink_targets().end() ? nullptr : it->second;
}
size_t sink_write(void* file, const void* buffer, size_t size, size_t count) {
    auto* t = static_cast<SinkTarget*>(file);
    if (t->error) return 0;
    t->buffer.append(static_cast<const char*>(buffer), size * count);
    t->written += size * count;
    if (t->buffer.size() >= kChunkBytes) t->flush();
    return t->error ? 0 : count;
}
vsi_l_offset sink_tell(void* file) { return static_cast<SinkTarget*>(file)->written; }
int sink_seek(void* file, vsi_l_offset offset, int whence) {
    // Sequential only: a seek that stays where we are (GDAL does that) succeeds.
    const auto* t = static_cast<SinkTarget*>(file);
    return ((whence == SEEK_SET && offset == t->written) || (whence != SEEK_SET && offset == 0)) ? 0 : -1;
}
size_t sink_read(void*, void*, size_t, size_t) { return 0; }
int sink_flush(void*) { return 0; }
int sink_close(void* file) {
    auto* t = static_cast<SinkTarget*>(file);
    t->flush();
    return t->error ? -1 : 0;
}
int sink_stat(void*, const char*, VSIStatBufL*, int) { return -1; } // nothing exists before it is written
int sink_unlink(void*, const char*) { return 0; }

void install_sink_filesystem() {
    static std::once_flag once;
    std::call_once(once, [] {
        VSIFilesystemPluginCallbacksStruct* cb = VSIAllocFilesystemPluginCallbacksStruct();
        cb->open = sink_open;
        cb->write = sink_write;
        cb->read = sink_read;
        cb->tell = sink_tell;
        cb->seek = sink_seek;
        cb->flush = sink_flush;
        cb->close = sink_close;
        cb->stat = sink_stat;
        cb->unlink = sink_unlink;
        if (VSIInstallPluginHandler(kSinkPrefix, cb) != 0) throw GdalError("cannot install the streaming file handler");
        VSIFreeFilesystemPluginCallbacksStruct(cb);
    });
}

std::string unique_name(const char* prefix, const char* extension) {
    static std::atomic<std::uint64_t> counter{0};
    return std::string(prefix) + std::to_string(++counter) + extension;
}

// ---------------------------------------------------------------------------------------------
// XLSX and FlatGeobuf through GDAL

class GdalWriter : public FeatureWriter {
public:
    GdalWriter(const ExportLayout& layout, ExportFormat format, ByteSink sink) : format_(format), sink_(std::move(sink)) {
        detail::ensure_gdal();
        const bool xlsx = format == ExportFormat::Xlsx;
        if (xlsx) {
            path_ = unique_name("/vsimem/coldspot-export-", ".xlsx");
        } else {
            install_sink_filesystem();
            path_ = unique_name(kSinkPrefix, ".fgb");
            target_.sink = sink_;
            std::lock_guard lock(sink_mutex());
            sink_targets()[path_] = &target_;
        }
        ds_ = detail::GdalDataset::create(xlsx ? "XLSX" : "FlatGeobuf", path_);
        add_layer(layout);
    }
    /// Another layer (an XLSX sheet) in the same file; write() goes to it from now on.
    void add_layer(const ExportLayout& layout) {
        layout_ = layout;
        const bool xlsx = format_ == ExportFormat::Xlsx;
        geometry_ = xlsx ? resolve(layout, format_) : TabularGeometry::None;
        const bool spatial = !xlsx && layout.geometry_type != GeometryType::None;
        if (spatial && layout.epsg > 0) srs_ = std::make_unique<detail::OgrSpatialReference>(layout.epsg);
        CPLStringList options;
        if (!xlsx) options.SetNameValue("SPATIAL_INDEX", "NO"); // written front to back, so streamable
        // Excel refuses sheet names over 31 characters.
        const std::string name = xlsx ? layout.layer_name.substr(0, kXlsxMaxSheetName) : layout.layer_name;
        for (const auto& used : layer_names_)
            if (ascii_equal_nocase(used, name))
                throw InvalidArgumentError("two sheets would be named '" + name + "' (Excel cuts names to 31 characters and ignores case): " +
                                           layout.layer_name);
        layer_names_.push_back(name);
        CPLErrorReset();
        layer_ = GDALDatasetCreateLayer(ds_.get(), name.c_str(), srs_ ? srs_->get() : nullptr,
                                        spatial ? detail::to_ogr(layout.geometry_type) : wkbNone, options.List());
        if (!layer_) throw GdalError("cannot create " + name + ": " + detail::last_gdal_error());
        const ExtraColumns extra(layout.fields);
        std::vector<Field> columns{{extra.id, FieldType::Integer}};
        columns.insert(columns.end(), layout.fields.begin(), layout.fields.end());
        if (geometry_ == TabularGeometry::XY) {
            columns.push_back({extra.x, FieldType::Real});
            columns.push_back({extra.y, FieldType::Real});
        }
        detail::create_ogr_fields(layer_, columns, name);
    }
    ~GdalWriter() override {
        ds_.close();
        if (format_ == ExportFormat::Xlsx) {
            VSIUnlink(path_.c_str());
        } else {
            std::lock_guard lock(sink_mutex());
            sink_targets().erase(path_);
        }
    }
    void write(std::int64_t fid, const Geometry& geometry, const std::vector<Value>& values) override {
        detail::OgrFeature f{OGR_F_Create(OGR_L_GetLayerDefn(layer_))};
        OGR_F_SetFieldInteger64(f.get(), 0, fid);
        const int n = static_cast<int>(layout_.fields.size());
        for (int c = 0; c < n; ++c) detail::set_ogr_field(f.get(), c + 1, value_at(layout_, values, static_cast<std::size_t>(c)));
        if (geometry_ == TabularGeometry::XY) {
            if (const auto* p = std::get_if<Point>(&geometry)) {
                OGR_F_SetFieldDouble(f.get(), n + 1, round(p->x()));
                OGR_F_SetFieldDouble(f.get(), n + 2, round(p->y()));
            }
        } else if (format_ == ExportFormat::FlatGeobuf && layout_.geometry_type != GeometryType::None) {
            detail::set_ogr_geometry(f.get(), rounded(geometry), srs_ ? srs_->get() : nullptr, layout_.layer_name, fid);
        }
        const OGRErr err = OGR_L_CreateFeature(layer_, f.get());
        rethrow_sink_error();
        if (err != OGRERR_NONE) throw GdalError("cannot write feature " + std::to_string(fid) + " of " + layout_.layer_name + ": " + detail::last_gdal_error());
    }
    void finish() override {
        ds_.close();
        rethrow_sink_error();
        if (CPLGetLastErrorType() >= CE_Failure) throw GdalError("writing " + layout_.layer_name + " failed: " + detail::last_gdal_error());
        if (format_ != ExportFormat::Xlsx) return;
        vsi_l_offset length = 0;
        GByte* bytes = VSIGetMemFileBuffer(path_.c_str(), &length, TRUE);
        if (!bytes) throw GdalError("GDAL wrote no XLSX file for " + layout_.layer_name);
        const std::string_view view(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(length));
        try {
            for (std::size_t at = 0; at < view.size(); at += kChunkBytes) sink_(view.substr(at, kChunkBytes));
        } catch (...) {
            CPLFree(bytes);
            throw;
        }
        CPLFree(bytes);
    }

private:
    double round(double v) const {
        std::string text;
        append_number(text, v, layout_.decimals);
        return std::strtod(text.c_str(), nullptr);
    }
    /// The geometry with its coordinates rounded as in the other formats, so every download of a
    /// feature has the same coordinates.
    Geometry rounded(const Geometry& g) const {
        if (layout_.decimals < 0) return g;
        Geometry out = g;
        const auto fix = [&](Point& p) { p = Point(round(p.x()), round(p.y())); };
        if (auto* p = std::get_if<Point>(&out)) fix(*p);
        else if (auto* ml = std::get_if<MultiLineString>(&out)) bg::for_each_point(*ml, fix);
        else if (auto* mp = std::get_if<MultiPolygon>(&out)) bg::for_each_point(*mp, fix);
        return out;
    }
    void rethrow_sink_error() {
        if (target_.error) std::rethrow_exception(std::exchange(target_.error, nullptr));
    }

    ExportLayout layout_;
    ExportFormat format_;
    ByteSink sink_;
    TabularGeometry geometry_ = TabularGeometry::None;
    std::vector<std::string> layer_names_;
    std::string path_;
    SinkTarget target_;
    std::unique_ptr<detail::OgrSpatialReference> srs_;
    detail::GdalDataset ds_;
    OGRLayerH layer_ = nullptr;
};

} // namespace

void append_number(std::string& out, double v, int decimals) {
    if (decimals >= 0) {
        static constexpr double kPowers[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
        const double scale = decimals < 16 ? kPowers[decimals] : std::pow(10.0, decimals);
        const double r = std::round(v * scale) / scale;
        if (std::isfinite(r)) v = r;
    }
    if (v == 0) v = 0; // no "-0"
    // Plain decimals ("400000", not the shorter "4e+05") in the range data has; the shortest
    // text that reads back as the same double either way.
    const double a = std::fabs(v);
    const auto format = (a >= 1e-6 && a < 1e16) ? std::chars_format::fixed : std::chars_format::general;
    char buf[352];
    const auto res = std::to_chars(buf, buf + sizeof buf, v, format);
    out.append(buf, res.ptr);
}

void append_wkt(std::string& out, const Geometry& g, int decimals) {
    if (const auto* p = std::get_if<Point>(&g)) {
        out += "POINT ";
        append_coordinates(out, std::array<Point, 1>{*p}, decimals);
    } else if (const auto* ml = std::get_if<MultiLineString>(&g)) {
        out += "MULTILINESTRING (";
        for (std::size_t i = 0; i < ml->size(); ++i) {
            if (i) out += ", ";
            append_coordinates(out, (*ml)[i], decimals);
        }
        out += ')';
    } else if (const auto* mp = std::get_if<MultiPolygon>(&g)) {
        out += "MULTIPOLYGON (";
        for (std::size_t i = 0; i < mp->size(); ++i) {
            if (i) out += ", ";
            append_polygon_wkt(out, (*mp)[i], decimals);
        }
        out += ')';
    } else {
        out += "GEOMETRYCOLLECTION EMPTY";
    }
}

XlsxWorkbook::XlsxWorkbook(ByteSink sink) : sink_(std::move(sink)) {}
XlsxWorkbook::~XlsxWorkbook() = default;

FeatureWriter& XlsxWorkbook::add_sheet(const ExportLayout& layout) {
    if (finished_) throw InvalidArgumentError("the workbook is finished: no sheet can be added");
    if (!writer_) writer_ = std::make_unique<GdalWriter>(layout, ExportFormat::Xlsx, sink_);
    else static_cast<GdalWriter&>(*writer_).add_layer(layout);
    return *writer_;
}

void XlsxWorkbook::finish() {
    if (!writer_) throw InvalidArgumentError("a workbook needs at least one sheet");
    finished_ = true;
    writer_->finish();
}

std::unique_ptr<FeatureWriter> make_feature_writer(ExportFormat format, const ExportLayout& layout, ByteSink sink) {
    if (format == ExportFormat::Csv) return std::make_unique<CsvWriter>(layout, std::move(sink));
    return std::make_unique<GdalWriter>(layout, format, std::move(sink));
}

} // namespace coldspot::geo
