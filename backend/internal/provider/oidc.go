package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// oidcProvider is a generic OpenID Connect provider found by discovery;
// Google is one with a credential verifier and its own issuer rules.
type oidcProvider struct {
	info     Info
	cfg      Config
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	issuers  []string // accepted iss values
}

var (
	_ Provider           = (*oidcProvider)(nil)
	_ CredentialVerifier = (*googleProvider)(nil)
)

func defaults(cfg *Config) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = NewHTTPClient(0)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
}

// NewOIDC discovers cfg.Issuer. The discovery document's issuer must equal
// the configured one exactly.
func NewOIDC(ctx context.Context, cfg Config) (Provider, error) {
	return newOIDC(ctx, cfg, "oidc", false)
}

func newOIDC(ctx context.Context, cfg Config, name string, multiIssuer bool) (*oidcProvider, error) {
	defaults(&cfg)
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, fmt.Errorf("provider %s: issuer and client id are required", cfg.ID)
	}
	dctx := oidc.ClientContext(ctx, cfg.HTTPClient)
	disc, err := oidc.NewProvider(dctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("provider %s: discovery: %w", cfg.ID, err)
	}
	ep := disc.Endpoint()
	if cfg.AuthURL != "" {
		ep.AuthURL = cfg.AuthURL
	}
	if cfg.TokenURL != "" {
		ep.TokenURL = cfg.TokenURL
	}
	p := &oidcProvider{
		info: Info{ID: cfg.ID, Name: cfg.DisplayName, Kind: "oidc"},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: ep,
			Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
		issuers: []string{cfg.Issuer},
	}
	// go-oidc checks aud, exp and the signature with the discovered JWKS
	// (refetched on an unknown kid, throttled in keySet); issuer, nonce and
	// azp are ours to check.
	p.verifier = oidc.NewVerifier(cfg.Issuer, newKeySet(cfg.HTTPClient, disc), &oidc.Config{
		ClientID: cfg.ClientID, Now: cfg.Now, SkipIssuerCheck: true,
	})
	if multiIssuer {
		p.issuers = append(p.issuers, strings.TrimPrefix(cfg.Issuer, "https://"))
	}
	_ = name
	return p, nil
}

func (p *oidcProvider) Info() Info { return p.info }

func (p *oidcProvider) AuthURL(a AuthParams) string {
	c := p.oauth
	c.RedirectURL = a.RedirectURI
	return c.AuthCodeURL(a.State,
		oauth2.SetAuthURLParam("code_challenge", a.CodeChallenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256"),
		oidc.Nonce(a.Nonce))
}

func (p *oidcProvider) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	tok, err := exchangeCode(ctx, p.oauth, p.cfg.HTTPClient, p.info.Name, e)
	if err != nil {
		return Identity{}, err
	}
	raw, err := idToken(tok, p.info.Name)
	if err != nil {
		return Identity{}, err
	}
	return p.verify(ctx, raw, e.Nonce, true)
}

// idClaims are the OIDC claims we read.
type idClaims struct {
	Subject       string          `json:"sub"`
	Issuer        string          `json:"iss"`
	Email         string          `json:"email"`
	EmailVerified json.RawMessage `json:"email_verified"`
	Name          string          `json:"name"`
	Picture       string          `json:"picture"`
	Nonce         string          `json:"nonce"`
	AZP           string          `json:"azp"`
	HD            string          `json:"hd"`
}

// verified: only the JSON boolean true counts ("true" as a string does not).
func (c idClaims) verified() bool { return string(c.EmailVerified) == "true" }

// verify checks an ID token: signature, aud, exp (go-oidc), then issuer,
// nonce and azp here.
func (p *oidcProvider) verify(ctx context.Context, raw, nonce string, nonceRequired bool) (Identity, error) {
	if len(raw) > 16<<10 {
		return Identity{}, invalidCredential(errors.New("id token too large"))
	}
	idt, err := p.verifier.Verify(oidc.ClientContext(ctx, p.cfg.HTTPClient), raw)
	if err != nil {
		return Identity{}, invalidCredential(err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return Identity{}, invalidCredential(err)
	}
	okIss := false
	for _, iss := range p.issuers {
		okIss = okIss || c.Issuer == iss
	}
	switch {
	case !okIss:
		return Identity{}, invalidCredential(fmt.Errorf("issuer %q", c.Issuer))
	case (nonceRequired || nonce != "") && (nonce == "" || c.Nonce != nonce):
		return Identity{}, invalidCredential(errors.New("nonce mismatch"))
	case c.AZP != "" && c.AZP != p.cfg.ClientID:
		return Identity{}, invalidCredential(errors.New("azp is another client"))
	case c.Subject == "":
		return Identity{}, invalidCredential(errors.New("no sub"))
	}
	return Identity{
		Provider:      p.info.ID,
		Issuer:        p.cfg.Issuer,
		Subject:       c.Subject,
		Email:         c.Email,
		EmailVerified: c.Email != "" && c.verified(),
		Name:          c.Name,
		AvatarURL:     c.Picture,
		HostedDomain:  c.HD,
	}, nil
}

// googleProvider is OIDC with Google's rules: both issuer spellings, azp,
// and the Workspace domain from hd (never the email suffix).
type googleProvider struct{ *oidcProvider }

// NewGoogle builds Google, by discovery at https://accounts.google.com
// unless the issuer is overridden.
func NewGoogle(ctx context.Context, cfg Config) (Provider, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = "https://accounts.google.com"
	}
	if cfg.DisplayName == "" {
		cfg.DisplayName = "Google"
	}
	p, err := newOIDC(ctx, cfg, "google", true)
	if err != nil {
		return nil, err
	}
	return &googleProvider{p}, nil
}

func (g *googleProvider) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	id, err := g.oidcProvider.Exchange(ctx, e)
	if err != nil {
		return Identity{}, err
	}
	return g.checkHD(id)
}

// VerifyCredential checks the ID token of the Google Identity Services
// button. The nonce is optional there (the page may not have asked for one).
func (g *googleProvider) VerifyCredential(ctx context.Context, raw, nonce string) (Identity, error) {
	id, err := g.verify(ctx, raw, nonce, false)
	if err != nil {
		return Identity{}, err
	}
	return g.checkHD(id)
}

func (g *googleProvider) checkHD(id Identity) (Identity, error) {
	if g.cfg.HostedDomain != "" && id.HostedDomain != g.cfg.HostedDomain {
		return Identity{}, invalidCredential(fmt.Errorf("hd %q is not the required Workspace domain", id.HostedDomain))
	}
	return id, nil
}
