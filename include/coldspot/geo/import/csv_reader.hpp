#pragma once
// A streaming CSV reader that knows where it is: every record carries its 1-based physical line
// number so that errors can name file, line and field. Handles RFC 4180 quoting (including
// newlines inside quotes), CRLF, a UTF-8 byte-order mark, Windows-1252 input (recoded to UTF-8),
// and gzip-compressed files (".gz", checked by magic number).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::import {

enum class TextEncoding { Utf8, Windows1252 };

/// Parses "UTF-8"/"utf8" and "CP1252"/"Windows-1252"/"latin1"; throws ManifestError otherwise.
TextEncoding parse_encoding(std::string_view name);

struct CsvRecord {
    std::size_t line = 0;            ///< physical line where the record starts
    std::vector<std::string> fields; ///< UTF-8
};

class CsvReader {
public:
    /// Opens the file and reads the header. Throws FileNotFoundError, EmptyInputError (no header)
    /// or FormatError (".gz" that is not gzip, undecodable text).
    CsvReader(const std::filesystem::path& path, char delimiter = ',', TextEncoding encoding = TextEncoding::Utf8);
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    const std::vector<std::string>& header() const noexcept { return header_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    /// Index of a header column, or nullopt.
    std::optional<std::size_t> column(std::string_view name) const noexcept;
    /// Index of a header column; throws MissingColumnError naming the file and the column (with a
    /// hint when the header looks like it was split on the wrong delimiter).
    std::size_t require_column(std::string_view name) const;

    /// Reads the next record; false at end of file. A record whose field count differs from the
    /// header's is still returned (callers report it); an unterminated quote at end of file throws
    /// FormatError naming the line where it opened.
    bool next(CsvRecord& record);

private:
    bool read_physical_line(std::string& line);
    std::string recode(std::string s) const;

    struct Source;
    std::unique_ptr<Source> source_;
    std::filesystem::path path_;
    char delimiter_;
    TextEncoding encoding_;
    std::vector<std::string> header_;
    std::size_t line_no_ = 0;
};

} // namespace coldspot::geo::import
