// The model's typed records and their adapters: a school_access row written through the model and
// read back is the same row, its schema and values line up by name, and bad layers give the exact
// error types, naming the layer, row and field.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/records.hpp"
#include "coldspot/geo/model/school_access.hpp"

#include <gtest/gtest.h>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

/// An own_hub row: every optional field set, values chosen by hand.
model::SchoolAccess own_hub_row() {
    model::SchoolAccess r;
    r.urn = SchoolUrn(100986);
    r.hub_type = "teaching school hub";
    r.role = model::access_role::own_hub;
    r.hub_id = "teaching-school-hub:EE1";
    r.venue = "Lead School";
    r.venue_fid = 7;
    r.minutes = Minutes(12.5);
    r.metres = Metres(9100);
    r.method = "road";
    r.snap_m = Metres(35);
    r.snap_flag = "ok";
    r.nearest_minutes = Minutes(4.25);
    r.own_hub_much_farther = true;
    r.location = Point(530000, 180000);
    return r;
}

const Value& field(const FeatureTable& t, const Feature& f, const char* name) {
    return f.values.at(t.require_field(name));
}

TEST(ModelRecords, SchoolAccessSchemaAndValuesLineUpByName) {
    FeatureTable t = model::school_access_layer();
    EXPECT_EQ(t.name, "school_access");
    EXPECT_EQ(t.geometry_type, GeometryType::Point);
    ASSERT_EQ(t.fields.size(), 13U);
    const Feature f = model::to_feature(own_hub_row(), 3);
    ASSERT_EQ(f.values.size(), t.fields.size());
    EXPECT_EQ(f.fid, 3);
    EXPECT_EQ(std::get<std::int64_t>(field(t, f, "urn")), 100986);
    EXPECT_EQ(std::get<std::string>(field(t, f, "role")), "own_hub");
    EXPECT_EQ(std::get<std::string>(field(t, f, "hub_id")), "teaching-school-hub:EE1");
    EXPECT_EQ(std::get<std::int64_t>(field(t, f, "venue_fid")), 7);
    EXPECT_DOUBLE_EQ(std::get<double>(field(t, f, "minutes")), 12.5);
    EXPECT_DOUBLE_EQ(std::get<double>(field(t, f, "metres")), 9100);
    EXPECT_DOUBLE_EQ(std::get<double>(field(t, f, "snap_m")), 35);
    EXPECT_DOUBLE_EQ(std::get<double>(field(t, f, "nearest_minutes")), 4.25);
    EXPECT_EQ(std::get<std::int64_t>(field(t, f, "own_hub_much_farther")), 1);
    EXPECT_EQ(t.fields[t.require_field("own_hub_much_farther")].type, FieldType::Integer);
    EXPECT_EQ(t.fields[t.require_field("minutes")].type, FieldType::Real);
}

TEST(ModelRecords, SchoolAccessWithNoVenueHasNullsWhereTheVenueWouldBe) {
    model::SchoolAccess r;
    r.urn = SchoolUrn(1);
    r.hub_type = "maths hub";
    r.role = model::access_role::nearest;
    r.method = "none";
    r.snap_flag = "no_road";
    const FeatureTable t = model::school_access_layer();
    const Feature f = model::to_feature(r, 1);
    for (const char* name : {"hub_id", "venue", "venue_fid", "minutes", "metres", "snap_m", "nearest_minutes",
                             "own_hub_much_farther"})
        EXPECT_TRUE(is_null(field(t, f, name))) << name;
}

TEST(ModelRecords, SchoolAccessReadsBackWhatWasWritten) {
    FeatureTable t = model::school_access_layer();
    model::SchoolAccess nearest = own_hub_row();
    nearest.role = model::access_role::nearest;
    nearest.nearest_minutes.reset();
    nearest.own_hub_much_farther.reset();
    t.features = {model::to_feature(own_hub_row(), 1), model::to_feature(nearest, 2)};
    const auto rows = model::read_school_access(t, "ws.gpkg");
    ASSERT_EQ(rows.size(), 2U);
    const auto& a = rows[0];
    EXPECT_EQ(a.urn, SchoolUrn(100986));
    EXPECT_EQ(a.hub_type, "teaching school hub");
    EXPECT_EQ(a.role, "own_hub");
    EXPECT_EQ(a.hub_id, "teaching-school-hub:EE1");
    EXPECT_EQ(a.venue, "Lead School");
    EXPECT_EQ(a.venue_fid, 7);
    EXPECT_EQ(a.minutes, Minutes(12.5));
    EXPECT_EQ(a.metres, Metres(9100));
    EXPECT_EQ(a.snap_m, Metres(35));
    EXPECT_EQ(a.nearest_minutes, Minutes(4.25));
    EXPECT_EQ(a.own_hub_much_farther, true);
    EXPECT_DOUBLE_EQ(a.location.x(), 530000);
    EXPECT_FALSE(rows[1].nearest_minutes.has_value());
    EXPECT_FALSE(rows[1].own_hub_much_farther.has_value());
}

TEST(ModelRecords, SchoolAccessWithoutMinutesIsAMissingColumnNamingTheLayer) {
    FeatureTable t = model::school_access_layer();
    t.fields.erase(t.fields.begin() + static_cast<long>(t.require_field("minutes")));
    try {
        model::read_school_access(t, "ws.gpkg");
        FAIL() << "no error";
    } catch (const MissingColumnError& e) {
        EXPECT_EQ(typeid(e), typeid(MissingColumnError));
        EXPECT_NE(std::string(e.what()).find("no field 'minutes'"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("ws.gpkg:school_access"), std::string::npos) << e.what();
    }
}

TEST(ModelRecords, SchoolAccessRowWithANullUrnIsAnInputErrorNamingTheRow) {
    FeatureTable t = model::school_access_layer();
    t.features = {model::to_feature(own_hub_row(), 4)};
    t.features[0].values[t.require_field("urn")] = Value();
    try {
        model::read_school_access(t, "ws.gpkg");
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_EQ(typeid(e), typeid(InputError));
        EXPECT_NE(std::string(e.what()).find("fid 4"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("urn"), std::string::npos) << e.what();
    }
}

TEST(ModelRecords, VenuesCarryTheirFidAndHubTypeAndSkipRowsWithoutALocation) {
    FeatureTable t{model::layer::hub_venues, "", GeometryType::Point, 27700,
                   {{model::venue::hub_id, FieldType::String}, {model::venue::hub_type, FieldType::String},
                    {model::venue::name, FieldType::String}, {model::venue::urn, FieldType::Integer}},
                   {}};
    t.features.push_back({11, Point(1, 2), {std::string("maths-hub:A"), std::string("maths hub"), std::string("A"), std::int64_t{5}}});
    t.features.push_back({12, Geometry(), {std::string("maths-hub:A"), std::string("maths hub"), std::string("B"), Value()}});
    t.features.push_back({13, Point(3, 4), {std::string("maths-hub:B"), std::string("maths hub"), std::string("C"), std::string("12x")}});
    EXPECT_THROW(model::read_venues(t, "ws.gpkg"), InputError); // "12x" is not a URN
    t.features.pop_back();
    const auto venues = model::read_venues(t, "ws.gpkg");
    ASSERT_EQ(venues.size(), 1U);
    EXPECT_EQ(venues[0].fid, 11);
    EXPECT_EQ(venues[0].hub_type, "maths hub");
    EXPECT_EQ(venues[0].urn, 5);
}

} // namespace
