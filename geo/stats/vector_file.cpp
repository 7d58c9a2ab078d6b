#include "coldspot/geo/stats/vector_file.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/detail/wkb.hpp"
#include "gdal_handles.hpp"

#include <cstdlib>
#include <vector>

namespace coldspot::geo::stats {

FeatureTable read_vector_file(const std::string& path, Epsg target_epsg, Epsg assumed_source_epsg) {
    geo::detail::GdalDataset ds = geo::detail::GdalDataset::open_vector(path);
    if (GDALDatasetGetLayerCount(ds.get()) < 1) throw EmptyInputError(InputLocation{path, 0, {}}, "no layer");
    OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
    FeatureTable t;
    t.name = OGR_L_GetName(layer);
    t.epsg = target_epsg;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        const OGRFieldType type = OGR_Fld_GetType(fd);
        const FieldType ft = (type == OFTInteger || type == OFTInteger64) ? FieldType::Integer
                             : type == OFTReal                            ? FieldType::Real
                                                                          : FieldType::String;
        t.fields.push_back(Field{OGR_Fld_GetNameRef(fd), ft});
    }
    std::string source = geo::detail::crs_identifier(OGR_L_GetSpatialRef(layer));
    if (source.empty()) source = epsg_code(assumed_source_epsg);
    const CrsTransform transform(source, epsg_code(target_epsg));
    OGR_L_ResetReading(layer);
    std::vector<std::uint8_t> wkb;
    std::size_t row = 0;
    while (geo::detail::OgrFeature f{OGR_L_GetNextFeature(layer)}) {
        ++row;
        Feature out;
        try {
            out = geo::detail::read_ogr_feature(f.get(), t.fields, wkb);
            transform.apply(out.geometry);
        } catch (const Error& e) {
            throw FormatError(InputLocation{path, row, "geometry"}, e.what());
        }
        if (t.geometry_type == GeometryType::None && !std::holds_alternative<std::monostate>(out.geometry))
            t.geometry_type = geometry_type_of(out.geometry);
        t.features.push_back(std::move(out));
    }
    return t;
}

} // namespace coldspot::geo::stats
