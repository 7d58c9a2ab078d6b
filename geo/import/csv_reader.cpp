#include "coldspot/geo/import/csv_reader.hpp"

#include "coldspot/geo/error.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>

namespace coldspot::geo::import {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// Windows-1252 differs from ISO-8859-1 only in 0x80-0x9F; the rest maps to the same code point.
constexpr std::array<char16_t, 32> kCp1252High = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

} // namespace

TextEncoding parse_encoding(std::string_view name) {
    const std::string n = lower(name);
    if (n == "utf-8" || n == "utf8") return TextEncoding::Utf8;
    if (n == "cp1252" || n == "windows-1252" || n == "windows1252" || n == "latin1" || n == "iso-8859-1")
        return TextEncoding::Windows1252;
    throw ManifestError(InputLocation{{}, 0, "encoding"}, "unknown text encoding '" + std::string(name) +
                                                            "' (use UTF-8 or Windows-1252)");
}

/// Byte source: plain file or gzip stream through zlib (gzread also reads plain files, so the
/// magic number is checked first to reject a ".gz" that is not gzip).
struct CsvReader::Source {
    gzFile gz = nullptr;
    std::array<char, 1 << 16> buf{};
    std::size_t pos = 0, len = 0;
    bool eof = false;
    ~Source() {
        if (gz) gzclose(gz);
    }
    int get() {
        if (pos == len) {
            if (eof) return EOF;
            const int n = gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
            if (n <= 0) {
                eof = true;
                return EOF;
            }
            len = static_cast<std::size_t>(n);
            pos = 0;
        }
        return static_cast<unsigned char>(buf[pos++]);
    }
};

CsvReader::CsvReader(const std::filesystem::path& path, char delimiter, TextEncoding encoding)
    : source_(std::make_unique<Source>()), path_(path), delimiter_(delimiter), encoding_(encoding) {
    const std::string file = path.string();
    if (!std::filesystem::is_regular_file(path)) throw FileNotFoundError(InputLocation{file, 0, {}}, "no such file");
    if (path.extension() == ".gz") {
        std::ifstream in(path, std::ios::binary);
        unsigned char magic[2] = {0, 0};
        in.read(reinterpret_cast<char*>(magic), 2);
        if (in.gcount() < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
            throw FormatError(InputLocation{file, 0, {}}, "file ends in .gz but is not gzip-compressed");
    }
    source_->gz = gzopen(file.c_str(), "rb");
    if (!source_->gz) throw FileNotFoundError(InputLocation{file, 0, {}}, "cannot open");
    CsvRecord rec;
    if (!next(rec)) throw EmptyInputError(InputLocation{file, 0, {}}, "file is empty (no header line)");
    header_ = std::move(rec.fields);
    if (!header_.empty() && header_[0].rfind("\xEF\xBB\xBF", 0) == 0) header_[0].erase(0, 3);
    for (auto& h : header_) {
        while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.pop_back();
    }
    if (header_.size() == 1 && header_[0].empty())
        throw EmptyInputError(InputLocation{file, 1, {}}, "header line is empty");
}

CsvReader::~CsvReader() = default;

std::optional<std::size_t> CsvReader::column(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < header_.size(); ++i)
        if (header_[i] == name) return i;
    return std::nullopt;
}

std::size_t CsvReader::require_column(std::string_view name) const {
    if (auto c = column(name)) return *c;
    std::string reason = "column not found in the header";
    if (header_.size() == 1) {
        for (char d : {',', ';', '\t', '|'}) {
            if (d != delimiter_ && header_[0].find(d) != std::string::npos) {
                reason += " (the header has a single column containing '" + std::string(d == '\t' ? "\\t" : std::string(1, d)) +
                          "': is the delimiter wrong?)";
                break;
            }
        }
    }
    throw MissingColumnError(InputLocation{path_.string(), 1, std::string(name)}, reason);
}

bool CsvReader::read_physical_line(std::string& line) {
    line.clear();
    int c;
    bool any = false;
    while ((c = source_->get()) != EOF) {
        any = true;
        if (c == '\n') break;
        line += static_cast<char>(c);
    }
    if (!any) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    ++line_no_;
    return true;
}

std::string CsvReader::recode(std::string s) const {
    if (encoding_ == TextEncoding::Utf8) return s;
    bool ascii = std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) return s;
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s) {
        if (c < 0x80) out += static_cast<char>(c);
        else if (c < 0xA0) append_utf8(out, kCp1252High[c - 0x80]);
        else append_utf8(out, c);
    }
    return out;
}

bool CsvReader::next(CsvRecord& record) {
    std::string line;
    // Skip blank lines between records, as spreadsheets often leave a trailing one.
    do {
        if (!read_physical_line(line)) return false;
    } while (line.empty());
    record.line = line_no_;
    record.fields.clear();
    std::string field;
    bool in_quotes = false, was_quoted = false;
    std::size_t i = 0;
    while (true) {
        if (i == line.size()) {
            if (in_quotes) {
                // A quoted field continues on the next physical line.
                std::string more;
                if (!read_physical_line(more))
                    throw FormatError(InputLocation{path_.string(), record.line, {}},
                                      "unterminated quoted field (opened on this line)");
                field += '\n';
                line = std::move(more);
                i = 0;
                continue;
            }
            record.fields.push_back(recode(std::move(field)));
            break;
        }
        const char c = line[i++];
        if (in_quotes) {
            if (c == '"') {
                if (i < line.size() && line[i] == '"') {
                    field += '"';
                    ++i;
                } else {
                    in_quotes = false;
                }
            } else {
                field += c;
            }
        } else if (c == delimiter_) {
            record.fields.push_back(recode(std::move(field)));
            field.clear();
            was_quoted = false;
        } else if (c == '"' && field.empty() && !was_quoted) {
            in_quotes = was_quoted = true;
        } else {
            field += c;
        }
    }
    return true;
}

} // namespace coldspot::geo::import
