package devidp

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/provider"
)

// ForServer makes a devidp mounted at <publicURL>/devidp with a client per
// provider, and the provider configurations that point AuthBridge at it:
// Google (button and redirect), a generic OIDC provider "dev", and
// GitHub- and Discord-style providers. They use the ordinary endpoint
// overrides; the provider calls go to the devidp in process. A client for
// GitLab is registered too, not configured: AUTHBRIDGE_GITLAB_ISSUER=
// <publicURL>/devidp/oidc with dev-gitlab-client and dev-gitlab-secret
// signs in with GitLab against the devidp's OIDC issuer.
func ForServer(publicURL string, now func() time.Time, log *slog.Logger) (*IDP, []provider.Config, error) {
	pub := strings.TrimRight(publicURL, "/")
	base := pub + "/devidp"
	// Each client accepts AuthBridge's callback and the SPA's own
	// /auth/callback, for apps that run the redirect themselves and use
	// POST /api/auth/{provider}/code.
	cb := func(id string) []string {
		return []string{pub + "/api/auth/" + id + "/callback", pub + "/auth/callback"}
	}
	idp, err := New(Options{BaseURL: base, Now: now, Logger: log, Clients: []Client{
		{ID: "dev-google-client", Secret: "dev-google-secret", RedirectURIs: cb("google")},
		{ID: "dev-oidc-client", Secret: "dev-oidc-secret", RedirectURIs: cb("dev")},
		{ID: "dev-github-client", Secret: "dev-github-secret", RedirectURIs: cb("github")},
		{ID: "dev-discord-client", Secret: "dev-discord-secret", RedirectURIs: cb("discord")},
		{ID: "dev-gitlab-client", Secret: "dev-gitlab-secret", RedirectURIs: cb("gitlab")},
	}})
	if err != nil {
		return nil, nil, err
	}
	client := &http.Client{Transport: idp.Transport(), Timeout: 10 * time.Second}
	return idp, []provider.Config{
		{ID: "google", Kind: "google", DisplayName: "Google (dev)", ClientID: "dev-google-client", ClientSecret: "dev-google-secret",
			Issuer: idp.Issuer(APIGoogle), HTTPClient: client, Now: now},
		{ID: "dev", Kind: "oidc", DisplayName: "Dev OIDC", ClientID: "dev-oidc-client", ClientSecret: "dev-oidc-secret",
			Issuer: idp.Issuer(APIOIDC), HTTPClient: client, Now: now},
		{ID: "github", Kind: "github", DisplayName: "GitHub (dev)", ClientID: "dev-github-client", ClientSecret: "dev-github-secret",
			AuthURL: base + "/github/login/oauth/authorize", TokenURL: base + "/github/login/oauth/access_token", APIURL: base + "/github/api", HTTPClient: client},
		{ID: "discord", Kind: "discord", DisplayName: "Discord (dev)", ClientID: "dev-discord-client", ClientSecret: "dev-discord-secret",
			AuthURL: base + "/discord/oauth2/authorize", TokenURL: base + "/discord/api/oauth2/token", APIURL: base + "/discord/api", HTTPClient: client},
	}, nil
}
