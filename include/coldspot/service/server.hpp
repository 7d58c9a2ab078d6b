#pragma once
// The Pistache transport: listens, turns each Pistache request into a service Request, and writes
// the Reply back (HEAD without a body, streamed bodies chunked), with a request log line each.
#include "coldspot/service/service.hpp"

#include <cstdint>
#include <memory>

namespace coldspot::service {

class Server {
public:
    /// Binds to config.bind:config.port (0 = a free port). Throws Error when it cannot listen.
    explicit Server(Service& service);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Starts serving on background threads and returns.
    void start();
    /// The port actually bound (useful with port 0).
    std::uint16_t port() const;
    /// Stops accepting, finishes, joins the threads. Idempotent.
    void shutdown();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace coldspot::service
