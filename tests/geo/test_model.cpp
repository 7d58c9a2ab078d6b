// docs/workspace.md checked against the workspace model (geo/model/layers.cpp): every input layer's
// heading, geometry, fields in order, types and *opt* marks, and the list of result layers.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include "test_support.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

struct DocField {
    std::string name, type; ///< type: "integer", "real", "string" from a table; empty in prose
    bool optional = false;
};
struct DocLayer {
    std::string geometry;
    std::vector<DocField> fields;
    bool table = false;
};

/// Backticked lower-case names of `text` outside parentheses, each optional when "*opt*" follows it
/// before the next comma or full stop.
void prose_fields(const std::string& text, int& depth, std::vector<DocField>& out) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '(') ++depth;
        else if (c == ')') --depth;
        else if (c == '`') {
            const std::size_t end = text.find('`', i + 1);
            if (end == std::string::npos) return;
            const std::string name = text.substr(i + 1, end - i - 1);
            if (depth == 0 && std::regex_match(name, std::regex("[a-z_0-9]+")))
                out.push_back({name, "", text.substr(end + 1, text.find_first_of(",.`", end + 1) - end - 1).find("*opt*") != std::string::npos});
            i = end;
        }
    }
}

std::map<std::string, DocLayer> documented_input_layers(std::vector<std::string>& results) {
    std::ifstream in(test::source_dir() / "docs" / "workspace.md");
    std::map<std::string, DocLayer> out;
    const std::regex heading(R"(^### `([a-z_]+)` \(([^)]*)\))");
    std::string line, current, section;
    bool paragraph_done = false;
    int depth = 0;
    while (std::getline(in, line)) {
        std::smatch m;
        if (line.rfind("## ", 0) == 0) section = line.substr(3);
        else if (line.rfind("### ", 0) == 0 && section == "Result layers") section = "Result layers, subsections"; // change layers: not the model's yet
        if (line.rfind("## ", 0) == 0 || line.rfind("### ", 0) == 0) {
            current.clear();
            depth = 0;
            paragraph_done = false;
            if (section == "Layers" && std::regex_search(line, m, heading)) {
                current = m[1];
                out[current].geometry = m[2];
                paragraph_done = false;
                depth = 0;
            }
            continue;
        }
        if (section == "Result layers" && !paragraph_done) {
            if (line.empty() && !results.empty()) {
                paragraph_done = true;
                continue;
            }
            std::vector<DocField> names;
            prose_fields(line, depth, names);
            for (const auto& n : names) results.push_back(n.name);
            continue;
        }
        if (current.empty()) continue;
        auto& layer = out[current];
        if (line.rfind("| `", 0) == 0) {
            if (!layer.table) layer.fields.clear(); // a table wins over prose before it
            layer.table = true;
            std::vector<std::string> cells;
            std::stringstream ss(line.substr(1));
            for (std::string cell; std::getline(ss, cell, '|');) cells.push_back(cell);
            std::istringstream type_cell(cells.at(1));
            std::string type;
            type_cell >> type;
            int d = 0;
            std::vector<DocField> names;
            prose_fields(cells.at(0), d, names);
            for (auto& n : names) layer.fields.push_back({n.name, type, cells.at(1).find("*opt*") != std::string::npos});
            continue;
        }
        if (layer.table || paragraph_done) continue;
        if (line.empty()) {
            paragraph_done = !layer.fields.empty();
            continue;
        }
        prose_fields(line, depth, layer.fields);
    }
    return out;
}

std::string doc_geometry(GeometryType g) {
    switch (g) {
    case GeometryType::Point: return "Point";
    case GeometryType::MultiLineString: return "MultiLineString";
    case GeometryType::MultiPolygon: return "MultiPolygon";
    case GeometryType::None: return "attribute table";
    }
    return "?";
}

std::string doc_type(FieldType t) {
    switch (t) {
    case FieldType::Integer: return "integer";
    case FieldType::Real: return "real";
    case FieldType::String: return "string";
    }
    return "?";
}

} // namespace

TEST(WorkspaceModel, TheDocumentedInputLayersAreTheModels) {
    std::vector<std::string> results;
    const auto docs = documented_input_layers(results);
    ASSERT_EQ(docs.size(), model::input_layers().size());
    for (const auto& spec : model::input_layers()) {
        SCOPED_TRACE(spec.name);
        ASSERT_TRUE(docs.count(spec.name));
        const auto& doc = docs.at(spec.name);
        EXPECT_EQ(doc.geometry, doc_geometry(spec.geometry));
        std::vector<std::string> doc_names, model_names;
        for (const auto& f : doc.fields) doc_names.push_back(f.name);
        for (const auto& f : spec.fields) model_names.push_back(f.name);
        EXPECT_EQ(doc_names, model_names);
        for (std::size_t i = 0; i < std::min(doc.fields.size(), spec.fields.size()); ++i) {
            SCOPED_TRACE(spec.fields[i].name);
            EXPECT_EQ(doc.fields[i].optional, spec.fields[i].optional);
            if (doc.table) {
                EXPECT_EQ(doc.fields[i].type, doc_type(spec.fields[i].type));
            }
        }
    }
    // The parser read the tables (schools, hubs) and the prose (the rest), so this cannot pass empty.
    EXPECT_TRUE(docs.at("schools").table);
    EXPECT_FALSE(docs.at("areas").table);
    EXPECT_EQ(docs.at("schools").fields.size(), 17u);

    const auto model_results = model::result_layers();
    EXPECT_EQ(results, std::vector<std::string>(model_results.begin(), model_results.end()));
}

TEST(WorkspaceModel, LayersAreFoundByNameAndGiveTheirSchema) {
    const auto& roads = model::input_layer(model::layer::roads);
    const auto fields = model::table_fields(roads);
    ASSERT_EQ(fields.size(), 4u);
    EXPECT_EQ(fields[2].name, "maxspeed_kph");
    EXPECT_EQ(fields[2].type, FieldType::Real);
    EXPECT_THROW(model::input_layer("coldspots_schools"), NotFoundError);
}
