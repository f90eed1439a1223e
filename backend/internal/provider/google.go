package provider

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// googleIssuer is Google's issuer; its ID tokens also say
// "accounts.google.com" without the scheme.
const googleIssuer = "https://accounts.google.com"

// google is OIDC with Google's rules: both issuer spellings, azp, and the
// Workspace domain from the hd claim (never the email suffix). It also
// verifies Google Identity Services button credentials.
type google struct {
	*oidcProvider
}

var (
	_ Provider           = (*google)(nil)
	_ CredentialVerifier = (*google)(nil)
)

// NewGoogle builds Google by discovery at https://accounts.google.com
// unless cfg.Issuer overrides it.
func NewGoogle(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("provider %s: client id is required", cfg.ID)
	}
	cfg.Issuer = orStr(cfg.Issuer, googleIssuer)
	cfg.HostedDomain = strings.ToLower(cfg.HostedDomain)
	name := orStr(cfg.DisplayName, "Google")
	d, err := discover(ctx, cfg, name, cfg.Issuer, true)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", cfg.ID, err)
	}
	issuers := []string{cfg.Issuer}
	if s := strings.TrimPrefix(cfg.Issuer, "https://"); s != cfg.Issuer {
		issuers = append(issuers, s)
	}
	return &google{newOIDCProvider(cfg, name, d, issuers)}, nil
}

// AuthURL adds hd as a hint to Google's account chooser when a Workspace
// domain is required; the hd claim is still checked on the way back.
func (g *google) AuthURL(a AuthParams) string {
	if g.cfg.HostedDomain != "" {
		return g.authURL(a, oauth2.SetAuthURLParam("hd", g.cfg.HostedDomain))
	}
	return g.authURL(a)
}

func (g *google) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	c, err := g.exchange(ctx, e)
	if err != nil {
		return Identity{}, err
	}
	return g.identityOf(c)
}

// VerifyCredential checks the ID token of the Google Identity Services
// button. The nonce is optional there (the page may not have asked for
// one); when given, the token must carry it.
func (g *google) VerifyCredential(ctx context.Context, raw, nonce string) (Identity, error) {
	c, err := g.verify(ctx, raw, nonce, false)
	if err != nil {
		return Identity{}, err
	}
	return g.identityOf(c)
}

func (g *google) identityOf(c idClaims) (Identity, error) {
	if g.cfg.HostedDomain != "" && !strings.EqualFold(c.HD, g.cfg.HostedDomain) {
		return Identity{}, invalidCredential(fmt.Errorf("hd %q is not the required Workspace domain", c.HD))
	}
	id := g.identity(c) // Issuer: the configured spelling, whichever the token used
	id.HostedDomain = strings.ToLower(c.HD)
	return id, nil
}
