#pragma once
// Helpers shared by the test executables: locating the real data in ../shared/data, temporary
// folders, and running the `coldspot` CLI as a user would.
#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <sys/wait.h>

namespace coldspot::test {

inline std::filesystem::path shared_data() { return COLDSPOT_SHARED_DATA_DIR; }
inline std::filesystem::path source_dir() { return COLDSPOT_SOURCE_DIR; }
inline std::filesystem::path cli() { return COLDSPOT_CLI; }

/// The one CI rule for every test, C++, Python (tests/clients/harness.py) and shell alike: CI=true,
/// in any letter case.
inline bool running_in_ci() {
    const char* ci = std::getenv("CI");
    if (!ci) return false;
    std::string v(ci);
    for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v == "true";
}

/// Skips the test when the real data file is absent, but fails it under CI=true, where the data
/// must be there.
#define COLDSPOT_REQUIRE_SHARED(relpath)                                                                   \
    do {                                                                                                   \
        const auto coldspot_p_ = ::coldspot::test::shared_data() / (relpath);                              \
        if (!std::filesystem::exists(coldspot_p_)) {                                                       \
            if (::coldspot::test::running_in_ci()) FAIL() << "shared data missing under CI: " << coldspot_p_; \
            GTEST_SKIP() << "shared data missing: " << coldspot_p_;                                        \
        }                                                                                                  \
    } while (0)

/// A fresh folder removed with everything in it when the test ends.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("coldspot-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int exit_code = -1;
    std::string output; ///< stdout and stderr interleaved
};

/// Runs a shell command line, capturing stdout+stderr.
inline CommandResult run_command(const std::string& command_line) {
    CommandResult r;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command_line + " 2>&1").c_str(), "r"), pclose);
    if (!pipe) return r;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) r.output.append(buf.data(), n);
    const int status = pclose(pipe.release());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

inline std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// Runs `coldspot ARGS...`.
inline CommandResult run_cli(std::initializer_list<std::string> args) {
    std::string line = quote(cli().string());
    for (const auto& a : args) line += " " + quote(a);
    return run_command(line);
}

} // namespace coldspot::test
