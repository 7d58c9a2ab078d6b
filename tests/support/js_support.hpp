#pragma once
// JavaScript under the tests: Debian 12's own Node.js 18 (tools/node) and npm packages installed
// once by tools/js-deps before ctest (tools/test runs it). A test never runs npm itself: when its
// packages are missing or older than the committed lock file it fails at once and says why.
#include "test_support.hpp"

#include <fstream>

namespace coldspot::test {

/// The command line prefix that runs a script on Debian 12's Node.js 18.
inline std::string node_command() { return quote((source_dir() / "tools/node").string()); }

/// Empty when the npm packages of `dir` (relative to the repository) are installed from its current
/// package-lock.json; otherwise the reason, naming the command that fixes it.
inline std::string npm_packages_problem(const std::string& dir) {
    const auto root = source_dir() / dir;
    const auto digest = run_command("sha256sum " + quote((root / "package-lock.json").string()) + " | cut -d' ' -f1");
    std::ifstream in(root / "node_modules/.coldspot-lock-sha256");
    std::string stamp;
    in >> stamp;
    if (digest.exit_code != 0 || stamp.empty())
        return "npm packages of " + dir + " are not installed: run tools/js-deps (tools/test does, before ctest)";
    if (stamp + "\n" != digest.output)
        return "npm packages of " + dir + " are older than its package-lock.json: run tools/js-deps";
    const auto node = run_command(node_command() + " --version 2>&1");
    if (node.exit_code != 0) return node.output;
    return {};
}

}  // namespace coldspot::test

/// Fails the test at once (CI or not) when the npm packages of `dir` are not ready.
#define COLDSPOT_REQUIRE_NPM(dir)                                                            \
    do {                                                                                     \
        const auto coldspot_problem_ = ::coldspot::test::npm_packages_problem(dir);          \
        if (!coldspot_problem_.empty()) FAIL() << coldspot_problem_;                         \
    } while (0)
