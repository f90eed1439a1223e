package provider

import (
	"reflect"
	"strings"
	"testing"
)

func TestLoadConfigs(t *testing.T) {
	cfgs, err := LoadConfigs([]string{
		"AUTHBRIDGE_GITHUB_CLIENT_ID=gh", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=s1", "AUTHBRIDGE_GITHUB_API_URL=https://ghe.example/api/v3",
		"AUTHBRIDGE_OIDC_OKTA_ISSUER=https://corp.okta.example", "AUTHBRIDGE_OIDC_OKTA_CLIENT_ID=o", "AUTHBRIDGE_OIDC_OKTA_DISPLAY_NAME=Okta",
		"AUTHBRIDGE_OIDC_MY_IDP_ISSUER=http://127.0.0.1:9000", "AUTHBRIDGE_OIDC_MY_IDP_CLIENT_ID=m", "AUTHBRIDGE_OIDC_MY_IDP_CLIENT_SECRET=s2",
		"AUTHBRIDGE_OIDC_DEV_ISSUER=http://devidp:9090/oidc", "AUTHBRIDGE_OIDC_DEV_CLIENT_ID=d",
		"AUTHBRIDGE_MICROSOFT_CLIENT_ID=m", "AUTHBRIDGE_MICROSOFT_CLIENT_SECRET=s3", "AUTHBRIDGE_MICROSOFT_TENANT=Organizations",
		"AUTHBRIDGE_MICROSOFT_ALLOWED_TENANTS= 72F988BF-86F1-41AF-91AB-2D7CD011DB47 ,",
		"AUTHBRIDGE_GOOGLE_CLIENT_ID=g", "AUTHBRIDGE_GOOGLE_HOSTED_DOMAIN=Corp.Example", "AUTHBRIDGE_LINE_CLIENT_ID=l", "AUTHBRIDGE_LINE_SECRET=s4",
		"AUTHBRIDGE_OIDC_PROVIDERS=okta,my_idp", "AUTHBRIDGE_DISCORD_CLIENT_ID=", "PATH=/bin", "AUTHBRIDGE_ADDR=:8080",
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	got := map[string]Config{}
	for _, c := range cfgs {
		ids = append(ids, c.ID)
		got[c.ID] = c
	}
	if want := []string{"google", "microsoft", "line", "github", "dev", "my_idp", "okta"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v, want %v", ids, want)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"github api", got["github"].APIURL, "https://ghe.example/api/v3"},
		{"github kind", got["github"].Kind, "github"},
		{"google secret optional", got["google"].ClientSecret, ""},
		{"google hd", got["google"].HostedDomain, "corp.example"},
		{"microsoft tenant", got["microsoft"].Tenant, "organizations"},
		{"microsoft allowed", got["microsoft"].AllowedTenants, []string{"72f988bf-86f1-41af-91ab-2d7cd011db47"}},
		{"okta", got["okta"], Config{ID: "okta", Kind: "oidc", DisplayName: "Okta", Issuer: "https://corp.okta.example", ClientID: "o"}},
		{"short secret spelling", got["line"].ClientSecret, "s4"},
		{"underscore name", got["my_idp"].ClientSecret, "s2"},
		{"display name defaults to the id", got["my_idp"].DisplayName, "my_idp"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}

	if cfgs, err := LoadConfigs(nil); err != nil || len(cfgs) != 0 {
		t.Fatalf("nothing configured = %v, %v", cfgs, err)
	}
	// The server's own settings under a provider's prefix are not typos.
	if cfgs, err := LoadConfigs([]string{"AUTHBRIDGE_GOOGLE_REQUIRE_NONCE=false"}); err != nil || len(cfgs) != 0 {
		t.Fatalf("AUTHBRIDGE_GOOGLE_REQUIRE_NONCE alone = %v, %v", cfgs, err)
	}
}

// TestVariables: every name Variables lists is one LoadConfigs reads (a
// launcher passing exactly these loses no setting).
func TestVariables(t *testing.T) {
	names := Variables([]string{"corp"})
	for _, want := range []string{"AUTHBRIDGE_GITHUB_CLIENT_ID", "AUTHBRIDGE_GOOGLE_HOSTED_DOMAIN", "AUTHBRIDGE_MICROSOFT_ALLOWED_TENANTS", "AUTHBRIDGE_OIDC_CORP_ISSUER"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("Variables lacks %s", want)
		}
	}
	var env []string
	for _, n := range names {
		switch {
		case strings.HasSuffix(n, "_URL") || strings.HasSuffix(n, "_ISSUER"):
			env = append(env, n+"=https://id.example.com")
		case strings.HasSuffix(n, "_TENANT") || strings.HasSuffix(n, "_ALLOWED_TENANTS"):
			env = append(env, n+"=72f988bf-86f1-41af-91ab-2d7cd011db47")
		case strings.HasSuffix(n, "_HOSTED_DOMAIN"):
			env = append(env, n+"=example.com")
		case strings.HasSuffix(n, "_SECRET"):
			env = append(env, strings.TrimSuffix(strings.TrimSuffix(n, "_SECRET"), "_CLIENT")+"_CLIENT_SECRET=s")
		default:
			env = append(env, n+"=x")
		}
	}
	if _, err := LoadConfigs(env); err != nil {
		t.Fatalf("LoadConfigs of every listed variable: %v", err)
	}
}

func TestLoadConfigsErrors(t *testing.T) {
	const secret = "hunter2-topsecret"
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"secret missing", []string{"AUTHBRIDGE_DISCORD_CLIENT_ID=d"}, []string{"AUTHBRIDGE_DISCORD_CLIENT_SECRET is required"}},
		{"secret without id", []string{"AUTHBRIDGE_LINE_CLIENT_SECRET=" + secret}, []string{"AUTHBRIDGE_LINE_CLIENT_SECRET is set without AUTHBRIDGE_LINE_CLIENT_ID"}},
		{"typo", []string{"AUTHBRIDGE_GITHUB_CLIENT_ID=g", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=" + secret, "AUTHBRIDGE_GITHUB_CLIENTSECRET=" + secret},
			[]string{"AUTHBRIDGE_GITHUB_CLIENTSECRET is not a known setting"}},
		{"tenant on github", []string{"AUTHBRIDGE_GITHUB_CLIENT_ID=g", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=s", "AUTHBRIDGE_GITHUB_TENANT=common"},
			[]string{"AUTHBRIDGE_GITHUB_TENANT is not a known setting"}},
		{"bad tenant", []string{"AUTHBRIDGE_MICROSOFT_CLIENT_ID=m", "AUTHBRIDGE_MICROSOFT_CLIENT_SECRET=s", "AUTHBRIDGE_MICROSOFT_TENANT=contoso.com"},
			[]string{"AUTHBRIDGE_MICROSOFT_TENANT must be"}},
		{"bad allowed tenant", []string{"AUTHBRIDGE_MICROSOFT_CLIENT_ID=m", "AUTHBRIDGE_MICROSOFT_CLIENT_SECRET=s", "AUTHBRIDGE_MICROSOFT_ALLOWED_TENANTS=contoso"},
			[]string{"AUTHBRIDGE_MICROSOFT_ALLOWED_TENANTS must be"}},
		{"hd as an email", []string{"AUTHBRIDGE_GOOGLE_CLIENT_ID=g", "AUTHBRIDGE_GOOGLE_HOSTED_DOMAIN=a@corp.example"}, []string{"AUTHBRIDGE_GOOGLE_HOSTED_DOMAIN"}},
		{"http override", []string{"AUTHBRIDGE_GITHUB_CLIENT_ID=g", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=s", "AUTHBRIDGE_GITHUB_API_URL=http://ghe.example/api/v3"},
			[]string{"AUTHBRIDGE_GITHUB_API_URL must use https"}},
		{"url with credentials", []string{"AUTHBRIDGE_GITHUB_CLIENT_ID=g", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=s", "AUTHBRIDGE_GITHUB_TOKEN_URL=https://u:" + secret + "@ghe.example/t"},
			[]string{"AUTHBRIDGE_GITHUB_TOKEN_URL must not carry credentials"}},
		{"relative url", []string{"AUTHBRIDGE_GOOGLE_CLIENT_ID=g", "AUTHBRIDGE_GOOGLE_ISSUER=accounts.google.com"}, []string{"AUTHBRIDGE_GOOGLE_ISSUER must be an absolute URL"}},
		{"oidc built-in id", []string{"AUTHBRIDGE_OIDC_GITHUB_ISSUER=https://x.example", "AUTHBRIDGE_OIDC_GITHUB_CLIENT_ID=c"}, []string{"built-in"}},
		{"oidc bad id", []string{"AUTHBRIDGE_OIDC_BAD!_ISSUER=https://x.example", "AUTHBRIDGE_OIDC_BAD!_CLIENT_ID=c"}, []string{"AUTHBRIDGE_OIDC_BAD!_*"}},
		{"oidc id too long", []string{"AUTHBRIDGE_OIDC_" + strings.Repeat("A", 33) + "_ISSUER=https://x.example"}, []string{"1 to 32"}},
		{"oidc no client id", []string{"AUTHBRIDGE_OIDC_NOID_ISSUER=https://x.example"}, []string{"AUTHBRIDGE_OIDC_NOID_CLIENT_ID is required"}},
		{"oidc no issuer", []string{"AUTHBRIDGE_OIDC_NOISS_CLIENT_ID=c", "AUTHBRIDGE_OIDC_NOISS_CLIENT_SECRET=" + secret}, []string{"AUTHBRIDGE_OIDC_NOISS_ISSUER is required"}},
		{"oidc http issuer", []string{"AUTHBRIDGE_OIDC_X_ISSUER=http://idp.example", "AUTHBRIDGE_OIDC_X_CLIENT_ID=c"}, []string{"AUTHBRIDGE_OIDC_X_ISSUER must use https"}},
		{"oidc unknown setting", []string{"AUTHBRIDGE_OIDC_X_ISSUER=https://idp.example", "AUTHBRIDGE_OIDC_X_CLIENT_ID=c", "AUTHBRIDGE_OIDC_X_SCOPES=a"},
			[]string{"AUTHBRIDGE_OIDC_X_SCOPES is not a known setting"}},
		{"oidc ids collide", []string{"AUTHBRIDGE_OIDC_A_B_ISSUER=https://x.example", "AUTHBRIDGE_OIDC_A_B_CLIENT_ID=c",
			"AUTHBRIDGE_OIDC_a_B_ISSUER=https://y.example", "AUTHBRIDGE_OIDC_a_B_CLIENT_ID=c"}, []string{"also given by"}},
		{"oidc display name", []string{"AUTHBRIDGE_OIDC_X_ISSUER=https://x.example", "AUTHBRIDGE_OIDC_X_CLIENT_ID=c", "AUTHBRIDGE_OIDC_X_DISPLAY_NAME=a\x00b"},
			[]string{"DISPLAY_NAME"}},
		{"secret spellings differ", []string{"AUTHBRIDGE_GITHUB_CLIENT_ID=g", "AUTHBRIDGE_GITHUB_CLIENT_SECRET=" + secret, "AUTHBRIDGE_GITHUB_SECRET=other-" + secret},
			[]string{"AUTHBRIDGE_GITHUB_SECRET and AUTHBRIDGE_GITHUB_CLIENT_SECRET differ"}},
		{"all at once", []string{"AUTHBRIDGE_DISCORD_CLIENT_ID=d", "AUTHBRIDGE_LINE_CLIENT_SECRET=" + secret, "AUTHBRIDGE_OIDC_NOID_ISSUER=https://x.example"},
			[]string{"DISCORD_CLIENT_SECRET is required", "LINE_CLIENT_SECRET is set without", "NOID_CLIENT_ID is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgs, err := LoadConfigs(tt.env)
			if err == nil {
				t.Fatalf("accepted: %+v", cfgs)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("a secret leaked into the error:\n%v", err)
			}
		})
	}
}

// TestLoadConfigsGitLab: a catalogue line is all GitLab needs to be
// configured, with the built-ins' checks.
func TestLoadConfigsGitLab(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		want    Config // zero: an error containing problem
		problem string
	}{
		{name: "GitLab.com", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl", "AUTHBRIDGE_GITLAB_SECRET=s"},
			want: Config{ID: "gitlab", Kind: "gitlab", DisplayName: "GitLab", ClientID: "gl", ClientSecret: "s"}},
		{name: "self-managed", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl", "AUTHBRIDGE_GITLAB_CLIENT_SECRET=s", "AUTHBRIDGE_GITLAB_ISSUER=https://git.corp.example"},
			want: Config{ID: "gitlab", Kind: "gitlab", DisplayName: "GitLab", ClientID: "gl", ClientSecret: "s", Issuer: "https://git.corp.example"}},
		{name: "container host over http", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl", "AUTHBRIDGE_GITLAB_SECRET=s", "AUTHBRIDGE_GITLAB_ISSUER=http://gitlab:8929"},
			want: Config{ID: "gitlab", Kind: "gitlab", DisplayName: "GitLab", ClientID: "gl", ClientSecret: "s", Issuer: "http://gitlab:8929"}},
		{name: "no secret", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl"}, problem: "AUTHBRIDGE_GITLAB_CLIENT_SECRET is required"},
		{name: "http issuer", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl", "AUTHBRIDGE_GITLAB_SECRET=s", "AUTHBRIDGE_GITLAB_ISSUER=http://git.corp.example"},
			problem: "AUTHBRIDGE_GITLAB_ISSUER must use https"},
		{name: "typo", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl", "AUTHBRIDGE_GITLAB_SECRET=s", "AUTHBRIDGE_GITLAB_ISSUR=https://x.example"},
			problem: "AUTHBRIDGE_GITLAB_ISSUR is not a known setting"},
		{name: "hosted domain is Google's", env: []string{"AUTHBRIDGE_GITLAB_CLIENT_ID=gl", "AUTHBRIDGE_GITLAB_SECRET=s", "AUTHBRIDGE_GITLAB_HOSTED_DOMAIN=corp.example"},
			problem: "AUTHBRIDGE_GITLAB_HOSTED_DOMAIN is not a known setting"},
		{name: "issuer without a client id", env: []string{"AUTHBRIDGE_GITLAB_ISSUER=https://git.corp.example"},
			problem: "AUTHBRIDGE_GITLAB_ISSUER is set without AUTHBRIDGE_GITLAB_CLIENT_ID"},
		{name: "as a generic OIDC name", env: []string{"AUTHBRIDGE_OIDC_GITLAB_ISSUER=https://git.corp.example", "AUTHBRIDGE_OIDC_GITLAB_CLIENT_ID=c"},
			problem: `"gitlab" is a built-in provider's id; use AUTHBRIDGE_GITLAB_*`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgs, err := LoadConfigs(tt.env)
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("LoadConfigs = %+v, %v; want an error with %q", cfgs, err, tt.problem)
				}
				return
			}
			if err != nil || len(cfgs) != 1 || !reflect.DeepEqual(cfgs[0], tt.want) {
				t.Fatalf("LoadConfigs = %+v, %v; want %+v", cfgs, err, tt.want)
			}
		})
	}
}
