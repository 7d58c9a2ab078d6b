#include "coldspot/geo/fetch/fetch.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/fetch/errors.hpp"
#include "coldspot/geo/import/csv_reader.hpp"
#include "coldspot/geo/timestamp.hpp"
#include "coldspot/geo/version.hpp"
#include "detail/json_file.hpp"
#include "gdal_handles.hpp"

#include <fstream>
#include <map>

namespace coldspot::geo::fetch {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string strip_trailing_slash(std::string s) {
    while (!s.empty() && s.back() == '/') s.pop_back();
    return s;
}

std::vector<std::string> header_of(const Dataset& d, const fs::path& file) {
    if (d.format == "csv") {
        import::CsvReader csv(file, ',', import::parse_encoding(d.encoding));
        return csv.header();
    }
    std::string path = file.string();
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) path = "/vsigzip/" + path;
    auto ds = geo::detail::GdalDataset::open_vector(path);
    OGRLayerH layer = GDALDatasetGetLayer(ds.get(), 0);
    if (!layer) throw FormatError(InputLocation{file.string(), 0, ""}, "no layer");
    std::vector<std::string> out;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    out.reserve(static_cast<std::size_t>(OGR_FD_GetFieldCount(defn)));
    for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) out.push_back(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i)));
    return out;
}

/// A manifest entry: the dataset's fragment with its path and vintage.
json entry_for(const Dataset& d) {
    json e = d.manifest;
    e.erase("districts_from");
    e["path"] = d.source.file.generic_string();
    if (!e.contains("vintage") && !d.source.vintage.empty()) e["vintage"] = d.source.vintage;
    return e;
}

json filtered(json e, const std::set<std::string>& codes) {
    const std::string code = e.value("code", std::string());
    if (!code.empty()) e["filters"][code] = json(std::vector<std::string>(codes.begin(), codes.end()));
    return e;
}


std::vector<const RoadExtract*> extracts_for(const Sources& s, const Selection& sel, std::vector<std::string>& warnings) {
    std::vector<const RoadExtract*> out;
    if (sel.england) {
        if (s.national_roads) out.push_back(&*s.national_roads);
        return out;
    }
    std::set<std::string> uncovered = sel.upper_tier;
    for (const auto& x : s.road_extracts) {
        bool used = false;
        for (const auto& code : x.covers_upper_tier)
            if (sel.upper_tier.count(code)) {
                used = true;
                uncovered.erase(code);
            }
        if (used) out.push_back(&x);
    }
    if (!uncovered.empty()) {
        std::string list;
        for (const auto& c : uncovered) list += (list.empty() ? "" : ", ") + c;
        if (s.national_roads) {
            warnings.push_back("no county road extract covers " + list + " in " + s.file.string() + ": fetching the England extract");
            out.clear();
            out.push_back(&*s.national_roads);
        } else {
            warnings.push_back("no road extract covers " + list + ": their schools will get straight-line estimates");
        }
    }
    return out;
}

} // namespace

std::string fetch_url(const SourceFile& source, const FetchOptions& options) {
    if (source.url.rfind("shared:", 0) == 0) {
        const std::string rel = source.url.substr(7);
        if (options.mirror) return strip_trailing_slash(*options.mirror) + "/shared/" + rel;
        return "file://" + fs::absolute(options.shared_data / rel).lexically_normal().string();
    }
    if (!options.mirror) return source.url;
    const auto scheme = source.url.find("://");
    return strip_trailing_slash(*options.mirror) + "/" + source.url.substr(scheme + 3);
}

void check_columns(const Dataset& d, const fs::path& file) {
    if (d.columns.empty()) return;
    const auto header = header_of(d, file);
    std::vector<std::string> missing;
    for (const auto& c : d.columns)
        if (std::find(header.begin(), header.end(), c) == header.end()) missing.push_back(c);
    if (missing.empty()) return;
    std::string list;
    for (const auto& c : missing) list += (list.empty() ? "" : ", ") + ("'" + c + "'");
    throw MissingColumnError(InputLocation{file.string(), 1, missing.front()},
                             "the publisher's file has changed: " + std::to_string(missing.size()) + " expected column" +
                                 (missing.size() > 1 ? "s" : "") + " missing: " + list + " (dataset " + d.source.id +
                                 "; update its columns and manifest entry in the sources file)");
}

AreaLookup read_area_lookup(const Sources& sources, const fs::path& dir) {
    AreaLookup out;
    const Dataset* regions = sources.find(DatasetRole::LadRegionLookup);
    std::map<std::string, std::pair<std::string, std::string>> upper; // lad -> (code, name)
    if (const Dataset* u = sources.find(DatasetRole::LadUpperTierLookup)) {
        import::CsvReader csv(dir / u->source.file, ',', import::parse_encoding(u->encoding));
        const auto lad = csv.require_column(u->lookup.value("district_code", "")),
                   code = csv.require_column(u->lookup.value("upper_tier_code", "")),
                   name = csv.require_column(u->lookup.value("upper_tier_name", ""));
        import::CsvRecord row;
        while (csv.next(row))
            if (row.fields.size() == csv.header().size()) upper[row.fields[lad]] = {row.fields[code], row.fields[name]};
    }
    import::CsvReader csv(dir / regions->source.file, ',', import::parse_encoding(regions->encoding));
    const auto code = csv.require_column(regions->lookup.value("district_code", "")),
               name = csv.require_column(regions->lookup.value("district_name", "")),
               region = csv.require_column(regions->lookup.value("region_name", ""));
    import::CsvRecord row;
    while (csv.next(row)) {
        if (row.fields.size() != csv.header().size()) continue;
        District d{row.fields[code], row.fields[name], row.fields[region], {}, {}};
        if (auto it = upper.find(d.code); it != upper.end()) std::tie(d.upper_tier_code, d.upper_tier_name) = it->second;
        else std::tie(d.upper_tier_code, d.upper_tier_name) = std::pair{d.code, d.name}; // a unitary is its own upper tier
        out.districts.push_back(std::move(d));
    }
    if (out.districts.empty()) throw EmptyInputError(InputLocation{(dir / regions->source.file).string(), 1, ""}, "no districts");
    return out;
}

FetchResult run_fetch(const FetchRequest& request, const FetchOptions& options) {
    const int chosen = (request.region ? 1 : 0) + (request.authorities.empty() ? 0 : 1) + (request.england ? 1 : 0);
    if (chosen != 1) throw InvalidArgumentError("choose one of --region NAME, --la NAME (repeatable) or --england");
    const Sources sources = read_sources(options.sources);
    FetchResult result;
    fs::create_directories(options.output);
    auto get = [&](const SourceFile& s) {
        Downloaded d = download_file(s, fetch_url(s, options), options.output, options.download);
        result.files.push_back(FetchedFile{s.id, d.path, d.status, d.bytes_transferred, d.provenance.value("size", std::uint64_t{0})});
        return d;
    };
    // 1. the lookups, to know which districts the request means
    for (const auto& d : sources.datasets)
        if (d.role == DatasetRole::LadRegionLookup || d.role == DatasetRole::LadUpperTierLookup) {
            get(d.source);
            check_columns(d, options.output / d.source.file);
        }
    const AreaLookup lookup = read_area_lookup(sources, options.output);
    result.selection = request.england ? select_england(lookup)
                       : request.region ? select_region(lookup, *request.region)
                                        : select_authorities(lookup, request.authorities);
    const Selection& sel = result.selection;
    // 2. every dataset, checked
    for (const auto& d : sources.datasets) {
        if (d.role == DatasetRole::LadRegionLookup || d.role == DatasetRole::LadUpperTierLookup) continue;
        get(d.source);
        check_columns(d, options.output / d.source.file);
    }
    std::vector<const RoadExtract*> roads;
    if (options.roads) {
        roads = extracts_for(sources, sel, result.warnings);
        for (const auto* x : roads) get(x->source);
    }
    // 3. the manifest: districts by code, everything else by location within them
    json m;
    m["name"] = sel.label;
    m["base_dir"] = ".";
    m["fetched"] = {{"by", std::string("coldspot fetch ") + version()}, {"at", utc_now_iso8601()},
                    {"sources", fs::absolute(options.sources).lexically_normal().string()}};
    const Dataset* lads = sources.find(DatasetRole::LocalAuthorities);
    const Dataset* utlas = sources.find(DatasetRole::UpperTierAuthorities);
    for (const auto& d : sources.datasets) {
        if (d.role == DatasetRole::LadRegionLookup || d.role == DatasetRole::LadUpperTierLookup) continue;
        json e = entry_for(d);
        switch (d.role) {
        case DatasetRole::Schools: m["schools"] = e; break;
        case DatasetRole::SchoolTable: m["school_tables"].push_back(e); break;
        case DatasetRole::AreaBoundaries:
            m["areas"]["boundaries"] = e;
            if (!sel.england) m["areas"]["clip_to_authorities"] = true;
            break;
        case DatasetRole::AreaTable: m["areas"]["tables"].push_back(e); break;
        case DatasetRole::LocalAuthorities: m["local_authorities"] = sel.england ? e : filtered(e, sel.districts); break;
        case DatasetRole::UpperTierAuthorities: m["upper_tier_authorities"] = sel.england ? e : filtered(e, sel.upper_tier); break;
        case DatasetRole::Hubs: {
            // Hub areas are lists of districts, which may reach beyond the study area (EE9 takes in
            // Milton Keynes): dissolve them from the national boundaries, keep the hubs that touch it.
            const bool upper_tier = d.manifest.value("districts_from", "") == "upper_tier_authorities";
            const Dataset* from = upper_tier ? utlas : lads;
            if (!from) throw ManifestError(InputLocation{options.sources.string(), 0, d.source.id}, "hub districts need their boundaries dataset");
            if (!e.contains("districts")) e["districts"] = entry_for(*from);
            if (!sel.england) e["study_area_only"] = true;
            m["hubs"].push_back(e);
            break;
        }
        case DatasetRole::AuthorityTable: m["authority_tables"].push_back(e); break;
        case DatasetRole::LadRegionLookup:
        case DatasetRole::LadUpperTierLookup: break;
        }
    }
    if (!roads.empty()) {
        json list = json::array();
        for (const auto* x : roads) list.push_back({{"kind", "pbf"}, {"path", x->source.file.generic_string()}, {"vintage", x->source.vintage}});
        if (sel.england) {
            // A whole-country network is not copied into the workspace: `coldspot access --roads`
            // streams it into the graph cache.
            result.roads_spec = options.output / "roads.json";
            detail::write_json(*result.roads_spec, json{{"roads", list.front()}});
        } else {
            m["roads"] = list.size() == 1 ? list.front() : list;
        }
    }
    json prov = json::array();
    for (const auto& f : result.files) {
        std::ifstream in(provenance_path(f.path));
        json p;
        in >> p;
        p["status"] = to_string(f.status);
        prov.push_back(p);
    }
    detail::write_json(options.output / "provenance.json", json{{"selection", sel.label}, {"files", prov}});
    result.manifest = options.output / "manifest.json";
    detail::write_json(result.manifest, m);
    return result;
}

} // namespace coldspot::geo::fetch
