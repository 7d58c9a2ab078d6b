#pragma once
// `coldspot serve ARGS` as a subprocess for tests that use the server as a user would (curl, GDAL,
// QGIS): started on the port it prints, killed at the end of the test.
#include "test_support.hpp"

#include <csignal>
#include <cstdio>
#include <regex>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace coldspot::test {

/// `coldspot serve ARGS` with stdout on a pipe; reads until the "listening" line.
class ServeProcess {
public:
    explicit ServeProcess(std::vector<std::string> args) {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        args.insert(args.begin(), {cli().string(), "serve"});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) throw std::runtime_error("spawn");
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        out_ = fdopen(out[0], "r");
        char line[1024];
        while (std::fgets(line, sizeof line, out_)) {
            output_ += line;
            std::smatch m;
            const std::string s = line;
            if (std::regex_search(s, m, std::regex("listening on http://[0-9.]+:([0-9]+)/"))) {
                port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
                break;
            }
        }
    }
    ~ServeProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (out_) fclose(out_);
    }
    std::uint16_t port() const { return port_; }
    /// Sends the signal and returns the exit status; the rest of stdout is appended to output().
    int stop(int sig) {
        kill(pid_, sig);
        char line[1024];
        while (std::fgets(line, sizeof line, out_)) output_ += line;
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    const std::string& output() const { return output_; }

private:
    pid_t pid_ = -1;
    FILE* out_ = nullptr;
    std::uint16_t port_ = 0;
    std::string output_;
};

} // namespace coldspot::test
