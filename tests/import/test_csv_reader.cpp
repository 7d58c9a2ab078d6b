// CsvReader: quoting, line numbers, encodings, gzip, and the errors it raises.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/csv_reader.hpp"
#include "import_fixtures.hpp"

#include <zlib.h>

using namespace coldspot;
using namespace coldspot::geo::import;
using coldspot::test::write_file;

TEST(CsvReader, QuotesEmbeddedDelimitersNewlinesAndLineNumbers) {
    test::TempDir dir;
    write_file(dir / "a.csv", "\xEF\xBB\xBFurn,name,note\r\n1,\"Smith, Jones\",plain\r\n\r\n2,\"two\nlines\",\"say \"\"hi\"\"\"\r\n3,x,\r\n");
    CsvReader csv(dir / "a.csv");
    ASSERT_EQ(csv.header(), (std::vector<std::string>{"urn", "name", "note"})); // BOM stripped
    CsvRecord r;
    ASSERT_TRUE(csv.next(r));
    EXPECT_EQ(r.line, 2u);
    EXPECT_EQ(r.fields[1], "Smith, Jones");
    ASSERT_TRUE(csv.next(r));
    EXPECT_EQ(r.line, 4u); // the blank line 3 is skipped, and the record starts on line 4
    EXPECT_EQ(r.fields[1], "two\nlines");
    EXPECT_EQ(r.fields[2], "say \"hi\"");
    ASSERT_TRUE(csv.next(r));
    EXPECT_EQ(r.line, 6u); // line 5 holds the second half of the quoted field
    EXPECT_EQ(r.fields, (std::vector<std::string>{"3", "x", ""}));
    EXPECT_FALSE(csv.next(r));
}

TEST(CsvReader, Windows1252IsRecodedToUtf8) {
    test::TempDir dir;
    // 0xE9 = e acute, 0x80 = euro sign, 0x92 = right single quotation mark in Windows-1252.
    write_file(dir / "w.csv", "name\nCaf\xE9 \x80 St Mary\x92s\n");
    CsvReader csv(dir / "w.csv", ',', TextEncoding::Windows1252);
    CsvRecord r;
    ASSERT_TRUE(csv.next(r));
    EXPECT_EQ(r.fields[0], "Caf\xC3\xA9 \xE2\x82\xAC St Mary\xE2\x80\x99s");
}

TEST(CsvReader, ReadsGzipAndRejectsAFakeGzip) {
    test::TempDir dir;
    const auto gz = (dir / "t.csv.gz").string();
    gzFile f = gzopen(gz.c_str(), "wb");
    const std::string text = "a;b\n1;2\n";
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    CsvReader csv(gz, ';');
    CsvRecord r;
    ASSERT_TRUE(csv.next(r));
    EXPECT_EQ(r.fields, (std::vector<std::string>{"1", "2"}));
    write_file(dir / "fake.csv.gz", "a,b\n1,2\n");
    try {
        CsvReader bad(dir / "fake.csv.gz");
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().file, (dir / "fake.csv.gz").string());
        EXPECT_NE(std::string(e.what()).find("not gzip"), std::string::npos);
    }
}

TEST(CsvReader, ErrorsNameFileLineAndField) {
    test::TempDir dir;
    EXPECT_THROW(CsvReader(dir / "missing.csv"), FileNotFoundError);
    write_file(dir / "empty.csv", "");
    EXPECT_THROW(CsvReader(dir / "empty.csv"), EmptyInputError);
    write_file(dir / "semi.csv", "urn;name\n1;a\n");
    CsvReader semi(dir / "semi.csv", ',');
    try {
        semi.require_column("urn");
        FAIL() << "expected MissingColumnError";
    } catch (const MissingColumnError& e) {
        EXPECT_EQ(e.where().line, 1u);
        EXPECT_EQ(e.where().field, "urn");
        EXPECT_NE(std::string(e.what()).find("delimiter"), std::string::npos) << e.what();
    }
    write_file(dir / "open.csv", "a,b\n1,\"never closed\n2,3\n");
    CsvReader open(dir / "open.csv");
    CsvRecord r;
    try {
        open.next(r);
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().line, 2u);
    }
}
