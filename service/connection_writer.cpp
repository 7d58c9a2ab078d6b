#include "connection_writer.hpp"

#include <pistache/stream.h>

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace coldspot::service::detail {

void ConnectionWriter::write(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::initializer_list<std::string_view> pieces) {
    if (queue_->broken) throw ClientGone("the client closed the connection");
    std::size_t total = 0;
    for (const auto piece : pieces) total += piece.size();
    if (total == 0) return;
    std::size_t sent = 0;
    if (queue_->pending == 0) {
        iovec iov[8];
        int n = 0;
        for (const auto piece : pieces)
            if (!piece.empty() && n < 8) iov[n++] = {const_cast<char*>(piece.data()), piece.size()};
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = static_cast<std::size_t>(n);
        ssize_t r;
        do r = ::sendmsg(peer->fd(), &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                queue_->broken = true;
                throw ClientGone(std::string("cannot send to the client: ") + std::strerror(errno));
            }
            r = 0;
        }
        sent = static_cast<std::size_t>(r);
        if (sent == total) return;
    }
    // The rest, from the first byte the socket did not take, waits in Pistache's queue.
    std::string rest;
    rest.reserve(total - sent);
    for (auto piece : pieces) {
        const std::size_t skip = std::min(sent, piece.size());
        sent -= skip;
        rest.append(piece.substr(skip));
    }
    enqueue(peer, std::move(rest));
}

void ConnectionWriter::enqueue(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::string bytes) {
    const auto size = bytes.size();
    ++queue_->pending;
    auto queue = queue_;
    const int fd = peer->fd();
    // Both callbacks run on the transport thread, inside the write that finished or failed, while
    // the socket is still this peer's.
    // cppcheck-suppress accessMoved ; false positive: `size` was read above, before the move
    peer->send(Pistache::RawBuffer(std::move(bytes), size))
        .then(
            [queue, fd](ssize_t) {
                if (--queue->pending == 0 && queue->shutdown_when_drained) ::shutdown(fd, SHUT_WR);
            },
            [queue](const std::exception_ptr&) {
                --queue->pending;
                queue->broken = true;
            });
}

void ConnectionWriter::end_response(const std::shared_ptr<Pistache::Tcp::Peer>& peer, bool keep_alive) {
    if (keep_alive) return;
    closing_ = true;
    if (queue_->pending == 0) ::shutdown(peer->fd(), SHUT_WR);
    else queue_->shutdown_when_drained = true;
}

} // namespace coldspot::service::detail
