#pragma once
// The loopback publisher for fetch tests: tests/fetch/mirror_server.py run as a child process on
// 127.0.0.1 (port chosen by the OS), stopped when this object goes.
#include "test_support.hpp"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace coldspot::test {

class MirrorServer {
public:
    explicit MirrorServer(const std::filesystem::path& root) {
        int to_child[2], from_child[2];
        if (pipe(to_child) != 0 || pipe(from_child) != 0) throw std::runtime_error("pipe");
        pid_ = fork();
        if (pid_ == 0) {
            dup2(to_child[0], 0);
            dup2(from_child[1], 1);
            close(to_child[1]);
            close(from_child[0]);
            const std::string script = (source_dir() / "tests/fetch/mirror_server.py").string();
            execlp("python3", "python3", script.c_str(), root.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        close(to_child[0]);
        close(from_child[1]);
        stdin_ = to_child[1];
        FILE* out = fdopen(from_child[0], "r");
        char line[64] = {0};
        if (!out || !std::fgets(line, sizeof line, out) || std::sscanf(line, "PORT %d", &port_) != 1)
            throw std::runtime_error("mirror_server.py did not start");
        std::fclose(out);
    }
    ~MirrorServer() {
        close(stdin_); // the server stops when its stdin closes
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == 0) {
            usleep(200000);
            if (waitpid(pid_, &status, WNOHANG) == 0) {
                kill(pid_, SIGTERM);
                waitpid(pid_, &status, 0);
            }
        }
    }
    MirrorServer(const MirrorServer&) = delete;
    MirrorServer& operator=(const MirrorServer&) = delete;

    int port() const { return port_; }
    std::string url(const std::string& path = "") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    /// Switches faults on: {"/path": {...}} (see mirror_server.py).
    void control(const std::string& json) const {
        run_command("curl -s -X POST --data-binary " + quote(json) + " " + quote(url("/__control")));
    }
    void reset() const { run_command("curl -s -X POST -d '' " + quote(url("/__reset"))); }
    /// The request log as JSON text.
    std::string log() const { return run_command("curl -s " + quote(url("/__log"))).output; }

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    int port_ = 0;
};

} // namespace coldspot::test
