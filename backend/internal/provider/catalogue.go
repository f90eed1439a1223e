package provider

// Entry is one kind of provider in the Catalogue: everything the rest of
// the server needs to know about it, so that adding a provider is its file,
// its test and one line here.
type Entry struct {
	// ID is the factory key (Config.Kind) and, for built-ins, the provider
	// id in URLs (/api/auth/<id>/...).
	ID string
	// Prefix names its variables: AUTHBRIDGE_<Prefix>_CLIENT_ID, ...
	Prefix string
	// Kind is KindOIDC or KindOAuth2, as the providers list shows it.
	Kind string
	// Name is the display name (the generic OIDC kind has none: each
	// configured provider names itself).
	Name string
	// New builds a provider of this kind.
	New Factory
	// Impl is a typed nil of what New returns. Its capabilities are the
	// optional interfaces it implements (CredentialVerifier, ...), asked
	// by type assertion, so a provider that is not built yet (discovery
	// down) still answers them.
	Impl Provider
	// Extra are variables beyond commonVars.
	Extra []string
	// Named: any number of providers of this kind, configured as
	// AUTHBRIDGE_<Prefix>_<NAME>_<SETTING> (the generic OIDC kind).
	Named bool
}

// Catalogue lists every kind of provider, built-ins in listing order. Config
// loading, the factories, the providers list and dev-mode detection
// ("any provider configured") all read it.
var Catalogue = []Entry{
	{ID: "google", Prefix: "GOOGLE", Kind: KindOIDC, Name: "Google", New: NewGoogle, Impl: (*google)(nil), Extra: []string{"HOSTED_DOMAIN"}},
	{ID: "microsoft", Prefix: "MICROSOFT", Kind: KindOIDC, Name: "Microsoft", New: NewMicrosoft, Impl: (*microsoft)(nil), Extra: []string{"TENANT", "ALLOWED_TENANTS"}},
	{ID: "line", Prefix: "LINE", Kind: KindOIDC, Name: "LINE", New: NewLINE, Impl: (*line)(nil)},
	{ID: "discord", Prefix: "DISCORD", Kind: KindOAuth2, Name: "Discord", New: NewDiscord, Impl: (*discord)(nil)},
	{ID: "github", Prefix: "GITHUB", Kind: KindOAuth2, Name: "GitHub", New: NewGitHub, Impl: (*github)(nil)},
	{ID: "gitlab", Prefix: "GITLAB", Kind: KindOIDC, Name: "GitLab", New: NewGitLab, Impl: (*gitlab)(nil)},
	{ID: "oidc", Prefix: "OIDC", Kind: KindOIDC, New: NewOIDC, Impl: (*oidcProvider)(nil), Named: true},
}

// Lookup answers the catalogue entry of a kind (Config.Kind).
func Lookup(kind string) (Entry, bool) {
	for _, e := range Catalogue {
		if e.ID == kind {
			return e, true
		}
	}
	return Entry{}, false
}

// Factories are the catalogue's factories by Config.Kind. The server passes
// this map to NewSet; tests hand in their own.
func Factories() map[string]Factory {
	m := make(map[string]Factory, len(Catalogue))
	for _, e := range Catalogue {
		m[e.ID] = e.New
	}
	return m
}

// VerifiesCredential reports whether providers of this kind verify a
// sign-in button's ID token (CredentialVerifier).
func (e Entry) VerifiesCredential() bool {
	_, ok := e.Impl.(CredentialVerifier)
	return ok
}

// secretOptional: a kind with a sign-in button can run without a client
// secret (the button needs none; the redirect flow then cannot).
func (e Entry) secretOptional() bool { return e.VerifiesCredential() }

// prefix is the variables' common prefix, AUTHBRIDGE_<Prefix>_.
func (e Entry) prefix() string { return "AUTHBRIDGE_" + e.Prefix + "_" }

// builtinID reports whether id is a built-in (not Named) kind's id.
func builtinID(id string) bool {
	e, ok := Lookup(id)
	return ok && !e.Named
}
