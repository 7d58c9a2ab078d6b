#include "coldspot/service/detail/map_index.hpp"

#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/service/snapshot.hpp"

#include <algorithm>
#include <set>

namespace coldspot::service {

namespace model = geo::model;

namespace {

/// Base letters of U+00C0..U+017F ('.' none; 'A'..'Z' put lower case below; digraphs apart).
constexpr std::string_view kLatin1 = "aaaaaa.ceeeeiiiidnooooo.ouuuuy.saaaaaa.ceeeeiiiidnooooo.ouuuuy.y";
constexpr std::string_view kLatinExtA = "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii..jjkkkllllllllllnnnnnnnnnoooooo..rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/// Decodes one UTF-8 code point at `i` (advancing it); 0xFFFD for an invalid sequence.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i++]);
    if (b < 0x80) return b;
    int extra = b >= 0xF0 && b < 0xF5 ? 3 : b >= 0xE0 ? 2 : b >= 0xC2 && b < 0xE0 ? 1 : -1;
    if (extra < 0) return 0xFFFD;
    char32_t cp = b & (0x3F >> extra);
    while (extra-- > 0) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    }
    return cp;
}

std::string fold_code_point(char32_t c) {
    if (c < 0x80) {
        const char a = static_cast<char>(c);
        if (a >= 'A' && a <= 'Z') return std::string(1, static_cast<char>(a - 'A' + 'a'));
        if ((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9')) return std::string(1, a);
        return " ";
    }
    if (c == 0xC6 || c == 0xE6) return "ae";
    if (c == 0xDE || c == 0xFE) return "th";
    if (c == 0xDF) return "ss";
    if (c == 0x152 || c == 0x153) return "oe";
    if (c == 0x132 || c == 0x133) return "ij";
    if (c >= 0xC0 && c < 0xC0 + kLatin1.size() && kLatin1[c - 0xC0] != '.') return std::string(1, kLatin1[c - 0xC0]);
    if (c >= 0x100 && c < 0x100 + kLatinExtA.size() && kLatinExtA[c - 0x100] != '.') return std::string(1, kLatinExtA[c - 0x100]);
    return " ";
}

bool is_apostrophe(char32_t c) { return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x2BC || c == 0x60; }

std::vector<std::string_view> words(std::string_view folded) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < folded.size()) {
        const auto space = folded.find(' ', i);
        const auto end = space == std::string_view::npos ? folded.size() : space;
        if (end > i) out.push_back(folded.substr(i, end - i));
        i = end + 1;
    }
    return out;
}

/// `word` starts a word of the folded `text` (words are separated by single spaces).
bool starts_a_word(std::string_view text, std::string_view word) {
    for (auto pos = text.find(word); pos != std::string_view::npos; pos = text.find(word, pos + 1))
        if (pos == 0 || text[pos - 1] == ' ') return true;
    return false;
}

/// Every query word starts some word of `text` (no allocation: this runs for every entry).
bool words_start(const std::vector<std::string_view>& query, std::string_view text) {
    return std::all_of(query.begin(), query.end(), [&](std::string_view q) { return starts_a_word(text, q); });
}

int kind_order(const std::string& kind) {
    if (kind == "authority") return 0;
    if (kind == "hub") return 1;
    if (kind == "school") return 2;
    return 3;
}

std::string text_of(const geo::FeatureTable& t, const geo::Feature& f, const char* field) {
    const int i = t.field_index(field);
    return i < 0 ? std::string() : geo::as_text(f.values[static_cast<std::size_t>(i)]);
}

std::string join_nonempty(std::initializer_list<std::string> parts) {
    std::string out;
    for (const auto& p : parts)
        if (!p.empty()) out += (out.empty() ? "" : " · ") + p;
    return out;
}

std::string compact(std::string s) {
    std::erase(s, ' ');
    return s;
}

} // namespace

std::string fold_for_search(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const char32_t c = next_code_point(text, i);
        if (is_apostrophe(c)) continue;
        const std::string f = fold_code_point(c);
        if (f == " ") {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += f;
        }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

MapIndex::MapIndex(const Snapshot& snap) {
    const auto add = [&](SearchEntry e) {
        e.folded = fold_for_search(e.name);
        e.folded_id = fold_for_search(e.id);
        by_kind_id_[{e.kind, e.id}] = entries_.size();
        entries_.push_back(std::move(e));
    };
    // Schools, and the postcodes they sit at (school positions are postcode centroids).
    std::map<std::string, std::pair<std::string, std::vector<std::size_t>>> postcodes; // compact folded -> (as written, positions)
    if (const Collection* c = snap.collection(model::layer::schools)) {
        const auto& t = *c->table;
        for (std::size_t pos = 0; pos < c->size(); ++pos) {
            const auto& f = c->feature(pos);
            std::string urn = text_of(t, f, model::school::urn);
            if (urn.empty()) urn = std::to_string(f.fid);
            SearchEntry e{"school", urn, text_of(t, f, model::school::name), {}, {}, {}, std::nullopt, std::nullopt, "/schools/" + urn};
            const std::string postcode = text_of(t, f, model::school::postcode);
            e.detail = join_nonempty({text_of(t, f, model::school::phase), text_of(t, f, model::school::la_name), "URN " + urn, postcode});
            e.keys = fold_for_search(urn + " " + postcode + " " + compact(postcode));
            if (const auto* p = std::get_if<geo::Point>(&c->crs84[pos])) e.point = *p;
            if (!postcode.empty()) {
                auto& pc = postcodes[compact(fold_for_search(postcode))];
                pc.first = postcode;
                pc.second.push_back(entries_.size());
            }
            add(std::move(e));
        }
    }
    for (const auto& [key, pc] : postcodes) {
        const SearchEntry& first = entries_[pc.second.front()];
        SearchEntry e{"postcode", pc.first, pc.first, {}, {}, key, std::nullopt, first.point, ""};
        e.detail = pc.second.size() == 1 ? "postcode of " + first.name : "postcode of " + std::to_string(pc.second.size()) + " schools";
        add(std::move(e));
    }
    // Hubs: one entry per hub_id, the extent of all its areas.
    if (const Collection* c = snap.collection(model::layer::hubs)) {
        const auto& t = *c->table;
        std::map<std::string, SearchEntry> hubs;
        for (std::size_t pos = 0; pos < c->size(); ++pos) {
            const auto& f = c->feature(pos);
            const std::string id = text_of(t, f, model::hub::hub_id);
            auto [it, fresh] = hubs.try_emplace(id);
            SearchEntry& e = it->second;
            if (fresh) e = SearchEntry{"hub", id, text_of(t, f, model::hub::name), text_of(t, f, model::hub::hub_type), {}, fold_for_search(id + " " + text_of(t, f, model::hub::area_code)), geo::empty_box(), std::nullopt, "/hubs/" + id};
            const geo::Box b = geo::envelope(c->crs84[pos]);
            if (!geo::is_empty(b)) boost::geometry::expand(*e.bbox, b);
        }
        for (auto& [id, e] : hubs) {
            if (geo::is_empty(*e.bbox)) e.bbox.reset();
            add(std::move(e));
        }
    }
    // Authorities: districts and counties/unitaries (a unitary is both: one entry, the district's).
    std::set<std::string> seen;
    for (const auto& [layer, what] : {std::pair<const char*, const char*>{model::layer::local_authorities, "district"}, {model::layer::upper_tier_authorities, "county or unitary authority"}}) {
        const Collection* c = snap.collection(layer);
        if (!c) continue;
        for (std::size_t pos = 0; pos < c->size(); ++pos) {
            const auto& f = c->feature(pos);
            const std::string code = text_of(*c->table, f, model::authority::code);
            if (code.empty() || !seen.insert(code).second) continue;
            SearchEntry e{"authority", code, text_of(*c->table, f, model::authority::name), std::string(what) + " · " + code, {}, fold_for_search(code), std::nullopt, std::nullopt, "/authorities/" + code};
            if (const geo::Box b = geo::envelope(c->crs84[pos]); !geo::is_empty(b)) e.bbox = b;
            add(std::move(e));
        }
    }
}

std::vector<SearchHit> MapIndex::search(std::string_view query, std::size_t limit) const {
    const std::string q = fold_for_search(query);
    std::vector<SearchHit> hits;
    if (q.empty() || limit == 0) return hits;
    const auto qwords = words(q);
    const std::string qcompact = compact(q);
    for (const auto& e : entries_) {
        int score = -1;
        if (e.id == query || e.folded_id == q || (e.kind == "postcode" && e.keys == qcompact)) score = 0;
        else if (e.folded == q) score = 1;
        else if (e.folded.starts_with(q)) score = 2;
        else if (words_start(qwords, e.folded)) score = 3;
        else if (!e.keys.empty() && (words_start(qwords, e.keys) || (qcompact.size() >= 3 && e.keys.find(qcompact) != std::string::npos))) score = 4;
        else if (q.size() >= 3 && e.folded.find(q) != std::string::npos) score = 5;
        if (score >= 0) hits.push_back({&e, score});
    }
    const auto better = [](const SearchHit& a, const SearchHit& b) {
        if (a.score != b.score) return a.score < b.score;
        if (kind_order(a.entry->kind) != kind_order(b.entry->kind)) return kind_order(a.entry->kind) < kind_order(b.entry->kind);
        if (a.entry->name.size() != b.entry->name.size()) return a.entry->name.size() < b.entry->name.size();
        if (a.entry->name != b.entry->name) return a.entry->name < b.entry->name;
        return a.entry->id < b.entry->id;
    };
    if (hits.size() > limit) {
        std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end(), better);
        hits.resize(limit);
    } else {
        std::sort(hits.begin(), hits.end(), better);
    }
    return hits;
}

std::shared_ptr<const void> MapIndex::memo_any(const std::string& key, const std::function<std::shared_ptr<const void>()>& make) const {
    {
        std::lock_guard lock(memo_mutex_);
        if (const auto it = memo_.find(key); it != memo_.end()) return it->second;
    }
    // Made outside the lock (two requests may both make it once; the first kept wins).
    auto value = make();
    std::lock_guard lock(memo_mutex_);
    return memo_.try_emplace(key, std::move(value)).first->second;
}

std::optional<geo::Box> MapIndex::extent(const std::string& kind, const std::string& id) const {
    const auto it = by_kind_id_.find({kind, id});
    if (it == by_kind_id_.end()) return std::nullopt;
    return entries_[it->second].bbox;
}

} // namespace coldspot::service
