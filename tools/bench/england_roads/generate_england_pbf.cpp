// Writes an OpenStreetMap PBF of England's size and shape for the whole-England road benchmark
// (the real england-latest.osm.pbf, about 1.4 GB, cannot be downloaded on the benchmark machine).
//   generate_england_pbf OUT.osm.pbf [SPACING_M]      (default 250 m: ~21 M nodes, ~4.1 M ways)
// A street lattice clipped to a coarse outline of England (lon -5.7..1.8, lat 49.95..55.8), every
// street a way between two junctions with five perturbed shape nodes; a hierarchy of classes with
// speed limits (trunk "70 mph" every 80th line, primary every 20th, secondary every 8th with
// "national", residential "30 mph" / "20 mph" / untagged), and one-way streets (a third of the
// residential east-west streets, alternating direction by row, so the network stays connected).
// Node and way ids ascend, nodes before ways, as in Geofabrik files; written with libosmium.
#include <osmium/builder/osm_object_builder.hpp>
#include <osmium/io/pbf_output.hpp>
#include <osmium/io/writer.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/location.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

// A coarse outline of England (lon, lat), clockwise from Berwick: enough for the shape (coasts,
// the Welsh and Scottish borders, the Wash, the Thames estuary and Cornwall).
const std::vector<std::pair<double, double>> kEngland{
    {-2.03, 55.80}, {-1.60, 55.60}, {-1.45, 55.05}, {-1.10, 54.62}, {-0.45, 54.45}, {-0.08, 54.10}, {0.15, 53.60},
    {0.35, 53.20}, {0.10, 52.90}, {0.50, 52.97}, {1.30, 52.95}, {1.75, 52.65}, {1.65, 52.10}, {1.20, 51.80},
    {0.90, 51.50}, {1.45, 51.38}, {1.35, 51.10}, {0.60, 50.85}, {-0.80, 50.75}, {-1.70, 50.70}, {-2.50, 50.60},
    {-3.40, 50.60}, {-4.20, 50.35}, {-5.20, 50.00}, {-5.70, 50.05}, {-5.00, 50.60}, {-4.20, 51.20}, {-3.20, 51.20},
    {-2.65, 51.60}, {-2.70, 52.00}, {-3.10, 52.30}, {-3.10, 52.90}, {-2.95, 53.35}, {-3.10, 53.60}, {-3.00, 54.00},
    {-3.60, 54.50}, {-3.30, 54.90}, {-2.60, 55.10}, {-2.20, 55.40}};

bool in_england(double lon, double lat) {
    bool inside = false;
    for (std::size_t i = 0, j = kEngland.size() - 1; i < kEngland.size(); j = i++) {
        const auto [xi, yi] = kEngland[i];
        const auto [xj, yj] = kEngland[j];
        if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
}

struct Street {
    const char* highway;
    const char* maxspeed; // nullptr: untagged
    int oneway;           // 0, 1 (forward) or -1
};

Street street_of(long line, long index, bool east_west) {
    if (line % 80 == 0) return {"trunk", "70 mph", 0};
    if (line % 20 == 0) return {"primary", index % 3 ? "40 mph" : "national", 0};
    if (line % 8 == 0) return {"secondary", "national", 0};
    const char* speed = index % 4 == 0 ? "20 mph" : index % 4 == 1 ? "30 mph" : nullptr;
    if (east_west && line % 3 == 1) return {"residential", speed, (line / 3) % 2 ? 1 : -1};
    return {index % 5 == 0 ? "unclassified" : "residential", speed, 0};
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: generate_england_pbf OUT.osm.pbf [SPACING_M]\n");
        return 2;
    }
    const double spacing_m = argc > 2 ? std::stod(argv[2]) : 250.0;
    constexpr double lon0 = -5.75, lon1 = 1.80, lat0 = 49.95, lat1 = 55.85;
    const double dlat = spacing_m / 111320.0;
    const double dlon = spacing_m / (111320.0 * std::cos(52.5 * M_PI / 180.0));
    const long rows = static_cast<long>((lat1 - lat0) / dlat) + 1, cols = static_cast<long>((lon1 - lon0) / dlon) + 1;
    constexpr int kShape = 5; // shape nodes per street between two junctions
    std::mt19937_64 rng(2026);
    std::uniform_real_distribution<double> jitter(-0.18, 0.18);

    // Junction ids: row-major over the lattice, only for junctions inside England (0 = none).
    std::vector<std::int64_t> junction(static_cast<std::size_t>(rows * cols), 0);
    std::vector<osmium::Location> where(junction.size());
    std::int64_t next_node = 1;
    for (long r = 0; r < rows; ++r)
        for (long c = 0; c < cols; ++c) {
            const double lon = lon0 + (c + jitter(rng)) * dlon, lat = lat0 + (r + jitter(rng)) * dlat;
            if (!in_england(lon, lat)) continue;
            junction[r * cols + c] = next_node++;
            where[r * cols + c] = osmium::Location(lon, lat);
        }

    osmium::io::Header header;
    header.set("generator", "coldspot generate_england_pbf");
    header.add_box(osmium::Box(lon0, lat0, lon1, lat1));
    osmium::io::Writer writer(argv[1], header, osmium::io::overwrite::allow);
    osmium::memory::Buffer buffer(1 << 24, osmium::memory::Buffer::auto_grow::no);
    auto flush_if_full = [&] {
        if (buffer.committed() > (1 << 24) - (1 << 16)) {
            writer(std::move(buffer));
            buffer = osmium::memory::Buffer(1 << 24, osmium::memory::Buffer::auto_grow::no);
        }
    };
    auto add_node = [&](std::int64_t id, osmium::Location loc) {
        osmium::builder::NodeBuilder b(buffer);
        b.set_id(id).set_version(1).set_visible(true).set_location(loc);
        buffer.commit();
        flush_if_full();
    };
    for (std::size_t i = 0; i < junction.size(); ++i)
        if (junction[i]) add_node(junction[i], where[i]);

    // Streets: east (r, c)->(r, c+1) and north (r, c)->(r+1, c) when both junctions exist. Their
    // shape nodes get ids after all junctions, in street order.
    struct Way {
        std::int64_t from, to, first_shape;
        long line, index;
        bool east_west;
    };
    std::vector<Way> ways;
    for (long r = 0; r < rows; ++r)
        for (long c = 0; c < cols; ++c) {
            const std::int64_t a = junction[r * cols + c];
            if (!a) continue;
            for (int dir = 0; dir < 2; ++dir) {
                const long r2 = r + dir, c2 = c + (1 - dir);
                if (r2 >= rows || c2 >= cols) continue;
                const std::int64_t b = junction[r2 * cols + c2];
                if (!b) continue;
                ways.push_back(Way{a, b, 0, dir == 0 ? r : c, dir == 0 ? c : r, dir == 0});
            }
        }
    const std::int64_t junctions = next_node - 1;
    for (auto& w : ways) {
        w.first_shape = next_node;
        next_node += kShape;
    }
    // Shape nodes: interpolated between the two junctions, with a sideways wiggle.
    {
        std::vector<osmium::Location> by_id(static_cast<std::size_t>(junctions + 1));
        for (std::size_t i = 0; i < junction.size(); ++i)
            if (junction[i]) by_id[static_cast<std::size_t>(junction[i])] = where[i];
        std::uniform_real_distribution<double> wiggle(-0.08, 0.08);
        for (const auto& w : ways) {
            const auto a = by_id[static_cast<std::size_t>(w.from)], b = by_id[static_cast<std::size_t>(w.to)];
            for (int k = 1; k <= kShape; ++k) {
                const double t = static_cast<double>(k) / (kShape + 1);
                double lon = a.lon() + t * (b.lon() - a.lon()), lat = a.lat() + t * (b.lat() - a.lat());
                if (w.east_west) lat += wiggle(rng) * dlat;
                else lon += wiggle(rng) * dlon;
                add_node(w.first_shape + k - 1, osmium::Location(lon, lat));
            }
        }
    }
    std::int64_t way_id = 1;
    for (const auto& w : ways) {
        const Street s = street_of(w.line, w.index, w.east_west);
        {
            osmium::builder::WayBuilder b(buffer);
            b.set_id(way_id++).set_version(1).set_visible(true);
            {
                osmium::builder::WayNodeListBuilder nodes(b);
                nodes.add_node_ref(w.from);
                for (int k = 0; k < kShape; ++k) nodes.add_node_ref(w.first_shape + k);
                nodes.add_node_ref(w.to);
            }
            osmium::builder::TagListBuilder tags(b);
            tags.add_tag("highway", s.highway);
            if (s.maxspeed) tags.add_tag("maxspeed", s.maxspeed);
            if (s.oneway == 1) tags.add_tag("oneway", "yes");
            if (s.oneway == -1) tags.add_tag("oneway", "-1");
        }
        buffer.commit();
        flush_if_full();
    }
    if (buffer.committed() > 0) writer(std::move(buffer));
    writer.close();
    std::printf("nodes %lld\nways %zu\njunctions %lld\nspacing_m %.0f\nlattice %ld x %ld\n", static_cast<long long>(next_node - 1),
                ways.size(), static_cast<long long>(junctions), spacing_m, rows, cols);
    return 0;
}
