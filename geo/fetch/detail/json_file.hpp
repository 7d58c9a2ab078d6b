#pragma once
// Writing a JSON document as a file: the downloader's part-file metadata and provenance, and the
// fetch step's manifest and provenance. Private to geo/fetch.
#include "coldspot/geo/atomic_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace coldspot::geo::fetch::detail {

/// Writes `document` indented by two spaces with a final newline, atomically (AtomicFile).
inline void write_json(const std::filesystem::path& path, const nlohmann::json& document) {
    write_file_atomically(path, document.dump(2) + "\n");
}

} // namespace coldspot::geo::fetch::detail
