# Shared by the tests/postgis scripts: the cluster the ctest fixture postgis.cluster started
# (tools/pg-cluster; trust auth, databases `coldspot` with PostGIS and `plain` without).
#   source lib.sh CLUSTER_DIR COLDSPOT_CLI WORK_DIR
#       sets PORT, PSQL (as postgres on database coldspot), cli, work (emptied) and fail();
#       fresh_database NAME then sets WS (the workspace connection) and PSQL on it.
set -euo pipefail
CLUSTER_DIR=$1 cli=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
export COLDSPOT_CACHE_DIR=$work/cache SOURCE_DATE_EPOCH=1700000000
[[ -f $CLUSTER_DIR/port ]] || { echo "no PostgreSQL test cluster in $CLUSTER_DIR (the fixture postgis.cluster starts it)" >&2; exit 1; }
PORT=$(cat "$CLUSTER_DIR/port")
PSQL=(psql -h 127.0.0.1 -p "$PORT" -U postgres -d coldspot -v ON_ERROR_STOP=1 -q -t -A)
fail() { echo "FAIL: $*" >&2; exit 1; }
# A fresh database per test, so tests do not see each other's versions.
fresh_database() { # name
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
  psql -h 127.0.0.1 -p "$PORT" -U postgres -d "$1" -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION postgis" >/dev/null
  PSQL=(psql -h 127.0.0.1 -p "$PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -q -t -A)
  WS="PG:host=127.0.0.1 port=$PORT dbname=$1 user=postgres"
}
current_version() { "${PSQL[@]}" -c "SELECT version FROM coldspot.current_version"; }
