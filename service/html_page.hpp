#pragma once
// Internal to the service: the frame of every HTML view (head, breadcrumbs, footer with the other
// representations) and the small SVG maps drawn into them. No script and no CDN: the pages work
// offline and without JavaScript.
#include "coldspot/service/snapshot.hpp"
#include "routes.hpp"

#include <string>
#include <utility>
#include <vector>

namespace coldspot::service::detail {

struct HtmlPage {
    std::string title;
    /// (label, href) from the collections list down to this page; the last one is this page.
    std::vector<std::pair<std::string, std::string>> trail;
    std::string body; ///< HTML, every value already escaped
    /// (label, href) of the same resource in other formats, shown in the footer.
    std::vector<std::pair<std::string, std::string>> formats;
};

Reply html_reply(const RouteContext& ctx, const HtmlPage& page);

/// An SVG map of features (positions in the collection) in Web Mercator, with an optional extent
/// outline; features link to their pages when `link_features`. At most `max_features` are drawn
/// (an even sample of them), each simplified to the drawing's pixels.
std::string svg_map(const RouteContext& ctx, const Collection& c, const std::vector<std::size_t>& positions, const geo::Box& extent,
                    bool link_features, std::size_t max_features = 3000);

/// A value as table text: numbers unformatted, NULL as an empty cell marked `null`.
std::string html_value(const geo::Value& v);

} // namespace coldspot::service::detail
