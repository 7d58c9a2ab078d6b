#pragma once
// The QGIS project route (qgis_routes.cpp), apart from routes.hpp so that adding it rebuilds only the
// dispatcher.
#include "routes.hpp"

namespace coldspot::service::detail {

/// GET /qgis/project.qgs, or the .qgz container when `zipped`.
Reply qgis_project(const RouteContext& ctx, bool zipped);

} // namespace coldspot::service::detail
