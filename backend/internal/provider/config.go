package provider

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

var builtins = []struct{ env, id, name string }{
	{"GOOGLE", "google", "Google"},
	{"MICROSOFT", "microsoft", "Microsoft"},
	{"LINE", "line", "LINE"},
	{"DISCORD", "discord", "Discord"},
	{"GITHUB", "github", "GitHub"},
}

// LoadConfigs reads the providers configured in environ (os.Environ form):
// AUTHBRIDGE_<P>_CLIENT_ID/_SECRET for the built-ins with their endpoint
// overrides, and any number of AUTHBRIDGE_OIDC_<NAME>_*. Every problem is
// reported together; secrets never appear in the errors.
func LoadConfigs(environ []string) ([]Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AUTHBRIDGE_") {
			env[k] = strings.TrimSpace(v)
		}
	}
	var (
		out  []Config
		errs []error
	)
	for _, b := range builtins {
		p := "AUTHBRIDGE_" + b.env + "_"
		if env[p+"CLIENT_ID"] == "" {
			if env[p+"CLIENT_SECRET"] != "" {
				errs = append(errs, fmt.Errorf("%sCLIENT_SECRET is set without %sCLIENT_ID", p, p))
			}
			continue
		}
		c := Config{ID: b.id, Kind: b.id, DisplayName: b.name, ClientID: env[p+"CLIENT_ID"], ClientSecret: env[p+"CLIENT_SECRET"],
			Issuer: env[p+"ISSUER"], AuthURL: env[p+"AUTH_URL"], TokenURL: env[p+"TOKEN_URL"], APIURL: env[p+"API_URL"],
			Tenant: env[p+"TENANT"], HostedDomain: env[p+"HOSTED_DOMAIN"]}
		for _, t := range strings.Split(env[p+"ALLOWED_TENANTS"], ",") {
			if t = strings.TrimSpace(strings.ToLower(t)); t != "" {
				c.AllowedTenants = append(c.AllowedTenants, t)
			}
		}
		if b.id != "google" && c.ClientSecret == "" {
			errs = append(errs, fmt.Errorf("%sCLIENT_SECRET is required", p))
		}
		out = append(out, c)
	}
	// Generic OIDC providers: AUTHBRIDGE_OIDC_<NAME>_ISSUER marks one.
	var names []string
	for k := range env {
		if strings.HasPrefix(k, "AUTHBRIDGE_OIDC_") && strings.HasSuffix(k, "_ISSUER") {
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(k, "AUTHBRIDGE_OIDC_"), "_ISSUER"))
		}
	}
	sort.Strings(names)
	for _, n := range names {
		p := "AUTHBRIDGE_OIDC_" + n + "_"
		id := strings.ToLower(strings.ReplaceAll(n, "_", "-"))
		switch {
		case !idRE.MatchString(id):
			errs = append(errs, fmt.Errorf("AUTHBRIDGE_OIDC_%s_*: the name must give an id of a-z, 0-9 and -", n))
			continue
		case isBuiltin(id):
			errs = append(errs, fmt.Errorf("AUTHBRIDGE_OIDC_%s_*: %q is a built-in provider's id", n, id))
			continue
		case env[p+"CLIENT_ID"] == "":
			errs = append(errs, fmt.Errorf("%sCLIENT_ID is required", p))
			continue
		case !strings.HasPrefix(env[p+"ISSUER"], "https://") && !strings.HasPrefix(env[p+"ISSUER"], "http://"):
			errs = append(errs, fmt.Errorf("%sISSUER must be an http(s) URL", p))
			continue
		}
		out = append(out, Config{ID: id, Kind: "oidc", DisplayName: orStr(env[p+"DISPLAY_NAME"], n), Issuer: env[p+"ISSUER"],
			ClientID: env[p+"CLIENT_ID"], ClientSecret: env[p+"CLIENT_SECRET"]})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("providers: %w", errors.Join(errs...))
	}
	return out, nil
}

func isBuiltin(id string) bool {
	for _, b := range builtins {
		if b.id == id {
			return true
		}
	}
	return false
}
