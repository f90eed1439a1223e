package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// line is LINE Login (v2.1). Web-login ID tokens are HS256, signed with the
// channel secret, which go-oidc cannot verify, so they are verified with
// golang-jwt pinned to HS256 and the secret. Tokens issued as ES256 are
// verified against LINE's JWKS (cached, refetches throttled). The key
// follows the algorithm, so neither can stand in for the other. LINE has no
// email_verified: its email never counts as verified.
type line struct {
	info  Info
	cfg   Config
	oauth oauth2.Config
	keys  *keySet
}

var _ Provider = (*line)(nil)

// LINE's public endpoints.
const (
	lineIssuer   = "https://access.line.me"
	lineAuthURL  = "https://access.line.me/oauth2/v2.1/authorize"
	lineTokenURL = "https://api.line.me/oauth2/v2.1/token"
	lineAPI      = "https://api.line.me"
)

// NewLINE builds LINE Login. cfg.ClientID is the channel id and
// cfg.ClientSecret the channel secret; cfg.APIURL overrides the base of the
// JWKS (https://api.line.me/oauth2/v2.1/certs).
func NewLINE(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: channel id and secret are required", cfg.ID)
	}
	cfg.Issuer = orStr(cfg.Issuer, lineIssuer)
	name := orStr(cfg.DisplayName, "LINE")
	jwks := strings.TrimRight(orStr(cfg.APIURL, lineAPI), "/") + "/oauth2/v2.1/certs"
	return &line{
		info: Info{ID: cfg.ID, Name: name, Kind: KindOIDC},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: []string{"openid", "profile", "email"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   orStr(cfg.AuthURL, lineAuthURL),
				TokenURL:  orStr(cfg.TokenURL, lineTokenURL),
				AuthStyle: oauth2.AuthStyleInParams, // LINE wants client_id and client_secret in the body
			}},
		keys: newKeySet(name, cfg.HTTPClient, jwks),
	}, nil
}

func (l *line) Info() Info { return l.info }

func (l *line) AuthURL(a AuthParams) string {
	c := l.oauth
	c.RedirectURL = a.RedirectURI
	return c.AuthCodeURL(a.State,
		oauth2.SetAuthURLParam("code_challenge", a.CodeChallenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256"),
		oauth2.SetAuthURLParam("nonce", a.Nonce))
}

func (l *line) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	tok, err := exchangeCode(ctx, l.oauth, l.cfg.HTTPClient, l.info.Name, e)
	if err != nil {
		return Identity{}, err
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, providerError(l.info.Name, errors.New("token response without id_token"))
	}
	return l.verify(ctx, raw, e.Nonce, !e.NonceOptional, e.FlowStart)
}

type lineClaims struct {
	jwt.RegisteredClaims
	Nonce   string `json:"nonce"`
	AZP     string `json:"azp"`
	Name    string `json:"name"`
	Picture string `json:"picture"`
	Email   string `json:"email"`
}

func (l *line) verify(ctx context.Context, raw, nonce string, nonceRequired bool, flowStart time.Time) (Identity, error) {
	if len(raw) > maxIDToken {
		return Identity{}, invalidCredential(errors.New("id token too large"))
	}
	var (
		c        lineClaims
		fetchErr error
	)
	_, err := jwt.ParseWithClaims(raw, &c, func(t *jwt.Token) (any, error) {
		switch t.Method.Alg() {
		case "HS256":
			return []byte(l.cfg.ClientSecret), nil
		case "ES256":
			kid, _ := t.Header["kid"].(string)
			keys, err := l.keys.keysFor(ctx, kid, "ES256")
			if err != nil {
				if !errors.Is(err, errUnknownKey) {
					fetchErr = err
				}
				return nil, err
			}
			set := jwt.VerificationKeySet{}
			for _, k := range keys {
				set.Keys = append(set.Keys, k)
			}
			return set, nil
		}
		return nil, fmt.Errorf("alg %s", t.Method.Alg()) // unreachable: WithValidMethods
	}, jwt.WithValidMethods([]string{"HS256", "ES256"}), jwt.WithIssuer(l.cfg.Issuer), jwt.WithAudience(l.cfg.ClientID),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(l.cfg.Now))
	switch {
	case fetchErr != nil:
		return Identity{}, fetchErr
	case err != nil:
		return Identity{}, invalidCredential(err)
	case c.IssuedAt == nil:
		// golang-jwt's WithIssuedAt has no leeway of its own (a LINE clock
		// a second ahead would fail every sign-in): checkIssuedAt has.
		return Identity{}, invalidCredential(errors.New("no iat"))
	case len(c.Audience) > 1:
		return Identity{}, invalidCredential(errors.New("several audiences"))
	case (nonceRequired || nonce != "") && !sameNonce(c.Nonce, nonce):
		return Identity{}, invalidCredential(errors.New("nonce mismatch"))
	case c.AZP != "" && c.AZP != l.cfg.ClientID:
		return Identity{}, invalidCredential(fmt.Errorf("azp %q is another channel", c.AZP))
	case c.Subject == "" || len(c.Subject) > 255:
		return Identity{}, invalidCredential(errors.New("sub missing or longer than 255"))
	}
	if err := checkIssuedAt(c.IssuedAt.Time, l.cfg.Now(), flowStart); err != nil {
		return Identity{}, err
	}
	return Identity{Provider: l.info.ID, Issuer: l.cfg.Issuer, Subject: c.Subject,
		Email: c.Email, EmailVerified: false, // LINE does not say it verified the address
		Name: c.Name, AvatarURL: c.Picture}, nil
}
