package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// SECRET is accepted as a short spelling of CLIENT_SECRET (the contract's
// table writes "_CLIENT_ID, _SECRET").
var commonVars = []string{"CLIENT_ID", "CLIENT_SECRET", "SECRET", "ISSUER", "AUTH_URL", "TOKEN_URL", "API_URL"}

// oidcVars are the AUTHBRIDGE_OIDC_<NAME>_* suffixes (a Named kind's), longest first so
// that _CLIENT_SECRET is not read as a name ending in _CLIENT.
var oidcVars = []string{"CLIENT_SECRET", "DISPLAY_NAME", "CLIENT_ID", "ISSUER"}

// serverVars sit under a provider's prefix but are the server's settings
// (internal/config reads them), not the provider's.
var serverVars = map[string]bool{"AUTHBRIDGE_GOOGLE_REQUIRE_NONCE": true}

// Variables lists every variable name LoadConfigs reads for the built-in
// providers and for the generic OIDC providers named in oidcNames, for a
// launcher that can look variables up by name but not list them.
func Variables(oidcNames []string) []string {
	var out []string
	for _, b := range Catalogue {
		if b.Named {
			for _, n := range oidcNames {
				for _, v := range oidcVars {
					out = append(out, b.prefix()+strings.ToUpper(n)+"_"+v)
				}
			}
			continue
		}
		for _, v := range b.vars() {
			out = append(out, b.prefix()+v)
		}
	}
	return out
}

// vars are the setting names a built-in kind reads under its prefix.
func (e Entry) vars() []string {
	return append(append([]string{}, commonVars...), e.Extra...)
}

// LoadConfigs reads the providers configured in environ (os.Environ form;
// only AUTHBRIDGE_* entries are looked at):
//
//   - for each built-in of the Catalogue, AUTHBRIDGE_<PREFIX>_CLIENT_ID and
//     _CLIENT_SECRET (optional for a kind with a sign-in button, Google's:
//     the button needs none),
//     the endpoint overrides _ISSUER, _AUTH_URL, _TOKEN_URL, _API_URL,
//     MICROSOFT _TENANT and _ALLOWED_TENANTS (comma-separated GUIDs), and
//     GOOGLE _HOSTED_DOMAIN;
//   - any number of AUTHBRIDGE_OIDC_<NAME>_ISSUER, _CLIENT_ID,
//     _CLIENT_SECRET (optional), _DISPLAY_NAME (optional). The provider id is
//     <NAME> lower-cased (the contract's rule); it must match
//     ^[a-z0-9][a-z0-9_-]{0,31}$ and not be a built-in's id.
//
// URLs must be https, or http on a loopback or single-label (container
// network) host. Unknown variables under a provider's prefix are errors (a
// typo would otherwise silently drop a setting). Every problem is reported
// together; values never appear in the errors, so neither do secrets.
// Built-ins come first in catalogue order, then OIDC providers by name.
func LoadConfigs(environ []string) ([]Config, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "AUTHBRIDGE_") && !serverVars[k] {
			if v = strings.TrimSpace(v); v != "" {
				env[k] = v
			}
		}
	}
	var (
		out  []Config
		errs []error
	)
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	for _, b := range Catalogue {
		if b.Named {
			out = append(out, loadNamed(b, env, bad)...)
		} else if c, ok := loadBuiltin(b, env, bad); ok {
			out = append(out, c)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("providers: %w", errors.Join(errs...))
	}
	return out, nil
}

// loadBuiltin reads a built-in kind's AUTHBRIDGE_<PREFIX>_* variables; ok
// is false when it is not configured.
func loadBuiltin(b Entry, env map[string]string, bad func(string, ...any)) (c Config, ok bool) {
	p := b.prefix()
	known := b.vars()
	var set []string
	for k := range env {
		if rest, ok := strings.CutPrefix(k, p); ok {
			set = append(set, rest)
		}
	}
	sort.Strings(set)
	for _, v := range set {
		if !contains(known, v) {
			bad("%s%s is not a known setting (known: %s)", p, v, strings.Join(known, ", "))
		}
	}
	if env[p+"CLIENT_ID"] == "" {
		for _, v := range set {
			if contains(known, v) {
				bad("%s%s is set without %sCLIENT_ID", p, v, p)
			}
		}
		return Config{}, false
	}
	c = Config{ID: b.ID, Kind: b.ID, DisplayName: b.Name, ClientID: env[p+"CLIENT_ID"], ClientSecret: env[p+"CLIENT_SECRET"],
		Issuer: env[p+"ISSUER"], AuthURL: env[p+"AUTH_URL"], TokenURL: env[p+"TOKEN_URL"], APIURL: env[p+"API_URL"],
		Tenant: strings.ToLower(env[p+"TENANT"]), HostedDomain: strings.ToLower(env[p+"HOSTED_DOMAIN"])}
	if s := env[p+"SECRET"]; s != "" {
		if c.ClientSecret != "" && c.ClientSecret != s {
			bad("%sSECRET and %sCLIENT_SECRET differ: set one", p, p)
		}
		c.ClientSecret = s
	}
	if !b.secretOptional() && c.ClientSecret == "" {
		bad("%sCLIENT_SECRET is required", p)
	}
	for _, v := range []string{"ISSUER", "AUTH_URL", "TOKEN_URL", "API_URL"} {
		if env[p+v] != "" {
			if msg := checkURL(env[p+v]); msg != "" {
				bad("%s%s %s", p, v, msg)
			}
		}
	}
	if c.Tenant != "" && c.Tenant != "common" && c.Tenant != "organizations" && c.Tenant != "consumers" && !guidRE.MatchString(c.Tenant) {
		bad("%sTENANT must be common, organizations, consumers or a tenant GUID", p)
	}
	for _, t := range strings.Split(env[p+"ALLOWED_TENANTS"], ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t == "" {
			continue
		} else if !guidRE.MatchString(t) {
			bad("%sALLOWED_TENANTS must be a comma-separated list of tenant GUIDs", p)
			break
		}
		c.AllowedTenants = append(c.AllowedTenants, t)
	}
	if d := c.HostedDomain; d != "" && (strings.ContainsAny(d, "@/: ") || !strings.Contains(d, ".")) {
		bad("%sHOSTED_DOMAIN must be a domain name such as example.com", p)
	}
	return c, true
}

// loadNamed reads a Named kind's providers: every
// AUTHBRIDGE_<PREFIX>_<NAME>_<SETTING> names one.
func loadNamed(b Entry, env map[string]string, fail func(string, ...any)) []Config {
	byName := map[string]map[string]string{}
	for k, v := range env {
		rest, ok := strings.CutPrefix(k, b.prefix())
		if !ok || k == b.prefix()+"PROVIDERS" { // the launcher's list of names (cmd/authbridge)
			continue
		}
		found := false
		for _, s := range oidcVars {
			if name, ok := strings.CutSuffix(rest, "_"+s); ok && name != "" {
				if byName[name] == nil {
					byName[name] = map[string]string{}
				}
				byName[name][s], found = v, true
				break
			}
		}
		if !found {
			fail("%s is not a known setting (%s<NAME>_ followed by %s)", k, b.prefix(), strings.Join(oidcVars, ", "))
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Config
	ids := map[string]string{}
	for _, n := range names {
		p, vars := b.prefix()+n+"_", byName[n]
		id := strings.ToLower(n)
		problems := false
		bad := func(format string, args ...any) { problems = true; fail(format, args...) }
		switch {
		case !idRE.MatchString(id):
			bad("%s*: the provider id %q must be 1 to 32 of a-z, 0-9 and - (starting with a letter or digit)", p, id)
		case builtinID(id):
			k, _ := Lookup(id)
			bad("%s*: %q is a built-in provider's id; use %s* or another name", p, id, k.prefix())
		case ids[id] != "":
			bad("%s*: the provider id %q is also given by %s%s_*", p, id, b.prefix(), ids[id])
		}
		ids[id] = n
		if vars["ISSUER"] == "" {
			bad("%sISSUER is required", p)
		} else if msg := checkURL(vars["ISSUER"]); msg != "" {
			bad("%sISSUER %s", p, msg)
		}
		if vars["CLIENT_ID"] == "" {
			bad("%sCLIENT_ID is required", p)
		}
		dn := orStr(vars["DISPLAY_NAME"], id)
		if utf8.RuneCountInString(dn) > 64 || strings.IndexFunc(dn, unicode.IsControl) >= 0 {
			bad("%sDISPLAY_NAME must be at most 64 characters without control characters", p)
		}
		if problems {
			continue
		}
		out = append(out, Config{ID: id, Kind: b.ID, DisplayName: dn, Issuer: vars["ISSUER"],
			ClientID: vars["CLIENT_ID"], ClientSecret: vars["CLIENT_SECRET"]})
	}
	return out
}

// checkURL answers what is wrong with a provider URL, or "".
func checkURL(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return "must be an absolute URL"
	case u.User != nil || u.Fragment != "" || u.RawQuery != "":
		return "must not carry credentials, a query or a fragment"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && plainHTTPHost(u.Hostname()):
		return ""
	case u.Scheme == "http":
		return "must use https (http only for loopback or single-label container hosts)"
	}
	return "must be an http(s) URL"
}

// plainHTTPHost: loopback addresses, localhost, and single-label names
// (a service on a container network, e.g. http://devidp:9090).
func plainHTTPHost(h string) bool {
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	return h != "" && !strings.Contains(h, ".")
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
