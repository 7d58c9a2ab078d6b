#pragma once
// PostgreSQL/PostGIS as a workspace engine, private to geo/ (workspace.cpp is the only user).
// A PostGIS workspace is versioned: every writer builds a new schema coldspot_v<N> and publishes it
// by switching the one row of coldspot.current_version in a transaction (then NOTIFY coldspot);
// readers read the version that was current when they opened. docs/deployment.md explains the
// layout; docs/workspace.md the layers.
#include "coldspot/geo/feature_table.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct pg_conn;

namespace coldspot::geo::detail {

/// The schema that holds the control tables, and the NOTIFY channel of publications.
inline constexpr const char* kControlSchema = "coldspot";
inline constexpr const char* kNotifyChannel = "coldspot_workspace";
/// The layout of the control tables; a database written by another layout is refused.
inline constexpr int kPgLayout = 1;

/// A parsed connection: "PG:key=value ..." (GDAL's spelling) or a postgresql:// URI, converted in
/// this one place (libpq's PQconninfoParse reads both).
struct PgTarget {
    std::map<std::string, std::string> options; ///< libpq keywords with values (password included)
    /// "PG:host=... port=... dbname=... user=..." without the password: for every message.
    std::string display() const;
    /// libpq conninfo with every option (password included): for connecting only.
    std::string conninfo() const;
    /// A GDAL PostgreSQL dataset name reading/writing `schema` only.
    std::string gdal_name(const std::string& schema) const;
    /// Same database (host, port, dbname) as `other`.
    bool same_database(const PgTarget& other) const;
};

/// Throws WorkspaceError when `text` is not a connection libpq understands.
PgTarget parse_pg_target(const std::string& text);

/// One libpq connection; throws DatabaseUnavailableError naming the target (without password).
class PgConnection {
public:
    explicit PgConnection(const PgTarget& target);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    /// Runs SQL (one or more statements); throws DatabaseError with `what` and the server's
    /// message. Returns the first column of the first row of the last result, or "" for none.
    std::string exec(const std::string& sql, const std::string& what);
    /// Every row's first column.
    std::vector<std::string> column(const std::string& sql, const std::string& what);
    /// Runs SQL and ignores a failure (cleanup paths).
    void try_exec(const std::string& sql) noexcept;
    bool ok() const noexcept;
    pg_conn* raw() noexcept { return conn_; }
    const PgTarget& target() const noexcept { return target_; }
    std::string user() const;
    std::string dbname() const;

private:
    PgTarget target_;
    pg_conn* conn_ = nullptr;
};

/// Fails (DatabaseError) unless the database has the PostGIS extension.
void require_postgis(PgConnection& c);

/// The published version: its number and schema. Throws WorkspaceError when the database holds
/// no Coldspot workspace (or one of another layout).
struct PgVersion {
    std::int64_t number = 0;
    std::string schema;
};
PgVersion current_pg_version(PgConnection& c);

/// The schema of version `n`.
std::string pg_version_schema(std::int64_t n);

/// SQL a reader runs on the connection it reads through, so that version `n` is not removed while
/// that connection lives: a session-level shared advisory lock, which a publisher's cleanup must
/// take exclusively before it drops a version (docs/deployment.md, "Versions").
std::string pg_hold_version_sql(std::int64_t n);
/// Whether version `n` is published and still present (after taking the hold: a version dropped
/// between reading the current number and taking the hold is not there).
bool pg_version_present(PgConnection& c, std::int64_t n);

/// A writer's new version: creates the control tables when absent, drops what killed writers left,
/// allocates a version number and creates its schema, holding an advisory lock on it for as long
/// as the connection lives (so a cleanup by another process knows it is still being written).
class PgVersionWriter {
public:
    explicit PgVersionWriter(const PgTarget& target);
    ~PgVersionWriter();
    PgVersionWriter(const PgVersionWriter&) = delete;
    PgVersionWriter& operator=(const PgVersionWriter&) = delete;

    std::int64_t number() const noexcept { return number_; }
    const std::string& schema() const noexcept { return schema_; }
    /// Copies every table of `from_schema` (same database) into the new schema, with indexes.
    void copy_tables_from(const std::string& from_schema);
    /// Writes a layer into the new schema, replacing one of the same name: CREATE TABLE (fid
    /// bigint key, bigint / double precision / text columns, geometry(Type, EPSG) `geom`), one COPY
    /// (every double written with 17 significant digits, geometries as EWKB), then the GiST index,
    /// the key indexes and the description as the table comment. GDAL 3.6's own PostgreSQL
    /// writer (COPY or INSERT) prints doubles with 15 digits, which loses bits.
    void write_table(const FeatureTable& table, const std::vector<std::string>& key_fields);
    void drop_table(const std::string& name);
    /// Publishes: one transaction switches coldspot.current_version, then NOTIFY; then removes
    /// every older version no reader holds (pg_hold_version_sql): a server serving a version, or a
    /// command reading one, keeps it until it lets go, and the next publication removes it.
    void publish();
    PgConnection& connection() noexcept { return *conn_; }

private:
    std::unique_ptr<PgConnection> conn_;
    std::int64_t number_ = 0;
    std::string schema_;
    bool published_ = false;
};

} // namespace coldspot::geo::detail
