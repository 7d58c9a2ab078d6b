#pragma once
// RAII holders for GDAL/OGR C handles. Private to geo/: no GDAL handle crosses the library's
// public interface.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include <memory>
#include <string>
#include <utility>

namespace coldspot::geo::detail {

/// Registers drivers and silences GDAL's stderr chatter once per process; errors are read back
/// with last_gdal_error() and turned into exceptions.
void ensure_gdal();
std::string last_gdal_error();

class GdalDataset {
public:
    GdalDataset() = default;
    explicit GdalDataset(GDALDatasetH h) : h_(h) {}
    ~GdalDataset() { close(); }
    GdalDataset(GdalDataset&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    GdalDataset& operator=(GdalDataset&& o) noexcept {
        if (this != &o) {
            close();
            h_ = std::exchange(o.h_, nullptr);
        }
        return *this;
    }
    GdalDataset(const GdalDataset&) = delete;
    GdalDataset& operator=(const GdalDataset&) = delete;

    /// Opens a vector dataset; throws FileNotFoundError / FormatError naming the path.
    static GdalDataset open_vector(const std::string& path, bool update = false);
    /// Creates a dataset with the named driver ("GPKG", ...); throws GdalError.
    static GdalDataset create(const std::string& driver, const std::string& path);

    GDALDatasetH get() const noexcept { return h_; }
    explicit operator bool() const noexcept { return h_ != nullptr; }
    /// Closes now and reports a failure to flush (GDALClose returns void in 3.6: we check the
    /// error state instead).
    void close();

private:
    GDALDatasetH h_ = nullptr;
};

class OgrFeature {
public:
    explicit OgrFeature(OGRFeatureH h) : h_(h) {}
    ~OgrFeature() {
        if (h_) OGR_F_Destroy(h_);
    }
    OgrFeature(OgrFeature&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    OgrFeature(const OgrFeature&) = delete;
    OgrFeature& operator=(const OgrFeature&) = delete;
    OGRFeatureH get() const noexcept { return h_; }
    explicit operator bool() const noexcept { return h_ != nullptr; }

private:
    OGRFeatureH h_;
};

class OgrGeometry {
public:
    explicit OgrGeometry(OGRGeometryH h = nullptr) : h_(h) {}
    ~OgrGeometry() {
        if (h_) OGR_G_DestroyGeometry(h_);
    }
    OgrGeometry(OgrGeometry&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
    OgrGeometry(const OgrGeometry&) = delete;
    OgrGeometry& operator=(const OgrGeometry&) = delete;
    OGRGeometryH get() const noexcept { return h_; }
    OGRGeometryH release() noexcept { return std::exchange(h_, nullptr); }

private:
    OGRGeometryH h_;
};

class OgrSpatialReference {
public:
    OgrSpatialReference() : h_(OSRNewSpatialReference(nullptr)) {
        OSRSetAxisMappingStrategy(h_, OAMS_TRADITIONAL_GIS_ORDER);
    }
    explicit OgrSpatialReference(int epsg) : OgrSpatialReference() {
        if (OSRImportFromEPSG(h_, epsg) != OGRERR_NONE) throw CrsError("unknown EPSG code " + std::to_string(epsg));
    }
    ~OgrSpatialReference() {
        if (h_) OSRRelease(h_);
    }
    OgrSpatialReference(const OgrSpatialReference&) = delete;
    OgrSpatialReference& operator=(const OgrSpatialReference&) = delete;
    OGRSpatialReferenceH get() const noexcept { return h_; }

private:
    OGRSpatialReferenceH h_;
};

/// One OGR feature as a Coldspot feature: fid, attributes typed as `fields` (in layer order),
/// geometry through ISO WKB. `wkb` is a buffer reused across calls. Throws GeometryError.
Feature read_ogr_feature(OGRFeatureH feature, const std::vector<Field>& fields, std::vector<std::uint8_t>& wkb);

OGRwkbGeometryType to_ogr(GeometryType t) noexcept;
OGRFieldType to_ogr(FieldType t) noexcept;
/// Creates the fields on a new layer; throws GdalError naming `layer` and the field.
void create_ogr_fields(OGRLayerH layer, const std::vector<Field>& fields, const std::string& layer_name);
/// Sets field `index` of an OGR feature from a Coldspot value (NULL for monostate).
void set_ogr_field(OGRFeatureH feature, int index, const Value& v);
/// Sets the feature's geometry (nothing for an empty one) through ISO WKB; throws GdalError naming
/// `layer` and `fid`.
void set_ogr_geometry(OGRFeatureH feature, const Geometry& g, OGRSpatialReferenceH srs, const std::string& layer, std::int64_t fid);

/// "EPSG:27700"-style identifier of a layer's CRS, or its WKT when it has no authority code;
/// "" when the layer has no CRS.
std::string crs_identifier(OGRSpatialReferenceH srs);

} // namespace coldspot::geo::detail
