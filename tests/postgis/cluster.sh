#!/usr/bin/env bash
# ctest fixture: tests/postgis/cluster.sh start|stop DIR (tools/pg-cluster with the repository's path).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ $1 == start ]]; then "$root/tools/pg-cluster" stop "$2"; fi
exec "$root/tools/pg-cluster" "$@"
