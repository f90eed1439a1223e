// Package frontend is the AuthBridge dashboard, a go-app v10 WebAssembly
// app. Its parts:
//
//   - cmd/dashboard: the one go-app main, built to app.wasm and, on the
//     host, to the generator of the static site (scripts/web.sh, make web);
//   - ui: the components, the global actions and the one state they observe;
//   - kit: what any go-app app imports to sign in with AuthBridge, the
//     dashboard included: the sign-in buttons and popup flows, the token
//     rules (memory-only access token, scheduled refresh, single flight,
//     retry on 401, which popup messages to believe), the transport over
//     window.fetch (net/http on the host) and a client for an app's own API;
//   - api: the dashboard's own calls (user, accounts, sessions, logins);
//   - i18n: the words in English, 繁體中文 and 한국어;
//   - site: the static site writer (pages, icons, service worker, .br/.gz).
package frontend

import "github.com/authbridge/authbridge/shared"

// contractVersion ties the module to the shared DTOs so the js/wasm build of
// the contract is exercised by `make build`.
var _ = shared.HandoffType
