#!/usr/bin/env bash
# make bench: Go benchmarks and the load run on this machine, MariaDB included.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/authbridge-bench.XXXXXX)
trap 'bash scripts/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# Two lines: AUTHBRIDGE_TEST_MYSQL_URL (TCP) and AUTHBRIDGE_TEST_MYSQL_SOCKET_URL.
mdb_env=$(bash scripts/mariadb.sh start "$work/mariadb")
while IFS= read -r line; do export "$line"; done < <(grep '^AUTHBRIDGE_TEST_MYSQL' <<<"$mdb_env")
export MARIADB_DIR="$work/mariadb"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version)"
echo "== Go benchmarks"
go test -run='^$' -bench=. -benchmem ./backend/...
echo "== load"
bash scripts/load.sh
