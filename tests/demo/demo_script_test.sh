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
# The verbs the quick start must run, named here rather than read from `--help` the way tools/demo
# does (the same parser on both sides could not catch its own mistake): each must have run, in order,
# on the demo workspace, and the program must know it (`coldspot VERB --help` exits 0).
expected=(remits access coldspots target)
for verb in "${expected[@]}" info serve; do
  "$cli" "$verb" --help >/dev/null 2>&1 || fail "coldspot $verb --help failed: the build lacks a quick-start verb"
done
for verb in "${expected[@]}"; do
  grep -q "^+ coldspot $verb $work/demo/demo.gpkg" <<<"$out" || fail "$verb was not run"
done
grep -qx "analysis verbs run: ${expected[*]}" <<<"$out" || fail "wrong list of verbs run"
grep -q "^+ coldspot access $work/demo/demo.gpkg --roads $work/demo/demo.osm.pbf" <<<"$out" ||
  fail "access was not given the demo's OSM PBF"
grep -q "^+ coldspot info $work/demo/demo.gpkg" <<<"$out" || fail "info not run"
# The demo has every input the index uses: no component reported missing.
if grep -E "has no (need )?field|engagement table .*(lacks|missing)|: no [a-z ]+ component|skipped" <<<"$out"; then
  fail "the demo workspace lacks an input of the index (see the lines above)"
fi
# Serving: the script ends by serving the workspace and prints the URL.
{
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  COLDSPOT_CLI="$cli" COLDSPOT_DEMO_DIR="$work/demo" COLDSPOT_DEMO_VERBS="" COLDSPOT_DEMO_PORT="$port" \
    "$src/tools/demo" > "$work/serve.log" 2>&1 &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  # Before serving, tools/demo builds the map page (tools/js-deps): allow two minutes on a loaded machine.
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/collections" > "$work/collections.json" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  trap - EXIT
  cat "$work/serve.log"
  grep -q "open http://127.0.0.1:$port/" "$work/serve.log" || fail "the URL was not printed"
  grep -q '"id":"schools"' "$work/collections.json" || fail "the served workspace has no schools collection"
  grep -q '"id":"roads"' "$work/collections.json" || fail "the served workspace has no roads collection"
}

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
