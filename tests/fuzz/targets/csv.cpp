// The CSV reader, UTF-8 and Windows-1252, with ',' ';' or tab: every record it returns is valid
// UTF-8 and carries a line number that never goes back; it refuses input only with InputErrors
// naming the file.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/csv_reader.hpp"
#include "fuzz_support.hpp"

namespace {

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        if (n > 1 && c < 0xC2) return false; // overlong two-byte forms
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace coldspot;
    using namespace coldspot::geo::import;
    coldspot::fuzz::Input in(data, size);
    const std::uint8_t mode = in.byte();
    const TextEncoding encoding = (mode & 1) ? TextEncoding::Windows1252 : TextEncoding::Utf8;
    const char delimiter = ",;\t|"[(mode >> 1) & 3];
    const auto file = fuzz::scratch_file((mode & 8) ? "input.csv.gz" : "input.csv", in.rest());
    try {
        CsvReader reader(file, delimiter, encoding);
        for (const auto& h : reader.header())
            if (encoding == TextEncoding::Windows1252 && !valid_utf8(h)) fuzz::fail("header not recoded to UTF-8");
        CsvRecord record;
        std::size_t last_line = 0;
        while (reader.next(record)) {
            if (record.line <= last_line) fuzz::fail("line numbers went back");
            last_line = record.line;
            if (encoding == TextEncoding::Windows1252)
                for (const auto& f : record.fields)
                    if (!valid_utf8(f)) fuzz::fail("field not recoded to UTF-8");
        }
    } catch (const InputError& e) {
        if (e.where().file.find("input.csv") == std::string::npos) fuzz::fail(std::string("error without the file: ") + e.what());
    }
    return 0;
}
