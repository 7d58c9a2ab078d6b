#include "postgis_workspace.hpp"

#include "coldspot/geo/detail/wkb.hpp"
#include "coldspot/geo/workspace.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>

#include <unistd.h>
#include <vector>

namespace coldspot::geo::detail {

namespace {

/// Advisory lock space of writers (pg_advisory_lock(kLockSpace, version)) and of control-table setup.
constexpr int kLockSpace = 0x636f6c64; // "cold"
/// Advisory lock space of readers: pg_advisory_lock_shared(kReadLockSpace, version) while a version is read.
constexpr int kReadLockSpace = 0x636f6c65; // "cole"
constexpr int kSetupLock = 0;

std::string first_line(const std::string& s) {
    // libpq's messages are "FATAL:  ..." or multi-line "connection to server ... failed: ..."; keep
    // them whole but on one line, runs of white space as one space.
    std::string out;
    for (const char c : s) {
        const bool space = c == '\n' || c == '\t' || c == ' ';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string quote_value(const std::string& v) {
    // libpq conninfo value: single quotes with \\ and \' escaped.
    std::string out = "'";
    for (const char c : v) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string quote_ident(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string quote_literal(const std::string& v) {
    std::string out = "'";
    for (const char c : v) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

std::string control(const char* table) { return std::string(kControlSchema) + "." + table; }

} // namespace

std::string PgTarget::display() const {
    std::string out = "PG:";
    bool first = true;
    for (const char* key : {"host", "hostaddr", "port", "dbname", "user", "service"}) {
        const auto it = options.find(key);
        if (it == options.end() || it->second.empty()) continue;
        if (!first) out += ' ';
        first = false;
        out += std::string(key) + "=" + it->second;
    }
    return out;
}

std::string PgTarget::conninfo() const {
    std::string out;
    for (const auto& [k, v] : options) {
        if (!out.empty()) out += ' ';
        out += k + "=" + quote_value(v);
    }
    return out;
}

std::string PgTarget::gdal_name(const std::string& schema) const {
    // GDAL 3.6's PostgreSQL driver reads libpq keywords plus its own (schemas, active_schema).
    return "PG:" + conninfo() + " active_schema=" + schema + " schemas=" + schema;
}

bool PgTarget::same_database(const PgTarget& other) const {
    for (const char* key : {"host", "hostaddr", "port", "dbname", "service"}) {
        const auto a = options.find(key), b = other.options.find(key);
        const std::string va = a == options.end() ? "" : a->second, vb = b == other.options.end() ? "" : b->second;
        if (va != vb) return false;
    }
    return true;
}

PgTarget parse_pg_target(const std::string& text) {
    std::string conn = text;
    if (conn.rfind("PG:", 0) == 0) conn = conn.substr(3);
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conn.c_str(), &err);
    if (!opts) {
        std::string why = err ? first_line(err) : "out of memory";
        if (err) PQfreemem(err);
        // The text may hold a password: name only its beginning.
        throw WorkspaceError("not a valid PostgreSQL connection (" + why + "); write PG:\"host=H port=P dbname=D user=U\" or postgresql://U@H:P/D");
    }
    PgTarget t;
    for (PQconninfoOption* o = opts; o->keyword; ++o)
        if (o->val && *o->val) t.options[o->keyword] = o->val;
    PQconninfoFree(opts);
    return t;
}

PgConnection::PgConnection(const PgTarget& target) : target_(target) {
    // A server that does not answer must not hang a reader: ten seconds unless the caller says.
    PgTarget t = target;
    t.options.emplace("connect_timeout", "10");
    t.options.emplace("application_name", "coldspot");
    conn_ = PQconnectdb(t.conninfo().c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = conn_ ? first_line(PQerrorMessage(conn_)) : "out of memory";
        if (conn_) PQfinish(std::exchange(conn_, nullptr));
        throw DatabaseUnavailableError("cannot connect to the PostgreSQL workspace " + target.display() + ": " + why +
                                       " (check that the server runs and the host, port, user and password; give the password in "
                                       "PGPASSWORD or ~/.pgpass rather than in the connection string)");
    }
    // Notices (CREATE ... IF NOT EXISTS, DROP ... CASCADE) are not for the user.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
    if (conn_) PQfinish(conn_);
}

bool PgConnection::ok() const noexcept { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

std::string PgConnection::user() const { return conn_ ? PQuser(conn_) : ""; }
std::string PgConnection::dbname() const { return conn_ ? PQdb(conn_) : ""; }

std::string PgConnection::exec(const std::string& sql, const std::string& what) {
    PGresult* r = PQexec(conn_, sql.c_str());
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN) {
        const std::string why = first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
        const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        const std::string code = state ? state : "";
        if (r) PQclear(r);
        const std::string where = " in the PostgreSQL workspace " + target_.display();
        if (PQstatus(conn_) != CONNECTION_OK) throw DatabaseUnavailableError("lost the connection" + where + " while trying to " + what + ": " + why);
        if (code == "42501" || code == "25006")
            throw DatabaseError("role " + user() + " may not " + what + where + " (" + why + "); a writer needs a role that may CREATE in database " +
                                dbname() + " (GRANT CREATE ON DATABASE " + dbname() + " TO " + user() + ", or the owner's role)");
        throw DatabaseError("cannot " + what + where + ": " + why);
    }
    std::string out;
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0)) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    return out;
}

std::vector<std::string> PgConnection::column(const std::string& sql, const std::string& what) {
    PGresult* r = PQexec(conn_, sql.c_str());
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        if (r) PQclear(r);
        exec(sql, what); // the same statement again, for its error
        return {};
    }
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(PQntuples(r)));
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetisnull(r, i, 0) ? "" : PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
}

void PgConnection::try_exec(const std::string& sql) noexcept {
    if (!ok()) return;
    if (PGresult* r = PQexec(conn_, sql.c_str())) PQclear(r);
}

void require_postgis(PgConnection& c) {
    if (c.exec("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'", "look for the PostGIS extension") == "0")
        throw DatabaseError("database " + c.dbname() + " of " + c.target().display() +
                            " has no PostGIS extension: run CREATE EXTENSION postgis; in it as its owner or a superuser");
}

std::string pg_version_schema(std::int64_t n) { return "coldspot_v" + std::to_string(n); }

PgVersion current_pg_version(PgConnection& c) {
    const std::string has = c.exec("SELECT to_regclass('" + control("current_version") + "') IS NOT NULL", "look for the Coldspot control table");
    if (has != "t") {
        require_postgis(c);
        throw WorkspaceError(c.target().display() + " holds no Coldspot workspace (no table " + control("current_version") +
                             "): write one with `coldspot import` or `coldspot demo -o` first");
    }
    const std::string layout = c.exec("SELECT layout FROM " + control("current_version"), "read the workspace layout");
    if (layout != std::to_string(kPgLayout))
        throw DatabaseError(c.target().display() + " holds a Coldspot workspace of layout " + layout + ", this Coldspot reads layout " +
                            std::to_string(kPgLayout) + ": re-import it into a new database with this version");
    PgVersion v;
    const std::string n = c.exec("SELECT version FROM " + control("current_version"), "read the published version");
    if (n.empty() || n == "0")
        throw WorkspaceError(c.target().display() + " holds no published Coldspot workspace yet (an import was never committed)");
    v.number = std::stoll(n);
    v.schema = pg_version_schema(v.number);
    return v;
}

PgVersionWriter::PgVersionWriter(const PgTarget& target) : conn_(std::make_unique<PgConnection>(target)) {
    PgConnection& c = *conn_;
    require_postgis(c);
    // Control tables: created once, under a transaction-level advisory lock so two first writers
    // do not race. A role that may not create schemas fails here, before anything is written.
    c.exec("BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kLockSpace) + ", " + std::to_string(kSetupLock) +
               ");"
               "CREATE SCHEMA IF NOT EXISTS " + std::string(kControlSchema) +
               ";"
               "CREATE TABLE IF NOT EXISTS " + control("versions") +
               " (version bigserial PRIMARY KEY, state text NOT NULL CHECK (state IN ('writing', 'published')),"
               " created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz, writer text);"
               "CREATE TABLE IF NOT EXISTS " + control("current_version") +
               " (one boolean PRIMARY KEY DEFAULT true CHECK (one), version bigint NOT NULL, layout integer NOT NULL,"
               " published_at timestamptz);"
               "INSERT INTO " + control("current_version") + " (version, layout) VALUES (0, " + std::to_string(kPgLayout) +
               ") ON CONFLICT DO NOTHING;"
               "COMMIT",
           "create the Coldspot control tables (schema " + std::string(kControlSchema) + ")");
    const std::string layout = c.exec("SELECT layout FROM " + control("current_version"), "read the workspace layout");
    if (layout != std::to_string(kPgLayout))
        throw DatabaseError(target.display() + " holds a Coldspot workspace of layout " + layout + ", this Coldspot writes layout " +
                            std::to_string(kPgLayout) + ": use a new database");
    // What killed writers left: a version still 'writing' whose advisory lock nobody holds.
    for (const auto& n : c.column("SELECT version FROM " + control("versions") + " WHERE state = 'writing'", "list unfinished versions")) {
        const std::string lock = std::to_string(kLockSpace) + ", " + n;
        if (c.exec("SELECT pg_try_advisory_lock(" + lock + ")", "lock an unfinished version") != "t") continue;
        c.exec("DROP SCHEMA IF EXISTS " + pg_version_schema(std::stoll(n)) + " CASCADE; DELETE FROM " + control("versions") + " WHERE version = " + n,
               "remove the unfinished version " + n + " a stopped writer left");
        c.exec("SELECT pg_advisory_unlock(" + lock + ")", "unlock");
    }
    number_ = std::stoll(c.exec("INSERT INTO " + control("versions") + " (state, writer) VALUES ('writing', " +
                                    quote_literal("pid " + std::to_string(::getpid())) + ") RETURNING version",
                                "allocate a new version"));
    schema_ = pg_version_schema(number_);
    c.exec("SELECT pg_advisory_lock(" + std::to_string(kLockSpace) + ", " + std::to_string(number_) + ")", "lock the new version");
    c.exec("CREATE SCHEMA " + schema_, "create the schema " + schema_ + " of the new version");
}

PgVersionWriter::~PgVersionWriter() {
    if (published_ || !conn_) return;
    conn_->try_exec("ROLLBACK");
    // Not published: the version goes (a killed process leaves it to the next writer's cleanup).
    conn_->try_exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
    conn_->try_exec("DELETE FROM " + control("versions") + " WHERE version = " + std::to_string(number_));
}

void PgVersionWriter::copy_tables_from(const std::string& from_schema) {
    PgConnection& c = *conn_;
    const auto tables = c.column("SELECT tablename FROM pg_tables WHERE schemaname = " + quote_literal(from_schema) + " ORDER BY tablename",
                                 "list the tables of " + from_schema);
    for (const auto& t : tables) {
        const std::string from = from_schema + "." + quote_ident(t), to = schema_ + "." + quote_ident(t);
        // CREATE TABLE AS keeps column types (geometry typmods included); keys, indexes and the
        // table comment (the layer description) are added after, as a bulk load would.
        std::string sql = "CREATE TABLE " + to + " AS SELECT * FROM " + from + ";";
        const std::string pk = c.exec("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                                      " WHERE i.indrelid = " + quote_literal(from) + "::regclass AND i.indisprimary",
                                      "read the key of " + from);
        if (!pk.empty()) sql += "ALTER TABLE " + to + " ADD PRIMARY KEY (" + quote_ident(pk) + ");";
        // Every other index as it was (spatial and key indexes), on the new table.
        for (const auto& def : c.column("SELECT regexp_replace(indexdef, '^CREATE (UNIQUE )?INDEX \\S+ ON \\S+', 'CREATE \\1INDEX ON ' || " +
                                            quote_literal(to) + ") FROM pg_indexes i JOIN pg_index x ON x.indexrelid = (quote_ident(i.schemaname) || '.' || "
                                            "quote_ident(i.indexname))::regclass WHERE i.schemaname = " + quote_literal(from_schema) +
                                            " AND i.tablename = " + quote_literal(t) + " AND NOT x.indisprimary",
                                        "read the indexes of " + from))
            sql += def + ";";
        const std::string comment = c.exec("SELECT obj_description(" + quote_literal(from) + "::regclass, 'pg_class')", "read the comment of " + from);
        if (!comment.empty()) sql += "COMMENT ON TABLE " + to + " IS " + quote_literal(comment) + ";";
        c.exec(sql, "copy table " + t + " into " + schema_);
    }
}

namespace {

const char* sql_type(FieldType t) {
    switch (t) {
    case FieldType::Integer: return "bigint";
    case FieldType::Real: return "double precision";
    case FieldType::String: return "text";
    }
    return "text";
}

/// A COPY text-format field: backslash escapes for the characters COPY gives meaning to.
void append_copy_text(std::string& out, std::string_view v) {
    for (const char c : v) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        default: out += c;
        }
    }
}

void append_double(std::string& out, double d) {
    if (std::isnan(d)) { out += "NaN"; return; }
    if (std::isinf(d)) { out += d > 0 ? "Infinity" : "-Infinity"; return; }
    char buf[32];
    // Shortest text that reads back as the same double.
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
}

void append_value(std::string& out, const Value& v, FieldType type) {
    if (is_null(v)) { out += "\\N"; return; }
    switch (type) {
    case FieldType::Integer:
        if (const auto* i = std::get_if<std::int64_t>(&v)) out += std::to_string(*i);
        else if (const auto* d = std::get_if<double>(&v)) out += std::to_string(static_cast<std::int64_t>(*d));
        else out += std::to_string(std::strtoll(std::get<std::string>(v).c_str(), nullptr, 10));
        return;
    case FieldType::Real:
        if (const auto* d = std::get_if<double>(&v)) append_double(out, *d);
        else if (const auto* i = std::get_if<std::int64_t>(&v)) append_double(out, static_cast<double>(*i));
        else append_double(out, std::strtod(std::get<std::string>(v).c_str(), nullptr));
        return;
    case FieldType::String: append_copy_text(out, as_text(v)); return;
    }
}

/// Hex EWKB: ISO WKB (2D, little-endian, the same bytes as EWKB for these types) with the SRID flag
/// and the SRID after the type of the outer geometry.
void append_ewkb(std::string& out, const Geometry& g, int epsg) {
    const auto wkb = to_wkb(g);
    std::vector<std::uint8_t> e;
    e.reserve(wkb.size() + 4);
    e.insert(e.end(), wkb.begin(), wkb.begin() + 5);
    e[4] |= 0x20; // 0x20000000, little-endian: the high byte of the type
    for (int i = 0; i < 4; ++i) e.push_back(static_cast<std::uint8_t>((static_cast<std::uint32_t>(epsg) >> (8 * i)) & 0xff));
    e.insert(e.end(), wkb.begin() + 5, wkb.end());
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const auto b : e) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
}

} // namespace

void PgVersionWriter::drop_table(const std::string& name) {
    conn_->exec("DROP TABLE IF EXISTS " + schema_ + "." + quote_ident(name), "remove table " + name + " from " + schema_);
}

void PgVersionWriter::write_table(const FeatureTable& table, const std::vector<std::string>& key_fields) {
    PgConnection& c = *conn_;
    const std::string to = schema_ + "." + quote_ident(table.name);
    const bool spatial = table.geometry_type != GeometryType::None;
    // The column keeps the declared type when every feature has it, as the GeoPackage declares it.
    std::string geom_type(spatial ? to_string(table.geometry_type) : "");
    for (const auto& f : table.features)
        if (spatial && !std::holds_alternative<std::monostate>(f.geometry) && geometry_type_of(f.geometry) != table.geometry_type) geom_type = "Geometry";
    std::string ddl = "DROP TABLE IF EXISTS " + to + "; CREATE TABLE " + to + " (fid bigint PRIMARY KEY";
    std::string columns = "fid";
    for (const auto& f : table.fields) {
        ddl += ", " + quote_ident(f.name) + " " + sql_type(f.type);
        columns += ", " + quote_ident(f.name);
    }
    if (spatial) {
        ddl += ", geom geometry(" + geom_type + ", " + std::to_string(table.epsg) + ")";
        columns += ", geom";
    }
    ddl += ");";
    if (!table.description.empty()) ddl += "COMMENT ON TABLE " + to + " IS " + quote_literal(table.description) + ";";
    c.exec(ddl, "create table " + table.name + " in " + schema_);

    c.exec("COPY " + to + " (" + columns + ") FROM STDIN", "start the bulk load (COPY) of " + table.name);
    std::string buf;
    std::int64_t next_fid = 1;
    for (const auto& f : table.features) next_fid = std::max(next_fid, f.fid + 1);
    bool ok = true;
    const auto flush = [&](bool force) {
        if (!ok || (!force && buf.size() < (1u << 20))) return;
        ok = PQputCopyData(c.raw(), buf.data(), static_cast<int>(buf.size())) == 1;
        buf.clear();
    };
    for (const auto& f : table.features) {
        buf += std::to_string(f.fid > 0 ? f.fid : next_fid++);
        for (std::size_t i = 0; i < table.fields.size(); ++i) {
            buf += '\t';
            append_value(buf, i < f.values.size() ? f.values[i] : Value{}, table.fields[i].type);
        }
        if (spatial) {
            buf += '\t';
            if (std::holds_alternative<std::monostate>(f.geometry)) buf += "\\N";
            else append_ewkb(buf, f.geometry, table.epsg);
        }
        buf += '\n';
        flush(false);
    }
    flush(true);
    if (PQputCopyEnd(c.raw(), ok ? nullptr : "client failed to send") != 1) ok = false;
    // The COPY's own result says whether the rows went in (a constraint, a bad value).
    std::string why;
    while (PGresult* r = PQgetResult(c.raw())) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && why.empty()) why = first_line(PQresultErrorMessage(r));
        PQclear(r);
    }
    if (!ok && why.empty()) why = first_line(PQerrorMessage(c.raw()));
    if (!why.empty()) {
        if (!c.ok()) throw DatabaseUnavailableError("lost the connection to the PostgreSQL workspace " + c.target().display() + " while loading " + table.name + ": " + why);
        throw DatabaseError("cannot load table " + table.name + " into " + schema_ + " of the PostgreSQL workspace " + c.target().display() + ": " + why);
    }
    std::string indexes;
    if (spatial) indexes += "CREATE INDEX ON " + to + " USING GIST (geom);";
    for (const auto& k : key_fields) indexes += "CREATE INDEX ON " + to + " (" + quote_ident(k) + ");";
    indexes += "ANALYZE " + to + ";";
    c.exec(indexes, "index table " + table.name + " of " + schema_);
}

void PgVersionWriter::publish() {
    PgConnection& c = *conn_;
    const std::string n = std::to_string(number_);
    // One transaction: the row switch is what readers see; NOTIFY is delivered at COMMIT.
    c.exec("BEGIN;"
           "SELECT version FROM " + control("current_version") + " FOR UPDATE;",
           "lock the published version");
    // Readers may be other roles (a read-only one for the servers): they may read every version.
    c.exec("GRANT USAGE ON SCHEMA " + schema_ + ", " + kControlSchema + " TO PUBLIC; GRANT SELECT ON ALL TABLES IN SCHEMA " + schema_ + ", " +
               kControlSchema + " TO PUBLIC",
           "let other roles read version " + n);
    c.exec("UPDATE " + control("versions") + " SET state = 'published', published_at = now() WHERE version = " + n +
               ";"
               "UPDATE " + control("current_version") + " SET version = " + n + ", published_at = now();"
               "NOTIFY " + std::string(kNotifyChannel) + ", " + quote_literal(n) + ";"
               "COMMIT",
           "publish version " + n);
    published_ = true;
    c.try_exec("SELECT pg_advisory_unlock(" + std::to_string(kLockSpace) + ", " + n + ")");
    // Older versions go once no reader holds them: the exclusive lock is granted only then, and a
    // reader arriving after it finds the version gone and reads the current one instead.
    for (const auto& old : c.column("SELECT version FROM " + control("versions") + " WHERE state = 'published' AND version < " + n,
                                    "list old versions")) {
        const std::string lock = std::to_string(kReadLockSpace) + ", " + old;
        if (c.exec("SELECT pg_try_advisory_lock(" + lock + ")", "try the readers' lock of version " + old) != "t") continue;
        c.try_exec("BEGIN; DROP SCHEMA IF EXISTS " + pg_version_schema(std::stoll(old)) + " CASCADE; DELETE FROM " + control("versions") +
                   " WHERE version = " + old + "; COMMIT");
        c.try_exec("SELECT pg_advisory_unlock(" + lock + ")");
    }
}

std::string pg_hold_version_sql(std::int64_t n) {
    return "SELECT pg_advisory_lock_shared(" + std::to_string(kReadLockSpace) + ", " + std::to_string(n) + ")";
}

bool pg_version_present(PgConnection& c, std::int64_t n) {
    return c.exec("SELECT count(*) FROM " + control("versions") + " WHERE state = 'published' AND version = " + std::to_string(n),
                  "check that version " + std::to_string(n) + " is still there") == "1";
}

} // namespace coldspot::geo::detail
