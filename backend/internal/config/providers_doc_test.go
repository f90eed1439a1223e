package config

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/provider"
)

// guideName finds variable names in docs/providers.md, placeholders
// (AUTHBRIDGE_OIDC_<NAME>_ISSUER) and prefixes (AUTHBRIDGE_GITHUB_*) too.
var guideName = regexp.MustCompile(`AUTHBRIDGE_[A-Z0-9_<>]+`)

// guideMisspelt are the deliberately wrong names of the guide's error
// examples. They are not read by the loader; TestProvidersGuideMisspelt
// checks that the loader really refuses each one.
var guideMisspelt = []string{"AUTHBRIDGE_GITHUB_CLIENTSECRET", "AUTHBRIDGE_OIDC_KEYCLOAK_CLIENTID"}

// guideOIDCName stands in for <NAME> in AUTHBRIDGE_OIDC_<NAME>_*.
const guideOIDCName = "ACME"

// TestProvidersGuide: docs/providers.md names only variables the loader
// reads and has a section for every kind of provider, so the guide cannot
// drift from the code.
func TestProvidersGuide(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/providers.md")
	if err != nil {
		t.Fatal(err)
	}
	names, problems := guideProblems(string(doc))
	for _, p := range problems {
		t.Error(p)
	}
	if len(names) < 30 {
		t.Errorf("found %d variable names in the guide, want at least 30: is the pattern still right?", len(names))
	}
}

// TestProvidersGuideCatches: the checker itself reports a made-up name, a
// made-up generic OIDC setting, an unknown placeholder and a missing
// section, and lets correct text through.
func TestProvidersGuideCatches(t *testing.T) {
	var sections strings.Builder
	for _, e := range provider.Catalogue {
		sections.WriteString("## " + e.Name + " (`" + e.ID + "`)\n")
		if !e.Named {
			sections.WriteString("`<AUTHBRIDGE_PUBLIC_URL>/api/auth/" + e.ID + "/callback`\n")
		}
	}
	all := sections.String()
	tests := []struct {
		name string
		doc  string
		want string // a problem containing this; empty: none
	}{
		{"correct", all + "`AUTHBRIDGE_GITHUB_CLIENT_ID`, `AUTHBRIDGE_GITHUB_*`, `AUTHBRIDGE_OIDC_<NAME>_ISSUER`, `AUTHBRIDGE_OIDC_FOO_CLIENT_ID`, `AUTHBRIDGE_DEV`", ""},
		{"made-up built-in setting", all + "`AUTHBRIDGE_GITHUB_SCOPES`", "AUTHBRIDGE_GITHUB_SCOPES"},
		{"made-up server variable", all + "`AUTHBRIDGE_COOKIE_DOMAIN`", "AUTHBRIDGE_COOKIE_DOMAIN"},
		{"made-up generic setting", all + "`AUTHBRIDGE_OIDC_<NAME>_SCOPES`", "AUTHBRIDGE_OIDC_<NAME>_SCOPES"},
		{"made-up concrete generic setting", all + "`AUTHBRIDGE_OIDC_FOO_SCOPES`", "AUTHBRIDGE_OIDC_FOO_SCOPES"},
		{"made-up prefix", all + "`AUTHBRIDGE_TWITTER_*`", "AUTHBRIDGE_TWITTER_"},
		{"unknown placeholder", all + "`AUTHBRIDGE_<P>_ISSUER`", "placeholder"},
		{"missing section", strings.Replace(all, "(`discord`)", "", 1), "discord"},
		{"missing redirect URI", strings.Replace(all, "/api/auth/line/callback", "", 1), "line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, problems := guideProblems(tt.doc)
			joined := strings.Join(problems, "\n")
			switch {
			case tt.want == "" && len(problems) > 0:
				t.Errorf("problems in correct text:\n%s", joined)
			case tt.want != "" && !strings.Contains(joined, tt.want):
				t.Errorf("no problem mentions %q; got:\n%s", tt.want, joined)
			}
		})
	}
}

// TestProvidersGuideMisspelt: the wrong names the guide shows in its error
// examples are really refused, with the message the guide quotes.
func TestProvidersGuideMisspelt(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/providers.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range guideMisspelt {
		if !strings.Contains(string(doc), name) {
			t.Errorf("%s is no longer in the guide: drop it from guideMisspelt", name)
			continue
		}
		// Only the process environment can hold a name nobody asks for
		// (provider.Variables lists the known ones): set it there.
		t.Setenv(name, "x")
		env := map[string]string{"AUTHBRIDGE_PUBLIC_URL": "https://auth.example.com", name: "x"}
		_, err := Load(func(k string) string { return env[k] })
		os.Unsetenv(name) // the next name's run must not see this one
		if err == nil || !strings.Contains(err.Error(), name+" is not a known setting") {
			t.Errorf("%s: Load answered %v, want %q", name, err, name+" is not a known setting")
		}
	}
}

// guideProblems answers the distinct names found in doc and what is wrong
// with the guide: a name the loader does not read, a kind of provider with
// no section heading naming its id, a built-in without its redirect URI.
func guideProblems(doc string) (names []string, problems []string) {
	known := map[string]bool{}
	for _, v := range variables {
		known[v.name] = true
	}
	for _, k := range provider.Variables(nil) {
		known[k] = true
	}
	seen := map[string]bool{}
	for _, m := range guideName.FindAllString(doc, -1) {
		// `<AUTHBRIDGE_PUBLIC_URL>/api/...`: the closing bracket is not the name's.
		for strings.Count(m, ">") > strings.Count(m, "<") {
			m = strings.TrimSuffix(m, ">")
		}
		if seen[m] {
			continue
		}
		seen[m] = true
		names = append(names, m)
		if slices.Contains(guideMisspelt, m) {
			continue
		}
		if why := guideNameProblem(m, known); why != "" {
			problems = append(problems, m+": "+why)
		}
	}

	var headings []string
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "#") {
			headings = append(headings, line)
		}
	}
	for _, e := range provider.Catalogue {
		found := false
		for _, h := range headings {
			found = found || strings.Contains(h, "`"+e.ID+"`")
		}
		if !found {
			problems = append(problems, "no section heading names the provider id `"+e.ID+"`")
		}
		if !e.Named && !strings.Contains(doc, "<AUTHBRIDGE_PUBLIC_URL>/api/auth/"+e.ID+"/callback") {
			problems = append(problems, "the redirect URI of "+e.ID+" (<AUTHBRIDGE_PUBLIC_URL>/api/auth/"+e.ID+"/callback) is not in the guide")
		}
	}
	return names, problems
}

// guideNameProblem answers what is wrong with one name of the guide, or "".
// A name ending in _ is a prefix (AUTHBRIDGE_GITHUB_*): some variable must
// start with it. <NAME> is replaced by a name, and a configuration using
// it must load.
func guideNameProblem(name string, known map[string]bool) string {
	placeholder := strings.Contains(name, "<NAME>")
	name = strings.ReplaceAll(name, "<NAME>", guideOIDCName)
	if strings.ContainsAny(name, "<>") {
		return "unknown placeholder (only <NAME> of AUTHBRIDGE_OIDC_<NAME>_* is checked)"
	}
	prefix := strings.HasSuffix(name, "_")
	vars := known
	if rest, ok := strings.CutPrefix(name, "AUTHBRIDGE_OIDC_"); ok {
		vars = map[string]bool{}
		for k := range known {
			vars[k] = true
		}
		for _, k := range provider.Variables(oidcNamesIn(rest, prefix)) {
			vars[k] = true
		}
	}
	ok := vars[name]
	if prefix {
		for k := range vars {
			ok = ok || strings.HasPrefix(k, name)
		}
	}
	if !ok {
		return "not a variable the configuration loader reads"
	}
	if placeholder {
		return loadsWith(name, prefix)
	}
	return ""
}

// oidcNamesIn answers the <NAME>s that rest (a name after
// AUTHBRIDGE_OIDC_) may carry: rest less one of the generic settings, or
// for a prefix, rest less its final _.
func oidcNamesIn(rest string, prefix bool) []string {
	if prefix {
		return []string{strings.TrimSuffix(rest, "_")}
	}
	var out []string
	for _, k := range provider.Variables([]string{guideOIDCName}) {
		setting := strings.TrimPrefix(k, "AUTHBRIDGE_OIDC_"+guideOIDCName)
		if n, ok := strings.CutSuffix(rest, setting); ok && n != "" {
			out = append(out, n)
		}
	}
	return out
}

// loadsWith loads a configuration of the generic provider guideOIDCName
// that sets name (unless it is a prefix), and answers what went wrong.
func loadsWith(name string, prefix bool) string {
	p := "AUTHBRIDGE_OIDC_" + guideOIDCName + "_"
	env := map[string]string{
		"AUTHBRIDGE_PUBLIC_URL": "https://auth.example.com",
		// How a launcher without a process environment names its
		// providers; the loader then asks getenv for their variables.
		"AUTHBRIDGE_OIDC_PROVIDERS": guideOIDCName,
		p + "ISSUER":                "https://idp.example.com",
		p + "CLIENT_ID":             "client",
	}
	if !prefix {
		env[name] = "value"
		if strings.HasSuffix(name, "_ISSUER") {
			env[name] = "https://idp.example.com"
		}
	}
	cfg, err := Load(func(k string) string { return env[k] })
	if err != nil {
		return "a configuration using it does not load: " + err.Error()
	}
	for _, pc := range cfg.Providers {
		if pc.ID == strings.ToLower(guideOIDCName) {
			return ""
		}
	}
	return "a configuration using it loads without the provider " + strings.ToLower(guideOIDCName)
}
