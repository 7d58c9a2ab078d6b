// Cell parsing as DfE publishes numbers, and SHA-256 against the FIPS 180-2 test vectors.
#include "coldspot/geo/import/detail/sha256.hpp"
#include "coldspot/geo/import/detail/values.hpp"
#include "import_fixtures.hpp"

using namespace coldspot::geo;
using namespace coldspot::geo::import;

TEST(Values, ParsesDfeNumberFormats) {
    EXPECT_DOUBLE_EQ(*parse_number("24.4%"), 24.4);
    EXPECT_DOUBLE_EQ(*parse_number("\xC2\xA3" "48,747"), 48747.0);
    EXPECT_DOUBLE_EQ(*parse_number(" 1,234 "), 1234.0);
    EXPECT_EQ(*parse_integer("12.0"), 12);
    EXPECT_FALSE(parse_integer("12.5"));
    EXPECT_FALSE(parse_number("abc"));
    EXPECT_FALSE(parse_number("1.2.3"));
    EXPECT_FALSE(parse_number(""));
    bool ok = true;
    EXPECT_TRUE(is_null(convert_cell("SUPP", FieldType::Integer, {"NA", "SUPP"}, ok)));
    EXPECT_TRUE(ok);
    EXPECT_TRUE(is_null(convert_cell("n/k", FieldType::Real, {"NA"}, ok)));
    EXPECT_FALSE(ok);
    EXPECT_EQ(std::get<std::int64_t>(convert_cell("244", FieldType::Integer, {}, ok)), 244);
}

TEST(Sha256, MatchesFips180Vectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    coldspot::test::TempDir dir;
    coldspot::test::write_file(dir / "abc.txt", "abc");
    EXPECT_EQ(sha256_file(dir / "abc.txt"), sha256_hex("abc"));
}
