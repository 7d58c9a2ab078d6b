#include "coldspot/geo/stats/vector_file.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/wkb.hpp"
#include "gdal_handles.hpp"

#include <cstdlib>
#include <vector>

namespace coldspot::geo::stats {

FeatureTable read_vector_file(const std::string& path, int target_epsg, int assumed_source_epsg) {
    detail::GdalDataset ds = detail::GdalDataset::open_vector(path);
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
    std::string source = detail::crs_identifier(OGR_L_GetSpatialRef(layer));
    if (source.empty()) source = epsg_code(assumed_source_epsg);
    const CrsTransform transform(source, epsg_code(target_epsg));
    OGR_L_ResetReading(layer);
    std::vector<std::uint8_t> wkb;
    std::size_t row = 0;
    while (detail::OgrFeature f{OGR_L_GetNextFeature(layer)}) {
        ++row;
        Feature out;
        out.fid = OGR_F_GetFID(f.get());
        out.values.resize(t.fields.size());
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            const int fi = static_cast<int>(i);
            if (!OGR_F_IsFieldSetAndNotNull(f.get(), fi)) continue;
            switch (t.fields[i].type) {
            case FieldType::Integer: out.values[i] = static_cast<std::int64_t>(OGR_F_GetFieldAsInteger64(f.get(), fi)); break;
            case FieldType::Real: out.values[i] = OGR_F_GetFieldAsDouble(f.get(), fi); break;
            case FieldType::String: out.values[i] = std::string(OGR_F_GetFieldAsString(f.get(), fi)); break;
            }
        }
        if (OGRGeometryH g = OGR_F_GetGeometryRef(f.get()); g && !OGR_G_IsEmpty(g)) {
            wkb.resize(static_cast<std::size_t>(OGR_G_WkbSize(g)));
            OGR_G_ExportToIsoWkb(g, wkbNDR, wkb.data());
            try {
                out.geometry = from_wkb(wkb);
                transform.apply(out.geometry);
            } catch (const Error& e) {
                throw FormatError(InputLocation{path, row, "geometry"}, e.what());
            }
            if (t.geometry_type == GeometryType::None) t.geometry_type = geometry_type_of(out.geometry);
        }
        t.features.push_back(std::move(out));
    }
    return t;
}

} // namespace coldspot::geo::stats
