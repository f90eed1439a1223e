#!/usr/bin/env bash
# make bench: Go benchmarks and the load run on this machine, MariaDB included.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/authbridge-bench.XXXXXX)
trap 'bash scripts/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# Its env file holds AUTHBRIDGE_TEST_MYSQL_URL (TCP) and AUTHBRIDGE_TEST_MYSQL_SOCKET_URL.
bash scripts/mariadb.sh start "$work/mariadb" >/dev/null
while IFS= read -r line; do export "$line"; done <"$work/mariadb/env"
export MARIADB_DIR="$work/mariadb"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version)"
echo "== Go benchmarks"
go test -run='^$' -bench=. -benchmem ./backend/...
# Rotation rate on a fresh database and after GROWTH_ROTATIONS rotations
# (default 1,000,000; GROWTH_MYSQL_ROTATIONS for MariaDB), rows and bytes per
# session before and after (backend/internal/store/growth_test.go).
echo "== growth: ${GROWTH_ROTATIONS:-1000000} refresh rotations (MariaDB ${GROWTH_MYSQL_ROTATIONS:-300000})"
# MariaDB at 300,000 by default: a million takes over 5 minutes on 2 cores.
GROWTH_MYSQL_ROTATIONS=${GROWTH_MYSQL_ROTATIONS:-300000} AUTHBRIDGE_GROWTH=1 go test -run='^TestRefreshGrowth$' -count=1 -timeout=60m -v ./backend/internal/store/
echo "== load"
bash scripts/load.sh
