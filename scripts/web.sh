#!/usr/bin/env bash
# make web: build the dashboard (app.wasm) and write the static site with
# brotli/gzip copies. Usage: scripts/web.sh [OUT]  (default frontend/dist)
# GIS_SRC overrides the Google Identity Services script URL (tests and
# offline development point it at the development identity provider's
# stand-in); API_BASE sets a cross-origin API (default: same origin).
# APP and ASSETS build another go-app main with the same generator flags
# (examples/notes: APP=./examples/notes/cmd/notes-web
# ASSETS=examples/notes/web).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-frontend/dist}
gis_src=${GIS_SRC:-https://accounts.google.com/gsi/client}
api_base=${API_BASE:-}
app=${APP:-./frontend/cmd/dashboard}
assets=${ASSETS:-frontend/web}
# Inlining off for the wasm: the raw file grows (~8 MiB) but its code repeats
# more, so brotli, what is sent, shrinks from 1.46 to 1.37 MiB. WASM_GCFLAGS=
# (empty) builds with inlining.
WASM_GCFLAGS=${WASM_GCFLAGS-all=-l}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOOS=js GOARCH=wasm go build -trimpath ${WASM_GCFLAGS:+-gcflags="$WASM_GCFLAGS"} -ldflags="-s -w" -o "$tmp/app.wasm" "$app"
go build -trimpath -o "$tmp/gen" "$app"

rm -rf "$out.new"
wasm_exec="$(go env GOROOT)/lib/wasm/wasm_exec.js"
"$tmp/gen" -out "$out.new" -wasm "$tmp/app.wasm" -wasm-exec "$wasm_exec" \
  -assets "$assets" -gis-src "$gis_src" -api-base "$api_base"
# The loader must match the toolchain that built app.wasm.
cmp -s "$wasm_exec" "$out.new/wasm_exec.js" || { echo "wasm_exec.js does not match $wasm_exec" >&2; exit 1; }
chmod -R a+rX "$out.new"
rm -rf "$out"
mv "$out.new" "$out"
# The wasm is web/app.<content hash>.wasm (served immutable; the pages
# and app.js that name it are revalidated): exactly one.
wasms=("$out"/web/app.*.wasm)
if [ "${#wasms[@]}" -ne 1 ] || [ ! -f "${wasms[0]}" ]; then echo "want one web/app.<hash>.wasm in $out, found: ${wasms[*]}" >&2; exit 1; fi
wasm=${wasms[0]}
raw=$(stat -c %s "$wasm")
br=$(stat -c %s "$wasm.br")
gz=$(stat -c %s "$wasm.gz")
awk -v n="${wasm##*/}" -v r="$raw" -v b="$br" -v g="$gz" 'BEGIN { printf "%s: %.2f MiB raw, %.2f MiB gzip, %.2f MiB brotli\n", n, r/1048576, g/1048576, b/1048576 }'
# The budget: what a browser downloads (brotli) stays within 1.5 MiB (1.4
# until the Administration section and "Your data" of #15 added ~40 KB).
budget=$((1500 * 1024 * 1024 / 1000))
if [ "$br" -gt "$budget" ]; then echo "${wasm##*/}.br is $br bytes, over the 1.5 MiB budget ($budget)" >&2; exit 1; fi
