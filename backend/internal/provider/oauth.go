package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"
)

// userAgent identifies us to provider APIs (GitHub refuses requests
// without one).
const userAgent = "AuthBridge"

// oauthProvider is a plain OAuth2 provider whose identity comes from a
// user API (GitHub, Discord). PKCE S256, no nonce (no ID token).
type oauthProvider struct {
	info   Info
	cfg    Config
	oauth  oauth2.Config
	api    string // API base, no trailing slash
	issuer string // the identity's issuer
	accept string // Accept header for the user API
}

// newOAuthProvider applies cfg's overrides to the provider's defaults. The
// identity's issuer is cfg.Issuer when set, else the API base: a GitHub
// Enterprise instance is another issuer than github.com.
func newOAuthProvider(cfg Config, name string, ep oauth2.Endpoint, api string, scopes []string) (*oauthProvider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: client id and secret are required", cfg.ID)
	}
	ep.AuthURL = orStr(cfg.AuthURL, ep.AuthURL)
	ep.TokenURL = orStr(cfg.TokenURL, ep.TokenURL)
	api = strings.TrimRight(orStr(cfg.APIURL, api), "/")
	return &oauthProvider{
		info:   Info{ID: cfg.ID, Name: orStr(cfg.DisplayName, name), Kind: KindOAuth2},
		cfg:    cfg,
		oauth:  oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: scopes, Endpoint: ep},
		api:    api,
		issuer: orStr(cfg.Issuer, api),
		accept: "application/json",
	}, nil
}

func (p *oauthProvider) Info() Info { return p.info }

func (p *oauthProvider) AuthURL(a AuthParams) string {
	c := p.oauth
	c.RedirectURL = a.RedirectURI
	return c.AuthCodeURL(a.State,
		oauth2.SetAuthURLParam("code_challenge", a.CodeChallenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256"))
}

// getJSON calls the provider's API with the user's access token. A non-2xx
// answer is a statusError inside the contract error.
func (p *oauthProvider) getJSON(ctx context.Context, tok *oauth2.Token, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.api+path, nil)
	if err != nil {
		return providerError(p.info.Name, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", p.accept)
	req.Header.Set("User-Agent", userAgent)
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return classify(p.info.Name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return classify(p.info.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return statusErr(p.info.Name, path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return providerError(p.info.Name, fmt.Errorf("decode %s: %w", path, err))
	}
	return nil
}
