package httpapi

import (
	"net/http"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestServerMetadata(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "metadata", setup: func(e *env) req { return req{method: "GET", path: metadataPath} }, status: 200,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				md := mustJSON[ServerMetadata](t, body)
				if md.Issuer != e.srv.URL {
					t.Errorf("issuer = %q, want the public URL %q", md.Issuer, e.srv.URL)
				}
				if md.JWKSURI != e.srv.URL+"/.well-known/jwks.json" {
					t.Errorf("jwks_uri = %q", md.JWKSURI)
				}
				if len(md.AccessTokenSigningAlgs) != 1 || md.AccessTokenSigningAlgs[0] != "ES256" {
					t.Errorf("access_token_signing_alg_values_supported = %q", md.AccessTokenSigningAlgs)
				}
				if got := resp.Header.Get("Cache-Control"); got != jwksCacheControl {
					t.Errorf("Cache-Control = %q, want %q like the JWKS", got, jwksCacheControl)
				}
				// The issuer is exactly what our tokens carry as iss.
				_, p := signedIn(e)
				var c jwt.RegisteredClaims
				if _, _, err := jwt.NewParser().ParseUnverified(p.AccessToken, &c); err != nil {
					t.Fatal(err)
				}
				if c.Issuer != md.Issuer {
					t.Errorf("token iss = %q, metadata issuer = %q", c.Issuer, md.Issuer)
				}
				// The JWKS it points to is served.
				r, b := e.do(req{method: "GET", path: "/.well-known/jwks.json"})
				expect(t, r, b, 200, "")
			}},
		{name: "metadata with EdDSA", extra: map[string]string{"AUTHBRIDGE_SIGNING_ALG": "EdDSA"},
			setup: func(e *env) req { return req{method: "GET", path: metadataPath} }, status: 200,
			check: func(t *testing.T, e *env, resp *http.Response, body []byte) {
				md := mustJSON[ServerMetadata](t, body)
				if len(md.AccessTokenSigningAlgs) != 1 || md.AccessTokenSigningAlgs[0] != "EdDSA" {
					t.Errorf("access_token_signing_alg_values_supported = %q", md.AccessTokenSigningAlgs)
				}
			}},
	})
}
