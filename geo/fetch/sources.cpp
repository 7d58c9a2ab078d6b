#include "coldspot/geo/fetch/sources.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>

namespace coldspot::geo::fetch {

namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<DatasetRole, const char*>, 10> kRoles{{
    {DatasetRole::LadRegionLookup, "lad_region_lookup"},
    {DatasetRole::LadUpperTierLookup, "lad_upper_tier_lookup"},
    {DatasetRole::Schools, "schools"},
    {DatasetRole::SchoolTable, "school_table"},
    {DatasetRole::AreaBoundaries, "area_boundaries"},
    {DatasetRole::AreaTable, "area_table"},
    {DatasetRole::LocalAuthorities, "local_authorities"},
    {DatasetRole::UpperTierAuthorities, "upper_tier_authorities"},
    {DatasetRole::Hubs, "hubs"},
    {DatasetRole::AuthorityTable, "authority_table"},
}};

class Reader {
public:
    explicit Reader(std::filesystem::path file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& at, const std::string& why) const {
        throw ManifestError(InputLocation{file_.string(), 0, at}, why);
    }

    std::string text(const json& j, const char* key, const std::string& at, bool required = true) const {
        if (!j.contains(key)) {
            if (required) fail(at + "/" + key, "missing");
            return {};
        }
        if (!j[key].is_string()) fail(at + "/" + key, "expected a string");
        return j[key].get<std::string>();
    }

    SourceFile source(const json& j, const std::string& at) const {
        if (!j.is_object()) fail(at, "expected an object");
        SourceFile s;
        s.id = text(j, "id", at);
        s.title = text(j, "title", at, false);
        s.publisher = text(j, "publisher", at);
        s.licence = text(j, "licence", at);
        s.url = text(j, "url", at);
        if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0 && s.url.rfind("shared:", 0) != 0)
            fail(at + "/url", "expected an http(s):// or shared: URL, got '" + s.url + "'");
        s.file = text(j, "file", at);
        if (s.file.is_absolute() || s.file.lexically_normal().string().rfind("..", 0) == 0)
            fail(at + "/file", "must be a relative path inside the output folder");
        s.vintage = text(j, "vintage", at, false);
        if (j.contains("sha256") && !j["sha256"].is_null()) {
            const std::string h = text(j, "sha256", at);
            if (h.size() != 64 || !std::all_of(h.begin(), h.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
                fail(at + "/sha256", "expected 64 hexadecimal digits");
            s.sha256 = h;
            std::transform(s.sha256->begin(), s.sha256->end(), s.sha256->begin(), [](char c) { return std::tolower(c); });
        }
        if (j.contains("size") && !j["size"].is_null()) {
            if (!j["size"].is_number_unsigned()) fail(at + "/size", "expected a number of bytes");
            s.size = j["size"].get<std::uint64_t>();
        }
        return s;
    }

    DatasetRole role(const json& j, const std::string& at) const {
        const std::string r = text(j, "role", at);
        for (const auto& [role, name] : kRoles)
            if (r == name) return role;
        std::string known;
        for (const auto& [role, name] : kRoles) known += (known.empty() ? "" : ", ") + std::string(name);
        fail(at + "/role", "unknown role '" + r + "' (known: " + known + ")");
    }

private:
    std::filesystem::path file_;
};

} // namespace

const char* to_string(DatasetRole role) {
    for (const auto& [r, name] : kRoles)
        if (r == role) return name;
    return "?";
}

const Dataset* Sources::find(DatasetRole role) const {
    for (const auto& d : datasets)
        if (d.role == role) return &d;
    return nullptr;
}

Sources parse_sources(const json& j, const std::filesystem::path& file) {
    const Reader r(file);
    if (!j.is_object()) r.fail("", "expected a JSON object");
    Sources out;
    out.file = file;
    if (!j.contains("datasets") || !j["datasets"].is_array()) r.fail("/datasets", "expected an array");
    std::set<std::string> ids, files;
    auto unique = [&](const SourceFile& s, const std::string& at) {
        if (!ids.insert(s.id).second) r.fail(at + "/id", "duplicate id '" + s.id + "'");
        if (!files.insert(s.file.lexically_normal().string()).second) r.fail(at + "/file", "another entry writes " + s.file.string());
    };
    for (std::size_t i = 0; i < j["datasets"].size(); ++i) {
        const std::string at = "/datasets/" + std::to_string(i);
        const json& e = j["datasets"][i];
        Dataset d;
        d.source = r.source(e, at);
        unique(d.source, at);
        d.role = r.role(e, at);
        d.format = r.text(e, "format", at);
        if (e.contains("encoding")) d.encoding = r.text(e, "encoding", at);
        if (e.contains("columns")) {
            if (!e["columns"].is_array()) r.fail(at + "/columns", "expected an array of column names");
            for (const auto& c : e["columns"]) {
                if (!c.is_string()) r.fail(at + "/columns", "expected an array of column names");
                d.columns.push_back(c.get<std::string>());
            }
        }
        const bool lookup = d.role == DatasetRole::LadRegionLookup || d.role == DatasetRole::LadUpperTierLookup;
        if (lookup) {
            if (!e.contains("lookup") || !e["lookup"].is_object()) r.fail(at + "/lookup", "a lookup needs its column names");
            d.lookup = e["lookup"];
        } else {
            if (!e.contains("manifest") || !e["manifest"].is_object()) r.fail(at + "/manifest", "expected the manifest entry (an object)");
            d.manifest = e["manifest"];
            if (d.manifest.contains("path")) r.fail(at + "/manifest/path", "set by coldspot fetch; remove it");
        }
        out.datasets.push_back(std::move(d));
    }
    for (DatasetRole needed : {DatasetRole::LadRegionLookup, DatasetRole::LocalAuthorities})
        if (!out.find(needed)) r.fail("/datasets", std::string("no dataset with role ") + to_string(needed));
    if (j.contains("roads")) {
        const json& roads = j["roads"];
        if (roads.contains("extracts")) {
            for (std::size_t i = 0; i < roads["extracts"].size(); ++i) {
                const std::string at = "/roads/extracts/" + std::to_string(i);
                RoadExtract x;
                x.source = r.source(roads["extracts"][i], at);
                unique(x.source, at);
                const json& covers = roads["extracts"][i].value("covers_upper_tier", json::array());
                for (const auto& c : covers) x.covers_upper_tier.push_back(c.get<std::string>());
                if (x.covers_upper_tier.empty()) r.fail(at + "/covers_upper_tier", "list the upper-tier authority codes it covers");
                out.road_extracts.push_back(std::move(x));
            }
        }
        if (roads.contains("england")) {
            RoadExtract x;
            x.source = r.source(roads["england"], "/roads/england");
            unique(x.source, "/roads/england");
            out.national_roads = std::move(x);
        }
    }
    return out;
}

Sources read_sources(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw FileNotFoundError(InputLocation{file.string(), 0, ""}, "cannot open the sources file");
    json j;
    try {
        in >> j;
    } catch (const json::parse_error& e) {
        throw ManifestError(InputLocation{file.string(), 0, ""}, std::string("not valid JSON: ") + e.what());
    }
    return parse_sources(j, file);
}

} // namespace coldspot::geo::fetch
