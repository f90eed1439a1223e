// Package frontend will hold the go-app WebAssembly dashboard. Its plain-Go
// parts exist already: i18n (messages for every error code) and session
// (token rules). The go-app app itself is the next step of the roadmap.
package frontend

import "github.com/authbridge/authbridge/shared"

// contractVersion ties the module to the shared DTOs so the js/wasm build of
// the contract is exercised by `make build`.
var _ = shared.HandoffType
