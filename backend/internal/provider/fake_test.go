package provider

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

var (
	keyOnce          sync.Once
	idpKey, otherKey *rsa.PrivateKey
)

func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	keyOnce.Do(func() {
		idpKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		otherKey, _ = rsa.GenerateKey(rand.Reader, 2048)
	})
	return idpKey, otherKey
}

// fakeIdP is an OIDC provider on httptest: discovery, JWKS and a token
// endpoint whose behaviour each test picks.
type fakeIdP struct {
	srv       *httptest.Server
	issuer    string // discovery issuer (may be a template)
	mu        sync.Mutex
	mode      string // ok, 5xx, hang, invalid_grant, no_id_token
	idToken   func(base string) string
	gotVerify string // code_verifier the token endpoint received
	extra     http.Handler
	jwksHits  int
}

func newFakeIdP(t *testing.T, issuerPath string) *fakeIdP {
	f := &fakeIdP{mode: "ok"}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	base := f.srv.URL
	f.issuer = base + issuerPath
	key, _ := keys(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": f.issuer, "authorization_endpoint": base + "/authorize", "token_endpoint": base + "/token",
				"jwks_uri": base + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			})
		case r.URL.Path == "/jwks":
			f.mu.Lock()
			f.jwksHits++
			f.mu.Unlock()
			json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
		case r.URL.Path == "/token":
			r.ParseForm()
			f.mu.Lock()
			mode := f.mode
			f.gotVerify = r.PostForm.Get("code_verifier")
			f.mu.Unlock()
			switch mode {
			case "5xx":
				http.Error(w, "down", http.StatusBadGateway)
			case "hang":
				<-r.Context().Done()
			case "invalid_grant":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"error":"invalid_grant"}`))
			default:
				resp := map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600}
				if mode != "no_id_token" && f.idToken != nil {
					resp["id_token"] = f.idToken(base)
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(resp)
			}
		default:
			if f.extra != nil {
				f.extra.ServeHTTP(w, r)
				return
			}
			http.NotFound(w, r)
		}
	})
	return f
}

func (f *fakeIdP) set(mode string, tok func(base string) string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mode, f.idToken = mode, tok
}

// signRS256 signs claims with key (kid k1 unless other).
func signRS256(t testing.TB, claims jwt.MapClaims, other bool) string {
	k, o := keys(t)
	if other {
		k = o
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unsigned(claims jwt.MapClaims) string {
	s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
	return s
}
