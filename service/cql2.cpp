// CQL2 text: tokenizer, recursive-descent parser (one function per grammar rule, precedence
// OR < AND < NOT < predicate) and evaluator over a Collection's features.
#include "coldspot/service/cql2.hpp"

#include "coldspot/geo/crs.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <variant>
#include <vector>

namespace coldspot::service::cql2 {

namespace bg = boost::geometry;

// ---------------------------------------------------------------------------------------------
// The tree

enum class Tri : std::uint8_t { False, True, Unknown };

Tri tri(bool b) { return b ? Tri::True : Tri::False; }

enum class Kind : std::uint8_t { Number, Text };

/// A property (field index) or a literal.
struct Operand {
    int field = -1; ///< >= 0: a property
    geo::Value literal;
    Kind kind = Kind::Number;
    std::string name; ///< the property's name, or the literal as written (for messages)
    const geo::Value& value(const geo::Feature& f) const {
        static const geo::Value null;
        if (field < 0) return literal;
        return static_cast<std::size_t>(field) < f.values.size() ? f.values[static_cast<std::size_t>(field)] : null;
    }
};

using MultiPoint = std::vector<geo::Point>;
using Literal = std::variant<geo::Point, MultiPoint, geo::MultiLineString, geo::MultiPolygon, geo::Box>;

enum class Op : std::uint8_t { And, Or, Not, True, False, Eq, Ne, Lt, Gt, Le, Ge, Like, Between, In, IsNull, Intersects };

struct Node {
    Op op;
    std::vector<std::shared_ptr<const Node>> children; ///< And, Or, Not
    std::vector<Operand> operands;                     ///< comparisons: lhs, rhs...; In: lhs, list...
    bool negated = false;                              ///< NOT LIKE, NOT BETWEEN, NOT IN, IS NOT NULL
    std::u32string pattern;                            ///< LIKE, decoded; escapes resolved into `literal_at`
    std::vector<bool> literal_at;                      ///< LIKE: true where pattern[i] is a literal % or _
    Literal geometry;                                  ///< Intersects
    geo::Box envelope = geo::empty_box();              ///< of `geometry`, for a quick rejection
};

namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers

std::u32string decode_utf8(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0 || i + n > s.size()) {
            out += U'\uFFFD';
            ++i;
            continue;
        }
        char32_t cp = n == 1 ? b : b & (0xFF >> (n + 1));
        bool ok = true;
        for (std::size_t k = 1; k < n; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            ok = ok && (c & 0xC0) == 0x80;
            cp = (cp << 6) | (c & 0x3F);
        }
        out += ok ? cp : U'\uFFFD';
        i += ok ? n : 1;
    }
    return out;
}

/// Characters (UTF-8 sequences) before byte `offset`: the position a reader counts.
std::size_t char_position(std::string_view text, std::size_t offset) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
    return n;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y)); });
}

/// SQL LIKE with % (any run) and _ (one character); `literal_at` marks escaped wildcards.
bool like(const std::u32string& s, const std::u32string& p, const std::vector<bool>& literal_at) {
    std::size_t si = 0, pi = 0, star = std::u32string::npos, mark = 0;
    while (si < s.size()) {
        if (pi < p.size() && !literal_at[pi] && p[pi] == U'%') {
            star = pi++;
            mark = si;
        } else if (pi < p.size() && ((!literal_at[pi] && p[pi] == U'_') || p[pi] == s[si])) {
            ++pi, ++si;
        } else if (star != std::u32string::npos) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && !literal_at[pi] && p[pi] == U'%') ++pi;
    return pi == p.size();
}

// ---------------------------------------------------------------------------------------------
// Tokens

enum class Tok : std::uint8_t { End, Name, QuotedName, String, Number, LParen, RParen, Comma, Compare };

struct Token {
    Tok type = Tok::End;
    std::string text; ///< names and strings decoded; numbers and operators as written
    std::size_t at = 0; ///< byte offset
};

class Lexer {
public:
    explicit Lexer(std::string_view text) : text_(text) {}
    Token next() {
        while (i_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[i_]))) ++i_;
        Token t;
        t.at = i_;
        if (i_ >= text_.size()) return t;
        const char c = text_[i_];
        if (c == '(' || c == ')' || c == ',') {
            t.type = c == '(' ? Tok::LParen : c == ')' ? Tok::RParen : Tok::Comma;
            t.text = std::string(1, c);
            ++i_;
        } else if (c == '=' || c == '<' || c == '>') {
            t.type = Tok::Compare;
            t.text = std::string(1, c);
            ++i_;
            if (i_ < text_.size() && (text_[i_] == '=' || (c == '<' && text_[i_] == '>'))) t.text += text_[i_++];
        } else if (c == '\'' || c == '"') {
            t.type = c == '\'' ? Tok::String : Tok::QuotedName;
            t.text = quoted(c, t.at);
        } else if (std::isdigit(static_cast<unsigned char>(c)) || ((c == '-' || c == '+' || c == '.') && i_ + 1 < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[i_ + 1])) || text_[i_ + 1] == '.'))) {
            t.type = Tok::Number;
            const std::size_t start = i_++;
            while (i_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i_])) || text_[i_] == '.' ||
                                         ((text_[i_] == '-' || text_[i_] == '+') && (text_[i_ - 1] == 'e' || text_[i_ - 1] == 'E'))))
                ++i_;
            t.text = std::string(text_.substr(start, i_ - start));
        } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            t.type = Tok::Name;
            const std::size_t start = i_;
            while (i_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[i_])) || text_[i_] == '_' || text_[i_] == '.' || text_[i_] == ':')) ++i_;
            t.text = std::string(text_.substr(start, i_ - start));
        } else {
            throw FilterError(t.at, std::string("unexpected character '") + (static_cast<unsigned char>(c) < 0x20 ? std::string("\\x") + "0123456789abcdef"[c >> 4] + "0123456789abcdef"[c & 15] : std::string(1, c)) + "'");
        }
        return t;
    }

private:
    /// A '...' string or "..." name; the quote is doubled to include it.
    std::string quoted(char q, std::size_t start) {
        std::string out;
        ++i_;
        while (true) {
            if (i_ >= text_.size()) throw FilterError(start, q == '\'' ? "a string starting here is not closed with '" : "a quoted property name starting here is not closed with \"");
            if (text_[i_] == q) {
                if (i_ + 1 < text_.size() && text_[i_ + 1] == q) {
                    out += q;
                    i_ += 2;
                    continue;
                }
                ++i_;
                return out;
            }
            out += text_[i_++];
        }
    }
    std::string_view text_;
    std::size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
public:
    Parser(std::string_view text, const Collection& c, OutputCrs crs) : lexer_(text), c_(c), crs_(crs) { advance(); }

    std::shared_ptr<const Node> parse() {
        auto root = expression();
        if (tok_.type != Tok::End) fail("expected AND, OR or the end of the filter, found " + describe(tok_));
        return root;
    }
    bool storage_geometry() const { return crs_ == OutputCrs::BritishNationalGrid && c_.table->epsg == geo::kBritishNationalGrid; }

private:
    // --- tokens
    void advance() { tok_ = lexer_.next(); }
    [[noreturn]] void fail(const std::string& message) const { throw FilterError(tok_.at, message); }
    [[noreturn]] void fail_at(const Token& t, const std::string& message) const { throw FilterError(t.at, message); }
    static std::string describe(const Token& t) {
        switch (t.type) {
        case Tok::End: return "the end of the filter";
        case Tok::String: return "the string '" + t.text + "'";
        case Tok::QuotedName: return "\"" + t.text + "\"";
        default: return "'" + t.text + "'";
        }
    }
    bool keyword(const char* k) const { return tok_.type == Tok::Name && iequals(tok_.text, k); }
    bool accept_keyword(const char* k) {
        if (!keyword(k)) return false;
        advance();
        return true;
    }
    void expect_keyword(const char* k, const std::string& context) {
        if (!accept_keyword(k)) fail(std::string("expected ") + k + " " + context + ", found " + describe(tok_));
    }
    void expect(Tok type, const std::string& what) {
        if (tok_.type != type) fail("expected " + what + ", found " + describe(tok_));
        advance();
    }
    struct Depth {
        Depth(Parser& p) : p_(p) {
            if (++p_.depth_ > kMaxDepth) p_.fail("the filter is nested more than " + std::to_string(kMaxDepth) + " levels deep");
        }
        ~Depth() { --p_.depth_; }
        Parser& p_;
    };

    static std::shared_ptr<Node> node(Op op) {
        auto n = std::make_shared<Node>();
        n->op = op;
        return n;
    }

    // --- boolean structure
    std::shared_ptr<const Node> expression() {
        Depth d(*this);
        auto first = term();
        if (!keyword("OR")) return first;
        auto n = node(Op::Or);
        n->children.push_back(std::move(first));
        while (accept_keyword("OR")) n->children.push_back(term());
        return n;
    }
    std::shared_ptr<const Node> term() {
        auto first = factor();
        if (!keyword("AND")) return first;
        auto n = node(Op::And);
        n->children.push_back(std::move(first));
        while (accept_keyword("AND")) n->children.push_back(factor());
        return n;
    }
    std::shared_ptr<const Node> factor() {
        if (!accept_keyword("NOT")) return primary();
        Depth d(*this);
        auto n = node(Op::Not);
        n->children.push_back(factor());
        return n;
    }
    std::shared_ptr<const Node> primary() {
        if (tok_.type == Tok::LParen) {
            const Token open = tok_;
            advance();
            auto inner = expression();
            if (tok_.type != Tok::RParen) fail("expected ')' to close the '(' at position " + std::to_string(open.at) + ", found " + describe(tok_));
            advance();
            return inner;
        }
        if (accept_keyword("TRUE")) return node(Op::True);
        if (accept_keyword("FALSE")) return node(Op::False);
        if (keyword("S_INTERSECTS")) return intersects();
        return predicate();
    }

    // --- scalar predicates
    Operand operand() {
        const Token t = tok_;
        Operand o;
        if (t.type == Tok::String) {
            o.literal = t.text;
            o.kind = Kind::Text;
            o.name = "'" + t.text + "'";
        } else if (t.type == Tok::Number) {
            o.literal = number(t);
            o.name = t.text;
        } else if (t.type == Tok::QuotedName || (t.type == Tok::Name && !reserved(t.text))) {
            if (iequals(t.text, "DATE") || iequals(t.text, "TIMESTAMP") || iequals(t.text, "INTERVAL"))
                fail_at(t, "no property of collection '" + c_.id + "' holds dates or times, so " + t.text + " literals cannot be compared with any");
            if (t.text == kGeometryProperty) fail_at(t, "the geometry can only be tested with S_INTERSECTS(geometry, ...)");
            const int i = c_.table->field_index(t.text);
            if (i < 0) fail_at(t, "'" + t.text + "' is not a queryable of collection '" + c_.id + "' (see /collections/" + c_.id + "/queryables)");
            o.field = i;
            o.kind = c_.table->fields[static_cast<std::size_t>(i)].type == geo::FieldType::String ? Kind::Text : Kind::Number;
            o.name = t.text;
        } else {
            fail("expected a property name, a string in single quotes or a number, found " + describe(t));
        }
        advance();
        return o;
    }
    static bool reserved(const std::string& word) {
        for (const char* k : {"AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE"})
            if (iequals(word, k)) return true;
        return false;
    }
    geo::Value number(const Token& t) const {
        std::int64_t i = 0;
        const char* end = t.text.data() + t.text.size();
        const char* begin = t.text.data() + (t.text.front() == '+' ? 1 : 0);
        if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) return i;
        double d = 0;
        if (auto [p, ec] = std::from_chars(begin, end, d); ec == std::errc() && p == end && std::isfinite(d)) return d;
        fail_at(t, "'" + t.text + "' is not a number");
    }
    /// Operands compared with each other must be both numbers or both text.
    void same_kind(const Operand& a, const Operand& b, const Token& at) const {
        if (a.kind == b.kind) return;
        const Operand& prop = a.field >= 0 ? a : b;
        const Operand& other = a.field >= 0 ? b : a;
        fail_at(at, prop.name + " holds " + (prop.kind == Kind::Number ? "numbers" : "text") + " and cannot be compared with " + other.name);
    }

    std::shared_ptr<const Node> predicate() {
        const Token lhs_token = tok_;
        Operand lhs = operand();
        if (tok_.type == Tok::Compare) {
            const std::string op = tok_.text;
            advance();
            const Token rhs_token = tok_;
            Operand rhs = operand();
            same_kind(lhs, rhs, rhs_token);
            auto n = node(op == "=" ? Op::Eq : op == "<>" ? Op::Ne : op == "<" ? Op::Lt : op == ">" ? Op::Gt : op == "<=" ? Op::Le : Op::Ge);
            n->operands = {std::move(lhs), std::move(rhs)};
            return n;
        }
        if (accept_keyword("IS")) {
            auto n = node(Op::IsNull);
            n->negated = accept_keyword("NOT");
            expect_keyword("NULL", "after IS");
            n->operands = {std::move(lhs)};
            return n;
        }
        const bool negated = accept_keyword("NOT");
        std::shared_ptr<Node> n;
        if (accept_keyword("LIKE")) n = like_rest(std::move(lhs), lhs_token);
        else if (accept_keyword("BETWEEN")) n = between_rest(std::move(lhs));
        else if (accept_keyword("IN")) n = in_rest(std::move(lhs));
        else fail("expected a comparison (= <> < > <= >=), LIKE, BETWEEN, IN or IS NULL after " + lhs.name + ", found " + describe(tok_));
        n->negated = negated;
        return n;
    }
    std::shared_ptr<Node> like_rest(Operand lhs, const Token& lhs_token) {
        if (lhs.kind != Kind::Text) fail_at(lhs_token, "LIKE compares text; " + lhs.name + " holds numbers");
        if (tok_.type != Tok::String) fail("expected a pattern in single quotes after LIKE, found " + describe(tok_));
        auto n = node(Op::Like);
        const std::u32string raw = decode_utf8(tok_.text);
        for (std::size_t i = 0; i < raw.size(); ++i) {
            const bool escaped = raw[i] == U'\\' && i + 1 < raw.size();
            if (escaped) ++i;
            n->pattern += raw[i];
            n->literal_at.push_back(escaped);
        }
        advance();
        n->operands = {std::move(lhs)};
        return n;
    }
    std::shared_ptr<Node> between_rest(Operand lhs) {
        auto n = node(Op::Between);
        const Token lo_token = tok_;
        Operand lo = operand();
        same_kind(lhs, lo, lo_token);
        expect_keyword("AND", "between the two bounds of BETWEEN");
        const Token hi_token = tok_;
        Operand hi = operand();
        same_kind(lhs, hi, hi_token);
        n->operands = {std::move(lhs), std::move(lo), std::move(hi)};
        return n;
    }
    std::shared_ptr<Node> in_rest(Operand lhs) {
        auto n = node(Op::In);
        expect(Tok::LParen, "'(' and a list of values after IN");
        n->operands.push_back(std::move(lhs));
        do {
            const Token t = tok_;
            Operand v = operand();
            same_kind(n->operands.front(), v, t);
            n->operands.push_back(std::move(v));
        } while (tok_.type == Tok::Comma && (advance(), true));
        expect(Tok::RParen, "',' or ')' in the list of IN");
        return n;
    }

    // --- spatial
    std::shared_ptr<const Node> intersects() {
        advance();
        expect(Tok::LParen, "'(' after S_INTERSECTS");
        if (c_.geometry_type == geo::GeometryType::None) fail("collection '" + c_.id + "' has no geometry to test with S_INTERSECTS");
        auto n = node(Op::Intersects);
        bool have_property = false, have_literal = false;
        for (int arg = 0; arg < 2; ++arg) {
            if (arg == 1) expect(Tok::Comma, "',' between the two arguments of S_INTERSECTS");
            if ((tok_.type == Tok::Name || tok_.type == Tok::QuotedName) && tok_.text == kGeometryProperty && !have_property) {
                have_property = true;
                advance();
            } else if (tok_.type == Tok::Name && !have_literal && is_geometry_keyword(tok_.text)) {
                have_literal = true;
                n->geometry = geometry_literal();
            } else {
                fail(std::string(have_property ? "expected a geometry (BBOX(...), POINT(...), POLYGON(...), ...)" : "expected the property 'geometry'") +
                     " as an argument of S_INTERSECTS, found " + describe(tok_));
            }
        }
        expect(Tok::RParen, "')' after the arguments of S_INTERSECTS");
        std::visit([&](const auto& g) {
            using G = std::decay_t<decltype(g)>;
            const auto add = [&](const geo::Point& p) { bg::expand(n->envelope, p); };
            if constexpr (std::is_same_v<G, geo::Box>) n->envelope = g;
            else if constexpr (std::is_same_v<G, geo::Point>) add(g);
            else if constexpr (std::is_same_v<G, MultiPoint>) std::for_each(g.begin(), g.end(), add);
            else bg::for_each_point(g, add);
        }, n->geometry);
        return n;
    }
    static bool is_geometry_keyword(const std::string& w) {
        for (const char* k : {"BBOX", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON"})
            if (iequals(w, k)) return true;
        return false;
    }
    double coordinate() {
        if (tok_.type != Tok::Number) fail("expected a coordinate (a number), found " + describe(tok_));
        const geo::Value v = number(tok_);
        advance();
        return std::holds_alternative<std::int64_t>(v) ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
    }
    geo::Point point() {
        const double x = coordinate(), y = coordinate();
        if (tok_.type == Tok::Number) advance(); // a height: ignored
        return to_filter_frame({x, y});
    }
    template <typename Range>
    Range points_list() {
        Range out;
        expect(Tok::LParen, "'(' before a list of coordinates");
        out.push_back(point());
        while (tok_.type == Tok::Comma) {
            advance();
            out.push_back(point());
        }
        expect(Tok::RParen, "',' or ')' in a list of coordinates");
        return out;
    }
    geo::Polygon polygon() {
        geo::Polygon p;
        expect(Tok::LParen, "'(' before the rings of a polygon");
        bool outer = true;
        do {
            const Token at = tok_;
            auto ring = points_list<geo::Ring>();
            if (ring.size() < 4 || !bg::equals(ring.front(), ring.back())) fail_at(at, "a polygon ring needs at least 4 positions, the last equal to the first");
            if (outer) p.outer() = std::move(ring);
            else p.inners().push_back(std::move(ring));
            outer = false;
        } while (tok_.type == Tok::Comma && (advance(), true));
        expect(Tok::RParen, "',' or ')' after a polygon ring");
        bg::correct(p); // Boost wants clockwise outer rings; WKT allows either
        return p;
    }
    Literal geometry_literal() {
        const Token t = tok_;
        advance();
        if (iequals(t.text, "BBOX")) {
            expect(Tok::LParen, "'(' after BBOX");
            std::vector<double> v{coordinate()};
            while (tok_.type == Tok::Comma) advance(), v.push_back(coordinate());
            if (v.size() != 4 && v.size() != 6) fail_at(t, "BBOX takes 4 numbers (west, south, east, north) or 6, got " + std::to_string(v.size()));
            expect(Tok::RParen, "')' after the numbers of BBOX");
            const std::size_t hi = v.size() / 2;
            if (v[0] > v[hi] || v[1] > v[hi + 1]) fail_at(t, "BBOX's minimum is greater than its maximum (boxes across the antimeridian are not supported)");
            return box_in_filter_frame(geo::Box({v[0], v[1]}, {v[hi], v[hi + 1]}));
        }
        if (iequals(t.text, "POINT")) {
            expect(Tok::LParen, "'(' after POINT");
            const geo::Point p = point();
            expect(Tok::RParen, "')' after the coordinates of POINT");
            return p;
        }
        if (iequals(t.text, "LINESTRING")) return geo::MultiLineString{points_list<geo::LineString>()};
        if (iequals(t.text, "POLYGON")) return geo::MultiPolygon{polygon()};
        expect(Tok::LParen, "'(' after " + t.text);
        Literal out;
        if (iequals(t.text, "MULTIPOINT")) {
            MultiPoint mp;
            do {
                // Both MULTIPOINT((1 2), (3 4)) and MULTIPOINT(1 2, 3 4) are in use.
                if (tok_.type == Tok::LParen) {
                    advance();
                    mp.push_back(point());
                    expect(Tok::RParen, "')' after a point");
                } else {
                    mp.push_back(point());
                }
            } while (tok_.type == Tok::Comma && (advance(), true));
            out = std::move(mp);
        } else if (iequals(t.text, "MULTILINESTRING")) {
            geo::MultiLineString ml;
            do ml.push_back(points_list<geo::LineString>());
            while (tok_.type == Tok::Comma && (advance(), true));
            out = std::move(ml);
        } else {
            geo::MultiPolygon mp;
            do mp.push_back(polygon());
            while (tok_.type == Tok::Comma && (advance(), true));
            out = std::move(mp);
        }
        expect(Tok::RParen, "')' after the parts of " + t.text);
        return out;
    }
    /// Coordinates are tested in CRS84, or in EPSG:27700 against the stored geometry.
    geo::Point to_filter_frame(const geo::Point& p) const {
        if (crs_ == OutputCrs::WebMercator) return web_mercator_to_crs84(p);
        if (crs_ == OutputCrs::BritishNationalGrid && !storage_geometry()) {
            thread_local geo::CrsTransform bng_to_crs84(geo::kBritishNationalGrid, geo::kWgs84);
            return bng_to_crs84(p);
        }
        return p;
    }
    geo::Box box_in_filter_frame(const geo::Box& b) const {
        // A Web Mercator box is exactly a lon/lat box; a 27700 box is densified into CRS84 unless
        // the stored geometry is tested.
        if (crs_ == OutputCrs::BritishNationalGrid && !storage_geometry()) {
            thread_local geo::CrsTransform bng_to_crs84(geo::kBritishNationalGrid, geo::kWgs84);
            return bng_to_crs84.apply(b);
        }
        return geo::Box(to_filter_frame(b.min_corner()), to_filter_frame(b.max_corner()));
    }

    Lexer lexer_;
    Token tok_;
    const Collection& c_;
    OutputCrs crs_;
    std::size_t depth_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

/// -1, 0, 1, or nullopt when either side is NULL (or not a number where one is needed).
std::optional<int> compare(const geo::Value& a, const geo::Value& b) {
    if (geo::is_null(a) || geo::is_null(b)) return std::nullopt;
    const auto* ia = std::get_if<std::int64_t>(&a);
    const auto* ib = std::get_if<std::int64_t>(&b);
    if (ia && ib) return (*ia > *ib) - (*ia < *ib);
    const auto* sa = std::get_if<std::string>(&a);
    const auto* sb = std::get_if<std::string>(&b);
    if (sa && sb) {
        const int c = sa->compare(*sb);
        return (c > 0) - (c < 0);
    }
    const auto na = geo::as_number(a), nb = geo::as_number(b);
    if (!na || !nb || std::isnan(*na) || std::isnan(*nb)) return std::nullopt;
    return (*na > *nb) - (*na < *nb);
}

template <typename G, typename L>
bool intersects_safely(const G& g, const L& l) {
    try {
        return bg::intersects(g, l);
    } catch (const std::exception&) {
        // An invalid geometry Boost cannot overlay: fall back to its envelope.
        return bg::intersects(bg::return_envelope<geo::Box>(g), l);
    }
}

bool intersects(const geo::Geometry& g, const Literal& l) {
    return std::visit([&](const auto& feature) {
        using F = std::decay_t<decltype(feature)>;
        if constexpr (std::is_same_v<F, std::monostate>) {
            return false;
        } else {
            return std::visit([&](const auto& lit) {
                using L = std::decay_t<decltype(lit)>;
                if constexpr (std::is_same_v<L, MultiPoint>)
                    return std::any_of(lit.begin(), lit.end(), [&](const geo::Point& p) { return intersects_safely(feature, p); });
                else
                    return intersects_safely(feature, lit);
            }, l);
        }
    }, g);
}

Tri evaluate(const Node& n, const Collection& c, std::size_t position, bool storage) {
    const geo::Feature& f = c.feature(position);
    const auto cmp = [&](std::size_t a, std::size_t b) { return compare(n.operands[a].value(f), n.operands[b].value(f)); };
    switch (n.op) {
    case Op::True: return Tri::True;
    case Op::False: return Tri::False;
    case Op::And: {
        Tri r = Tri::True;
        for (const auto& ch : n.children) {
            const Tri t = evaluate(*ch, c, position, storage);
            if (t == Tri::False) return Tri::False;
            if (t == Tri::Unknown) r = Tri::Unknown;
        }
        return r;
    }
    case Op::Or: {
        Tri r = Tri::False;
        for (const auto& ch : n.children) {
            const Tri t = evaluate(*ch, c, position, storage);
            if (t == Tri::True) return Tri::True;
            if (t == Tri::Unknown) r = Tri::Unknown;
        }
        return r;
    }
    case Op::Not: {
        const Tri t = evaluate(*n.children.front(), c, position, storage);
        return t == Tri::Unknown ? t : tri(t == Tri::False);
    }
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Gt: case Op::Le: case Op::Ge: {
        const auto r = cmp(0, 1);
        if (!r) return Tri::Unknown;
        switch (n.op) {
        case Op::Eq: return tri(*r == 0);
        case Op::Ne: return tri(*r != 0);
        case Op::Lt: return tri(*r < 0);
        case Op::Gt: return tri(*r > 0);
        case Op::Le: return tri(*r <= 0);
        default: return tri(*r >= 0);
        }
    }
    case Op::Between: {
        const auto lo = cmp(0, 1), hi = cmp(0, 2);
        if (!lo || !hi) return Tri::Unknown;
        return tri((*lo >= 0 && *hi <= 0) != n.negated);
    }
    case Op::In: {
        bool unknown = false;
        for (std::size_t i = 1; i < n.operands.size(); ++i) {
            const auto r = cmp(0, i);
            if (!r) unknown = true;
            else if (*r == 0) return tri(!n.negated);
        }
        return unknown ? Tri::Unknown : tri(n.negated);
    }
    case Op::Like: {
        const auto* s = std::get_if<std::string>(&n.operands[0].value(f));
        if (!s) return Tri::Unknown;
        return tri(like(decode_utf8(*s), n.pattern, n.literal_at) != n.negated);
    }
    case Op::IsNull: return tri(geo::is_null(n.operands[0].value(f)) != n.negated);
    case Op::Intersects: {
        const geo::Geometry& g = storage ? f.geometry : c.crs84[position];
        if (!bg::intersects(geo::envelope(g), n.envelope)) return Tri::False;
        return tri(intersects(g, n.geometry));
    }
    }
    return Tri::Unknown;
}

} // namespace

Filter Filter::parse(std::string_view text, const Collection& c, OutputCrs crs) {
    try {
        Parser p(text, c, crs);
        Filter f;
        f.root_ = p.parse();
        f.storage_geometry_ = p.storage_geometry();
        return f;
    } catch (const FilterError& e) {
        throw FilterError(char_position(text, e.position()), e.what());
    }
}

bool Filter::matches(const Collection& c, std::size_t position) const { return evaluate(*root_, c, position, storage_geometry_) == Tri::True; }

} // namespace coldspot::service::cql2
