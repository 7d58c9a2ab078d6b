// The one atomic-file helper: temporary file beside the target, rename on commit, and the removal
// (with a notice) of what a killed writer left behind. Killed writers are real processes: a child
// forked here and ended with SIGKILL halfway through its write.
#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/demo/road_network.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/workspace.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

using namespace coldspot;
using namespace coldspot::geo;
namespace fs = std::filesystem;

namespace {

/// Collects notices for the test's lifetime instead of printing them.
class NoticeCapture {
public:
    NoticeCapture() { previous_ = set_notice_sink([this](const std::string& m) { messages.push_back(m); }); }
    ~NoticeCapture() { set_notice_sink(previous_); }
    std::vector<std::string> messages;

private:
    std::function<void(const std::string&)> previous_;
};

/// The id of a process that has certainly ended (forked, exited and reaped).
pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::set<std::string> names_in(const fs::path& folder) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(folder)) out.insert(e.path().filename().string());
    return out;
}

/// SIGKILL to the calling process, as kill -9 from outside: no destructor runs.
void die() { ::kill(::getpid(), SIGKILL); }

/// Runs `work` in a child process, which must call die() halfway through its write; returns once
/// the child is gone.
template <class Work>
void killed_child(Work&& work) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        try {
            work();
        } catch (...) {
            ::_exit(3);
        }
        ::_exit(4); // work() returned without dying
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child did not reach its kill (exit " << WEXITSTATUS(status) << ")";
    ASSERT_EQ(WTERMSIG(status), SIGKILL);
}

FeatureTable points(const std::string& name, int n) {
    FeatureTable t;
    t.name = name;
    t.geometry_type = GeometryType::Point;
    t.epsg = 27700;
    t.fields = {{"n", FieldType::Integer}};
    for (int i = 1; i <= n; ++i) {
        Feature f;
        f.fid = i;
        f.values = {std::int64_t{i}};
        f.geometry = Point{400000.0 + i, 300000.0};
        t.features.push_back(std::move(f));
    }
    return t;
}

} // namespace

TEST(AtomicFile, TemporaryNamesCarryTheWritersProcessId) {
    EXPECT_EQ(leftover_pid(".ws.gpkg.tmp-1234-0-99", "/x/ws.gpkg"), 1234);
    EXPECT_EQ(leftover_pid(".ws.gpkg.tmp-1234", "/x/ws.gpkg"), 1234); // the older name without a counter
    EXPECT_EQ(leftover_pid(".ws.gpkg.tmp-1234-0-99-journal", "/x/ws.gpkg"), 1234);
    EXPECT_EQ(leftover_pid(".ws.gpkg.tmp-", "/x/ws.gpkg"), 0);
    EXPECT_EQ(leftover_pid(".ws.gpkg.tmp-abc", "/x/ws.gpkg"), 0);
    EXPECT_EQ(leftover_pid("ws.gpkg.tmp-1234", "/x/ws.gpkg"), 0);
    EXPECT_EQ(leftover_pid(".other.gpkg.tmp-1234", "/x/ws.gpkg"), 0);
    EXPECT_EQ(leftover_pid(".ws.gpkg.tmp-0", "/x/ws.gpkg"), 0);
}

TEST(AtomicFile, CommitReplacesTheTargetAndAnUncommittedFileLeavesNothing) {
    test::TempDir dir;
    const auto target = dir / "data.bin";
    write_text(target, "old");
    {
        AtomicFile f(target);
        EXPECT_EQ(f.temp().parent_path(), target.parent_path());
        write_text(f.temp(), "half");
        write_text(f.temp().string() + "-journal", "j");
    }
    EXPECT_EQ(read_text(target), "old");
    EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"data.bin"});
    write_atomically(target, [](const fs::path& tmp) { write_text(tmp, "new"); });
    EXPECT_EQ(read_text(target), "new");
    EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"data.bin"});
    EXPECT_THROW(write_atomically(target, [](const fs::path& tmp) {
                     write_text(tmp, "broken");
                     throw IoError("disk full");
                 }),
                 IoError);
    EXPECT_EQ(read_text(target), "new");
    EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"data.bin"});
}

TEST(AtomicFile, ErrorsNameTheFile) {
    test::TempDir dir;
    try {
        AtomicFile f(dir / "missing" / "ws.gpkg");
        FAIL() << "no error";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("missing/ws.gpkg"), std::string::npos) << e.what();
    }
    AtomicFile f(dir / "never.bin");
    try {
        f.commit();
        FAIL() << "no error";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("never.bin"), std::string::npos) << e.what();
    }
    // A target that is a folder: the rename fails and says which files.
    fs::create_directories(dir / "folder" / "inside");
    try {
        write_atomically(dir / "folder", [](const fs::path& tmp) { write_text(tmp, "x"); });
        FAIL() << "no error";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot rename"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("folder"), std::string::npos) << e.what();
    }
}

TEST(AtomicFile, LeftoversOfDeadWritersAreRemovedAndReportedOthersKept) {
    test::TempDir dir;
    const auto target = dir / "ws.gpkg";
    write_text(target, "current");
    const pid_t dead = dead_pid();
    const std::string d = std::to_string(dead);
    const std::string live = std::to_string(::getppid());
    for (const std::string& name : std::vector<std::string>{".ws.gpkg.tmp-" + d + "-0-7", ".ws.gpkg.tmp-" + d + "-0-7-journal", ".ws.gpkg.tmp-" + d,
                             ".ws.gpkg.tmp-" + live + "-0-1", ".other.gpkg.tmp-" + d + "-0-1", ".ws.gpkg.tmp-abc"})
        write_text(dir / name, "x");
    NoticeCapture notices;
    const auto removed = remove_leftovers(target);
    EXPECT_EQ(removed.size(), 3u);
    EXPECT_EQ(names_in(dir.path()), (std::set<std::string>{"ws.gpkg", ".ws.gpkg.tmp-" + live + "-0-1",
                                                           ".other.gpkg.tmp-" + d + "-0-1", ".ws.gpkg.tmp-abc"}));
    ASSERT_EQ(notices.messages.size(), 3u);
    for (const auto& m : notices.messages) {
        EXPECT_NE(m.find("removed " + dir.path().string() + "/.ws.gpkg.tmp-" + d), std::string::npos) << m;
        EXPECT_NE(m.find("process " + d), std::string::npos) << m;
    }
    EXPECT_EQ(read_text(target), "current");
    EXPECT_TRUE(remove_leftovers(target).empty()); // nothing left to say the second time
}

TEST(AtomicFile, WorkspaceWriterKilledMidWriteLeavesThePreviousVersionAndTheNextRunCleansUp) {
    test::TempDir dir;
    const auto ws = dir / "ws.gpkg";
    {
        WorkspaceWriter w(ws);
        w.write(points("schools", 5));
        w.commit();
    }
    killed_child([&] {
        WorkspaceWriter w(ws, ws);
        w.write(points("schools", 50));
        w.write(points("extra", 3));
        die(); // before commit, with the writer alive
    });
    std::size_t leftovers = 0;
    for (const auto& name : names_in(dir.path())) leftovers += name.rfind(".ws.gpkg.tmp-", 0) == 0;
    EXPECT_GE(leftovers, 1u) << "the killed writer should have left its temporary file";
    EXPECT_EQ(Workspace(ws).read("schools").features.size(), 5u);
    EXPECT_FALSE(Workspace(ws).has_layer("extra"));

    NoticeCapture notices;
    {
        WorkspaceWriter w(ws, ws);
        w.write(points("extra", 3));
        w.commit();
    }
    EXPECT_EQ(notices.messages.size(), leftovers);
    EXPECT_EQ(names_in(dir.path()), std::set<std::string>{"ws.gpkg"});
    EXPECT_EQ(Workspace(ws).read("schools").features.size(), 5u);
    EXPECT_EQ(Workspace(ws).read("extra").features.size(), 3u);
}

TEST(AtomicFile, GraphCacheAndOsmPbfGoThroughTheHelper) {
    test::TempDir dir;
    const auto cache = dir / "ws.gpkg.roadgraph";
    const auto pbf = dir / "roads.osm.pbf";
    const std::string d = std::to_string(dead_pid());
    write_text(dir / (".ws.gpkg.roadgraph.tmp-" + d), "half a cache");
    write_text(dir / (".roads.osm.pbf.tmp-" + d + "-3-4"), "half a pbf");
    NoticeCapture notices;
    routing::RoadGraph graph({0, 1, 1}, {1}, {1000}, {10.0f}, {Point{0, 0}, Point{10, 0}});
    routing::save_graph_cache(cache, graph, "key");
    demo::RoadNetwork net;
    const auto a = net.add_node(Point{400000, 300000});
    const auto b = net.add_node(Point{400100, 300000});
    net.add_way({a, b}, "primary");
    demo::write_osm_pbf(net, pbf, "test");
    EXPECT_EQ(notices.messages.size(), 2u);
    EXPECT_EQ(names_in(dir.path()), (std::set<std::string>{"ws.gpkg.roadgraph", "roads.osm.pbf"}));
    std::string why;
    EXPECT_TRUE(routing::load_graph_cache(cache, "key", &why).has_value()) << why;
    try {
        routing::save_graph_cache(dir / "no-such-folder" / "x.roadgraph", graph, "key");
        FAIL() << "no error";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("no-such-folder/x.roadgraph"), std::string::npos) << e.what();
    }
}
