// Package e2e holds AuthBridge's black-box tests: browser (the dashboard in
// headless Chromium through nginx, two replicas, MariaDB and the development
// identity provider), topology (the production nginx configuration as a
// plain process) and compose (docker-compose.yml checked with compose-go).
package e2e
