#!/usr/bin/env bash
# Throwaway MariaDB for tests and benchmarks; no systemd, no /etc/mysql.
#
#   scripts/mariadb.sh start DIR   install mariadb-server (apt, as root) when missing,
#                                  start a private server on 127.0.0.1 on a free port,
#                                  print AUTHBRIDGE_TEST_MYSQL_URL=... (also in DIR/env, with
#                                  AUTHBRIDGE_TEST_MYSQL_SOCKET_URL=..., the same server through
#                                  its Unix socket)
#   scripts/mariadb.sh stop DIR    shut it down cleanly and delete DIR
#
# Typical use:  export "$(scripts/mariadb.sh start /tmp/mdb)"; go test ...; scripts/mariadb.sh stop /tmp/mdb
# Only the URL line goes to stdout; progress and errors go to stderr. Root logs in
# as root through the socket DIR/sock (path also in DIR/socket), no password needed.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$2
marker=.authbridge-mariadb # marks a DIR this script made, the only kind it deletes

log() { echo "mariadb.sh: $*" >&2; }
die() { log "$*"; exit 1; }

# find_bin NAME...: the first of the programs found (PATH, then /usr/sbin for non-root PATHs).
find_bin() {
  local b
  for b in "$@"; do
    if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
    if [ -x "/usr/sbin/$b" ]; then echo "/usr/sbin/$b"; return 0; fi
  done
  return 1
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# listening PORT: true when something accepts connections on 127.0.0.1:PORT.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

random_port() { echo $((20000 + (RANDOM * 32768 + RANDOM) % 40000)); }

install_server() {
  [ "$(id -u)" = 0 ] || die "mariadb-server is not installed and we are not root to install it (apt-get install mariadb-server)"
  log "installing mariadb-server (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq mariadb-server >&2
  # The package may have started the distribution's service on 3306; it is
  # not ours and not needed (we run a private server), so stop what we caused.
  if command -v service >/dev/null 2>&1; then
    service mariadb stop >/dev/null 2>&1 || true
  fi
}

start() {
  if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    [ -f "$dir/$marker" ] || die "$dir exists and was not made by this script; give an empty or new directory"
    if alive "$(cat "$dir/pid" 2>/dev/null || true)"; then die "a server from $dir is already running (stop it first)"; fi
    rm -rf "${dir:?}/data" "$dir/tmp" "$dir/env" "$dir/pid" "$dir/server.pid" "$dir/error.log" "$dir/sock" "$dir/socket"
  fi
  find_bin mariadbd mysqld >/dev/null || install_server
  local server installdb client
  server=$(find_bin mariadbd mysqld) || die "mariadbd not found after installing mariadb-server"
  installdb=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
  client=$(find_bin mariadb mysql) || die "the mariadb client not found"

  mkdir -p "$dir"
  chmod 700 "$dir"
  dir=$(cd "$dir" && pwd)
  touch "$dir/$marker"
  mkdir -p "$dir/tmp"

  # A unix socket path must fit in 108 bytes; fall back to a short one.
  local sock="$dir/sock"
  if [ ${#sock} -gt 100 ]; then sock=$(mktemp -u /tmp/authbridge-mariadb.XXXXXX).sock; fi
  echo "$sock" >"$dir/socket"

  local user
  user=$(id -un)
  # Small and fast: a test server holds a few MB of rows. The durability
  # settings (no binlog, log flushed once a second, no doublewrite) are for
  # throwaway data only.
  local opts=(
    --no-defaults
    --user="$user"
    --datadir="$dir/data"
    --tmpdir="$dir/tmp"
    --socket="$sock"
    --pid-file="$dir/pid"
    --log-error="$dir/error.log"
    --bind-address=127.0.0.1
    --skip-name-resolve
    --skip-log-bin
    --performance-schema=OFF
    --innodb-buffer-pool-size=64M
    --innodb-log-file-size=48M
    --innodb-flush-log-at-trx-commit=2
    --innodb-doublewrite=0
    --key-buffer-size=8M
    --max-connections=400
    --character-set-server=utf8mb4
    --collation-server=utf8mb4_unicode_ci
  )
  # MARIADB_OPTS: more server options, e.g. to measure a setting.
  local extra=()
  read -r -a extra <<<"${MARIADB_OPTS:-}"
  opts+=("${extra[@]}")

  log "creating a data directory in $dir/data"
  # Root logs in through the socket (in DIR, mode 700) with no password:
  # unix_socket auth when we are root, a password set just below otherwise.
  local auth=normal
  [ "$user" = root ] && auth=socket
  "$installdb" --no-defaults --user="$user" --datadir="$dir/data" --auth-root-authentication-method="$auth" \
    --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }

  local port="" pid="" attempt
  for attempt in 1 2 3 4 5; do
    port=$(random_port)
    while listening "$port"; do port=$(random_port); done
    : >"$dir/error.log"
    setsid "$server" "${opts[@]}" --port="$port" </dev/null >/dev/null 2>&1 &
    pid=$!
    local i
    for i in $(seq 1 240); do
      "$client" --no-defaults -uroot --socket="$sock" -e 'SELECT 1' >/dev/null 2>&1 && break
      alive "$pid" || break
      sleep 0.25
    done
    if alive "$pid" && "$client" --no-defaults -uroot --socket="$sock" -e 'SELECT 1' >/dev/null 2>&1; then break; fi
    if alive "$pid"; then kill "$pid" 2>/dev/null || true; fi
    if grep -q -i "bind on tcp/ip port\|address already in use" "$dir/error.log" 2>/dev/null; then
      log "port $port was taken meanwhile; trying another"
      pid=""
      continue
    fi
    cat "$dir/error.log" >&2
    die "mariadbd did not start"
  done
  [ -n "$pid" ] || die "no free port found"
  echo "$pid" >"$dir/server.pid"

  local pw
  pw=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  # The test user may create and drop the databases of the tests.
  "$client" --no-defaults -uroot --socket="$sock" -e "
    CREATE USER 'authbridge'@'127.0.0.1' IDENTIFIED BY '$pw';
    GRANT ALL PRIVILEGES ON *.* TO 'authbridge'@'127.0.0.1';
    CREATE USER 'authbridge'@'localhost' IDENTIFIED BY '$pw';
    GRANT ALL PRIVILEGES ON *.* TO 'authbridge'@'localhost';
    ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$pw');
    FLUSH PRIVILEGES;" || { cat "$dir/error.log" >&2; die "creating the test user failed"; }

  local url="mysql://authbridge:$pw@127.0.0.1:$port/"
  # Over the socket the server sees the user as authbridge@localhost.
  local surl="mysql://authbridge:$pw@/?socket=$sock"
  (umask 077 && printf 'AUTHBRIDGE_TEST_MYSQL_URL=%s\nAUTHBRIDGE_TEST_MYSQL_SOCKET_URL=%s\n' "$url" "$surl" >"$dir/env")
  log "MariaDB $("$server" --version | awk '{print $3}') up on 127.0.0.1:$port and $sock (pid $pid, data in $dir)"
  echo "AUTHBRIDGE_TEST_MYSQL_URL=$url"
}

stop() {
  [ -d "$dir" ] || return 0
  [ -f "$dir/$marker" ] || die "$dir was not made by this script; not touching it"
  local pid=""
  pid=$(cat "$dir/server.pid" 2>/dev/null || cat "$dir/pid" 2>/dev/null || true)
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true # mariadbd shuts down cleanly on SIGTERM
    local i
    for i in $(seq 1 240); do alive "$pid" || break; sleep 0.25; done
    if alive "$pid"; then
      log "mariadbd (pid $pid) still running after 60 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  local sock
  sock=$(cat "$dir/socket" 2>/dev/null || true)
  case "$sock" in /tmp/authbridge-mariadb.*) rm -f "$sock" "$sock.lock" ;; esac
  rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) usage ;;
esac
