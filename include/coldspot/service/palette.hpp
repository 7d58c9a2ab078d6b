#pragma once
// The map palette compiled into the server (data/style/palette.json), for other components that
// style maps from it too (the CLI's `coldspot export`).
#include <nlohmann/json.hpp>

namespace coldspot::service {

/// The parsed palette document, the same one /styles/palette.json serves.
const nlohmann::json& palette_json();

} // namespace coldspot::service
