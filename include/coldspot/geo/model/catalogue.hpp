#pragma once
// What the map side needs to know about the workspace's layers, from the model rather than from
// names spelled in tiles/: which layers become tilesets and how their features are identified,
// the combined tilesets, which numeric fields are identifiers (not summed when features merge), and
// which layers carry OpenStreetMap data (ODbL attribution).
#include <span>
#include <string_view>

namespace coldspot::geo::model {

/// How a layer's features are identified in tiles.
enum class FeatureIds {
    Fid,     ///< the workspace fid (URN for schools)
    GssCode, ///< the GSS code packed into an integer (areas, authorities)
};
/// The field holding the GSS code that FeatureIds::GssCode packs (areas, authorities).
inline constexpr char gss_code_field[] = "code";

struct TiledLayer {
    const char* layer;
    const char* description;
    FeatureIds ids;
    bool labels = false; ///< points that are map labels: never clustered in tiles
};

struct CombinedTileset {
    const char* name;
    const char* description;
    std::span<const char* const> layers; ///< drawn in this order
};

/// Layers served as a tileset of their own when a workspace has them, in catalogue order.
std::span<const TiledLayer> tiled_layers();
/// Tilesets that draw several layers in one request (made when at least two of their layers exist).
std::span<const CombinedTileset> combined_tilesets();
/// A numeric field whose sum means nothing (identifiers, codes, ranks, deciles, coordinates).
bool is_identifier_field(std::string_view field);
/// A layer whose features come from OpenStreetMap (its tiles need the ODbL attribution).
bool is_openstreetmap_layer(std::string_view layer);

} // namespace coldspot::geo::model
