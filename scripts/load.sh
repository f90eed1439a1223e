#!/usr/bin/env bash
# The load run of `make bench`: for each database, start the server (dev
# mode, rate limits off) and drive every workload with loadgen, next to a
# bare net/http handler measured in the same run as the ceiling.
# Needs AUTHBRIDGE_TEST_MYSQL_URL and the MariaDB dir (MARIADB_DIR) from bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/authbridge-load.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_ready() { for _ in $(seq 1 200); do curl -fs "$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.05; done; echo "server at $1 never became ready" >&2; return 1; }

go build -trimpath -o "$work/authbridge" ./backend/cmd/authbridge
go build -trimpath -o "$work/loadgen" ./backend/cmd/loadgen
cport=$(free_port)
"$work/loadgen" ceiling -addr "127.0.0.1:$cport" >/dev/null &
pids+=($!)

vus=${LOAD_VUS:-16}
duration=${LOAD_DURATION:-5s}
echo "load: $vus virtual users, $duration per workload, client and server on this machine"
for engine in sqlite mysql; do
  port=$(free_port)
  env=(AUTHBRIDGE_ADDR="127.0.0.1:$port" AUTHBRIDGE_PUBLIC_URL="http://127.0.0.1:$port" AUTHBRIDGE_DEV=1
       AUTHBRIDGE_RATE_LIMIT=0 AUTHBRIDGE_LOG_LEVEL=warn AUTHBRIDGE_DATA_DIR="$work/data-$engine")
  if [ "$engine" = mysql ]; then
    db="load_$(date +%s)"
    mariadb --no-defaults -uroot --socket="$MARIADB_DIR/sock" -e "CREATE DATABASE $db CHARACTER SET utf8mb4"
    env+=(AUTHBRIDGE_DATABASE_URL="${AUTHBRIDGE_TEST_MYSQL_URL%/}/$db")
  fi
  env "${env[@]}" "$work/authbridge" >"$work/server-$engine.log" 2>&1 &
  spid=$!
  pids+=($spid)
  wait_ready "http://127.0.0.1:$port"
  "$work/loadgen" -url "http://127.0.0.1:$port" -workload all -vus "$vus" -duration "$duration" -pid "$spid" \
    -ceiling "http://127.0.0.1:$cport" -label "$engine"
  kill "$spid"; wait "$spid" 2>/dev/null || true
done
