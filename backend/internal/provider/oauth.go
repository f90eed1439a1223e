package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/oauth2"
)

// oauthProvider is a plain OAuth2 provider whose identity comes from a
// user API (GitHub, Discord).
type oauthProvider struct {
	info     Info
	cfg      Config
	oauth    oauth2.Config
	api      string
	identify func(ctx context.Context, p *oauthProvider, tok *oauth2.Token) (Identity, error)
}

var _ Provider = (*oauthProvider)(nil)

func orStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// NewGitHub builds GitHub (or GitHub Enterprise with overridden URLs).
// The identity is the numeric user id; the email is the primary verified
// one from /user/emails, never /user's email field.
func NewGitHub(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("provider %s: client id is required", cfg.ID)
	}
	return &oauthProvider{
		info: Info{ID: cfg.ID, Name: orStr(cfg.DisplayName, "GitHub"), Kind: "oauth2"},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: []string{"read:user", "user:email"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   orStr(cfg.AuthURL, "https://github.com/login/oauth/authorize"),
				TokenURL:  orStr(cfg.TokenURL, "https://github.com/login/oauth/access_token"),
				AuthStyle: oauth2.AuthStyleInParams,
			}},
		api:      strings.TrimRight(orStr(cfg.APIURL, "https://api.github.com"), "/"),
		identify: githubIdentity,
	}, nil
}

// NewDiscord builds Discord. The email counts only when Discord says it is
// verified.
func NewDiscord(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("provider %s: client id is required", cfg.ID)
	}
	return &oauthProvider{
		info: Info{ID: cfg.ID, Name: orStr(cfg.DisplayName, "Discord"), Kind: "oauth2"},
		cfg:  cfg,
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Scopes: []string{"identify", "email"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   orStr(cfg.AuthURL, "https://discord.com/oauth2/authorize"),
				TokenURL:  orStr(cfg.TokenURL, "https://discord.com/api/oauth2/token"),
				AuthStyle: oauth2.AuthStyleInHeader,
			}},
		api:      strings.TrimRight(orStr(cfg.APIURL, "https://discord.com/api"), "/"),
		identify: discordIdentity,
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

func (p *oauthProvider) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	tok, err := exchangeCode(ctx, p.oauth, p.cfg.HTTPClient, p.info.Name, e)
	if err != nil {
		return Identity{}, err
	}
	return p.identify(ctx, p, tok)
}

// getJSON calls the provider's API with the user's access token.
func (p *oauthProvider) getJSON(ctx context.Context, tok *oauth2.Token, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.api+path, nil)
	if err != nil {
		return classify(p.info.Name, err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
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
		return statusErr(p.info.Name, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return classify(p.info.Name, fmt.Errorf("decode %s: %w", path, err))
	}
	return nil
}

func githubIdentity(ctx context.Context, p *oauthProvider, tok *oauth2.Token) (Identity, error) {
	var u struct {
		ID        int64  `json:"id"`
		Login     string `json:"login"`
		Name      string `json:"name"`
		AvatarURL string `json:"avatar_url"`
	}
	if err := p.getJSON(ctx, tok, "/user", &u); err != nil {
		return Identity{}, err
	}
	if u.ID <= 0 {
		return Identity{}, classify(p.info.Name, fmt.Errorf("user without a numeric id"))
	}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := p.getJSON(ctx, tok, "/user/emails", &emails); err != nil {
		return Identity{}, err
	}
	id := Identity{Provider: p.info.ID, Issuer: p.api, Subject: strconv.FormatInt(u.ID, 10),
		Name: orStr(u.Name, u.Login), AvatarURL: u.AvatarURL}
	for _, e := range emails {
		if e.Primary && e.Verified {
			id.Email, id.EmailVerified = e.Email, true
		}
	}
	return id, nil
}

func discordIdentity(ctx context.Context, p *oauthProvider, tok *oauth2.Token) (Identity, error) {
	var u struct {
		ID         string  `json:"id"`
		Username   string  `json:"username"`
		GlobalName *string `json:"global_name"`
		Avatar     *string `json:"avatar"`
		Email      *string `json:"email"`
		Verified   bool    `json:"verified"`
	}
	if err := p.getJSON(ctx, tok, "/users/@me", &u); err != nil {
		return Identity{}, err
	}
	if u.ID == "" {
		return Identity{}, classify(p.info.Name, fmt.Errorf("user without an id"))
	}
	id := Identity{Provider: p.info.ID, Issuer: p.api, Subject: u.ID, Name: u.Username}
	if u.GlobalName != nil && *u.GlobalName != "" {
		id.Name = *u.GlobalName
	}
	if u.Avatar != nil && *u.Avatar != "" {
		id.AvatarURL = "https://cdn.discordapp.com/avatars/" + u.ID + "/" + *u.Avatar + ".png"
	}
	if u.Email != nil && *u.Email != "" {
		id.Email = *u.Email
		id.EmailVerified = u.Verified
	}
	return id, nil
}
