package provider

import (
	"context"
	"errors"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/backend/internal/apperr"
)

// github is GitHub (or GitHub Enterprise with overridden URLs). The
// identity is the numeric user id, never the login (logins can be renamed
// and re-registered); the email is the primary and verified one from
// /user/emails, never /user's public email field.
type github struct{ *oauthProvider }

var _ Provider = (*github)(nil)

// NewGitHub builds GitHub. For GitHub Enterprise set AuthURL, TokenURL and
// APIURL (e.g. https://ghe.example/api/v3).
func NewGitHub(ctx context.Context, cfg Config) (Provider, error) {
	p, err := newOAuthProvider(cfg, "GitHub", oauth2.Endpoint{
		AuthURL:   "https://github.com/login/oauth/authorize",
		TokenURL:  "https://github.com/login/oauth/access_token",
		AuthStyle: oauth2.AuthStyleInParams,
	}, "https://api.github.com", []string{"read:user", "user:email"})
	if err != nil {
		return nil, err
	}
	p.accept = "application/vnd.github+json"
	return &github{p}, nil
}

func (g *github) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	// GitHub answers a bad code with 200 and {"error": "bad_verification_code"};
	// x/oauth2 turns that into a RetrieveError (provider_error).
	tok, err := exchangeCode(ctx, g.oauth, g.cfg.HTTPClient, g.info.Name, e)
	if err != nil {
		return Identity{}, err
	}
	var u struct {
		ID        json64 `json:"id"`
		Login     string `json:"login"`
		Name      string `json:"name"`
		AvatarURL string `json:"avatar_url"`
	}
	if err := g.getJSON(ctx, tok, "/user", &u); err != nil {
		return Identity{}, err
	}
	if u.ID <= 0 {
		return Identity{}, providerError(g.info.Name, errors.New("/user without a numeric id"))
	}
	id := Identity{Provider: g.info.ID, Issuer: g.issuer, Subject: strconv.FormatInt(int64(u.ID), 10),
		Name: orStr(u.Name, u.Login), AvatarURL: u.AvatarURL}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := g.getJSON(ctx, tok, "/user/emails", &emails); err != nil {
		// A token without the email permission (a GitHub App that lacks
		// it) gets 403/404: sign in without an email rather than fail.
		var se statusError
		if ae, ok := apperr.As(err); ok && errors.As(ae.Err, &se) && (se.status == 403 || se.status == 404) {
			return id, nil
		}
		return Identity{}, err
	}
	for _, e := range emails {
		if e.Primary && e.Verified && e.Email != "" {
			id.Email, id.EmailVerified = e.Email, true
			break
		}
	}
	return id, nil
}

// json64 is a JSON number that must be an integer (GitHub ids are
// numbers; a string or a fraction is refused rather than read as 0).
type json64 int64

func (n *json64) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return errors.New("id is not an integer")
	}
	*n = json64(v)
	return nil
}
