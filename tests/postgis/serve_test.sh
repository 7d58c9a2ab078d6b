#!/usr/bin/env bash
# Two `coldspot serve` processes on one PostGIS workspace: an analysis published through the CLI
# is served by both within a couple of seconds (the Coldspot-Snapshot header is the database's
# version number, the same on both); with the database stopped both answer 503 problem documents
# (health still answers), and once it is back they answer 200 again without a restart.
#   usage: serve_test.sh CLUSTER_DIR COLDSPOT_CLI WORK_DIR
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh" "$@"
fresh_database serving
"$cli" demo -o "$WS" >/dev/null

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  # The database must be up for the tests after this one, whatever happened here.
  "$root/tools/pg-cluster" resume "$CLUSTER_DIR" 2>/dev/null || true
}
trap cleanup EXIT
ports=()
for i in 1 2; do
  "$cli" serve "$WS" --port 0 --no-tiles --access-log '' >"$work/serve$i.out" 2>"$work/serve$i.err" &
  pids+=($!)
done
for i in 1 2; do
  for _ in $(seq 300); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve$i.out")
    [[ -n $port ]] && break
    sleep 0.1
  done
  [[ -n $port ]] || fail "server $i did not start: $(cat "$work/serve$i.err")"
  ports+=("$port")
done

# status and Coldspot-Snapshot of GET PATH on PORT
probe() { curl -s -o "$work/body" -D "$work/head" -w '%{http_code}' "http://127.0.0.1:$1$2"; echo " $(sed -n 's/^Coldspot-Snapshot: \([0-9]*\).*/\1/ip' "$work/head")"; }
# Waits up to 15 s for GET PATH on PORT to answer "STATUS VERSION"; fails saying WHEN otherwise.
await() { # PORT PATH "STATUS VERSION" WHEN
  for _ in $(seq 300); do
    [[ $(probe "$1" "$2") == "$3" ]] && return
    sleep 0.05
  done
  [[ $(probe "$1" "$2") == "$3" ]] || fail "port $1 $4: GET $2 answers $(probe "$1" "$2"), expected $3"
}
for p in "${ports[@]}"; do
  [[ $(probe "$p" /collections/schools/items?limit=1) == "200 1" ]] || fail "port $p before: $(probe "$p" /collections/schools/items?limit=1)"
  [[ $(probe "$p" /collections/remit_zones) == "404 1" ]] || fail "port $p serves remit_zones before the analysis"
done

# An analysis through the CLI: both servers hear of it within a second (LISTEN/NOTIFY) and then
# serve version 2 once they have loaded it (the load time, which the server prints, depends on the
# machine: seconds on a loaded 2-core one).
"$cli" remits "$WS" >/dev/null
t0=$("${PSQL[@]}" -c "SELECT extract(epoch FROM published_at) FROM coldspot.current_version") # the publishing transaction's clock
seen=()
for _ in $(seq 300); do
  for i in 1 2; do
    if [[ -z ${seen[i]:-} ]] && curl -s -D - -o /dev/null "http://127.0.0.1:${ports[i - 1]}/collections/remit_zones" | grep -qi '^Coldspot-Snapshot: 2'; then
      seen[i]=$(date +%s.%N)
    fi
  done
  [[ -n ${seen[1]:-} && -n ${seen[2]:-} ]] && break
  sleep 0.02
done
for i in 1 2; do
  [[ -n ${seen[i]:-} ]] || fail "server $i does not serve version 2 15 s after publication: $(probe "${ports[i - 1]}" /collections/remit_zones)"
  [[ $(probe "${ports[i - 1]}" /collections/remit_zones) == "200 2" ]] || fail "server $i, version 2: $(probe "${ports[i - 1]}" /collections/remit_zones)"
  load_ms=$(sed -n 's/.*now serving version 2 .*(loaded in \([0-9]*\) ms).*/\1/p' "$work/serve$i.out")
  [[ -n $load_ms ]] || fail "server $i did not say it loaded version 2: $(cat "$work/serve$i.out")"
  read -r after heard < <(awk -v s="${seen[i]}" -v t="$t0" -v l="$load_ms" 'BEGIN { printf "%.2f %.2f\n", s - t, s - t - l / 1000 }')
  awk -v h="$heard" 'BEGIN { exit !(h < 1) }' ||
    fail "server $i served version 2 $after s after publication, of which $load_ms ms loading: it heard of it $heard s after"
  echo "server $i serves version 2 $after s after publication: heard of it within $heard s, then $load_ms ms loading"
done
# The same answer from both.
curl -s "http://127.0.0.1:${ports[0]}/collections/remit_zones/items?limit=1000" >"$work/a.json"
curl -s "http://127.0.0.1:${ports[1]}/collections/remit_zones/items?limit=1000" >"$work/b.json"
python3 - "$work/a.json" "$work/b.json" <<'PY' || fail "the two servers answer differently"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
strip = lambda d: [f["properties"] | {"id": f.get("id")} for f in d["features"]]
sys.exit(0 if strip(a) == strip(b) and len(a["features"]) > 0 else 1)
PY

# The database goes down: 503 problem documents naming the connection, no password, Retry-After.
"$root/tools/pg-cluster" pause "$CLUSTER_DIR"
for p in "${ports[@]}"; do
  await "$p" "/collections/schools/items?limit=1" "503 2" "while the database is down"
  grep -qi '^content-type: application/problem+json' "$work/head" || fail "not a problem document: $(cat "$work/head")"
  grep -qi '^retry-after: 1' "$work/head" || fail "no Retry-After: $(cat "$work/head")"
  python3 - "$work/body" "$PORT" <<'PY' || fail "problem document: $(cat "$work/body")"
import json, sys
p = json.load(open(sys.argv[1]))
port = sys.argv[2]
# libpq's reason: the server refusing connections, or (heard at once over the kept connection,
# before the retry a second later) the server still shutting down.
reasons = [f"connection to server at \"127.0.0.1\", port {port} failed: Connection refused Is the server running on that host and accepting TCP/IP connections?",
           f"connection to server at \"127.0.0.1\", port {port} failed: FATAL: the database system is shutting down"]
expected = [f"the workspace database is unavailable: cannot connect to the PostgreSQL workspace PG:host=127.0.0.1 port={port} dbname=serving user=postgres: {r} "
            "(check that the server runs and the host, port, user and password; give the password in PGPASSWORD or ~/.pgpass rather than in the connection string); retrying every second"
            for r in reasons]
assert p["status"] == 503, p
assert p["detail"] in expected, p["detail"]
PY
  [[ $(probe "$p" /healthz) == "200 2" ]] || fail "healthz while the database is down: $(probe "$p" /healthz)"
  grep -q '"status":"workspace unavailable"' "$work/body" || fail "healthz body: $(cat "$work/body")"
done
"$root/tools/pg-cluster" resume "$CLUSTER_DIR"
for p in "${ports[@]}"; do await "$p" "/collections/schools/items?limit=1" "200 2" "after the database came back"; done
for p in "${pids[@]}"; do kill -0 "$p" || fail "a server exited"; done

# Each server holds the version it serves (its snapshot's reader keeps the readers' shared advisory
# lock, space 0x636f6c65, on its connection); the database restart broke those connections, so the
# servers reloaded version 2 when it came back and hold it again. Two publications while both servers
# are stopped leave version 2 in place; once they serve the newest, the next publication removes it.
holders() { "${PSQL[@]}" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668246629 AND objid = $1 AND granted"; }
for _ in $(seq 300); do [[ $(holders 2) == 2 ]] && break; sleep 0.05; done
[[ $(holders 2) == 2 ]] || fail "the two servers do not hold version 2: $(holders 2) holders"
kill -STOP "${pids[@]}"
"$cli" remits "$WS" >/dev/null && "$cli" remits "$WS" >/dev/null
present=$("${PSQL[@]}" -c "SELECT count(*) FROM coldspot.versions WHERE version = 2")
kill -CONT "${pids[@]}"
[[ $present == 1 ]] || fail "version 2 was removed while both servers served it"
for p in "${ports[@]}"; do await "$p" "/collections/schools/items?limit=1" "200 4" "after two more publications"; done
"$cli" remits "$WS" >/dev/null
[[ $("${PSQL[@]}" -c "SELECT count(*) FROM coldspot.versions WHERE version IN (2, 3)") == 0 ]] ||
  fail "versions no server serves were kept: $("${PSQL[@]}" -c "TABLE coldspot.versions")"
echo "two servers follow the published version, survive a database restart and hold the version they serve"
