// Package frontend will hold the go-app WebAssembly dashboard. It is built in
// a later step of the roadmap; until then this module only pins its place in
// the workspace and checks that the shared contract builds for js/wasm.
package frontend

import "github.com/authbridge/authbridge/shared"

// contractVersion ties the module to the shared DTOs so the js/wasm build of
// the contract is exercised by `make build`.
var _ = shared.HandoffType
