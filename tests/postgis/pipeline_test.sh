#!/usr/bin/env bash
# The demo pipeline (demo, remits, access, coldspots, target) on a GeoPackage and on PostGIS: every
# layer of the two workspaces equal row by row (compare_workspaces.py reads both with GDAL's Python
# bindings: attributes exactly, geometries within 1 mm), the same `target` listing, and the
# versions: one published version per writing verb, an old one removed once no reader holds it.
#   usage: pipeline_test.sh CLUSTER_DIR COLDSPOT_CLI WORK_DIR
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$@"
fresh_database pipeline

for ws in "$work/demo.gpkg" "$WS"; do
  "$cli" demo -o "$ws" >/dev/null
  "$cli" remits "$ws" >/dev/null
  "$cli" access "$ws" --roads "$work/demo.osm.pbf" >/dev/null
  "$cli" coldspots "$ws" >/dev/null 2>&1
  "$cli" target "$ws" --top 10 >"$work/target-$([[ $ws == PG:* ]] && echo pg || echo gpkg).txt"
done
# The demo's PBF of a PostGIS workspace goes to its local cache folder, not the working folder.
[[ -f $work/cache/postgis-127.0.0.1-$PORT-pipeline/workspace.osm.pbf ]] || fail "no demo PBF in the PostGIS workspace's cache folder"
[[ -f $work/cache/postgis-127.0.0.1-$PORT-pipeline/workspace.roadgraph ]] || fail "no road graph cache in the PostGIS workspace's cache folder"
ls "$work" | grep -q '^PG:' && fail "a file named after the connection was written in the working folder"

# demo, remits, access, coldspots: four versions; the two newest kept (coldspots' reader still held
# version 3 when it published 4).
[[ $(current_version) == 4 ]] || fail "current version $(current_version), expected 4"
[[ $("${PSQL[@]}" -c "SELECT string_agg(version || ':' || state, ',' ORDER BY version) FROM coldspot.versions") == "3:published,4:published" ]] ||
  fail "versions table: $("${PSQL[@]}" -c "TABLE coldspot.versions")"
[[ $("${PSQL[@]}" -c "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'coldspot%'") == "coldspot,coldspot_v3,coldspot_v4" ]] ||
  fail "schemas: $("${PSQL[@]}" -c "SELECT nspname FROM pg_namespace")"
# Bulk-loaded tables have their keys and indexes.
idx=$("${PSQL[@]}" -c "SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'coldspot_v4' AND tablename = 'schools'")
grep -q 'USING gist (geom)' <<<"$idx" || fail "no spatial index on schools: $idx"
grep -q 'USING btree (urn)' <<<"$idx" || fail "no urn index on schools: $idx"
grep -q 'schools_pkey' <<<"$idx" || fail "no primary key on schools: $idx"

diff "$work/target-gpkg.txt" "$work/target-pg.txt" || fail "coldspot target prints differently on PostGIS"
# Times of day and the PBF's path differ by construction; everything else must be equal.
"$here/compare_workspaces.py" "$work/demo.gpkg" "$WS active_schema=coldspot_v4 schemas=coldspot_v4" \
  --ignore analysis_runs.run_id --ignore analysis_runs.created_at --ignore provenance.path
# `coldspot info` names the connection and its version.
header=$("$cli" info "$WS" | sed -n 1p)
[[ $header == "workspace PG:host=127.0.0.1 port=$PORT dbname=pipeline user=postgres (published version 4)" ]] || fail "info header: $header"
# A version is removed once no reader holds it (docs/deployment.md, "Versions"). A session holding
# version 4 as a server serving it does (the readers' shared advisory lock, space 0x636f6c65) keeps it
# through two publications, while version 5, which nobody holds, goes; once that session ends, the
# next publication removes version 4.
"${PSQL[@]}" -c "SELECT pg_advisory_lock_shared(1668246629, 4), pg_sleep(600)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
  [[ $("${PSQL[@]}" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1668246629 AND objid = 4 AND granted") == 1 ]] && break
  sleep 0.1
done
for _ in 1 2; do "$cli" remits "$WS" >/dev/null; done
[[ $("${PSQL[@]}" -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM coldspot.versions") == "4,6" ]] ||
  fail "a held version was removed (or an unheld one kept): $("${PSQL[@]}" -c "TABLE coldspot.versions")"
"${PSQL[@]}" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$holder" 2>/dev/null || true
"$cli" remits "$WS" >/dev/null
[[ $("${PSQL[@]}" -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM coldspot.versions") == "7" ]] ||
  fail "a version no reader holds was kept: $("${PSQL[@]}" -c "TABLE coldspot.versions")"
[[ $("${PSQL[@]}" -c "SELECT count(*) FROM pg_namespace WHERE nspname IN ('coldspot_v4', 'coldspot_v5')") == 0 ]] ||
  fail "the schemas of removed versions are still there"
echo "pipeline on PostGIS equals the GeoPackage pipeline; old versions go once no reader holds them"
