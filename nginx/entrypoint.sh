#!/bin/sh
# Render nginx.conf.template and spa-headers.conf from the environment and
# run nginx in the foreground. BACKENDS is a space-separated list of
# host:port; GIS_ORIGIN (default https://accounts.google.com) is the Google
# Identity Services origin in the dashboard's CSP.
set -eu
run=/var/run/authbridge-nginx
mkdir -p "$run"
servers=""
for b in ${BACKENDS:?set BACKENDS, e.g. "backend-a:8080 backend-b:8080"}; do servers="$servers server $b;"; done
sed -e "s|\${GIS_ORIGIN}|${GIS_ORIGIN:-https://accounts.google.com}|g" \
    /etc/authbridge/spa-headers.conf > "$run/spa-headers.conf"
sed -e "s|\${CONF_DIR}|$run|g" \
    -e "s|\${RUN_DIR}|$run|g" \
    -e "s|\${DIST}|/srv/authbridge|g" \
    -e "s|\${TLS}|${TLS:-listen 80;}|g" \
    -e "s|\${SERVER_NAME}|${SERVER_NAME:-_}|g" \
    -e "s|\${BACKENDS}|$servers|g" \
    /etc/authbridge/nginx.conf.template > "$run/nginx.conf"
exec nginx -c "$run/nginx.conf" -g "daemon off;"
