#!/usr/bin/env bash
# make compare: AuthBridge beside the systems it is measured against, on
# this machine, one at a time, with the same load tool, virtual users and
# workloads (me: an authenticated read; refresh: the newest refresh token
# traded for new tokens):
#   - AuthBridge (scripts/load.sh);
#   - Django REST framework + Simple JWT (bench/simplejwt): refresh tokens
#     rotated and blacklisted after rotation, gunicorn with
#     2 x cores + 1 sync workers (gunicorn's advice). Debian's
#     python3-django, python3-djangorestframework,
#     python3-djangorestframework-simplejwt, python3-mysqldb and gunicorn,
#     installed with apt when missing (as root);
#   - PocketBase (bench/pocketbase, built from the Go module proxy), whose
#     auth-refresh re-signs a token and rotates nothing.
# Both on SQLite and on a throwaway MariaDB (scripts/mariadb.sh), PocketBase
# on SQLite, the only database it has. A system's RSS and CPU are those of
# all its processes. COMPARE_VUS, COMPARE_DURATION and COMPARE_ENGINES
# change the run (default 16 users, 5 s per workload, "sqlite mysql").
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/authbridge-compare.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -d "$work/mariadb" ] && { bash scripts/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1 || true; }
  rm -rf "$work"
}
trap cleanup EXIT
. scripts/lib.sh

vus=${COMPARE_VUS:-16}
duration=${COMPARE_DURATION:-5s}
engines=${COMPARE_ENGINES:-sqlite mysql}
py=/usr/bin/python3 # Debian's, where apt puts Django
# The load users' password: throwaway, never on a command line.
export LOADGEN_PASSWORD="load-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
go build -trimpath -o "$work/loadgen" ./bench/loadgen
echo "compare: $vus virtual users, $duration per workload, $(nproc) cores, each system alone on this machine"

if [[ " $engines " == *" mysql "* ]]; then
  bash scripts/mariadb.sh start "$work/mariadb" >/dev/null
  # AUTHBRIDGE_TEST_MYSQL_URL and AUTHBRIDGE_TEST_MYSQL_SOCKET_URL
  while IFS= read -r line; do export "$line"; done <"$work/mariadb/env"
  export MARIADB_DIR="$work/mariadb"
fi
# newdb NAME: an empty MariaDB database, and its URL.
newdb() {
  mariadb --no-defaults -uroot --socket="$(cat "$MARIADB_DIR/socket")" -e "CREATE DATABASE $1 CHARACTER SET utf8mb4"
  echo "${AUTHBRIDGE_TEST_MYSQL_URL%/}/$1"
}

echo "== AuthBridge"
# The results are also kept for the summary at the end.
LOAD_ENGINES="$engines" LOAD_WORKLOADS=me,refresh LOAD_VUS="$vus" LOAD_DURATION="$duration" bash scripts/load.sh |
  tee -a "$work/results"

# reference API URL PIDS LABEL: the shared workloads against a reference.
reference() {
  "$work/loadgen" -api "$1" -url "$2" -workload all -vus "$vus" -duration "$duration" -pid "$3" -label "$4" |
    tee -a "$work/results"
}

echo "== Django REST framework + Simple JWT (gunicorn)"
# mysqlclient (MySQLdb) only when the run includes MariaDB.
mods="django, rest_framework, rest_framework_simplejwt, gunicorn"
[[ " $engines " == *" mysql "* ]] && mods="$mods, MySQLdb"
djangook() { "$py" -c "import $mods" 2>/dev/null; }
if ! djangook && [ "$(id -u)" = 0 ]; then
  echo "installing Django, Django REST framework, Simple JWT, mysqlclient and gunicorn (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-django python3-djangorestframework \
    python3-djangorestframework-simplejwt python3-mysqldb gunicorn >/dev/null
fi
if ! djangook; then
  echo "skipped: Django, Django REST framework, Simple JWT, mysqlclient or gunicorn is missing and we are not root to install them"
fi
for engine in $engines; do
  djangook || break
  export REFSITE_SECRET_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  if [ "$engine" = mysql ]; then
    export REFSITE_DATABASE_URL="$(newdb "simplejwt_$(date +%s)")"
    unset REFSITE_DB
  else
    export REFSITE_DB="$work/simplejwt.sqlite3"
    unset REFSITE_DATABASE_URL
  fi
  (cd bench/simplejwt && "$py" manage.py migrate -v 0 && N="$vus" "$py" manage.py shell -c '
import os
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
pw = make_password(os.environ["LOADGEN_PASSWORD"])
User.objects.bulk_create([User(username=f"load-{i}", email=f"load-{i}@example.com", password=pw) for i in range(1, int(os.environ["N"]) + 1)])
')
  port=$(free_port)
  "$py" -m gunicorn --chdir bench/simplejwt -w $((2 * $(nproc) + 1)) -b "127.0.0.1:$port" --log-level warning \
    refsite.wsgi >"$work/gunicorn.log" 2>&1 &
  master=$!
  pids+=("$master")
  wait_http "http://127.0.0.1:$port/api/me/"
  sleep 1 # every worker up
  reference simplejwt "http://127.0.0.1:$port" "$(echo "$master" $(pgrep -P "$master") | tr ' ' ,)" "simplejwt-$engine"
  kill "$master"
  wait "$master" 2>/dev/null || true
done

echo "== PocketBase"
pbver=$(awk '$1 == "require" && $2 == "github.com/pocketbase/pocketbase" {print $3}' bench/pocketbase/go.mod)
(cd bench/pocketbase && GOWORK=off go build -trimpath -o "$work/pocketbase" .)
pbdir="$work/pb_data"
admin="admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$work/pocketbase" superuser upsert admin@example.com "$admin" --dir "$pbdir" >/dev/null
port=$(free_port)
pb="http://127.0.0.1:$port"
"$work/pocketbase" serve --http "127.0.0.1:$port" --dir "$pbdir" >"$work/pocketbase.log" 2>&1 &
pbpid=$!
pids+=("$pbpid")
wait_http "$pb/api/health"
token=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d "{\"identity\":\"admin@example.com\",\"password\":\"$admin\"}" "$pb/api/collections/_superusers/auth-with-password" |
  "$py" -c 'import json, sys; print(json.load(sys.stdin)["token"])')
for i in $(seq 1 "$vus"); do
  curl -fsS -o /dev/null -X POST -H "Authorization: $token" -H 'Content-Type: application/json' \
    -d "{\"email\":\"load-$i@example.com\",\"password\":\"$LOADGEN_PASSWORD\",\"passwordConfirm\":\"$LOADGEN_PASSWORD\",\"verified\":true}" \
    "$pb/api/collections/users/records"
done
echo "pocketbase $pbver"
reference pocketbase "$pb" "$pbpid" pocketbase
kill "$pbpid"
wait "$pbpid" 2>/dev/null || true

# summary: each workload's rate per system and database, and how many
# times it AuthBridge's rate is.
echo "== Summary: req/s, and AuthBridge's rate as a multiple of each reference's"
awk '
  $1 == "me" || $1 == "refresh" { for (i = 3; i <= NF; i++) if ($(i+1) == "req/s") { rate[$1 "," $2] = $i; break } }
  END {
    printf "%-8s %-7s %12s %22s %22s\n", "workload", "db", "AuthBridge", "PocketBase", "DRF + Simple JWT"
    split("me refresh", ws, " "); split("sqlite mysql", dbs, " ")
    for (w = 1; w <= 2; w++) for (d = 1; d <= 2; d++) {
      ab = rate[ws[w] "," dbs[d]]; if (ab == "") continue
      pb = (dbs[d] == "sqlite") ? rate[ws[w] ",pocketbase"] : ""
      sj = rate[ws[w] ",simplejwt-" dbs[d]]
      printf "%-8s %-7s %12s %22s %22s\n", ws[w], dbs[d], ab, cell(ab, pb), cell(ab, sj)
    }
  }
  function cell(ab, x) { return x == "" ? "-" : sprintf("%s (%.1fx)", x, ab / x) }
' "$work/results"
