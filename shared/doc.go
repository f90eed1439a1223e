// Package shared holds the types of the AuthBridge HTTP contract that both the
// backend and the WASM dashboard use: request and response DTOs, the stable
// error codes with their envelope, the popup handoff message and the claims of
// our access tokens.
//
// It depends on the standard library only and builds for GOOS=js GOARCH=wasm.
package shared
