// The items query parser and page selection (bbox, bbox-crs, limit, offset, crs, datetime,
// properties, property filters) on arbitrary query strings: refused only with an HttpProblem 400,
// and a page it accepts holds at most `limit` features, ascending, inside the collection.
#include "coldspot/geo/workspace.hpp"
#include "coldspot/service/items_query.hpp"
#include "coldspot/service/problem.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace coldspot;

const std::vector<service::Collection>& collections() {
    static const auto c = [] {
        geo::Workspace ws(fuzz::small_workspace());
        std::map<std::string, std::shared_ptr<const geo::FeatureTable>> layers;
        for (const char* name : {"schools", "areas", "roads"}) layers[name] = std::make_shared<geo::FeatureTable>(ws.read(name));
        return service::build_collections(layers);
    }();
    return c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const auto& all = collections();
    const auto& c = all[in.byte() % all.size()];
    service::ItemsLimits limits;
    limits.default_limit = 20;
    limits.max_limit = 50;
    service::Request request;
    request.method = "GET";
    try {
        service::set_target(request, "/collections/" + c.id + "/items?" + std::string(in.rest()));
        const auto q = service::parse_items_query(c, request, limits);
        if (q.limit == 0 || q.limit > limits.max_limit) fuzz::fail("limit outside 1..max");
        const auto page = service::select_items(c, q);
        if (page.positions.size() > q.limit) fuzz::fail("page longer than its limit");
        if (page.matched < page.positions.size()) fuzz::fail("matched below returned");
        for (std::size_t i = 0; i < page.positions.size(); ++i) {
            if (page.positions[i] >= c.size()) fuzz::fail("position outside the collection");
            if (i > 0 && page.positions[i] <= page.positions[i - 1]) fuzz::fail("positions not ascending");
        }
    } catch (const service::HttpProblem& p) {
        if (p.status() != 400) fuzz::fail("items query refused with " + std::to_string(p.status()));
    }
    return 0;
}
