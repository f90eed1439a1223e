#!/usr/bin/env bash
# The load run of `make bench`: for each database, start the server (rate
# limits off; its providers on the development identity provider, run as a
# process of its own as Google would be, so the server's RSS and CPU are its
# own) and drive every workload with loadgen, next to a bare net/http
# handler measured in the same run as the ceiling.
# Needs AUTHBRIDGE_TEST_MYSQL_URL and the MariaDB dir (MARIADB_DIR) from bench.sh.
# The server reaches MariaDB over TCP, as in docker-compose.yml;
# LOAD_MYSQL=socket uses its Unix socket (AUTHBRIDGE_TEST_MYSQL_SOCKET_URL).
# LOAD_ENGINES (default "sqlite mysql") and LOAD_WORKLOADS (default all,
# or e.g. me,refresh) narrow the run; scripts/compare.sh uses them.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/authbridge-load.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
. scripts/lib.sh

go build -trimpath -o "$work/authbridge" ./backend/cmd/authbridge
go build -trimpath -o "$work/loadgen" ./bench/loadgen
go build -trimpath -o "$work/devidp" ./backend/cmd/devidp
cport=$(free_port)
"$work/loadgen" ceiling -addr "127.0.0.1:$cport" >/dev/null &
pids+=($!)

vus=${LOAD_VUS:-16}
duration=${LOAD_DURATION:-5s}
echo "load: $vus virtual users, $duration per workload, client and server on this machine"
for engine in ${LOAD_ENGINES:-sqlite mysql}; do
  port=$(free_port)
  iport=$(free_port)
  srv="http://127.0.0.1:$port"
  idp="http://127.0.0.1:$iport"
  clients=""
  for p in google:dev-google-client:dev-google-secret dev:dev-oidc-client:dev-oidc-secret; do
    IFS=: read -r id cid secret <<<"$p"
    clients="$clients${clients:+,}$cid:$secret:$srv/api/auth/$id/callback"
  done
  # The generic OIDC issuer signs ES256: a 2048-bit RSA signature per
  # sign-in costs the stand-in ~1.2 ms of the two cores the server is
  # measured on (Google's CPU, in production). LOAD_IDP_ALG=RS256 measures
  # with it anyway.
  "$work/devidp" -log-level warn -oidc-alg "${LOAD_IDP_ALG:-ES256}" -addr "127.0.0.1:$iport" -base-url "$idp" -clients "$clients" >"$work/devidp-$engine.log" 2>&1 &
  ipid=$!
  pids+=($ipid)
  env=(AUTHBRIDGE_ADDR="127.0.0.1:$port" AUTHBRIDGE_PUBLIC_URL="$srv" AUTHBRIDGE_DEV=0
       AUTHBRIDGE_RATE_LIMIT=0 AUTHBRIDGE_LOG_LEVEL=warn AUTHBRIDGE_DATA_DIR="$work/data-$engine"
       AUTHBRIDGE_GOOGLE_CLIENT_ID=dev-google-client AUTHBRIDGE_GOOGLE_CLIENT_SECRET=dev-google-secret
       AUTHBRIDGE_GOOGLE_ISSUER="$idp/google"
       AUTHBRIDGE_OIDC_DEV_ISSUER="$idp/oidc" AUTHBRIDGE_OIDC_DEV_CLIENT_ID=dev-oidc-client
       AUTHBRIDGE_OIDC_DEV_CLIENT_SECRET=dev-oidc-secret AUTHBRIDGE_OIDC_DEV_DISPLAY_NAME="Dev OIDC")
  label=$engine
  if [ "$engine" = mysql ]; then
    db="load_$(date +%s)"
    mariadb --no-defaults -uroot --socket="$MARIADB_DIR/sock" -e "CREATE DATABASE $db CHARACTER SET utf8mb4"
    if [ "${LOAD_MYSQL:-tcp}" = socket ]; then
      env+=(AUTHBRIDGE_DATABASE_URL="${AUTHBRIDGE_TEST_MYSQL_SOCKET_URL/@\/\?/@/$db?}")
      label=mysql-socket
    else
      env+=(AUTHBRIDGE_DATABASE_URL="${AUTHBRIDGE_TEST_MYSQL_URL%/}/$db")
    fi
  fi
  env "${env[@]}" "$work/authbridge" >"$work/server-$engine.log" 2>&1 &
  spid=$!
  pids+=($spid)
  wait_ready "http://127.0.0.1:$port"
  # The project's targets (README, docs/performance.md): a verdict beside
  # each workload, nothing more.
  refresh_target=4000
  [ "$engine" = mysql ] && refresh_target=3000
  "$work/loadgen" -url "$srv" -idp "$idp" -workload "${LOAD_WORKLOADS:-all}" -vus "$vus" -duration "$duration" -pid "$spid" \
    -ceiling "http://127.0.0.1:$cport" -label "$label" \
    -targets "me=8000,me-ratio=0.6,refresh=$refresh_target,credential=2000,popup-p50=15ms,rss=40"
  kill "$spid" "$ipid"; wait "$spid" "$ipid" 2>/dev/null || true
done
