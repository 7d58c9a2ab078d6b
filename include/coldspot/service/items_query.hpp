#pragma once
// The query of /collections/{id}/items: parsing and validating the parameters (every mistake is a
// 400 naming the parameter) and selecting the page of features.
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/output_crs.hpp"
#include "coldspot/service/snapshot.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coldspot::service {

struct ItemsLimits {
    std::size_t default_limit = 100;
    std::size_t max_limit = 10000;
    std::size_t max_parameters = 32;
};

struct ItemsQuery {
    std::size_t limit = 100;
    std::size_t offset = 0;
    std::optional<geo::Box> bbox; ///< in bbox_crs
    OutputCrs bbox_crs = OutputCrs::Crs84;
    OutputCrs crs = OutputCrs::Crs84;
    bool all_properties = true;
    std::vector<std::size_t> properties; ///< field indices when !all_properties
    /// field index and wanted value (text as given), all must match
    std::vector<std::pair<std::size_t, std::string>> filters;
};

/// Parameters every items request may carry besides property filters.
const std::vector<std::string>& items_parameter_names();

/// Throws HttpProblem 400 naming the parameter for malformed or unknown parameters. A limit above
/// the maximum is lowered to it, as OGC API Features asks.
ItemsQuery parse_items_query(const Collection& c, const Request& request, const ItemsLimits& limits);

struct ItemsPage {
    std::vector<std::size_t> positions; ///< positions in the collection, ascending
    std::size_t matched = 0;
};

ItemsPage select_items(const Collection& c, const ItemsQuery& q);

} // namespace coldspot::service
