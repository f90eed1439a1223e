package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/backend/internal/token"
)

// ServerMetadata is the body of /.well-known/oauth-authorization-server
// (RFC 8414). It holds only what a resource server needs to verify our
// access tokens: AuthBridge is not an OAuth authorization server for third
// parties, so the authorization and token endpoint members are left out
// rather than pointing at endpoints that do not speak OAuth.
type ServerMetadata struct {
	// Issuer is exactly the iss of our access tokens.
	Issuer string `json:"issuer"`
	// JWKSURI is the absolute URL of the JWK set that verifies them.
	JWKSURI string `json:"jwks_uri"`
	// AccessTokenSigningAlgs lists the JWS algs access tokens are signed
	// with. RFC 8414 names no member for this; the name follows its
	// *_signing_alg_values_supported members, and verifiers pin to it.
	AccessTokenSigningAlgs []string `json:"access_token_signing_alg_values_supported"`
}

// metadataPath is where RFC 8414 puts the document for an issuer without a
// path. An issuer with a path (a public URL under a prefix) is served below
// that prefix by the proxy in front, like the JWKS.
const metadataPath = "/.well-known/oauth-authorization-server"

// handleMetadata answers the server metadata. It changes only with the
// configuration, so it is encoded once and cached like the JWKS.
func handleMetadata(cfg config.Config, tm *token.Manager) http.Handler {
	b, err := json.Marshal(ServerMetadata{
		Issuer:                 cfg.Issuer(),
		JWKSURI:                cfg.Issuer() + "/.well-known/jwks.json",
		AccessTokenSigningAlgs: []string{tm.Alg()},
	})
	if err != nil {
		panic("httpapi: encode server metadata: " + err.Error()) // strings only: cannot fail
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", jwksCacheControl)
		_, _ = w.Write(b)
	})
}
