#include "coldspot/geo/workspace_listen.hpp"

#include "coldspot/geo/workspace.hpp"
#include "postgis_workspace.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <string>

namespace coldspot::geo {

WorkspaceVersionListener::WorkspaceVersionListener(std::filesystem::path workspace) : workspace_(std::move(workspace)) {}

WorkspaceVersionListener::~WorkspaceVersionListener() = default;

std::int64_t WorkspaceVersionListener::wait(std::chrono::milliseconds timeout) {
    if (conn_ && conn_->ok()) {
        try {
            pg_conn* raw = conn_->raw();
            pollfd p{PQsocket(raw), POLLIN, 0};
            // Readable: a notification, or the server closed the connection (the query below fails).
            if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) PQconsumeInput(raw);
            while (PGnotify* note = PQnotifies(raw)) PQfreemem(note);
            // Asked also after a timeout without a notification: that is how a lost database shows.
            return detail::current_pg_version(*conn_).number;
        } catch (const DatabaseUnavailableError&) {
            // Lost (say the server restarted): connect again at once, and say why that fails if it does.
        } catch (...) {
            conn_.reset();
            throw;
        }
    }
    conn_.reset();
    auto c = std::make_unique<detail::PgConnection>(detail::parse_pg_target(workspace_.string()));
    c->exec(std::string("LISTEN ") + detail::kNotifyChannel, "listen for publications");
    const std::int64_t version = detail::current_pg_version(*c).number;
    conn_ = std::move(c);
    return version;
}

} // namespace coldspot::geo
