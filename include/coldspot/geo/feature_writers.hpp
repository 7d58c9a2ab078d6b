#pragma once
// Features written in the formats analysts pass around: CSV, XLSX and FlatGeobuf. One
// implementation for the server (`items?f=csv|xlsx|fgb`) and the offline `coldspot export`.
// Bytes go to a sink as they are made, so a download never needs a buffer of its whole size
// (except XLSX: a zip archive GDAL writes when it is closed).
#include "coldspot/geo/feature_table.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo {

enum class ExportFormat : std::uint8_t { Csv, Xlsx, FlatGeobuf };

/// How a table format (CSV, XLSX) carries the geometry.
enum class TabularGeometry : std::uint8_t {
    Auto, ///< `x`,`y` columns for points, `wkt` otherwise (CSV) or none (XLSX); a column name a
          ///< field already has becomes `geometry_x`, `geometry_y`, `geometry_wkt` (and `id`, `feature_id`)
    None,
    XY,  ///< point layers only
    Wkt, ///< CSV only (a spreadsheet cell holds at most 32,767 characters)
};

/// Receives bytes as a writer produces them.
using ByteSink = std::function<void(std::string_view)>;

struct ExportLayout {
    std::string layer_name = "features";
    GeometryType geometry_type = GeometryType::None;
    int epsg = kWgs84Code;  ///< CRS of the geometries given to write() (x/y order); 0: none
    int decimals = -1;      ///< coordinates rounded to this many places (-1: not rounded)
    std::vector<Field> fields; ///< the columns, in order
    /// For each column, the index in the values given to write(); empty: the same index.
    std::vector<std::size_t> value_index;
    TabularGeometry tabular_geometry = TabularGeometry::Auto;

    static constexpr int kWgs84Code = 4326;
};

/// Excel's own limit: 1,048,576 rows of a sheet, one of them the header.
inline constexpr std::size_t kXlsxMaxRows = 1'048'575;
/// Excel's limit on a sheet's name; a longer layer name is cut to it.
inline constexpr std::size_t kXlsxMaxSheetName = 31;

class FeatureWriter {
public:
    virtual ~FeatureWriter() = default;
    /// One feature; `values` indexed as ExportLayout::value_index says.
    virtual void write(std::int64_t fid, const Geometry& geometry, const std::vector<Value>& values) = 0;
    /// Ends the output (XLSX: writes the whole file now). Nothing may be written after it.
    virtual void finish() = 0;
};

/// Throws InvalidArgumentError for a layout the format cannot hold (XY for lines, WKT in XLSX),
/// GdalError when GDAL refuses; an exception thrown by the sink passes through write()/finish().
std::unique_ptr<FeatureWriter> make_feature_writer(ExportFormat format, const ExportLayout& layout, ByteSink sink);

/// Several layers in one XLSX workbook, one sheet each, in the order added (`coldspot export
/// --xlsx`). Each sheet has the columns and values make_feature_writer(ExportFormat::Xlsx) gives
/// the same layout, named after its layer_name cut to kXlsxMaxSheetName characters.
class XlsxWorkbook {
public:
    explicit XlsxWorkbook(ByteSink sink);
    ~XlsxWorkbook();
    XlsxWorkbook(const XlsxWorkbook&) = delete;
    XlsxWorkbook& operator=(const XlsxWorkbook&) = delete;
    /// A new sheet, written through the returned writer until the next add_sheet() (whose writer
    /// is the same object; its finish() must not be called: finish the workbook). Throws
    /// InvalidArgumentError when two sheets' names would be equal to Excel (cut, case ignored).
    FeatureWriter& add_sheet(const ExportLayout& layout);
    /// Writes the whole file to the sink. Throws InvalidArgumentError without a sheet.
    void finish();

private:
    ByteSink sink_;
    std::unique_ptr<FeatureWriter> writer_;
    bool finished_ = false;
};

/// Shortest text that reads back as the same double, after rounding to `decimals` places (-1: no
/// rounding); "-0" is written as "0". The caller handles NaN and infinities.
void append_number(std::string& out, double v, int decimals = -1);
/// Well-known text of a geometry (x y order), coordinates through append_number.
void append_wkt(std::string& out, const Geometry& g, int decimals = -1);

} // namespace coldspot::geo
