package provider

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// maxIDToken caps an ID token before any parsing.
const maxIDToken = 16 << 10

// Skew is the clock difference tolerated between us and a provider on an
// ID token's iat: ahead of our clock, before the start of the flow the
// token answers, and past a credential's lifetime.
const Skew = 30 * time.Second

// checkIssuedAt applies the iat rules every ID token shares: present, not
// in the future beyond Skew and, in a redirect flow (flowStart set), not
// before the flow started less Skew: a token minted earlier was not
// issued for this flow.
func checkIssuedAt(iat, now, flowStart time.Time) error {
	switch {
	case iat.IsZero():
		return invalidCredential(errors.New("no iat"))
	case iat.After(now.Add(Skew)):
		return invalidCredential(errors.New("iat in the future"))
	case !flowStart.IsZero() && iat.Before(flowStart.Add(-Skew)):
		return invalidCredential(errors.New("iat before the flow started"))
	}
	return nil
}

// discovery is what we read from an OpenID Provider's discovery document.
type discovery struct {
	Issuer      string   `json:"issuer"`
	AuthURL     string   `json:"authorization_endpoint"`
	TokenURL    string   `json:"token_endpoint"`
	JWKSURI     string   `json:"jwks_uri"`
	Algs        []string `json:"id_token_signing_alg_values_supported"`
	AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
}

// discover reads issuer's discovery document through go-oidc. With exact,
// the document's issuer must equal issuer byte for byte (go-oidc's check);
// without it the caller checks the issuer itself (Microsoft's template).
func discover(ctx context.Context, cfg Config, name, issuer string, exact bool) (discovery, error) {
	dctx := oidc.ClientContext(ctx, cfg.HTTPClient)
	if !exact {
		// Note: this turns go-oidc's issuer check off entirely (any
		// discovered issuer is accepted), so callers must compare it.
		dctx = oidc.InsecureIssuerURLContext(dctx, issuer)
	}
	op, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return discovery{}, providerError(name, fmt.Errorf("discovery at %s: %w", issuer, err))
		}
		return discovery{}, unavailable(name, fmt.Errorf("discovery at %s: %w", issuer, shortErr{err}))
	}
	var d discovery
	if err := op.Claims(&d); err != nil {
		return discovery{}, providerError(name, fmt.Errorf("discovery at %s: %w", issuer, err))
	}
	if d.AuthURL == "" || d.TokenURL == "" || d.JWKSURI == "" {
		return discovery{}, providerError(name, fmt.Errorf("discovery at %s lacks authorization_endpoint, token_endpoint or jwks_uri", issuer))
	}
	return d, nil
}

// shortErr keeps an upstream error (go-oidc puts the whole response body
// of a failed discovery in it) to a log-friendly length.
type shortErr struct{ err error }

func (e shortErr) Error() string {
	s := e.err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
func (e shortErr) Unwrap() error { return e.err }

// signingAlgs answers the advertised ID-token algorithms we can verify
// against a JWKS (never HS* or none); RS256 when none is advertised.
func signingAlgs(advertised []string) []string {
	var out []string
	for _, a := range advertised {
		for _, s := range sigAlgs {
			if a == string(s) && !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		out = []string{oidc.RS256}
	}
	return out
}

// authStyle picks one client authentication method up front. Leaving it to
// x/oauth2's auto-detection makes every failed exchange (5xx, timeout,
// invalid_grant) run twice, once per style.
func authStyle(methods []string) oauth2.AuthStyle {
	if slices.Contains(methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// oidcProvider is an OpenID Connect provider found by discovery. The
// generic provider, Google and Microsoft are built on it.
type oidcProvider struct {
	info     Info
	cfg      Config
	oauth    oauth2.Config
	keys     *keySet
	verifier *oidc.IDTokenVerifier
	// issuers are the accepted iss values; empty: the caller checks.
	issuers []string
}

var _ Provider = (*oidcProvider)(nil)

// newOIDCProvider builds the shared part from a discovery document; cfg's
// endpoint overrides win over the discovered endpoints.
func newOIDCProvider(cfg Config, name string, d discovery, issuers []string) *oidcProvider {
	keys := newKeySet(name, cfg.HTTPClient, d.JWKSURI)
	return &oidcProvider{
		info: Info{ID: cfg.ID, Name: name, Kind: KindOIDC},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   orStr(cfg.AuthURL, d.AuthURL),
				TokenURL:  orStr(cfg.TokenURL, d.TokenURL),
				AuthStyle: authStyle(d.AuthMethods),
			}},
		keys: keys,
		// go-oidc checks the signature (through keys), aud and exp (no
		// leeway). The issuer, nonce, azp and iat are checked in verify:
		// go-oidc checks neither nonce nor azp.
		verifier: oidc.NewVerifier("", keys, &oidc.Config{
			ClientID: cfg.ClientID, Now: cfg.Now, SkipIssuerCheck: true,
			SupportedSigningAlgs: signingAlgs(d.Algs),
		}),
		issuers: issuers,
	}
}

// NewOIDC builds a generic OpenID Connect provider by discovery at
// cfg.Issuer. The discovery document's issuer must equal the configured
// one exactly, and so must every ID token's iss.
func NewOIDC(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("provider %s: issuer and client id are required", cfg.ID)
	}
	name := orStr(cfg.DisplayName, cfg.ID)
	d, err := discover(ctx, cfg, name, cfg.Issuer, true)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", cfg.ID, err)
	}
	return newOIDCProvider(cfg, name, d, []string{cfg.Issuer}), nil
}

func (p *oidcProvider) Info() Info { return p.info }

// AuthURL asks for a code with PKCE S256 and a nonce.
func (p *oidcProvider) AuthURL(a AuthParams) string {
	return p.authURL(a)
}

func (p *oidcProvider) authURL(a AuthParams, extra ...oauth2.AuthCodeOption) string {
	c := p.oauth
	c.RedirectURL = a.RedirectURI
	// AuthParams carries the challenge, not the verifier (the backend
	// keeps that in its flow row), so S256ChallengeOption can't be used.
	opts := append([]oauth2.AuthCodeOption{
		oauth2.SetAuthURLParam("code_challenge", a.CodeChallenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256"),
		oidc.Nonce(a.Nonce),
	}, extra...)
	return c.AuthCodeURL(a.State, opts...)
}

func (p *oidcProvider) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	c, err := p.exchange(ctx, e)
	if err != nil {
		return Identity{}, err
	}
	return p.identity(c), nil
}

// exchange redeems the code and verifies the ID token; the nonce is
// required unless e.NonceOptional.
func (p *oidcProvider) exchange(ctx context.Context, e ExchangeParams) (idClaims, error) {
	tok, err := exchangeCode(ctx, p.oauth, p.cfg.HTTPClient, p.info.Name, e)
	if err != nil {
		return idClaims{}, err
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return idClaims{}, providerError(p.info.Name, errors.New("token response without id_token"))
	}
	return p.verify(ctx, raw, e.Nonce, !e.NonceOptional, e.FlowStart)
}

// idClaims are the ID-token claims we read.
type idClaims struct {
	Issuer        string          `json:"iss"`
	Subject       string          `json:"sub"`
	AZP           string          `json:"azp"`
	Nonce         string          `json:"nonce"`
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
	Picture       string          `json:"picture"`
	HD            string          `json:"hd"`
	TID           string          `json:"tid"`
	OID           string          `json:"oid"`

	audience []string
	issuedAt time.Time
	expiry   time.Time
}

// emailVerified: only the JSON boolean true counts; "true" as a string
// does not.
func (c idClaims) emailVerified() bool {
	return c.Email != "" && bytes.Equal(bytes.TrimSpace(c.EmailVerified), []byte("true"))
}

// verify checks an ID token: size, signature, aud, exp (go-oidc), then
// iss, sub, nonce, azp and iat here. An empty nonce is refused when
// nonceRequired; a given one must match. flowStart, when set, is the start
// of the redirect flow the token answers (checkIssuedAt).
func (p *oidcProvider) verify(ctx context.Context, raw, nonce string, nonceRequired bool, flowStart time.Time) (idClaims, error) {
	if len(raw) > maxIDToken {
		return idClaims{}, invalidCredential(errors.New("id token too large"))
	}
	vctx, note := withFetchNote(ctx)
	idt, err := p.verifier.Verify(vctx, raw)
	if err != nil {
		if note.err != nil { // the JWKS could not be fetched: not the token's fault
			return idClaims{}, note.err
		}
		return idClaims{}, invalidCredential(err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return idClaims{}, invalidCredential(err)
	}
	c.audience, c.issuedAt, c.expiry = idt.Audience, idt.IssuedAt, idt.Expiry
	switch {
	case len(p.issuers) > 0 && !slices.Contains(p.issuers, c.Issuer):
		return idClaims{}, invalidCredential(fmt.Errorf("iss %q is not %q", c.Issuer, p.issuers))
	case c.Subject == "" || len(c.Subject) > 255:
		return idClaims{}, invalidCredential(errors.New("sub missing or longer than 255"))
	case (nonceRequired || nonce != "") && !sameNonce(c.Nonce, nonce):
		return idClaims{}, invalidCredential(errors.New("nonce mismatch"))
	case c.AZP != "" && c.AZP != p.cfg.ClientID:
		return idClaims{}, invalidCredential(fmt.Errorf("azp %q is another client", c.AZP))
	case len(c.audience) > 1 && c.AZP == "":
		return idClaims{}, invalidCredential(errors.New("several audiences and no azp"))
	}
	if err := checkIssuedAt(idt.IssuedAt, p.cfg.Now(), flowStart); err != nil {
		return idClaims{}, err
	}
	return c, nil
}

// sameNonce compares in constant time; an empty expected nonce never
// matches.
func sameNonce(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// identity is the generic OIDC identity: keyed by the configured issuer.
func (p *oidcProvider) identity(c idClaims) Identity {
	return Identity{
		Provider:      p.info.ID,
		Issuer:        p.cfg.Issuer,
		Subject:       c.Subject,
		Email:         c.Email,
		EmailVerified: c.emailVerified(),
		Name:          c.Name,
		AvatarURL:     c.Picture,
	}
}

// exchangeCode redeems an authorization code at the token endpoint with
// the PKCE verifier, through the provider's HTTP client.
func exchangeCode(ctx context.Context, c oauth2.Config, client *http.Client, name string, e ExchangeParams) (*oauth2.Token, error) {
	c.RedirectURL = e.RedirectURI
	tok, err := c.Exchange(context.WithValue(ctx, oauth2.HTTPClient, client), e.Code, oauth2.VerifierOption(e.CodeVerifier))
	if err != nil {
		return nil, classify(name, err)
	}
	return tok, nil
}
