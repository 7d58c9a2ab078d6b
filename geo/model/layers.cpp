#include "coldspot/geo/model/layers.hpp"

#include "coldspot/geo/error.hpp"

#include <array>

namespace coldspot::geo::model {

namespace {

constexpr FieldType I = FieldType::Integer, R = FieldType::Real, S = FieldType::String;
constexpr bool opt = true, req = false;

constexpr FieldSpec kSchools[] = {
    {school::urn, I, req, "", "Unique Reference Number (GIAS)"},
    {school::name, S, req, "", "establishment name"},
    {school::phase, S, req, "", "phase of education"},
    {school::status, S, req, "", "GIAS establishment status"},
    {school::type, S, opt, "", "GIAS type of establishment"},
    {school::la_code, S, opt, "", "DfE 3-digit local authority code"},
    {school::la_name, S, opt, "", "local authority name as GIAS gives it"},
    {school::lad_code, S, opt, "", "local authority district (LAD 2024) code as given by the source"},
    {school::lsoa_code, S, opt, "", "LSOA code as given by the source"},
    {school::postcode, S, opt, "", "postcode"},
    {school::pupils, I, opt, "pupils", "number on roll"},
    {school::fsm_percent, R, opt, "%", "pupils eligible for free school meals"},
    {school::trust_name, S, opt, "", "multi-academy trust"},
    {school::trust_uid, I, opt, "", "GIAS group UID of the trust"},
    {school::x, R, req, "m", "easting (EPSG:27700)"},
    {school::y, R, req, "m", "northing (EPSG:27700)"},
    {school::npq_pp50, I, req, "", "1 when the school is on the NPQ targeted-funding list (PP50), else 0"},
};

constexpr FieldSpec kAreas[] = {
    {area::code, S, req, "", "LSOA code"},
    {area::name, S, req, "", "LSOA name"},
    {area::lad_code, S, opt, "", "district code"},
    {area::imd_score, R, opt, "", "Index of Multiple Deprivation score"},
    {area::imd_rank, I, req, "", "IMD rank, 1 = most deprived"},
    {area::imd_decile, I, req, "", "IMD decile, 1 = most deprived 10 %"},
    {area::ruc_code, S, opt, "", "rural-urban classification (RUC 2021) code"},
    {area::ruc_class, S, opt, "", "rural-urban class"},
    {area::rural, I, opt, "", "1 when rural, else 0"},
    {area::area_km2, R, req, "km²", "area"},
};

constexpr FieldSpec kLocalAuthorities[] = {
    {authority::code, S, req, "", "district code (E06/E07/E08/E09)"},
    {authority::name, S, req, "", "district name"},
    {authority::region, S, opt, "", "region"},
    {authority::area_km2, R, req, "km²", "area"},
};

constexpr FieldSpec kUpperTierAuthorities[] = {
    {authority::code, S, req, "", "county or unitary code"},
    {authority::name, S, req, "", "county or unitary name"},
    {authority::area_km2, R, req, "km²", "area"},
};

constexpr FieldSpec kHubs[] = {
    {hub::hub_id, S, req, "", "unique id: <type-slug>:<area code or name>"},
    {hub::hub_type, S, req, "", "free text from the manifest"},
    {hub::name, S, req, "", "hub name"},
    {hub::area_code, S, opt, "", "the source's area code"},
    {hub::lead_urn, I, opt, "", "lead school URN"},
    {hub::districts, S, req, "", ";-separated LAD codes dissolved into the footprint"},
    {hub::partial_districts, S, req, "", ";-separated LAD codes the source marks as only partly covered"},
    {hub::area_km2, R, req, "km²", "area"},
};

constexpr FieldSpec kHubDistricts[] = {
    {hub_district::hub_id, S, req, "", "hub id"},
    {hub_district::hub_type, S, req, "", "hub type"},
    {hub_district::lad_code, S, req, "", "district code"},
    {hub_district::part, S, req, "", "whole, or the source's part label"},
};

constexpr FieldSpec kHubVenues[] = {
    {venue::hub_id, S, req, "", "hub id"},
    {venue::hub_type, S, req, "", "hub type"},
    {venue::name, S, req, "", "venue name"},
    {venue::urn, I, opt, "", "URN when the venue is a school"},
    {venue::kind, S, req, "", "lead school or venue"},
};

constexpr FieldSpec kRoads[] = {
    {road::highway, S, req, "", "OSM class or OS Open Roads road_classification"},
    {road::oneway, I, req, "", "0 both ways, 1 forward, -1 backward"},
    {road::maxspeed_kph, R, opt, "km/h", "speed limit"},
    {road::length_m, R, req, "m", "length"},
};

constexpr FieldSpec kProvenance[] = {
    {source::dataset, S, req, "", "input dataset"},
    {source::path, S, req, "", "file read"},
    {source::size_bytes, I, req, "bytes", "file size"},
    {source::sha256, S, req, "", "file checksum"},
    {source::rows_read, I, req, "rows", "rows read"},
    {source::rows_kept, I, req, "rows", "rows kept"},
    {source::rows_rejected, I, req, "rows", "rows rejected"},
    {source::vintage, S, req, "", "the source's vintage"},
    {source::imported_at, S, req, "", "UTC, ISO 8601"},
    {source::coldspot_version, S, req, "", "version of the importer"},
};

constexpr FieldSpec kImportReport[] = {
    {report::dataset, S, req, "", "input dataset"},
    {report::file, S, req, "", "file"},
    {report::line, I, req, "", "1-based line, 0 when not line-based"},
    {report::key, S, req, "", "URN or code"},
    {report::field, S, req, "", "field"},
    {report::reason, S, req, "", "what was wrong"},
    {report::action, S, req, "", "rejected, repaired, unmatched, snapped, ..."},
};

constexpr GeometryType Pt = GeometryType::Point, Poly = GeometryType::MultiPolygon, Line = GeometryType::MultiLineString,
                       None = GeometryType::None;

constexpr std::array<LayerSpec, 10> kInputs{{
    {layer::schools, Pt, "schools", kSchools},
    {layer::areas, Poly, "LSOAs with deprivation and rurality", kAreas},
    {layer::local_authorities, Poly, "districts (LAD)", kLocalAuthorities},
    {layer::upper_tier_authorities, Poly, "counties and unitaries (UTLA, the education authorities)", kUpperTierAuthorities},
    {layer::hubs, Poly, "hub footprints", kHubs},
    {layer::hub_districts, None, "hub to district table", kHubDistricts},
    {layer::hub_venues, Pt, "hub delivery venues", kHubVenues},
    {layer::roads, Line, "road network", kRoads},
    {layer::provenance, None, "every input: file, checksum, rows read/kept/rejected, vintage", kProvenance},
    {layer::import_report, None, "rows and values the import did not take as they were", kImportReport},
}};

constexpr std::array<const char*, 13> kResults{
    layer::school_remits,     layer::remit_zones,     layer::remit_gaps,    layer::remit_overlaps, layer::hub_dashboard,
    layer::la_dashboard,      layer::school_access,   layer::isochrones,    layer::coldspots_schools,
    layer::coldspots_areas,   layer::coldspots_hex,   layer::targets,       layer::analysis_runs};

} // namespace

std::span<const LayerSpec> input_layers() { return kInputs; }

std::span<const char* const> result_layers() { return kResults; }

const LayerSpec& input_layer(std::string_view name) {
    for (const auto& l : kInputs)
        if (name == l.name) return l;
    throw NotFoundError("the workspace model has no input layer '" + std::string(name) + "'");
}

std::vector<Field> table_fields(const LayerSpec& layer) {
    std::vector<Field> out;
    out.reserve(layer.fields.size());
    for (const auto& f : layer.fields) out.push_back(Field{f.name, f.type});
    return out;
}

} // namespace coldspot::geo::model
