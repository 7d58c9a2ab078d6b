// run_remits end to end on a workspace written from the strip fixture, and the errors that name
// the layer, row and field of bad input.
#include "workspace_fixture.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/remits/analysis.hpp"
#include "coldspot/geo/workspace.hpp"

#include <gtest/gtest.h>

namespace coldspot::test::remits {
namespace {

using namespace geo::remits;

RemitOptions options() {
    RemitOptions o;
    o.sliver_area_m2 = 5e6;
    return o;
}

const Feature& row_where(const FeatureTable& t, const std::string& field, const std::string& value) {
    const std::size_t i = t.require_field(field);
    for (const auto& f : t.features)
        if (geo::as_text(f.values[i]) == value) return f;
    throw std::runtime_error("no row with " + field + " = " + value + " in " + t.name);
}

TEST(RemitWorkspace, RunWritesResultLayersAndSchoolColumns) {
    TempDir tmp;
    const auto path = write_workspace(tmp, fixture_layers());
    run_remits(path, options());
    const geo::Workspace ws(path);
    for (const char* layer : {"school_remits", "remit_zones", "remit_gaps", "remit_overlaps", "remit_slivers", "hub_dashboard", "la_dashboard"})
        EXPECT_TRUE(ws.has_layer(layer)) << layer;

    const auto sr = ws.read("school_remits");
    EXPECT_EQ(sr.features.size(), 9u); // 1 + 2 + 2 + 1 + 2 + 1 memberships
    const auto zones = ws.read("remit_zones");
    ASSERT_EQ(zones.features.size(), 6u);
    const auto& overlap_zone = row_where(zones, "hub_ids", "tsh:T1;tsh:T2");
    EXPECT_NEAR(*geo::as_number(overlap_zone.values[zones.require_field("area_km2")]), 100, 1e-6);
    EXPECT_EQ(geo::as_text(overlap_zone.values[zones.require_field("pupils")]), "200");
    const auto slivers = ws.read("remit_slivers");
    EXPECT_EQ(slivers.features.size(), 2u);

    const auto schools = ws.read("schools");
    EXPECT_EQ(schools.features.size(), 7u);
    const auto& s1004 = row_where(schools, "urn", "1004");
    EXPECT_EQ(geo::as_text(s1004.values[schools.require_field("remit_lad_code")]), "E07000001");
    EXPECT_EQ(geo::as_text(s1004.values[schools.require_field("remit_placement")]), "boundary");
    EXPECT_EQ(geo::as_text(s1004.values[schools.require_field("hubs_tsh")]), "1");
    EXPECT_EQ(geo::as_text(s1004.values[schools.require_field("hubs_maths")]), "0");
    EXPECT_EQ(geo::as_text(s1004.values[schools.require_field("outside_hub_types")]), "maths");
    const auto& s1003 = row_where(schools, "urn", "1003");
    EXPECT_EQ(geo::as_text(s1003.values[schools.require_field("multi_hub_types")]), "tsh");
    const auto& s1007 = row_where(schools, "urn", "1007");
    EXPECT_TRUE(geo::is_null(s1007.values[schools.require_field("remit_lad_code")]));

    const auto ld = ws.read("la_dashboard");
    EXPECT_EQ(ld.features.size(), 10u); // 7 district rows + 3 upper-tier rows
    const auto hd = ws.read("hub_dashboard");
    const auto& t1 = row_where(hd, "hub_id", "tsh:T1");
    EXPECT_EQ(geo::as_text(t1.values[hd.require_field("authority_codes")]), "E07000001;E07000002");
    EXPECT_EQ(geo::as_text(t1.values[hd.require_field("shared_schools")]), "1");

    const auto runs = ws.read("analysis_runs");
    ASSERT_EQ(runs.features.size(), 1u);
    const std::string params = geo::as_text(runs.features[0].values[runs.require_field("parameters")]);
    EXPECT_NE(params.find("\"step\":\"remits\""), std::string::npos) << params;
    EXPECT_NE(params.find("\"sliver_area_m2\":5000000"), std::string::npos) << params;
    EXPECT_EQ(geo::as_text(runs.features[0].values[runs.require_field("schools")]), "6");

    // A second run replaces the columns rather than adding new ones, and appends a run.
    const std::size_t columns = schools.fields.size();
    run_remits(path, options());
    EXPECT_EQ(geo::Workspace(path).read("schools").fields.size(), columns);
    EXPECT_EQ(geo::Workspace(path).read("analysis_runs").features.size(), 2u);
}

TEST(RemitWorkspace, MissingLayerIsAWorkspaceError) {
    TempDir tmp;
    auto layers = fixture_layers();
    std::erase_if(layers, [](const FeatureTable& t) { return t.name == "hubs"; });
    const auto path = write_workspace(tmp, layers);
    try {
        run_remits(path, options());
        FAIL() << "expected WorkspaceError";
    } catch (const WorkspaceError& e) {
        EXPECT_NE(std::string(e.what()).find("'hubs'"), std::string::npos) << e.what();
    }
}

TEST(RemitWorkspace, MissingFieldNamesLayerAndField) {
    auto layers = fixture_layers();
    auto& hubs = layers[4];
    hubs.fields.erase(hubs.fields.begin() + 1); // hub_type
    for (auto& f : hubs.features) f.values.erase(f.values.begin() + 1);
    try {
        read_hubs(hubs, "ws.gpkg");
        FAIL() << "expected MissingColumnError";
    } catch (const MissingColumnError& e) {
        EXPECT_EQ(e.where().file, "ws.gpkg:hubs");
        EXPECT_EQ(e.where().field, "hub_type");
    }
}

TEST(RemitWorkspace, BadValuesNameTheRow) {
    auto layers = fixture_layers();
    auto& areas = layers[1];
    areas.features[1].values[3] = Value(std::int64_t{11});
    try {
        read_areas(areas, "ws.gpkg");
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(e.where().field, "imd_decile");
        EXPECT_NE(std::string(e.what()).find("fid 2"), std::string::npos) << e.what();
    }
    auto& hubs = layers[4];
    hubs.features[1].values[0] = hubs.features[0].values[0];
    EXPECT_THROW(read_hubs(hubs, "ws.gpkg"), InputError);
    auto& schools = layers[0];
    schools.features[0].values[3] = Value(std::int64_t{-5});
    EXPECT_THROW(read_schools(schools, "ws.gpkg"), InputError);
}

TEST(RemitWorkspace, FailedRunLeavesWorkspaceUntouched) {
    TempDir tmp;
    const auto path = write_workspace(tmp, fixture_layers());
    const auto before = std::filesystem::file_size(path);
    auto o = options();
    o.region = "Nowhere";
    EXPECT_THROW(run_remits(path, o), InvalidArgumentError);
    EXPECT_EQ(std::filesystem::file_size(path), before);
    EXPECT_FALSE(geo::Workspace(path).has_layer("remit_zones"));
}

} // namespace
} // namespace coldspot::test::remits
