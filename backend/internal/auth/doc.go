// Package auth is AuthBridge's use-case layer: sign-in flows, sessions
// (token pairs and their rotation), linked accounts and the signed-in
// user's own data. It holds every account rule once and answers its own
// types; the HTTP layer maps them to the wire format.
package auth
