package httpapi

import (
	"net/http"
	"testing"

	"github.com/authbridge/authbridge/shared"
)

// TestGitLabFromConfiguration: GitLab, configured by its variables alone
// (a catalogue line, no httpapi change), is listed and signs in through
// the popup flow, against the devidp's OIDC issuer standing in for a
// self-managed instance.
func TestGitLabFromConfiguration(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		e := newEnv(t, engine, map[string]string{
			"AUTHBRIDGE_GITLAB_CLIENT_ID": "dev-gitlab-client",
			"AUTHBRIDGE_GITLAB_SECRET":    "dev-gitlab-secret",
			"AUTHBRIDGE_GITLAB_ISSUER":    "{PUBLIC}/devidp/oidc",
		})
		b := e.browser()
		_, out := b.get(e.srv.URL + "/api/auth/providers")
		var gitlab *shared.ProviderInfo
		for _, p := range mustJSON[shared.ProvidersResponse](t, []byte(out)).Providers {
			if p.ID == "gitlab" {
				gitlab = &p
			}
		}
		if gitlab == nil || gitlab.Name != "GitLab" || gitlab.Kind != "oidc" || !gitlab.Available || gitlab.LoginURL != "/api/auth/gitlab/login" {
			t.Fatalf("providers = %s", out)
		}
		res := b.signInAs("gitlab", "alice")
		if !res.IsNew || res.User.Email != "alice@example.com" || !res.User.EmailVerified {
			t.Fatalf("sign-in = %+v", res)
		}
		resp, body := b.do("GET", e.srv.URL+"/api/me/logins", "", map[string]string{"Authorization": "Bearer " + res.AccessToken})
		if l := mustJSON[shared.ListResponse[shared.LoginEvent]](t, []byte(body)); resp.StatusCode != http.StatusOK || len(l.Items) != 1 || l.Items[0].Provider != "gitlab" {
			t.Fatalf("logins = %s", body)
		}
	})
}
