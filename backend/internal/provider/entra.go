package provider

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// microsoft is Entra ID. For common/organizations/consumers the discovered
// issuer is a template with {tenantid}, which go-oidc refuses, so the
// issuer is checked here: tid is a GUID and iss is exactly
// <base>/<tid>/v2.0. The email claim is never trusted (nOAuth).
type microsoft struct {
	*oidcProvider
	base string
}

// NewMicrosoft builds Microsoft Entra ID for cfg.Tenant (default common).
// cfg.Issuer overrides the login base, https://login.microsoftonline.com.
func NewMicrosoft(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	base := strings.TrimRight(orStr(cfg.Issuer, "https://login.microsoftonline.com"), "/")
	tenant := orStr(cfg.Tenant, "common")
	disc, err := discoverLoose(ctx, cfg, base+"/"+tenant+"/v2.0", base+"/{tenantid}/v2.0")
	if err != nil {
		return nil, err
	}
	cfg.DisplayName = orStr(cfg.DisplayName, "Microsoft")
	ep := disc.Endpoint()
	p := &oidcProvider{
		info: Info{ID: cfg.ID, Name: cfg.DisplayName, Kind: "oidc"},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: ep,
			Scopes: []string{oidc.ScopeOpenID, "email", "profile"}},
	}
	p.verifier = oidc.NewVerifier("", newKeySet(cfg.HTTPClient, disc), &oidc.Config{ClientID: cfg.ClientID, Now: cfg.Now, SkipIssuerCheck: true})
	return &microsoft{oidcProvider: p, base: base}, nil
}

// discoverLoose runs discovery without go-oidc's issuer equality check,
// for issuers published as templates.
func discoverLoose(ctx context.Context, cfg Config, issuer, template string) (*oidc.Provider, error) {
	dctx := oidc.InsecureIssuerURLContext(oidc.ClientContext(ctx, cfg.HTTPClient), template)
	p, err := oidc.NewProvider(dctx, issuer)
	if err != nil {
		// Single-tenant and consumer issuers match exactly; try plainly.
		p, err = oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTPClient), issuer)
	}
	if err != nil {
		return nil, fmt.Errorf("provider %s: discovery: %w", cfg.ID, err)
	}
	return p, nil
}

func (m *microsoft) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	tok, err := exchangeCode(ctx, m.oauth, m.cfg.HTTPClient, m.info.Name, e)
	if err != nil {
		return Identity{}, err
	}
	raw, err := idToken(tok, m.info.Name)
	if err != nil {
		return Identity{}, err
	}
	idt, err := m.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, invalidCredential(err)
	}
	var cl struct {
		Issuer string `json:"iss"`
		TID    string `json:"tid"`
		OID    string `json:"oid"`
		Sub    string `json:"sub"`
		Nonce  string `json:"nonce"`
		Name   string `json:"name"`
		Email  string `json:"email"`
		AZP    string `json:"azp"`
	}
	if err := idt.Claims(&cl); err != nil {
		return Identity{}, invalidCredential(err)
	}
	switch {
	case !guidRE.MatchString(cl.TID):
		return Identity{}, invalidCredential(fmt.Errorf("tid %q is not a GUID", cl.TID))
	case cl.Issuer != m.base+"/"+cl.TID+"/v2.0":
		return Identity{}, invalidCredential(fmt.Errorf("issuer %q does not match tid", cl.Issuer))
	case len(m.cfg.AllowedTenants) > 0 && !contains(m.cfg.AllowedTenants, cl.TID):
		return Identity{}, invalidCredential(fmt.Errorf("tenant %s is not allowed", cl.TID))
	case e.Nonce == "" || cl.Nonce != e.Nonce:
		return Identity{}, invalidCredential(errors.New("nonce mismatch"))
	case cl.AZP != "" && cl.AZP != m.cfg.ClientID:
		return Identity{}, invalidCredential(errors.New("azp is another client"))
	case cl.OID == "" && cl.Sub == "":
		return Identity{}, invalidCredential(errors.New("no subject"))
	}
	// oid is the user across every app of the tenant; sub differs per app.
	// The key is tid-scoped: (microsoft, <base>/<tid>/v2.0, oid).
	subject := orStr(cl.OID, cl.Sub)
	return Identity{Provider: m.info.ID, Issuer: cl.Issuer, Subject: subject, Email: cl.Email, EmailVerified: false,
		Name: cl.Name, TenantID: cl.TID}, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

var (
	_ Provider = (*microsoft)(nil)
	_ Provider = (*line)(nil)
)

// line is LINE Login. Its ID tokens are HS256 signed with the channel
// secret (go-oidc cannot verify HS256), so they are verified with
// golang-jwt pinned to HS256. LINE has no email_verified: its email never
// counts as verified.
type line struct {
	info  Info
	cfg   Config
	oauth oauth2.Config
}

// NewLINE builds LINE Login.
func NewLINE(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: channel id and secret are required", cfg.ID)
	}
	cfg.Issuer = orStr(cfg.Issuer, "https://access.line.me")
	return &line{
		info: Info{ID: cfg.ID, Name: orStr(cfg.DisplayName, "LINE"), Kind: "oidc"},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: []string{"openid", "profile", "email"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   orStr(cfg.AuthURL, "https://access.line.me/oauth2/v2.1/authorize"),
				TokenURL:  orStr(cfg.TokenURL, "https://api.line.me/oauth2/v2.1/token"),
				AuthStyle: oauth2.AuthStyleInParams,
			}},
	}, nil
}

func (l *line) Info() Info { return l.info }

// jwk fetches LINE's ES256 keys (APIURL overrides the base) and answers
// the one with kid.
func (l *line) jwk(ctx context.Context, kid string) (any, error) {
	url := strings.TrimRight(orStr(l.cfg.APIURL, "https://api.line.me"), "/") + "/oauth2/v2.1/certs"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := l.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return nil, fmt.Errorf("line jwks: %w", err)
	}
	for _, k := range set.Key(kid) {
		if pub, ok := k.Key.(*ecdsa.PublicKey); ok {
			return pub, nil
		}
	}
	return nil, fmt.Errorf("line jwks: no ES256 key %q", kid)
}

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
	raw, err := idToken(tok, l.info.Name)
	if err != nil {
		return Identity{}, err
	}
	var cl struct {
		jwt.RegisteredClaims
		Nonce   string `json:"nonce"`
		Name    string `json:"name"`
		Picture string `json:"picture"`
		Email   string `json:"email"`
	}
	_, err = jwt.ParseWithClaims(raw, &cl, func(t *jwt.Token) (any, error) {
		// Web-login tokens are HS256 with the channel secret; tokens asked
		// for as ES256 are checked against LINE's JWKS. The key follows
		// the algorithm, so neither can stand in for the other.
		if t.Method.Alg() == "HS256" {
			return []byte(l.cfg.ClientSecret), nil
		}
		kid, _ := t.Header["kid"].(string)
		return l.jwk(ctx, kid)
	}, jwt.WithValidMethods([]string{"HS256", "ES256"}), jwt.WithIssuer(l.cfg.Issuer), jwt.WithAudience(l.cfg.ClientID),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(l.cfg.Now), jwt.WithLeeway(30e9))
	if err != nil {
		return Identity{}, invalidCredential(err)
	}
	if e.Nonce == "" || cl.Nonce != e.Nonce || cl.Subject == "" {
		return Identity{}, invalidCredential(errors.New("nonce mismatch or no subject"))
	}
	return Identity{Provider: l.info.ID, Issuer: l.cfg.Issuer, Subject: cl.Subject, Email: cl.Email, EmailVerified: false,
		Name: cl.Name, AvatarURL: cl.Picture}, nil
}
