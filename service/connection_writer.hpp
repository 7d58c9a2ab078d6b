#pragma once
// Puts responses onto one connection's socket, in order, without Pistache's write queue when the
// socket takes them at once (nearly always: a cached tile is a few KB on a socket with hundreds of
// KB of buffer). Pistache 0.0.5's Transport::asyncWrite always queues, wakes its reactor through
// an eventfd and copies the bytes; for a small answer that round trip cost more than the answer.
// Only what the socket refuses goes to that queue, and everything after it queues behind it, so
// the bytes of successive responses never interleave.
#include <pistache/peer.h>

#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace coldspot::service::detail {

/// The client closed or reset the connection; nothing more can be sent on it.
class ClientGone : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class ConnectionWriter {
public:
    /// Writes the pieces in order (one gather write). Must be called on the peer's transport
    /// thread, as onInput is. Throws ClientGone when the peer is gone.
    void write(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::initializer_list<std::string_view> pieces);
    /// A response is complete: unless `keep_alive`, the connection's sending side is shut once
    /// everything queued is sent (the client then sees the end, and Pistache closes the socket
    /// when the client does).
    void end_response(const std::shared_ptr<Pistache::Tcp::Peer>& peer, bool keep_alive);
    /// Whether end_response closed the connection: what arrives after is ignored.
    bool closing() const noexcept { return closing_; }

private:
    struct Queue {
        int pending = 0;              ///< writes handed to Pistache and not yet completed
        bool shutdown_when_drained = false;
        bool broken = false;          ///< a queued write failed: the peer is gone
    };
    void enqueue(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::string bytes);

    std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
    bool closing_ = false;
};

} // namespace coldspot::service::detail
