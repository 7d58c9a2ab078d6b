#pragma once
// A hand-drawn workspace (six schools, two LSOA squares, remit rows) written with WorkspaceWriter,
// and a real server on a free port serving it in-process.
#include "http_client.hpp"
#include "test_support.hpp"

#include "coldspot/geo/workspace.hpp"
#include "coldspot/service/server.hpp"
#include "coldspot/service/service.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace coldspot::test {

struct HandSchool {
    std::int64_t urn;
    const char* name;
    const char* phase;
    double x, y;           ///< EPSG:27700
    double lon, lat;       ///< the same point in CRS84, by `cs2cs -d 9 EPSG:27700 OGC:CRS84`
    std::int64_t pupils;
};

inline const std::vector<HandSchool>& hand_schools() {
    static const std::vector<HandSchool> s{
        {100001, "Alpha Primary", "Primary", 530000, 180000, -0.128353940, 51.503990828, 210},
        {100002, "Beta Secondary", "Secondary", 531000, 181000, -0.113583165, 51.512746715, 1020},
        {100003, "Gamma Primary", "Primary", 400000, 300000, -2.001433116, 52.597792431, 95},
        {100004, "Delta Academy", "Secondary", 450000, 250000, -1.270726151, 52.146033495, 840},
        {100005, "Epsilon Infant", "Primary", 600000, 300000, 0.949152044, 52.561062301, 180},
        {100006, "Zeta \"Quoted\" & <Tagged> Nursery", "Nursery", 380000, 400000, -2.302945407, 53.496317196, 40},
    };
    return s;
}

inline geo::MultiPolygon square(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    // Boost's default polygon is clockwise: (x0,y0) -> (x0,y1) -> (x1,y1) -> (x1,y0).
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return {p};
}

inline geo::FeatureTable schools_table() {
    geo::FeatureTable t;
    t.name = "schools";
    t.description = "hand-drawn schools";
    t.geometry_type = geo::GeometryType::Point;
    t.fields = {{"urn", geo::FieldType::Integer}, {"name", geo::FieldType::String}, {"phase", geo::FieldType::String}, {"pupils", geo::FieldType::Integer},
                {"fsm_percent", geo::FieldType::Real}};
    double fsm = 10.5;
    for (const auto& s : hand_schools()) {
        t.features.push_back({s.urn, geo::Point(s.x, s.y), {s.urn, std::string(s.name), std::string(s.phase), s.pupils, fsm}});
        fsm += 2.25;
    }
    return t;
}

inline geo::FeatureTable areas_table() {
    geo::FeatureTable t;
    t.name = "areas";
    t.geometry_type = geo::GeometryType::MultiPolygon;
    t.fields = {{"code", geo::FieldType::String}, {"imd_decile", geo::FieldType::Integer}};
    t.features.push_back({1, square(529000, 179000, 532000, 182000), {std::string("E01000001"), std::int64_t{2}}});
    t.features.push_back({2, square(399000, 299000, 401000, 301000), {std::string("E01000002"), std::int64_t{7}}});
    return t;
}

/// Rows of a result layer keyed by URN with the analysis run that wrote them.
inline geo::FeatureTable run_table(const std::string& name, std::int64_t run) {
    geo::FeatureTable t;
    t.name = name;
    t.geometry_type = geo::GeometryType::None;
    t.epsg = 0;
    t.fields = {{"urn", geo::FieldType::Integer}, {"hub_id", geo::FieldType::String}, {"run", geo::FieldType::Integer}};
    std::int64_t fid = 1;
    for (const auto& s : hand_schools()) t.features.push_back({fid++, {}, {s.urn, std::string("maths-hub:H") + std::to_string(s.urn % 3), run}});
    return t;
}

inline void write_hand_workspace(const std::filesystem::path& path) {
    geo::WorkspaceWriter w(path);
    w.write(schools_table());
    w.write(areas_table());
    w.write(run_table("school_remits", 0));
    w.commit();
}

/// The service and a Pistache server on a free port, over a fresh hand-made workspace.
/// A workspace of one layer, `grid`: `n` points on a 100 m grid, each with a 200-character label,
/// so that a page of all of them is several megabytes.
inline void write_grid_workspace(const std::filesystem::path& path, int n) {
    geo::FeatureTable big;
    big.name = "grid";
    big.geometry_type = geo::GeometryType::Point;
    big.fields = {{"label", geo::FieldType::String}};
    for (int i = 0; i < n; ++i)
        big.features.push_back({i + 1, geo::Point(300000 + (i % 200) * 100.0, 200000 + (i / 200) * 100.0), {std::string(200, static_cast<char>('a' + i % 26))}});
    geo::WorkspaceWriter w(path);
    w.write(big);
    w.commit();
}

class ServerFixture : public ::testing::Test {
protected:
    void start(service::ServiceConfig config = {}, service::AnalysisFunction analysis = {}) {
        workspace_ = dir_ / "ws.gpkg";
        if (!std::filesystem::exists(workspace_)) write_hand_workspace(workspace_);
        config.workspace = workspace_;
        config.port = 0;
        config.access_log = "";
        if (config.token.empty()) config.token = "s3cret";
        service_ = std::make_unique<service::Service>(config, std::move(analysis));
        server_ = std::make_unique<service::Server>(*service_);
        server_->start();
        port_ = server_->port();
    }
    void TearDown() override {
        if (server_) server_->shutdown();
        server_.reset();
        service_.reset();
    }
    /// Restarts the server on a workspace of `n` grid points (write_grid_workspace), allowing pages
    /// of all of them, tiles off.
    void restart_with_grid(int n) {
        TearDown();
        write_grid_workspace(dir_ / "big.gpkg", n);
        std::filesystem::rename(dir_ / "big.gpkg", dir_ / "ws.gpkg");
        service::ServiceConfig c;
        c.items.max_limit = n;
        c.tiles = false;
        start(c);
    }
    HttpResponse get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        HttpClient c(port_);
        return c.get(target, headers);
    }
    nlohmann::json get_json(const std::string& target, int expected_status = 200) {
        const auto r = get(target);
        EXPECT_EQ(r.status, expected_status) << target << "\n" << r.body;
        return nlohmann::json::parse(r.body);
    }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

    TempDir dir_;
    std::filesystem::path workspace_;
    std::unique_ptr<service::Service> service_;
    std::unique_ptr<service::Server> server_;
    std::uint16_t port_ = 0;
};

/// A problem body as RFC 9457 describes it, with the status repeated inside.
inline void expect_problem(const HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j.at("status").get<int>(), status);
    EXPECT_EQ(j.at("type").get<std::string>(), "about:blank");
    EXPECT_FALSE(j.at("title").get<std::string>().empty());
    EXPECT_FALSE(j.at("detail").get<std::string>().empty());
}

} // namespace coldspot::test
