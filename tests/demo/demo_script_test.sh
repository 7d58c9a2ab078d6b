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
       COLDSPOT_DEMO_VERBS="${COLDSPOT_DEMO_TEST_VERBS:-remits no-such-verb}" "$src/tools/demo" 2>&1)" ||
  { echo "$out"; fail "tools/demo exited with $?"; }
echo "$out"
[[ -s "$work/demo/demo.gpkg" ]] || fail "no demo/demo.gpkg"
[[ -s "$work/demo/demo.osm.pbf" ]] || fail "no demo/demo.osm.pbf"
grep -q "^+ coldspot demo -o $work/demo/demo.gpkg$" <<<"$out" || fail "did not print the demo command"
grep -q "SYNTHETIC DEMO DATA" <<<"$out" || fail "demo output not labelled synthetic"
grep -q "(skipping coldspot no-such-verb: not in this build)" <<<"$out" || fail "missing verb not skipped with a note"
grep -q "COLDSPOT_DEMO_NO_SERVE=1: not serving" <<<"$out" || fail "did not stop before serving"
verbs="$("$cli" --help | awk '/^verbs:/ { on = 1; next } on && NF { print $1 }')"
if grep -qx remits <<<"$verbs"; then
  grep -q "^+ coldspot remits $work/demo/demo.gpkg" <<<"$out" || fail "remits exists but was not run"
  grep -q "analysis verbs run: remits" <<<"$out" || fail "remits not listed as run"
fi
if grep -qx info <<<"$verbs"; then
  grep -q "^+ coldspot info $work/demo/demo.gpkg" <<<"$out" || fail "info not run"
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
