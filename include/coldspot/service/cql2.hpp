#pragma once
// OGC API - Features Part 3 filters in CQL2 text: a small recursive-descent parser that checks
// every property against the collection's queryables and every literal against the property's
// type, and evaluates the expression in C++ on the snapshot's features (no SQL, so nothing a
// client writes is ever spliced into a query). Covered: comparisons (= <> < > <= >=), AND, OR,
// NOT, IN, BETWEEN, LIKE (% and _, \ escapes), IS [NOT] NULL, TRUE/FALSE, and S_INTERSECTS of the
// geometry with BBOX(...) or a WKT literal (POINT, LINESTRING, POLYGON and their MULTI forms).
// NULL follows SQL's three-valued logic: a comparison with NULL is unknown, and only features for
// which the whole filter is true are selected.
#include "coldspot/service/output_crs.hpp"
#include "coldspot/service/snapshot.hpp"

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace coldspot::service::cql2 {

/// A filter the parser refused: `position` is the 0-based character (not byte) offset in the
/// text where parsing stopped.
class FilterError : public std::runtime_error {
public:
    FilterError(std::size_t position, const std::string& message) : std::runtime_error(message), position_(position) {}
    std::size_t position() const noexcept { return position_; }

private:
    std::size_t position_;
};

/// The name under which a collection's geometry is queryable (`S_INTERSECTS(geometry, ...)`).
inline constexpr const char* kGeometryProperty = "geometry";
/// Deepest nesting of parentheses and NOT accepted; deeper is refused, not a stack overflow.
inline constexpr std::size_t kMaxDepth = 64;

struct Node;

class Filter {
public:
    /// Parses `text` for collection `c`, geometry literals in `crs`. Throws FilterError.
    static Filter parse(std::string_view text, const Collection& c, OutputCrs crs = OutputCrs::Crs84);
    /// Whether the feature at `position` of the collection it was parsed for is selected.
    bool matches(const Collection& c, std::size_t position) const;
    /// True when the filter tests geometry in EPSG:27700 on the stored geometries.
    bool uses_storage_geometry() const noexcept { return storage_geometry_; }

private:
    std::shared_ptr<const Node> root_;
    bool storage_geometry_ = false;
};

} // namespace coldspot::service::cql2
