package provider

import (
	"context"
	"fmt"
	"strings"
)

// gitlabIssuer is GitLab.com; a self-managed instance sets its own URL.
const gitlabIssuer = "https://gitlab.com"

// gitlab is GitLab (GitLab.com or self-managed) as an OpenID Provider,
// found by discovery at its issuer. The identity is (gitlab, issuer, sub):
// sub is the numeric user id, stable across renames, and an instance is
// another issuer than GitLab.com. GitLab's ID token carries email (the
// primary address, given the email scope) and email_verified; the address
// counts as verified only when email_verified is boolean true. Name and
// avatar are userinfo-only at GitLab, so they are usually empty here.
type gitlab struct{ *oidcProvider }

var _ Provider = (*gitlab)(nil)

// NewGitLab builds GitLab by discovery at cfg.Issuer, https://gitlab.com
// unless set (a trailing slash is dropped: GitLab's issuer has none).
func NewGitLab(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("provider %s: client id and secret are required", cfg.ID)
	}
	cfg.Issuer = strings.TrimRight(orStr(cfg.Issuer, gitlabIssuer), "/")
	name := orStr(cfg.DisplayName, "GitLab")
	d, err := discover(ctx, cfg, name, cfg.Issuer, true)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", cfg.ID, err)
	}
	return &gitlab{newOIDCProvider(cfg, name, d, []string{cfg.Issuer})}, nil
}
