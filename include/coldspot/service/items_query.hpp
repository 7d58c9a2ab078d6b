#pragma once
// The query of /collections/{id}/items: parsing and validating the parameters (every mistake is a
// 400 naming the parameter) and selecting the page of features.
#include "coldspot/service/cql2.hpp"
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/output_crs.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/snapshot.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace coldspot::service {

struct ItemsLimits {
    std::size_t default_limit = 100;
    std::size_t max_limit = 10000;
    std::size_t max_parameters = 32;
    /// Rows of an XLSX download (f=xlsx); more is a 400 pointing to CSV and FlatGeobuf, which
    /// stream. Far below Excel's own 1,048,575 because the whole workbook is built in memory.
    std::size_t xlsx_max_rows = 100'000;
};

/// What an items request is answered in (`f=`, or `Accept` for HTML).
enum class ItemsFormat { GeoJson, Html, Csv, Xlsx, FlatGeobuf };

/// Downloads (CSV, XLSX, FlatGeobuf) hold every selected feature unless `limit` is given.
inline bool is_download(ItemsFormat f) { return f == ItemsFormat::Csv || f == ItemsFormat::Xlsx || f == ItemsFormat::FlatGeobuf; }

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
    /// `filter` (CQL2 text), parsed and checked against the queryables; null without one.
    std::shared_ptr<const cql2::Filter> filter;
    ItemsFormat format = ItemsFormat::GeoJson;
    bool format_given = false; ///< `f` was in the request (else `Accept` may choose HTML)
    bool limit_given = false;
};

/// `f` of an items request; throws HttpProblem 400 listing the formats.
ItemsFormat parse_items_format(const std::string& f);
/// The 400 for an XLSX download of more than ItemsLimits::xlsx_max_rows rows.
HttpProblem xlsx_too_many_rows(const Collection& c, std::size_t rows, const ItemsLimits& limits);

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
