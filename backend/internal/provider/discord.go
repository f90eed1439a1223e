package provider

import (
	"context"
	"errors"
	"regexp"

	"golang.org/x/oauth2"
)

var (
	snowflakeRE   = regexp.MustCompile(`^[0-9]{1,20}$`)
	avatarHashRE  = regexp.MustCompile(`^(a_)?[0-9a-f]{32}$`)
	discordCDNURL = "https://cdn.discordapp.com/avatars/"
)

// discord is Discord. The identity is the user id (a snowflake); the email
// counts as verified only when Discord says verified: true.
type discord struct{ *oauthProvider }

var _ Provider = (*discord)(nil)

// NewDiscord builds Discord.
func NewDiscord(ctx context.Context, cfg Config) (Provider, error) {
	p, err := newOAuthProvider(cfg, "Discord", oauth2.Endpoint{
		AuthURL:   "https://discord.com/oauth2/authorize",
		TokenURL:  "https://discord.com/api/oauth2/token",
		AuthStyle: oauth2.AuthStyleInHeader,
	}, "https://discord.com/api", []string{"identify", "email"})
	if err != nil {
		return nil, err
	}
	return &discord{p}, nil
}

func (d *discord) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	tok, err := exchangeCode(ctx, d.oauth, d.cfg.HTTPClient, d.info.Name, e)
	if err != nil {
		return Identity{}, err
	}
	var u struct {
		ID         string `json:"id"`
		Username   string `json:"username"`
		GlobalName string `json:"global_name"`
		Avatar     string `json:"avatar"`
		Email      string `json:"email"`
		Verified   bool   `json:"verified"`
	}
	if err := d.getJSON(ctx, tok, "/users/@me", &u); err != nil {
		return Identity{}, err
	}
	if !snowflakeRE.MatchString(u.ID) {
		return Identity{}, providerError(d.info.Name, errors.New("/users/@me without a snowflake id"))
	}
	id := Identity{Provider: d.info.ID, Issuer: d.issuer, Subject: u.ID, Name: orStr(u.GlobalName, u.Username),
		Email: u.Email, EmailVerified: u.Email != "" && u.Verified}
	if avatarHashRE.MatchString(u.Avatar) { // the hash goes into a URL: only the known shape
		id.AvatarURL = discordCDNURL + u.ID + "/" + u.Avatar + ".png"
	}
	return id, nil
}
