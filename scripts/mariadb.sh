#!/usr/bin/env bash
# Throwaway MariaDB for tests and benchmarks.
#   scripts/mariadb.sh start DIR   install (apt, as root) when missing, start on a free
#                                  loopback port, print AUTHBRIDGE_TEST_MYSQL_URL=...
#   scripts/mariadb.sh stop DIR    stop it and delete DIR
set -euo pipefail
cmd=${1:?usage: mariadb.sh start|stop DIR}
dir=${2:?usage: mariadb.sh start|stop DIR}

find_bin() { for b in "$@"; do command -v "$b" 2>/dev/null && return 0; [ -x "/usr/sbin/$b" ] && { echo "/usr/sbin/$b"; return 0; }; done; return 1; }

case "$cmd" in
start)
  if ! find_bin mariadbd mysqld >/dev/null; then
    if [ "$(id -u)" != 0 ]; then echo "mariadb-server is missing and we are not root to install it" >&2; exit 1; fi
    echo "installing mariadb-server (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq mariadb-server >&2
    # The package may start the distribution service; we use our own instance.
    (service mariadb stop || service mysql stop) >/dev/null 2>&1 || true
  fi
  server=$(find_bin mariadbd mysqld)
  installdb=$(find_bin mariadb-install-db mysql_install_db)
  client=$(find_bin mariadb mysql)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "$installdb" --no-defaults --user=root --datadir="$dir/data" --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; exit 1; }
  "$server" --no-defaults --user=root --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
    --bind-address=127.0.0.1 --port="$port" --skip-name-resolve --skip-log-bin \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=64M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=300 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --log-error="$dir/error.log" >/dev/null 2>&1 &
  for _ in $(seq 1 120); do
    "$client" --no-defaults -uroot --socket="$dir/sock" -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.25
  done
  pw=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  "$client" --no-defaults -uroot --socket="$dir/sock" -e \
    "CREATE USER 'authbridge'@'127.0.0.1' IDENTIFIED BY '$pw'; GRANT ALL ON *.* TO 'authbridge'@'127.0.0.1'; FLUSH PRIVILEGES;" \
    || { cat "$dir/error.log" >&2; exit 1; }
  url="mysql://authbridge:$pw@127.0.0.1:$port/"
  echo "AUTHBRIDGE_TEST_MYSQL_URL=$url" | tee "$dir/env"
  ;;
stop)
  [ -d "$dir" ] || exit 0
  client=$(find_bin mariadb-admin mysqladmin || true)
  if [ -S "$dir/sock" ] && [ -n "$client" ]; then "$client" --no-defaults -uroot --socket="$dir/sock" shutdown >/dev/null 2>&1 || true; fi
  if [ -f "$dir/pid" ]; then kill "$(cat "$dir/pid")" >/dev/null 2>&1 || true; fi
  for _ in $(seq 1 40); do [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null || break; sleep 0.25; done
  rm -rf "$dir"
  ;;
*) echo "usage: mariadb.sh start|stop DIR" >&2; exit 2 ;;
esac
