#!/usr/bin/env bash
# make test: formatting, vet, and every test of every module, with a real
# MariaDB started here on a loopback port and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/authbridge-test.XXXXXX)
cleanup() {
  bash scripts/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== gofmt"
unformatted=$(gofmt -l shared backend frontend e2e bench verify examples)
if [ -n "$unformatted" ]; then echo "gofmt needed:"; echo "$unformatted"; exit 1; fi

echo "== go vet"
go vet ./shared/... ./backend/... ./frontend/... ./e2e/... ./bench/... ./verify/... ./examples/notes/...
GOOS=js GOARCH=wasm go vet ./shared/... ./frontend/... ./examples/notes/...

echo "== nginx"
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] || [ ! -f /usr/lib/nginx/modules/ngx_http_brotli_static_module.so ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing nginx and its brotli_static module (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx libnginx-mod-http-brotli-static >/dev/null
    # The tests run their own nginx processes; the distribution's service is not used.
    (service nginx stop || true) >/dev/null 2>&1
  else
    echo "nginx is missing and we are not root to install it"
  fi
fi

echo "== Chromium"
# The e2e suite (e2e/browser) drives the dashboard in headless Chromium.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${AUTHBRIDGE_E2E_CHROME:-}" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing chromium (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing and we are not root to install it"
  fi
fi
# The suite's screenshots (TestScreenshots, shown in the README) are in
# Chinese and Korean too: Noto CJK gives them glyphs instead of boxes.
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing fonts-noto-cjk (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq fonts-noto-cjk >/dev/null
  else
    echo "fonts-noto-cjk is missing and we are not root to install it"
  fi
fi
# axe-core checks every dashboard state in the e2e suite. npm installs it
# into a cache folder once; offline with no copy, those checks are skipped
# (and fail under CI=true).
axe_dir=${XDG_CACHE_HOME:-$HOME/.cache}/authbridge/axe
if [ -z "${AUTHBRIDGE_E2E_AXE:-}" ] && [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "installing axe-core 4.14 (npm) into $axe_dir"
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-audit --no-fund --silent axe-core@4.14 >/dev/null 2>&1 ||
      echo "could not install axe-core (offline?): the accessibility checks will be skipped"
  else
    echo "npm is missing: the accessibility checks of the e2e suite will be skipped"
  fi
fi
export AUTHBRIDGE_E2E_AXE=${AUTHBRIDGE_E2E_AXE:-$axe_dir/node_modules/axe-core/axe.min.js}
# Screenshots, network log and process logs of the e2e run outlive $work.
export AUTHBRIDGE_E2E_ARTIFACTS=${AUTHBRIDGE_E2E_ARTIFACTS:-$(mktemp -d /tmp/authbridge-e2e-artifacts.XXXXXX)}
echo "e2e artifacts: $AUTHBRIDGE_E2E_ARTIFACTS"

echo "== MariaDB"
# Its env file holds AUTHBRIDGE_TEST_MYSQL_URL (TCP) and AUTHBRIDGE_TEST_MYSQL_SOCKET_URL.
bash scripts/mariadb.sh start "$work/mariadb" >/dev/null
while IFS= read -r line; do export "$line"; done <"$work/mariadb/env"
echo "MariaDB is up on a loopback port and its socket"

echo "== go test"
go test -count=1 ./shared/... ./backend/... ./frontend/... ./e2e/... ./bench/... ./verify/... ./examples/notes/... 2>&1 | tee "$work/go-test.log"
status=${PIPESTATUS[0]}
passed=$(grep -c '^ok ' "$work/go-test.log" || true)
failed=$(grep -Ec '^(FAIL|---  FAIL)' "$work/go-test.log" || true)
echo "packages: $passed passed, $failed failed"
# The browser suite's measured load times (go test hides a passing
# package's output).
for f in summary.txt warm-load.txt; do
  if [ -s "$AUTHBRIDGE_E2E_ARTIFACTS/$f" ]; then echo "e2e $(cat "$AUTHBRIDGE_E2E_ARTIFACTS/$f")"; fi
done
if [ "$status" != 0 ]; then exit "$status"; fi

# Under CI=true every fuzz target also searches for a few seconds beyond its
# seed corpus (which the go test above already replayed); `make fuzz` runs
# them longer.
if [ "${CI:-}" = true ] || [ -n "${AUTHBRIDGE_FUZZTIME:-}" ]; then
  echo "== fuzz"
  FUZZTIME=${AUTHBRIDGE_FUZZTIME:-4s} bash scripts/fuzz.sh
fi
