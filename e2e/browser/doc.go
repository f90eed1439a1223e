// Package browser is AuthBridge's end-to-end suite: the dashboard built by
// scripts/web.sh, served by the repository's nginx configuration in front of
// two backend replicas on one MariaDB, signing in at the standalone
// development identity provider, driven in headless Chromium (chromedp).
//
// Everything is started and stopped by the tests on loopback ports they
// pick. Requirements: Chromium (/usr/bin/chromium or AUTHBRIDGE_E2E_CHROME),
// nginx with the brotli_static module, and AUTHBRIDGE_TEST_MYSQL_URL (make
// test provides all three). Without one of them the tests are skipped,
// except under CI=true, where they fail.
//
// Screenshots, the network log, the collected console output and the
// processes' logs go to AUTHBRIDGE_E2E_ARTIFACTS, or a new folder under the
// system's temporary directory; the run prints where.
package browser
