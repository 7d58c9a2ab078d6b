#pragma once
// The demo generator's working model, shared by the files that draw each part of Demoshire. Kept
// private to geo/demo: callers see only the finished FeatureTables.
#include "coldspot/geo/demo/detail/random.hpp"
#include "coldspot/geo/demo/road_network.hpp"
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::demo::detail {

struct Town {
    std::string name;
    std::string kind; ///< city or town
    Point centre;
    double radius_m = 0;
    std::int64_t population = 0;
    std::size_t district = 0;
};

struct Area {
    std::string code;
    std::string name;
    MultiPolygon polygon;
    Point centre; ///< centre of the undisturbed lattice square, used for every rule that places it
    std::size_t district = 0;
    double imd_score = 0;
    std::int64_t imd_rank = 0;
    std::int64_t imd_decile = 0;
    std::string ruc_code;
    std::string ruc_class;
};

struct District {
    std::string code;
    std::string name;
    std::size_t upper_tier = 0;
    MultiPolygon polygon;
};

struct UpperTier {
    std::string code;
    std::string name;
    std::string la_code; ///< DfE 3-digit code
    MultiPolygon polygon;
};

struct Trust {
    std::string name;
    std::int64_t uid = 0;
    std::size_t home_town = 0;
};

struct School {
    std::int64_t urn = 0;
    std::string name;
    std::string phase;
    std::string type;
    Point position;
    std::size_t area = 0;
    std::size_t district = 0;
    std::int64_t pupils = 0;
    std::optional<double> fsm_percent;
    std::optional<std::size_t> trust;
    std::string postcode;
    bool village = false; ///< a rural school outside every town (it gets a lane to the road network)
};

struct Hub {
    std::string type;
    std::string area_code;
    std::string name;
    std::vector<std::size_t> districts;
    std::vector<std::string> parts; ///< per district: "whole" or the part label
    MultiPolygon footprint;
    std::int64_t lead_urn = 0;
};

struct Venue {
    std::size_t hub = 0;
    std::string name;
    std::optional<std::int64_t> urn;
    std::string kind;
    Point position;
};

struct Model {
    Box bounds;
    std::vector<Town> towns;
    std::vector<Area> areas;
    std::vector<District> districts;
    std::vector<UpperTier> upper_tiers;
    std::vector<Trust> trusts;
    std::vector<School> schools;
    std::int64_t rejected_urn = 0; ///< the school row the demo reports as rejected
    std::vector<Hub> hubs;
    std::vector<Venue> venues;
    RoadNetwork roads;

    /// Index of the one area whose interior holds p, or nullopt when p is outside every area or on
    /// a shared boundary.
    std::optional<std::size_t> area_strictly_containing(const Point& p) const;
    /// Distance from p to the edge of the nearest town (negative inside a town) and that town.
    std::pair<double, std::size_t> nearest_town_edge(const Point& p) const;
};

void draw_towns(Model& m);
void draw_areas(Model& m, DemoRandom& random);
void draw_authorities(Model& m);
void draw_deprivation(Model& m, DemoRandom& random);
void draw_schools(Model& m, DemoRandom& random);
void draw_hubs(Model& m);
void draw_roads(Model& m, DemoRandom& random);

} // namespace coldspot::geo::demo::detail
