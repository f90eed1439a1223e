package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// googleIssuer is Google's issuer; its ID tokens also say
// "accounts.google.com" without the scheme.
const googleIssuer = "https://accounts.google.com"

// googleIDTokenLifetime is how long Google's ID tokens live (their exp is
// iat + 1 h).
const googleIDTokenLifetime = time.Hour

// google is OIDC with Google's rules: both issuer spellings, azp, and the
// Workspace domain from the hd claim (never the email suffix). It also
// verifies Google Identity Services button credentials.
type google struct {
	*oidcProvider
	// credentialLifetime bounds a button credential's age (now − iat) by
	// the lifetime Google gives its ID tokens, whatever its exp says.
	credentialLifetime time.Duration
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
	return &google{oidcProvider: newOIDCProvider(cfg, name, d, issuers), credentialLifetime: googleIDTokenLifetime}, nil
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
// button, and that it is no older than Google's own ID tokens live. Its
// nonce claim is answered for the caller to spend: only the caller knows
// which nonces it issued.
func (g *google) VerifyCredential(ctx context.Context, raw string) (Credential, error) {
	c, err := g.verify(ctx, raw, "", false, time.Time{})
	if err != nil {
		return Credential{}, err
	}
	end := c.issuedAt.Add(g.credentialLifetime + Skew)
	if g.cfg.Now().After(end) {
		return Credential{}, invalidCredential(errors.New("credential older than Google's ID-token lifetime"))
	}
	id, err := g.identityOf(c)
	if err != nil {
		return Credential{}, err
	}
	return Credential{Identity: id, Nonce: c.Nonce, ExpiresAt: minTime(c.expiry, end)}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (g *google) identityOf(c idClaims) (Identity, error) {
	if g.cfg.HostedDomain != "" && !strings.EqualFold(c.HD, g.cfg.HostedDomain) {
		return Identity{}, invalidCredential(fmt.Errorf("hd %q is not the required Workspace domain", c.HD))
	}
	id := g.identity(c) // Issuer: the configured spelling, whichever the token used
	id.HostedDomain = strings.ToLower(c.HD)
	return id, nil
}
