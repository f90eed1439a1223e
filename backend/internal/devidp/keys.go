package devidp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
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

// The ID-token signing algorithms an issuer may use (Options.OIDCAlg).
const (
	AlgRS256 = "RS256" // what Google uses
	AlgES256 = "ES256" // ECDSA P-256: far cheaper to sign than 2048-bit RSA
)

// signingKey is an issuer's key with its kid, algorithm and JWK.
type signingKey struct {
	kid    string
	method jwt.SigningMethod
	priv   crypto.Signer // *rsa.PrivateKey for RS256, *ecdsa.PrivateKey for ES256
	pub    jwk           // what the JWKS publishes: the public half only
}

// oidcAPIs have an issuer, a JWKS and ID tokens; each its own key, so a
// token of one issuer never verifies against the other's JWKS.
var oidcAPIs = []string{APIGoogle, APIOIDC}

// alg is the ID-token algorithm of api: Google is always RS256.
func (d *IDP) alg(api string) string {
	if api == APIOIDC {
		return d.opts.OIDCAlg
	}
	return AlgRS256
}

func newKey(alg string) (*signingKey, error) {
	k := &signingKey{}
	var err error
	switch alg {
	case AlgRS256:
		k.method = jwt.SigningMethodRS256
		k.priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case AlgES256:
		k.method = jwt.SigningMethodES256
		k.priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", alg, err)
	}
	if k.kid, err = keyID(k.priv.Public()); err != nil {
		return nil, fmt.Errorf("%s key id: %w", alg, err)
	}
	if k.pub, err = publicJWK(k); err != nil {
		return nil, fmt.Errorf("%s JWK: %w", alg, err)
	}
	return k, nil
}

// keyID is a thumbprint-like digest of the public key.
func keyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(der)
	return hex.EncodeToString(h[:10]), nil
}

// newKeys makes one key per OIDC API with its algorithm, in parallel (RSA
// generation is the slow part of New).
func (d *IDP) newKeys() (map[string][]*signingKey, error) {
	keys := make([]*signingKey, len(oidcAPIs))
	errs := make([]error, len(oidcAPIs))
	var wg sync.WaitGroup
	for i, api := range oidcAPIs {
		wg.Go(func() { keys[i], errs[i] = newKey(d.alg(api)) })
	}
	wg.Wait()
	out := map[string][]*signingKey{}
	for i, api := range oidcAPIs {
		if errs[i] != nil {
			return nil, fmt.Errorf("%s key: %w", api, errs[i])
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
	fresh, err := d.newKeys()
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

// jwk is a public key as a JWKS publishes it (RFC 7517, 7518).
type jwk struct {
	Kty string `json:"kty"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// publicJWK answers k's public half: never the private parts.
func publicJWK(k *signingKey) (jwk, error) {
	out := jwk{Use: "sig", Alg: k.method.Alg(), Kid: k.kid}
	switch priv := k.priv.(type) {
	case *rsa.PrivateKey:
		out.Kty = "RSA"
		out.N = b64(priv.N.Bytes())
		out.E = b64(big.NewInt(int64(priv.E)).Bytes())
	case *ecdsa.PrivateKey:
		// Bytes is 0x04 || X || Y, each coordinate left-padded to the
		// curve size (32 bytes on P-256), as RFC 7518 requires of x and y.
		pt, err := priv.PublicKey.Bytes()
		if err != nil {
			return jwk{}, fmt.Errorf("encode EC public key: %w", err)
		}
		size := (len(pt) - 1) / 2
		out.Kty, out.Crv = "EC", priv.Curve.Params().Name
		out.X, out.Y = b64(pt[1:1+size]), b64(pt[1+size:])
	default:
		return jwk{}, fmt.Errorf("unsupported key type %T", k.priv)
	}
	return out, nil
}

func (d *IDP) jwks(api string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		ks := d.keys[api]
		d.mu.Unlock()
		out := struct {
			Keys []jwk `json:"keys"`
		}{}
		for _, k := range ks {
			out.Keys = append(out.Keys, k.pub)
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
			"id_token_signing_alg_values_supported": []string{d.alg(api)},
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

// idToken signs an ID token like Google's: the issuer's algorithm (RS256
// for Google) with a kid, aud and azp the client, email_verified a JSON
// boolean, hd for Workspace users.
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
	t := jwt.NewWithClaims(k.method, c)
	t.Header["kid"] = k.kid
	s, err := t.SignedString(k.priv)
	if err != nil {
		return "", fmt.Errorf("devidp: sign id token: %w", err)
	}
	return s, nil
}
