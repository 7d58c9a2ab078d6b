// The synthetic demo region: determinism, the documented schema, valid polygons that tile the
// region exactly, schools in exactly one area and district, hubs that overlap and leave a gap, and
// a road network that libosmium reads back with the designed counts and tags.
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/demo/demo_region.hpp"
#include "coldspot/geo/demo/detail/perturbed_lattice.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/detail/wkb.hpp"
#include "coldspot/geo/workspace.hpp"
#include "test_support.hpp"

#include <osmium/handler.hpp>
#include <osmium/io/pbf_input.hpp>
#include <osmium/io/reader.hpp>
#include <osmium/osm/node.hpp>
#include <osmium/osm/way.hpp>
#include <osmium/visitor.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <numeric>
#include <regex>
#include <set>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::demo;

namespace {

// Generating and writing the region takes about a second; every test shares one copy.
class DemoFixture : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir();
        region_ = new DemoRegion(generate_demo_region());
        files_ = new DemoFiles(write_demo_region(*region_, *dir_ / "demo.gpkg", "2026-01-01T00:00:00Z"));
    }
    static void TearDownTestSuite() {
        delete files_;
        delete region_;
        delete dir_;
    }
    static const DemoRegion& region() { return *region_; }
    static const DemoFiles& files() { return *files_; }
    static FeatureTable read(const std::string& name) { return Workspace(files_->workspace).read(name); }

private:
    static inline test::TempDir* dir_ = nullptr;
    static inline DemoRegion* region_ = nullptr;
    static inline DemoFiles* files_ = nullptr;
};

std::string value_text(const FeatureTable& t, const Feature& f, const std::string& field) {
    return as_text(f.values[t.require_field(field)]);
}

double value_number(const FeatureTable& t, const Feature& f, const std::string& field) {
    return *as_number(f.values[t.require_field(field)]);
}

MultiPolygon polygon_of(const Feature& f) { return std::get<MultiPolygon>(f.geometry); }

MultiPolygon rectangle(const Box& b) {
    MultiPolygon mp;
    mp.resize(1);
    bg::convert(b, mp[0]);
    return mp;
}

/// Every feature as comparable bytes: fid, WKB and each value with its type.
std::vector<std::string> canonical(const FeatureTable& t) {
    std::vector<std::string> out;
    for (const auto& f : t.features) {
        std::ostringstream s;
        s << f.fid << '|';
        if (!std::holds_alternative<std::monostate>(f.geometry)) {
            const auto wkb = to_wkb(f.geometry);
            s.write(reinterpret_cast<const char*>(wkb.data()), static_cast<std::streamsize>(wkb.size()));
        }
        for (const auto& v : f.values) s << '|' << v.index() << ':' << as_text(v);
        out.push_back(s.str());
    }
    return out;
}

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// -- docs/workspace.md, read independently of the generator ---------------------------------------

struct DocumentedLayer {
    std::string geometry; ///< "Point", "MultiPolygon", "MultiLineString" or "attribute table"
    std::vector<std::string> fields;
    std::map<std::string, std::string> types; ///< from the table's type column, where there is one
};

/// Parses the "### `layer` (kind)" sections: field names are the first-column backticked names of
/// the section's table or, without a table, the backticked lower-case names of its first paragraph
/// that are not inside parentheses (those are examples, such as `UN1` or `income_score`).
std::map<std::string, DocumentedLayer> documented_layers() {
    std::ifstream in(test::source_dir() / "docs" / "workspace.md");
    std::map<std::string, DocumentedLayer> out;
    const std::regex heading(R"(^### `([a-z_]+)` \(([^)]*)\))");
    const std::regex name(R"(`([a-z_0-9]+)`)");
    std::string line, current;
    bool in_paragraph_done = false, has_table = false;
    int depth = 0; // parentheses may span lines within a paragraph
    while (std::getline(in, line)) {
        std::smatch m;
        if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) {
            current.clear();
            if (std::regex_search(line, m, heading)) {
                current = m[1];
                out[current].geometry = m[2];
                in_paragraph_done = has_table = false;
                depth = 0;
            }
            continue;
        }
        if (current.empty()) continue;
        auto& layer = out[current];
        if (line.rfind("|", 0) == 0) {
            if (!has_table) layer.fields.clear(); // a table wins over any prose before it
            has_table = true;
            std::vector<std::string> cells;
            std::stringstream ss(line.substr(1));
            std::string cell;
            while (std::getline(ss, cell, '|')) cells.push_back(cell);
            if (cells.size() < 2) continue;
            std::string type = cells[1];
            type.erase(0, type.find_first_not_of(' '));
            type = type.substr(0, type.find(' '));
            for (auto it = std::sregex_iterator(cells[0].begin(), cells[0].end(), name); it != std::sregex_iterator(); ++it) {
                layer.fields.push_back((*it)[1]);
                layer.types[(*it)[1]] = type;
            }
            continue;
        }
        if (has_table || in_paragraph_done) continue;
        if (line.empty()) {
            if (!layer.fields.empty()) in_paragraph_done = true;
            continue;
        }
        for (std::size_t i = 0; i < line.size(); ++i) {
            if (line[i] == '(') ++depth;
            else if (line[i] == ')') --depth;
            else if (line[i] == '`' && depth == 0) {
                const auto end = line.find('`', i + 1);
                const std::string word = line.substr(i + 1, end - i - 1);
                if (std::regex_match(word, std::regex("[a-z_0-9]+"))) layer.fields.push_back(word);
                i = end;
            }
        }
    }
    return out;
}

} // namespace

// -- Determinism ----------------------------------------------------------------------------------

TEST(DemoDeterminism, SameSeedGivesTheSameFeaturesAndAnotherSeedDoesNot) {
    const DemoRegion a = generate_demo_region();
    const DemoRegion b = generate_demo_region();
    ASSERT_EQ(a.layers.size(), b.layers.size());
    for (std::size_t k = 0; k < a.layers.size(); ++k) {
        SCOPED_TRACE(a.layers[k].name);
        EXPECT_EQ(a.layers[k].name, b.layers[k].name);
        EXPECT_EQ(canonical(a.layers[k]), canonical(b.layers[k]));
    }
    const DemoRegion other = generate_demo_region({.seed = 7});
    EXPECT_NE(canonical(a.layer("schools")), canonical(other.layer("schools")));
    EXPECT_NE(canonical(a.layer("areas")), canonical(other.layer("areas")));
}

TEST(DemoDeterminism, TwoWritesGiveIdenticalLayersAndAByteIdenticalPbf) {
    test::TempDir dir;
    const auto path = dir / "demo.gpkg";
    const auto region = generate_demo_region();
    write_demo_region(region, path, "2026-01-01T00:00:00Z");
    const std::string pbf1 = file_bytes(demo_pbf_path(path));
    std::map<std::string, std::vector<std::string>> first;
    for (const auto& info : Workspace(path).layers()) first[info.name] = canonical(Workspace(path).read(info.name));
    // A fresh generation, written over the first: replaced atomically, same content.
    write_demo_region(generate_demo_region(), path, "2026-01-01T00:00:00Z");
    EXPECT_EQ(file_bytes(demo_pbf_path(path)), pbf1);
    std::size_t compared = 0;
    for (const auto& info : Workspace(path).layers()) {
        SCOPED_TRACE(info.name);
        ASSERT_TRUE(first.count(info.name));
        EXPECT_EQ(canonical(Workspace(path).read(info.name)), first[info.name]);
        ++compared;
    }
    EXPECT_EQ(compared, first.size());
    EXPECT_EQ(compared, 12u); // 10 generated layers (ecf_participation too), provenance, import_report
    // Nothing but the workspace and the PBF is left in the folder (no temporary files).
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) names.insert(e.path().filename().string());
    EXPECT_EQ(names, (std::set<std::string>{"demo.gpkg", "demo.osm.pbf"}));
}

TEST_F(DemoFixture, WorkspaceHoldsExactlyWhatWasGenerated) {
    for (const auto& t : region().layers) {
        SCOPED_TRACE(t.name);
        const FeatureTable back = read(t.name);
        ASSERT_EQ(back.fields.size(), t.fields.size());
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            EXPECT_EQ(back.fields[i].name, t.fields[i].name);
            EXPECT_EQ(back.fields[i].type, t.fields[i].type);
        }
        EXPECT_EQ(canonical(back), canonical(t));
    }
}

// -- Schema and labelling -------------------------------------------------------------------------

TEST(DemoDocs, ParserFindsTheDocumentedLayers) {
    // Guards the parser below: if docs/workspace.md changes shape, this fails rather than the
    // schema test silently checking nothing.
    const auto docs = documented_layers();
    for (const char* layer : {"schools", "areas", "local_authorities", "upper_tier_authorities", "hubs", "hub_districts",
                              "hub_venues", "roads", "provenance", "import_report"})
        EXPECT_TRUE(docs.count(layer)) << layer;
    EXPECT_EQ(docs.at("local_authorities").fields, (std::vector<std::string>{"code", "name", "region", "area_km2"}));
    EXPECT_EQ(docs.at("roads").fields, (std::vector<std::string>{"highway", "oneway", "maxspeed_kph", "length_m"}));
    EXPECT_EQ(docs.at("schools").types.at("fsm_percent"), "real");
}

TEST_F(DemoFixture, EveryDocumentedLayerIsPresentWithExactlyTheDocumentedFields) {
    const auto docs = documented_layers();
    const Workspace ws(files().workspace);
    for (const auto& [name, doc] : docs) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(ws.has_layer(name));
        const FeatureTable t = ws.read(name);
        std::vector<std::string> fields;
        for (const auto& f : t.fields) fields.push_back(f.name);
        EXPECT_EQ(fields, doc.fields);
        for (const auto& f : t.fields) {
            if (!doc.types.count(f.name)) continue;
            const std::string& type = doc.types.at(f.name);
            const FieldType expected = type == "integer" ? FieldType::Integer : type == "real" ? FieldType::Real : FieldType::String;
            EXPECT_EQ(f.type, expected) << f.name;
        }
        if (doc.geometry == "attribute table") {
            EXPECT_EQ(t.geometry_type, GeometryType::None);
        } else {
            EXPECT_EQ(to_string(t.geometry_type), doc.geometry);
            EXPECT_EQ(t.epsg, 27700);
        }
        EXPECT_FALSE(t.features.empty());
    }
}

TEST_F(DemoFixture, EveryLayerIsLabelledSyntheticAndUsesFictionalCodes) {
    for (const auto& info : Workspace(files().workspace).layers()) {
        SCOPED_TRACE(info.name);
        EXPECT_NE(info.description.find("SYNTHETIC DEMO DATA"), std::string::npos) << info.description;
        EXPECT_NE(info.description.find("Demoshire"), std::string::npos);
    }
    // Real URNs are 6 digits below 160000; real LSOA codes stop near E01036000.
    const auto schools = read("schools");
    for (const auto& f : schools.features) EXPECT_GE(f.fid, 900000);
    const auto areas = read("areas");
    for (const auto& f : areas.features) EXPECT_EQ(value_text(areas, f, "code").rfind("E0199", 0), 0u);
}

TEST_F(DemoFixture, FidOfASchoolIsItsUrnAndXyRepeatTheGeometry) {
    const auto schools = read("schools");
    for (const auto& f : schools.features) {
        EXPECT_EQ(f.fid, static_cast<std::int64_t>(value_number(schools, f, "urn")));
        const Point p = std::get<Point>(f.geometry);
        EXPECT_EQ(p.x(), value_number(schools, f, "x"));
        EXPECT_EQ(p.y(), value_number(schools, f, "y"));
    }
}

// -- Polygons -------------------------------------------------------------------------------------

TEST_F(DemoFixture, EveryPolygonIsValid) {
    for (const char* layer : {"areas", "local_authorities", "upper_tier_authorities", "hubs"}) {
        const auto t = read(layer);
        for (const auto& f : t.features) EXPECT_EQ(invalid_reason(polygon_of(f)), "") << layer << " fid " << f.fid;
    }
}

TEST_F(DemoFixture, AreasTileTheRegionExactly) {
    const auto areas = read("areas");
    const MultiPolygon region_polygon = rectangle(region().bounds);
    const double region_area = bg::area(region_polygon);
    EXPECT_DOUBLE_EQ(region_area, 48000.0 * 36000.0); // the designed 48 km x 36 km
    double sum = 0;
    std::vector<MultiPolygon> parts;
    for (const auto& f : areas.features) {
        sum += bg::area(polygon_of(f));
        EXPECT_NEAR(value_number(areas, f, "area_km2"), bg::area(polygon_of(f)) / 1e6, 1e-9);
        parts.push_back(polygon_of(f));
    }
    // Sum of areas == region area and union == region together rule out both gaps and overlaps.
    EXPECT_NEAR(sum, region_area, region_area * 1e-12);
    const MultiPolygon all = union_all(parts);
    EXPECT_NEAR(bg::area(all), region_area, region_area * 1e-12);
    EXPECT_LT(bg::area(difference(region_polygon, all)), 1e-3);
    EXPECT_LT(bg::area(difference(all, region_polygon)), 1e-3);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].inners().empty());
    EXPECT_GE(areas.features.size(), 500u);
    EXPECT_LE(areas.features.size(), 1200u);
}

TEST_F(DemoFixture, DistrictsAndUpperTiersAreMadeOfWholeAreas) {
    const auto areas = read("areas");
    const auto districts = read("local_authorities");
    const auto tiers = read("upper_tier_authorities");
    ASSERT_EQ(districts.features.size(), 5u);
    ASSERT_EQ(tiers.features.size(), 2u);
    std::map<std::string, std::vector<MultiPolygon>> by_district;
    for (const auto& f : areas.features) by_district[value_text(areas, f, "lad_code")].push_back(polygon_of(f));
    double district_sum = 0;
    for (const auto& d : districts.features) {
        const std::string code = value_text(districts, d, "code");
        SCOPED_TRACE(code);
        const MultiPolygon from_areas = union_all(by_district.at(code));
        const MultiPolygon district = polygon_of(d);
        EXPECT_LT(bg::area(difference(district, from_areas)) + bg::area(difference(from_areas, district)), 1e-3);
        district_sum += bg::area(district);
    }
    EXPECT_NEAR(district_sum, bg::area(rectangle(region().bounds)), 1.0);
    // The unitary is its own upper tier; the county is the other four districts.
    double tier_sum = 0;
    for (const auto& u : tiers.features) tier_sum += bg::area(polygon_of(u));
    EXPECT_NEAR(tier_sum, district_sum, 1.0);
    std::set<std::string> tier_codes;
    for (const auto& u : tiers.features) tier_codes.insert(value_text(tiers, u, "code"));
    EXPECT_EQ(tier_codes, (std::set<std::string>{"E06999901", "E10999901"}));
}

TEST_F(DemoFixture, DeprivationRanksAndDecilesFollowTheScores) {
    const auto areas = read("areas");
    const auto n = static_cast<double>(areas.features.size());
    std::vector<std::pair<double, double>> score_rank;
    std::map<std::int64_t, int> per_decile;
    for (const auto& f : areas.features) {
        const double rank = value_number(areas, f, "imd_rank");
        score_rank.emplace_back(value_number(areas, f, "imd_score"), rank);
        const auto decile = static_cast<std::int64_t>(value_number(areas, f, "imd_decile"));
        EXPECT_EQ(decile, 1 + static_cast<std::int64_t>((rank - 1) * 10 / n));
        ++per_decile[decile];
        const std::string ruc = value_text(areas, f, "ruc_code");
        EXPECT_EQ(value_number(areas, f, "rural"), ruc[0] == 'R' ? 1.0 : 0.0);
    }
    std::sort(score_rank.begin(), score_rank.end(), [](auto a, auto b) { return a.second < b.second; });
    for (std::size_t k = 0; k < score_rank.size(); ++k) {
        EXPECT_EQ(score_rank[k].second, static_cast<double>(k + 1)); // ranks are 1..n once each
        if (k > 0) {
            EXPECT_GE(score_rank[k - 1].first, score_rank[k].first); // rank 1 = most deprived
        }
    }
    EXPECT_EQ(per_decile.size(), 10u);
}

// -- Schools --------------------------------------------------------------------------------------

TEST_F(DemoFixture, EverySchoolIsInsideExactlyOneAreaAndOneDistrict) {
    const auto schools = read("schools");
    const auto areas = read("areas");
    const auto districts = read("local_authorities");
    std::vector<PreparedPolygon> area_index, district_index;
    for (const auto& f : areas.features) area_index.emplace_back(polygon_of(f));
    for (const auto& f : districts.features) district_index.emplace_back(polygon_of(f));
    for (const auto& s : schools.features) {
        const Point p = std::get<Point>(s.geometry);
        std::vector<std::size_t> in_area, in_district;
        for (std::size_t k = 0; k < area_index.size(); ++k)
            if (area_index[k].covers(p)) in_area.push_back(k);
        for (std::size_t k = 0; k < district_index.size(); ++k)
            if (district_index[k].covers(p)) in_district.push_back(k);
        ASSERT_EQ(in_area.size(), 1u) << "URN " << s.fid;
        ASSERT_EQ(in_district.size(), 1u) << "URN " << s.fid;
        EXPECT_TRUE(area_index[in_area[0]].contains(p)) << "URN " << s.fid << " is on an area boundary";
        // The codes the schools layer gives agree with point-in-polygon.
        EXPECT_EQ(value_text(schools, s, "lsoa_code"), value_text(areas, areas.features[in_area[0]], "code"));
        EXPECT_EQ(value_text(schools, s, "lad_code"), value_text(districts, districts.features[in_district[0]], "code"));
    }
}

TEST_F(DemoFixture, SchoolsAreAFewHundredOfSeveralPhasesWithTrustsAndNulls) {
    const auto schools = read("schools");
    EXPECT_GE(schools.features.size(), 200u);
    EXPECT_LE(schools.features.size(), 400u);
    std::map<std::string, int> phases;
    int with_trust = 0, null_fsm = 0;
    std::set<std::int64_t> urns;
    for (const auto& f : schools.features) {
        ++phases[value_text(schools, f, "phase")];
        with_trust += !is_null(f.values[schools.require_field("trust_name")]);
        null_fsm += is_null(f.values[schools.require_field("fsm_percent")]);
        // A trust name comes with its uid and never without.
        EXPECT_EQ(is_null(f.values[schools.require_field("trust_name")]), is_null(f.values[schools.require_field("trust_uid")]));
        EXPECT_TRUE(urns.insert(f.fid).second);
        EXPECT_EQ(value_text(schools, f, "status"), "Open");
    }
    for (const char* phase : {"Primary", "Secondary", "Nursery", "16 plus", "All-through", "Not applicable",
                              "Middle deemed primary", "Middle deemed secondary"})
        EXPECT_GT(phases[phase], 0) << phase;
    EXPECT_GT(phases["Primary"], phases["Secondary"]);
    EXPECT_GT(with_trust, 0);
    EXPECT_LT(with_trust, static_cast<int>(schools.features.size()));
    EXPECT_EQ(null_fsm, phases["16 plus"]); // FSM is not published for 16-19 institutions
}

TEST_F(DemoFixture, ImportReportAndProvenanceDescribeTheDemo) {
    const auto report = read("import_report");
    ASSERT_EQ(report.features.size(), 2u);
    const auto schools = read("schools");
    const std::string rejected = value_text(report, report.features[0], "key");
    // The rejected school is reported, not in the layer.
    for (const auto& f : schools.features) EXPECT_NE(std::to_string(f.fid), rejected);
    EXPECT_EQ(value_text(report, report.features[0], "action"), "rejected");

    const auto provenance = read("provenance");
    std::map<std::string, const Feature*> rows;
    for (const auto& f : provenance.features) rows[value_text(provenance, f, "dataset")] = &f;
    ASSERT_TRUE(rows.count("roads"));
    EXPECT_EQ(value_number(provenance, *rows["roads"], "size_bytes"),
              static_cast<double>(std::filesystem::file_size(files().osm_pbf)));
    const auto& s = *rows.at("schools");
    EXPECT_EQ(value_number(provenance, s, "rows_kept"), static_cast<double>(schools.features.size()));
    EXPECT_EQ(value_number(provenance, s, "rows_rejected"), 1.0);
    EXPECT_EQ(value_number(provenance, s, "rows_read"), static_cast<double>(schools.features.size() + 1));
    for (const auto& f : provenance.features) {
        EXPECT_EQ(value_text(provenance, f, "imported_at"), "2026-01-01T00:00:00Z");
        EXPECT_EQ(value_text(provenance, f, "sha256").size(), 64u);
    }
}

// -- Hubs -----------------------------------------------------------------------------------------

TEST_F(DemoFixture, TeachingSchoolHubsOverlapInOneDistrictAndLeaveAnotherUncovered) {
    const auto hubs = read("hubs");
    const auto districts = read("local_authorities");
    std::map<std::string, MultiPolygon> district_by_code, hub_by_id;
    for (const auto& d : districts.features) district_by_code[value_text(districts, d, "code")] = polygon_of(d);
    std::set<std::string> types;
    for (const auto& h : hubs.features) {
        hub_by_id[value_text(hubs, h, "hub_id")] = polygon_of(h);
        types.insert(value_text(hubs, h, "hub_type"));
        // The footprint is the dissolve of the listed districts.
        std::vector<MultiPolygon> parts;
        std::stringstream list(value_text(hubs, h, "districts"));
        for (std::string code; std::getline(list, code, ';');) parts.push_back(district_by_code.at(code));
        const MultiPolygon dissolved = union_all(parts);
        EXPECT_LT(bg::area(difference(polygon_of(h), dissolved)) + bg::area(difference(dissolved, polygon_of(h))), 1e-3);
        EXPECT_NEAR(value_number(hubs, h, "area_km2"), bg::area(polygon_of(h)) / 1e6, 1e-9);
    }
    EXPECT_EQ(types, (std::set<std::string>{"maths hub", "teaching school hub"}));
    const MultiPolygon& dm1 = hub_by_id.at("teaching-school-hub:DM1");
    const MultiPolygon& dm2 = hub_by_id.at("teaching-school-hub:DM2");
    // By design the overlap is exactly Demoton (E07999902) and the gap exactly Fennick (E07999904).
    EXPECT_NEAR(bg::area(intersection(dm1, dm2)), bg::area(district_by_code.at("E07999902")), 1.0);
    const MultiPolygon gap = difference(difference(rectangle(region().bounds), dm1), dm2);
    EXPECT_NEAR(bg::area(gap), bg::area(district_by_code.at("E07999904")), 1.0);
    // Maths hubs cover everything and overlap in the city.
    const MultiPolygon& mh1 = hub_by_id.at("maths-hub:MH1");
    const MultiPolygon& mh2 = hub_by_id.at("maths-hub:MH2");
    EXPECT_NEAR(bg::area(union_all({mh1, mh2})), bg::area(rectangle(region().bounds)), 1.0);
    EXPECT_NEAR(bg::area(intersection(mh1, mh2)), bg::area(district_by_code.at("E06999901")), 1.0);
    // Schools fall in the gap, so a remit analysis has something to find.
    const PreparedPolygon gap_index(gap);
    int in_gap = 0;
    const auto schools = read("schools");
    for (const auto& s : schools.features) in_gap += gap_index.covers(std::get<Point>(s.geometry));
    EXPECT_GT(in_gap, 5);
}

TEST_F(DemoFixture, HubDistrictsAndVenuesAgreeWithTheHubs) {
    const auto hubs = read("hubs");
    const auto links = read("hub_districts");
    const auto venues = read("hub_venues");
    const auto schools = read("schools");
    std::map<std::int64_t, Point> school_at;
    for (const auto& s : schools.features) school_at[s.fid] = std::get<Point>(s.geometry);
    for (const auto& h : hubs.features) {
        const std::string id = value_text(hubs, h, "hub_id");
        SCOPED_TRACE(id);
        std::string all, partial;
        for (const auto& l : links.features) {
            if (value_text(links, l, "hub_id") != id) continue;
            const std::string code = value_text(links, l, "lad_code");
            all += (all.empty() ? "" : ";") + code;
            if (value_text(links, l, "part") != "whole") partial += (partial.empty() ? "" : ";") + code;
        }
        EXPECT_EQ(all, value_text(hubs, h, "districts"));
        EXPECT_EQ(partial, value_text(hubs, h, "partial_districts"));
        EXPECT_FALSE(partial.empty()); // every demo hub shares a district with its sibling
        const auto lead = static_cast<std::int64_t>(value_number(hubs, h, "lead_urn"));
        ASSERT_TRUE(school_at.count(lead));
        const PreparedPolygon footprint(polygon_of(h));
        int lead_venues = 0;
        for (const auto& v : venues.features) {
            if (value_text(venues, v, "hub_id") != id) continue;
            EXPECT_TRUE(footprint.covers(std::get<Point>(v.geometry)));
            if (value_text(venues, v, "kind") == "lead school") {
                ++lead_venues;
                EXPECT_EQ(static_cast<std::int64_t>(value_number(venues, v, "urn")), lead);
                EXPECT_TRUE(bg::equals(std::get<Point>(v.geometry), school_at.at(lead)));
            }
        }
        EXPECT_EQ(lead_venues, 1);
    }
    int without_urn = 0;
    for (const auto& v : venues.features) without_urn += is_null(v.values[venues.require_field("urn")]);
    EXPECT_EQ(without_urn, 2); // the two maths centres
}

// -- Roads ----------------------------------------------------------------------------------------

namespace {

struct PbfContents : osmium::handler::Handler {
    std::map<std::int64_t, osmium::Location> nodes;
    struct Way {
        std::vector<std::int64_t> refs;
        std::map<std::string, std::string> tags;
    };
    std::map<std::int64_t, Way> ways;
    void node(const osmium::Node& n) { nodes[n.id()] = n.location(); }
    void way(const osmium::Way& w) {
        Way out;
        for (const auto& r : w.nodes()) out.refs.push_back(r.ref());
        for (const auto& t : w.tags()) out.tags[t.key()] = t.value();
        ways[w.id()] = std::move(out);
    }
};

PbfContents read_pbf(const std::filesystem::path& path) {
    PbfContents contents;
    osmium::io::Reader reader{path.string()};
    osmium::apply(reader, contents);
    reader.close();
    return contents;
}

} // namespace

TEST_F(DemoFixture, PbfReadBackWithLibosmiumHasTheDesignedWaysAndTags) {
    const PbfContents pbf = read_pbf(files().osm_pbf);
    std::map<std::string, int> by_highway;
    std::map<std::string, int> oneway_tags;
    for (const auto& [id, w] : pbf.ways) {
        ++by_highway[w.tags.at("highway")];
        if (w.tags.count("oneway")) ++oneway_tags[w.tags.at("highway") + "=" + w.tags.at("oneway")];
        EXPECT_EQ(w.tags.count("maxspeed"), w.tags.at("highway") == "unclassified" ? 0u : 1u) << "way " << id;
        for (auto ref : w.refs) EXPECT_TRUE(pbf.nodes.count(ref)) << "way " << id << " node " << ref;
    }
    // Lanes: one for each school farther than 300 m from every street and primary-road node,
    // recounted here from the PBF itself.
    const CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    std::vector<Point> street_nodes;
    for (const auto& [id, w] : pbf.ways) {
        const std::string& highway = w.tags.at("highway");
        if (highway == "unclassified" || highway == "motorway" || highway == "motorway_link") continue;
        for (auto ref : w.refs) street_nodes.push_back(to_bng(Point{pbf.nodes.at(ref).lon(), pbf.nodes.at(ref).lat()}));
    }
    int far_schools = 0;
    for (const auto& s : read("schools").features) {
        double nearest = 1e12;
        for (const auto& p : street_nodes) nearest = std::min(nearest, bg::distance(p, std::get<Point>(s.geometry)));
        far_schools += nearest > 300.0;
    }
    EXPECT_GT(far_schools, 20);
    // The design (docs/demo.md): six towns with street grids of 2k+1 lines each way, k = 7, 4, 3,
    // 2, 2, 1, the central two being tertiary: 2 x (15+9+7+5+5+3) = 88 town ways, 12 of them
    // tertiary. Seven primary roads between towns plus two link roads to motorway junctions; two
    // carriageways; two slip roads per junction and one turn at each end of the map.
    EXPECT_EQ(by_highway["tertiary"], 12);
    EXPECT_EQ(by_highway["residential"], 76);
    EXPECT_EQ(by_highway["primary"], 9);
    EXPECT_EQ(by_highway["motorway"], 2);
    EXPECT_EQ(by_highway["motorway_link"], 6);
    EXPECT_EQ(by_highway["unclassified"], far_schools);
    EXPECT_EQ(pbf.ways.size(), 88u + 9u + 2u + 6u + static_cast<std::size_t>(far_schools));
    // One street each way in the five towns with k >= 2; both carriageways; every slip road.
    EXPECT_EQ(oneway_tags["residential=yes"], 5);
    EXPECT_EQ(oneway_tags["residential=-1"], 5);
    EXPECT_EQ(oneway_tags["motorway=yes"], 2);
    EXPECT_EQ(oneway_tags["motorway_link=no"], 6);
    // Nodes: grids (15^2+9^2+7^2+5^2+5^2+3^2 = 414), carriageways 2 x 37 (one a kilometre over
    // 36 km), 2 junctions, one per lane, plus the intermediate nodes of the primary roads.
    std::size_t intermediate = 0;
    for (const auto& [id, w] : pbf.ways) {
        if (w.tags.at("highway") != "primary") continue;
        intermediate += w.refs.size() - 2;
    }
    EXPECT_EQ(pbf.nodes.size(), 414u + 74u + 2u + static_cast<std::size_t>(far_schools) + intermediate);
    EXPECT_GT(intermediate, 60u);
}

TEST_F(DemoFixture, RoadsLayerAgreesWithThePbfReprojectedByProj) {
    const PbfContents pbf = read_pbf(files().osm_pbf);
    const auto roads = read("roads");
    ASSERT_EQ(roads.features.size(), pbf.ways.size());
    const CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    for (const auto& f : roads.features) {
        const auto& w = pbf.ways.at(f.fid);
        EXPECT_EQ(value_text(roads, f, "highway"), w.tags.at("highway"));
        const std::string oneway = w.tags.count("oneway") ? w.tags.at("oneway") : "";
        EXPECT_EQ(value_number(roads, f, "oneway"), oneway == "yes" ? 1.0 : oneway == "-1" ? -1.0 : 0.0);
        const auto& speed = f.values[roads.require_field("maxspeed_kph")];
        if (!w.tags.count("maxspeed")) {
            EXPECT_TRUE(is_null(speed));
        } else if (w.tags.at("maxspeed") == "70 mph") {
            EXPECT_DOUBLE_EQ(*as_number(speed), 112.65408);
        } else if (w.tags.at("maxspeed") == "20 mph") {
            EXPECT_DOUBLE_EQ(*as_number(speed), 32.18688);
        }
        // Length from the PBF's WGS84 nodes, projected by PROJ: within OSM's 1e-7 degree rounding.
        const auto& line = std::get<MultiLineString>(f.geometry);
        ASSERT_EQ(line.size(), 1u);
        ASSERT_EQ(line[0].size(), w.refs.size());
        double length = 0;
        Point previous{0, 0};
        for (std::size_t k = 0; k < w.refs.size(); ++k) {
            const auto& loc = pbf.nodes.at(w.refs[k]);
            const Point p = to_bng(Point{loc.lon(), loc.lat()});
            EXPECT_NEAR(p.x(), line[0][k].x(), 0.02);
            EXPECT_NEAR(p.y(), line[0][k].y(), 0.02);
            if (k) length += std::hypot(p.x() - previous.x(), p.y() - previous.y());
            previous = p;
        }
        EXPECT_NEAR(value_number(roads, f, "length_m"), length, 0.05 * static_cast<double>(w.refs.size()));
    }
}

TEST_F(DemoFixture, RoadNetworkIsStronglyConnectedAndReachesEverySchool) {
    const PbfContents pbf = read_pbf(files().osm_pbf);
    // Directed edges as OSM's oneway tags define them; every node must reach, and be reached from,
    // node 1 (so a router needs to prune nothing).
    std::map<std::int64_t, std::vector<std::int64_t>> forward, backward;
    for (const auto& [id, w] : pbf.ways) {
        const std::string oneway = w.tags.count("oneway") ? w.tags.at("oneway") : "";
        for (std::size_t k = 1; k < w.refs.size(); ++k) {
            const auto a = w.refs[k - 1], b = w.refs[k];
            if (oneway != "-1") forward[a].push_back(b), backward[b].push_back(a);
            if (oneway != "yes") forward[b].push_back(a), backward[a].push_back(b);
        }
    }
    auto reached = [&](const std::map<std::int64_t, std::vector<std::int64_t>>& edges) {
        std::set<std::int64_t> seen{1};
        std::vector<std::int64_t> stack{1};
        while (!stack.empty()) {
            const auto n = stack.back();
            stack.pop_back();
            if (!edges.count(n)) continue;
            for (auto next : edges.at(n))
                if (seen.insert(next).second) stack.push_back(next);
        }
        return seen.size();
    };
    EXPECT_EQ(reached(forward), pbf.nodes.size());
    EXPECT_EQ(reached(backward), pbf.nodes.size());
    // Every school has a road node within 300 m (its lane's end is 50 m away).
    const CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    std::vector<Point> nodes;
    for (const auto& [node, loc] : pbf.nodes) nodes.push_back(to_bng(Point{loc.lon(), loc.lat()}));
    for (const auto& s : read("schools").features) {
        double nearest = 1e12;
        for (const auto& p : nodes) nearest = std::min(nearest, bg::distance(p, std::get<Point>(s.geometry)));
        EXPECT_LE(nearest, 300.0) << "URN " << s.fid;
    }
    // Every node inside the region (the motorway's end nodes lie on its edge: allow OSM's rounding).
    Box region_and_rounding = region().bounds;
    bg::set<bg::min_corner, 0>(region_and_rounding, bg::get<bg::min_corner, 0>(region_and_rounding) - 0.02);
    bg::set<bg::min_corner, 1>(region_and_rounding, bg::get<bg::min_corner, 1>(region_and_rounding) - 0.02);
    bg::set<bg::max_corner, 0>(region_and_rounding, bg::get<bg::max_corner, 0>(region_and_rounding) + 0.02);
    bg::set<bg::max_corner, 1>(region_and_rounding, bg::get<bg::max_corner, 1>(region_and_rounding) + 0.02);
    for (const auto& [node, loc] : pbf.nodes)
        EXPECT_TRUE(bg::covered_by(to_bng(Point{loc.lon(), loc.lat()}), region_and_rounding)) << node;
}

// -- Building blocks ------------------------------------------------------------------------------

TEST(DemoLattice, SquaresOfMixedSizesShareEveryBorderVertex) {
    detail::DemoRandom random(1);
    const PerturbedLattice lattice(Point{0, 0}, 10.0, 4, 4, 0.3, random);
    // A 2x2 square beside two 1x1 squares: the big one's east side passes through the vertex the
    // small ones share, so there is no T-junction.
    const MultiPolygon big = lattice.square(0, 0, 2);
    const MultiPolygon a = lattice.square(2, 0, 1);
    const MultiPolygon b = lattice.square(2, 1, 1);
    const MultiPolygon east = lattice.square(3, 0, 1);
    const MultiPolygon north_east = lattice.square(3, 1, 1);
    EXPECT_EQ(big[0].outer().size(), 9u); // 8 border vertices, closed
    const Point shared = lattice.vertex(2, 1);
    auto has = [&](const MultiPolygon& g) { return std::any_of(g[0].outer().begin(), g[0].outer().end(), [&](const Point& p) { return bg::equals(p, shared); }); };
    EXPECT_TRUE(has(big));
    EXPECT_TRUE(has(a));
    EXPECT_TRUE(has(b));
    EXPECT_EQ(invalid_reason(big), "");
    // Together with the northern half they tile the 40 x 40 lattice exactly.
    EXPECT_NEAR(bg::area(big) + bg::area(a) + bg::area(b) + bg::area(east) + bg::area(north_east) +
                    bg::area(lattice.square(0, 2, 2)) + bg::area(lattice.square(2, 2, 2)),
                1600.0, 1e-9);
    // Border vertices stay on the border; corners stay put.
    EXPECT_EQ(lattice.vertex(0, 0).x(), 0.0);
    EXPECT_EQ(lattice.vertex(0, 3).x(), 0.0);
    EXPECT_EQ(lattice.vertex(4, 4).y(), 40.0);
    EXPECT_THROW(lattice.square(3, 3, 2), InvalidArgumentError);
    EXPECT_THROW(PerturbedLattice(Point{0, 0}, 10.0, 4, 4, 0.4, random), InvalidArgumentError);
}

TEST(DemoRoadTags, OnewayAndMaxspeedFollowOsmConventions) {
    EXPECT_EQ(oneway_direction("yes"), 1);
    EXPECT_EQ(oneway_direction("-1"), -1);
    EXPECT_EQ(oneway_direction("no"), 0);
    EXPECT_EQ(oneway_direction(""), 0);
    EXPECT_DOUBLE_EQ(maxspeed_kph("30 mph"), 48.28032);
    EXPECT_DOUBLE_EQ(maxspeed_kph("50"), 50.0);
    EXPECT_DOUBLE_EQ(maxspeed_kph("50 km/h"), 50.0);
    EXPECT_LT(maxspeed_kph("national"), 0);
    EXPECT_LT(maxspeed_kph("30 knots"), 0);
    RoadNetwork n;
    const auto a = n.add_node(Point{0, 0});
    EXPECT_THROW(n.add_way({a}, "residential"), InvalidArgumentError);
    EXPECT_THROW(n.add_way({a, 99}, "residential"), InvalidArgumentError);
}

TEST(DemoWrite, MissingFolderThrowsWorkspaceErrorAndLeavesNothing) {
    test::TempDir dir;
    const auto region = generate_demo_region();
    EXPECT_THROW(write_demo_region(region, dir / "no-such-folder" / "demo.gpkg", "2026-01-01T00:00:00Z"), WorkspaceError);
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}
