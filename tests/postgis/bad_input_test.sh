#!/usr/bin/env bash
# Bad connections and failed writers on PostGIS: each gives exit code 1 and one exact message that
# names the connection without its password, and the database is left as it was (same published
# version, same schemas, no version row left 'writing').
#   usage: bad_input_test.sh CLUSTER_DIR COLDSPOT_CLI WORK_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$@"
fresh_database badinput
"$cli" demo -o "$WS" >/dev/null
snapshot() {
  "${PSQL[@]}" -c "SELECT (SELECT version FROM coldspot.current_version) || ' ' || (SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM coldspot.versions) || ' ' ||
                          (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'coldspot%')"
}
before=$(snapshot)
[[ $before == "1 1:published coldspot,coldspot_v1" ]] || fail "after the demo: $before"

# expect EXIT_CODE MESSAGE -- coldspot arguments: stderr must be exactly MESSAGE, never a password.
expect() {
  local code=$1 message=$2; shift 3
  set +e
  "$cli" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  set -e
  [[ $rc == "$code" ]] || fail "coldspot $*: exit code $rc, expected $code; stderr: $(cat "$work/err")"
  [[ $(cat "$work/err") == "$message" ]] || fail "coldspot $*: stderr
  $(cat "$work/err")
expected
  $message"
  if grep -qE 'secret|right-password|wrong-password' "$work/out" "$work/err"; then fail "a password in the output of coldspot $*"; fi
  [[ $(snapshot) == "$before" ]] || fail "coldspot $* changed the database: $(snapshot)"
}

# Unreachable: a port nobody listens on (the kernel's pick, closed again).
free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
expect 1 "coldspot info: cannot connect to the PostgreSQL workspace PG:host=127.0.0.1 port=$free dbname=badinput user=postgres: connection to server at \"127.0.0.1\", port $free failed: Connection refused Is the server running on that host and accepting TCP/IP connections? (check that the server runs and the host, port, user and password; give the password in PGPASSWORD or ~/.pgpass rather than in the connection string)" \
  -- info "PG:host=127.0.0.1 port=$free dbname=badinput user=postgres password=secret"
# The same as a URI.
expect 1 "coldspot remits: cannot connect to the PostgreSQL workspace PG:host=127.0.0.1 port=$free dbname=badinput user=postgres: connection to server at \"127.0.0.1\", port $free failed: Connection refused Is the server running on that host and accepting TCP/IP connections? (check that the server runs and the host, port, user and password; give the password in PGPASSWORD or ~/.pgpass rather than in the connection string)" \
  -- remits "postgresql://postgres:secret@127.0.0.1:$free/badinput"
# Wrong password (role coldspot_pw authenticates with a password; tools/pg-cluster).
expect 1 "coldspot demo: cannot connect to the PostgreSQL workspace PG:host=127.0.0.1 port=$PORT dbname=badinput user=coldspot_pw: connection to server at \"127.0.0.1\", port $PORT failed: FATAL: password authentication failed for user \"coldspot_pw\" (check that the server runs and the host, port, user and password; give the password in PGPASSWORD or ~/.pgpass rather than in the connection string)" \
  -- demo -o "PG:host=127.0.0.1 port=$PORT dbname=badinput user=coldspot_pw password=wrong-password"
# The right password reads.
PGPASSWORD=right-password "$cli" info "PG:host=127.0.0.1 port=$PORT dbname=badinput user=coldspot_pw" >/dev/null || fail "the right password does not read"
# A database without PostGIS, to read and to write.
expect 1 "coldspot info: database plain of PG:host=127.0.0.1 port=$PORT dbname=plain user=postgres has no PostGIS extension: run CREATE EXTENSION postgis; in it as its owner or a superuser" \
  -- info "PG:host=127.0.0.1 port=$PORT dbname=plain user=postgres"
expect 1 "coldspot demo: database plain of PG:host=127.0.0.1 port=$PORT dbname=plain user=postgres has no PostGIS extension: run CREATE EXTENSION postgis; in it as its owner or a superuser" \
  -- demo -o "PG:host=127.0.0.1 port=$PORT dbname=plain user=postgres"
[[ $(psql -h 127.0.0.1 -p "$PORT" -U postgres -d plain -tAc "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'coldspot%'") == 0 ]] || fail "schemas written into plain"
# A database with PostGIS but no workspace.
expect 1 "coldspot remits: PG:host=127.0.0.1 port=$PORT dbname=coldspot user=postgres holds no Coldspot workspace (no table coldspot.current_version): write one with \`coldspot import\` or \`coldspot demo -o\` first" \
  -- remits "PG:host=127.0.0.1 port=$PORT dbname=coldspot user=postgres"
# A read-only role reads every published version but cannot write one.
"$cli" info "PG:host=127.0.0.1 port=$PORT dbname=badinput user=coldspot_ro" >/dev/null || fail "the read-only role cannot read"
expect 1 "coldspot remits: role coldspot_ro may not create the Coldspot control tables (schema coldspot) in the PostgreSQL workspace PG:host=127.0.0.1 port=$PORT dbname=badinput user=coldspot_ro (ERROR: permission denied for database badinput); a writer needs a role that may CREATE in database badinput (GRANT CREATE ON DATABASE badinput TO coldspot_ro, or the owner's role)" \
  -- remits "PG:host=127.0.0.1 port=$PORT dbname=badinput user=coldspot_ro"
# A layout from another Coldspot version.
"${PSQL[@]}" -c "UPDATE coldspot.current_version SET layout = 0"
before=$(snapshot)
expect 1 "coldspot info: PG:host=127.0.0.1 port=$PORT dbname=badinput user=postgres holds a Coldspot workspace of layout 0, this Coldspot reads layout 1: re-import it into a new database with this version" \
  -- info "$WS"
"${PSQL[@]}" -c "UPDATE coldspot.current_version SET layout = 1"
before=$(snapshot)

# A failing writer (the access run's road file does not exist) publishes nothing.
expect 3 "coldspot access: input error: $work/missing.osm.pbf: no such file" -- access "$WS" --roads "$work/missing.osm.pbf"

# A killed writer: `coldspot remits` writes its whole new version, then waits at publication for a
# row lock this test holds; killed there (SIGKILL, no cleanup), it leaves its schema and a
# 'writing' row. The published version stays readable, and the next writer removes the leftovers.
mkfifo "$work/hold"
( "${PSQL[@]}" -c "BEGIN; SELECT version FROM coldspot.current_version FOR UPDATE;" -c "\\! cat $work/hold" -c "COMMIT" >/dev/null ) &
holder=$!
for _ in $(seq 100); do
  [[ $("${PSQL[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'") == 1 ]] && break
  sleep 0.1
done
"$cli" remits "$WS" >/dev/null 2>&1 &
writer=$!
for _ in $(seq 100); do
  waiting=$("${PSQL[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'coldspot' AND wait_event_type = 'Lock'")
  [[ $waiting == 1 ]] && break
  sleep 0.1
done
[[ $waiting == 1 ]] || fail "the writer never reached publication"
[[ $("${PSQL[@]}" -c "SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM coldspot.versions") == "1:published,2:writing" ]] || fail "no version being written"
[[ $("${PSQL[@]}" -c "SELECT count(*) FROM coldspot_v2.remit_zones") -gt 0 ]] || fail "the writer had not written its layers"
kill -KILL "$writer"
wait "$writer" 2>/dev/null || true
echo >"$work/hold"
wait "$holder"
[[ $(current_version) == 1 ]] || fail "the killed writer published"
"$cli" info "$WS" >/dev/null || fail "the published version is not readable after a killed writer"
[[ $("${PSQL[@]}" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'coldspot_v2'") == 1 ]] || fail "the killed writer's schema is already gone"
"$cli" remits "$WS" >/dev/null
# The killed writer's version is cleaned up; version 1, which no reader holds any more, goes too.
[[ $(snapshot) == "3 3:published coldspot,coldspot_v3" ]] || fail "after the next writer: $(snapshot)"
echo "bad connections and failed writers leave the database as it was"
