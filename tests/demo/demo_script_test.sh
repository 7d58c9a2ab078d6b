#!/usr/bin/env bash
# tools/demo without building or serving: the demo workspace and PBF appear, each available
# analysis verb is run and echoed, a verb the build lacks is skipped with a note, and bad `coldspot
# demo` arguments fail with exit code 2 and a message.
# usage: demo_script_test.sh SOURCE_DIR COLDSPOT_CLI WORK_DIR
set -euo pipefail
src="$1" cli="$2" work="$3"
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

out="$(COLDSPOT_CLI="$cli" COLDSPOT_DEMO_DIR="$work/demo" COLDSPOT_DEMO_NO_SERVE=1 \
       COLDSPOT_DEMO_VERBS="remits access coldspots target no-such-verb" "$src/tools/demo" 2>&1)" ||
  { echo "$out"; fail "tools/demo exited with $?"; }
echo "$out"
[[ -s "$work/demo/demo.gpkg" ]] || fail "no demo/demo.gpkg"
[[ -s "$work/demo/demo.osm.pbf" ]] || fail "no demo/demo.osm.pbf"
grep -q "^+ coldspot demo -o $work/demo/demo.gpkg$" <<<"$out" || fail "did not print the demo command"
grep -q "SYNTHETIC DEMO DATA" <<<"$out" || fail "demo output not labelled synthetic"
grep -q "(skipping coldspot no-such-verb: not in this build)" <<<"$out" || fail "missing verb not skipped with a note"
grep -q "COLDSPOT_DEMO_NO_SERVE=1: not serving" <<<"$out" || fail "did not stop before serving"
verbs="$("$cli" --help | awk '/^verbs:/ { on = 1; next } on && NF { print $1 }')"
# Every analysis verb this build has ran, in order, on the demo workspace.
expected=()
for verb in remits access coldspots target; do
  grep -qx "$verb" <<<"$verbs" || continue
  expected+=("$verb")
  grep -q "^+ coldspot $verb $work/demo/demo.gpkg" <<<"$out" || fail "$verb exists but was not run"
done
grep -qx "analysis verbs run: ${expected[*]:-none}" <<<"$out" || fail "wrong list of verbs run"
if grep -qx access <<<"$verbs"; then
  grep -q "^+ coldspot access $work/demo/demo.gpkg --roads $work/demo/demo.osm.pbf" <<<"$out" ||
    fail "access was not given the demo's OSM PBF"
fi
if grep -qx info <<<"$verbs"; then
  grep -q "^+ coldspot info $work/demo/demo.gpkg" <<<"$out" || fail "info not run"
fi
# Serving: with `coldspot serve` built in, the script ends by serving the workspace and prints the URL.
if grep -qx serve <<<"$verbs"; then
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  COLDSPOT_CLI="$cli" COLDSPOT_DEMO_DIR="$work/demo" COLDSPOT_DEMO_VERBS="" COLDSPOT_DEMO_PORT="$port" \
    "$src/tools/demo" > "$work/serve.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/collections" > "$work/collections.json" && break
    sleep 0.2
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  trap - EXIT
  cat "$work/serve.log"
  grep -q "open http://127.0.0.1:$port/" "$work/serve.log" || fail "the URL was not printed"
  grep -q '"id":"schools"' "$work/collections.json" || fail "the served workspace has no schools collection"
  grep -q '"id":"roads"' "$work/collections.json" || fail "the served workspace has no roads collection"
fi

# No temporary files left beside the workspace.
leftovers="$(find "$work/demo" -name '.*tmp*')"
[[ -z "$leftovers" ]] || fail "temporary files left: $leftovers"

# Bad arguments: clear message, exit code 2, nothing written.
set +e
msg="$("$cli" demo 2>&1)"; code=$?
set -e
[[ $code == 2 ]] || fail "demo without -o exited $code"
grep -q -- "-o WORKSPACE.gpkg is required" <<<"$msg" || fail "unhelpful message: $msg"
set +e
msg="$("$cli" demo -o "$work/x.gpkg" --seed twelve 2>&1)"; code=$?
set -e
[[ $code == 2 ]] || fail "--seed twelve exited $code"
grep -q -- "--seed expects an integer" <<<"$msg" || fail "unhelpful message: $msg"
[[ ! -e "$work/x.gpkg" ]] || fail "a workspace was written despite the error"
set +e
msg="$("$cli" demo -o "$work/x.txt" 2>&1)"; code=$?
set -e
[[ $code == 2 ]] || fail "-o x.txt exited $code"
echo "PASS"
