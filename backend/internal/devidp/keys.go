package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// idTokenTTL is how long an ID token is valid, like Google's.
const idTokenTTL = time.Hour

// signingKey is an RS256 key (what Google uses) with its kid.
type signingKey struct {
	kid  string
	priv *rsa.PrivateKey
}

// oidcAPIs have an issuer, a JWKS and ID tokens; each its own key, so a
// token of one issuer never verifies against the other's JWKS.
var oidcAPIs = []string{APIGoogle, APIOIDC}

func newKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	// kid: a thumbprint-like digest of the modulus.
	h := sha256.Sum256(priv.N.Bytes())
	return &signingKey{kid: hex.EncodeToString(h[:10]), priv: priv}, nil
}

// newKeys makes one key per OIDC API, in parallel (RSA generation is the
// slow part of New).
func newKeys() (map[string][]*signingKey, error) {
	keys := make([]*signingKey, len(oidcAPIs))
	errs := make([]error, len(oidcAPIs))
	var wg sync.WaitGroup
	for i := range oidcAPIs {
		wg.Go(func() { keys[i], errs[i] = newKey() })
	}
	wg.Wait()
	out := map[string][]*signingKey{}
	for i, api := range oidcAPIs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out[api] = []*signingKey{keys[i]}
	}
	return out, nil
}

// RotateKeys gives each issuer a new current signing key. The JWKS keeps
// publishing the previous key (tokens it signed still verify) and drops
// older ones, so relying parties must look keys up by kid and refetch the
// JWKS when they meet an unknown one.
func (d *IDP) RotateKeys() error {
	fresh, err := newKeys()
	if err != nil {
		return fmt.Errorf("devidp: rotate: %w", err)
	}
	d.mu.Lock()
	for _, api := range oidcAPIs {
		d.keys[api] = []*signingKey{fresh[api][0], d.keys[api][0]}
	}
	d.mu.Unlock()
	d.log.Info("devidp: signing keys rotated")
	return nil
}

// KeyID is the kid of api's current signing key.
func (d *IDP) KeyID(api string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ks := d.keys[api]; len(ks) > 0 {
		return ks[0].kid
	}
	return ""
}

func (d *IDP) currentKey(api string) *signingKey {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.keys[api][0]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (d *IDP) jwks(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		ks := d.keys[api]
		d.mu.Unlock()
		type jwk struct {
			Kty string `json:"kty"`
			Use string `json:"use"`
			Alg string `json:"alg"`
			Kid string `json:"kid"`
			N   string `json:"n"`
			E   string `json:"e"`
		}
		out := struct {
			Keys []jwk `json:"keys"`
		}{}
		for _, k := range ks {
			pub := k.priv.PublicKey
			out.Keys = append(out.Keys, jwk{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: k.kid,
				N: b64(pub.N.Bytes()), E: b64(big.NewInt(int64(pub.E)).Bytes())})
		}
		// Short cache: rotation is a development feature.
		writeJSONCache(w, http.StatusOK, out, "public, max-age=60")
	}
}

func (d *IDP) discovery(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		iss := d.Issuer(api)
		doc := map[string]any{
			"issuer":                                iss,
			"authorization_endpoint":                iss + "/authorize",
			"token_endpoint":                        iss + "/token",
			"userinfo_endpoint":                     iss + "/userinfo",
			"jwks_uri":                              iss + "/jwks",
			"response_types_supported":              []string{"code"},
			"response_modes_supported":              []string{"query"},
			"grant_types_supported":                 []string{"authorization_code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported":      []string{"S256"},
			"scopes_supported":                      []string{"openid", "email", "profile"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
			"claims_supported": []string{"aud", "azp", "email", "email_verified", "exp", "family_name", "given_name",
				"iat", "iss", "name", "nonce", "picture", "sub"},
		}
		if api == APIGoogle {
			doc["claims_supported"] = append(doc["claims_supported"].([]string), "hd")
		} else {
			// RFC 9207: the authorization response names its issuer.
			doc["authorization_response_iss_parameter_supported"] = true
		}
		writeJSONCache(w, http.StatusOK, doc, "public, max-age=60")
	}
}

// idTokenParams say what an ID token is for.
type idTokenParams struct {
	api, clientID, nonce, accessToken string
	user                              User
	scopes                            scopeSet
	gsi                               bool // minted for the GSI button (Google adds nbf and jti there)
}

// idToken signs an ID token like Google's: RS256 with a kid, aud and azp
// the client, email_verified a JSON boolean, hd for Workspace users.
func (d *IDP) idToken(p idTokenParams) (string, error) {
	now := d.now()
	u := p.user
	c := jwt.MapClaims{
		"iss": d.Issuer(p.api), "aud": p.clientID, "azp": p.clientID, "sub": u.Subject(p.api),
		"iat": now.Unix(), "exp": now.Add(idTokenTTL).Unix(),
	}
	if p.api == APIOIDC {
		c["auth_time"] = now.Unix()
	}
	if p.scopes.has("email") {
		c["email"] = u.Email
		c["email_verified"] = u.EmailVerified
	}
	if p.scopes.has("profile") {
		c["name"] = u.Name
		c["given_name"] = u.givenName()
		c["family_name"] = u.familyName()
		c["picture"] = d.avatarURL(u)
	}
	if p.api == APIGoogle && u.HostedDomain != "" {
		c["hd"] = u.HostedDomain
	}
	if p.nonce != "" {
		c["nonce"] = p.nonce
	}
	if p.accessToken != "" {
		// at_hash: the left half of the SHA-256 of the access token.
		h := sha256.Sum256([]byte(p.accessToken))
		c["at_hash"] = b64(h[:16])
	}
	if p.gsi {
		c["nbf"] = now.Add(-5 * time.Minute).Unix()
		c["jti"] = randomToken(16)
	}
	k := d.currentKey(p.api)
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	t.Header["kid"] = k.kid
	s, err := t.SignedString(k.priv)
	if err != nil {
		return "", fmt.Errorf("devidp: sign id token: %w", err)
	}
	return s, nil
}
