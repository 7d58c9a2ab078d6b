#pragma once
// A small palette in the schema of data/style/palette.json (data/style/README.md) with every theme
// the QGIS style catalogue uses, so the style and export tests know each colour independently of
// the real palette file (which tests/clients/qgis_project_test.py checks QGIS against).
#include <nlohmann/json.hpp>

namespace coldspot::test {

inline nlohmann::json test_palette() {
    return nlohmann::json::parse(R"({"version": 1, "themes": [
  {"id": "gi_bin", "title": "Cold-spot class", "field": "gi_bin", "layers": ["coldspots_hex"], "classes": [
    {"value": 3, "label": "Cold spot, 99 % confidence", "color": "#2166ac"},
    {"value": 2, "label": "Cold spot, 95 % confidence", "color": "#67a9cf"},
    {"value": 1, "label": "Cold spot, 90 % confidence", "color": "#d1e5f0"},
    {"value": 0, "label": "Not significant", "color": "#f7f7f7"},
    {"value": -1, "label": "Well served, 90 % confidence", "color": "#fddbc7"},
    {"value": -2, "label": "Well served, 95 % confidence", "color": "#ef8a62"},
    {"value": -3, "label": "Well served, 99 % confidence", "color": "#b2182b"}]},
  {"id": "imd_decile", "title": "Deprivation decile", "field": "imd_decile", "classes": [
    {"value": 1, "label": "1: most deprived", "color": "#440154"}, {"value": 10, "label": "10: least deprived", "color": "#fde725"}]},
  {"id": "hub_type", "title": "Hub type", "field": "hub_type", "classes": [
    {"value": "maths hub", "label": "Maths hub", "color": "#e69f00"},
    {"value": "O'Neill's hub", "label": "Quote's <hub> & co", "color": "#009e73"},
    {"value": "*", "label": "Other hub type", "color": "#666666"}]},
  {"id": "remit", "title": "Remits", "field": null, "classes": [
    {"value": "gap", "layer": "remit_gaps", "label": "No hub", "color": "#e66101"},
    {"value": "overlap", "layer": "remit_overlaps", "label": "Two or more hubs", "color": "#5e3c99"}]},
  {"id": "isochrone", "title": "Drive time", "field": "minutes", "classes": [
    {"value": 15, "label": "Within 15 minutes", "color": "#253494"}, {"value": 30, "label": "Within 30 minutes", "color": "#2c7fb8"}]},
  {"id": "school", "title": "Schools", "field": "cold_spot", "classes": [
    {"value": 1, "label": "School in a significant cold spot", "color": "#2166ac"},
    {"value": 0, "label": "School", "color": "#4d4d4d"}]}
]})");
}

} // namespace coldspot::test
