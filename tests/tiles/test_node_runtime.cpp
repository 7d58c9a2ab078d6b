// Every JavaScript test runs on tools/node: Debian 12's own Node.js 18, the node a fresh Debian 12
// has, not a newer one a machine may ship from elsewhere (issue 19). Debian builds node against its
// shared libnode and libuv; outside builds (nodesource, nodejs.org) link them statically.
#include "js_support.hpp"

#include <nlohmann/json.hpp>

namespace coldspot::test {
namespace {

TEST(JavaScriptRuntime, ToolsNodeIsDebian12sNode18) {
    const auto r = run_command(node_command() +
                               " -p 'JSON.stringify({v: process.versions.node, shared: process.config.variables.node_shared,"
                               " uv: process.config.variables.node_shared_libuv})'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto info = nlohmann::json::parse(r.output);
    EXPECT_EQ(info["v"].get<std::string>().substr(0, 3), "18.") << r.output;
    EXPECT_EQ(info["shared"], true) << "not Debian's build (libnode108): " << r.output;
    EXPECT_EQ(info["uv"], true) << "not Debian's build (shared libuv1): " << r.output;
}

TEST(JavaScriptRuntime, EsModuleOnlyPackagesImportOnNode18) {
    COLDSPOT_REQUIRE_NPM("tests/tiles/node");
    // @mapbox/vector-tile 2.x is ES-module only: require() fails on Node 18, import() works.
    const auto dir = quote((source_dir() / "tests/tiles/node").string());
    const auto imported = run_command("cd " + dir + " && " + node_command() +
                                      " --input-type=module -e \"import {VectorTile} from '@mapbox/vector-tile'; console.log(typeof VectorTile)\" 2>&1");
    EXPECT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_EQ(imported.output, "function\n");
}

}  // namespace
}  // namespace coldspot::test
