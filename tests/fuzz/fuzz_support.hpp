#pragma once
// Helpers shared by the libFuzzer targets (tests/fuzz/targets): reading typed values from the
// fuzzer's bytes, a scratch file per process for readers that take a path, a small workspace for
// the service targets, and the failure that makes a broken invariant a crash libFuzzer keeps.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

namespace coldspot::fuzz {

/// Consumes the fuzzer's bytes front to back; past the end every value is zero or empty, so a
/// target never reads outside its input.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
    std::size_t left() const noexcept { return n_; }
    std::uint8_t byte() {
        if (n_ == 0) return 0;
        --n_;
        return *p_++;
    }
    template <class T>
    T value() {
        T v{};
        const std::size_t k = std::min(sizeof v, n_);
        std::memcpy(&v, p_, k);
        p_ += k;
        n_ -= k;
        return v;
    }
    /// Up to `max` bytes, the length taken from the input.
    std::string_view bytes(std::size_t max) {
        const std::size_t high = byte();
        const std::size_t wanted = high * 4u + byte();
        const std::size_t k = std::min({max, n_, wanted});
        std::string_view s(reinterpret_cast<const char*>(p_), k);
        p_ += k;
        n_ -= k;
        return s;
    }
    std::string_view rest() {
        std::string_view s(reinterpret_cast<const char*>(p_), n_);
        p_ += n_;
        n_ = 0;
        return s;
    }

private:
    const std::uint8_t* p_;
    std::size_t n_;
};

/// A broken invariant: printed, then abort() so libFuzzer records the input as a crash.
[[noreturn]] inline void fail(const std::string& why) {
    std::fprintf(stderr, "invariant broken: %s\n", why.c_str());
    std::abort();
}

inline std::filesystem::path scratch_dir() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() / ("coldspot-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

/// A file in this process's scratch folder holding `bytes` (rewritten for every input).
inline std::filesystem::path scratch_file(const std::string& name, std::string_view bytes) {
    const auto path = scratch_dir() / name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) fail("cannot write scratch file " + path.string());
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
}

/// A workspace of a few schools (points), two areas (polygons) and a road (line), written once
/// per process: what the service targets serve.
std::filesystem::path small_workspace();

} // namespace coldspot::fuzz
