package provider

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authbridge/authbridge/shared"
)

const (
	contosoTID  = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	fabrikamTID = "0b5b3a1c-9d6e-4f1a-8c2b-3e4d5f6a7b8c"
	userOID     = "00000000-0000-0000-66f3-3332eca7ea81"
)

// newMicrosoftIdP fakes Entra ID: discovery under /<tenant>/v2.0 with the
// real issuers — the {tenantid} template for common and organizations,
// the consumer tenant for consumers, the tenant itself for a GUID.
func newMicrosoftIdP(t *testing.T) *fakeIdP {
	f := newFakeIdP(t)
	f.issuerFor = func(prefix string) string {
		tenant := strings.TrimSuffix(strings.TrimPrefix(prefix, "/"), "/v2.0")
		switch tenant {
		case "common", "organizations":
			return f.URL + "/{tenantid}/v2.0"
		case "consumers":
			return f.URL + "/" + consumersTenant + "/v2.0"
		}
		return f.URL + "/" + tenant + "/v2.0"
	}
	f.authMethods = []string{"client_secret_post", "private_key_jwt", "client_secret_basic"}
	return f
}

func newTestMicrosoft(t *testing.T, f *fakeIdP, c *http.Client, tenant string, allowed []string) (Provider, error) {
	t.Helper()
	return NewMicrosoft(context.Background(), Config{ID: "microsoft", Kind: "microsoft", ClientID: "client-1", ClientSecret: "secret-1",
		Issuer: f.URL, Tenant: tenant, AllowedTenants: allowed, HTTPClient: c, Now: clock})
}

func microsoftClaims(f *fakeIdP, tid string) jwt.MapClaims {
	return jwt.MapClaims{"iss": f.URL + "/" + tid + "/v2.0", "aud": "client-1", "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
		"oid": userOID, "tid": tid, "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nonce": testNonce, "ver": "2.0",
		// A tenant admin can set any mail on a user; email_verified here must change nothing.
		"email": "ceo@victim.example", "email_verified": true, "name": "Mallory"}
}

func TestMicrosoftExchange(t *testing.T) {
	f := newMicrosoftIdP(t)
	ic := shared.CodeInvalidCredential
	idTokenHarness{
		idp: f,
		build: func(t *testing.T, c *http.Client) Provider {
			p, err := newTestMicrosoft(t, f, c, "common", nil)
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		good:         func() jwt.MapClaims { return microsoftClaims(f, contosoTID) },
		emailTrusted: false, // nOAuth
		check: func(t *testing.T, id Identity) {
			if id.Provider != "microsoft" || id.Issuer != f.URL+"/"+contosoTID+"/v2.0" || id.Subject != userOID ||
				id.TenantID != contosoTID || id.Email != "ceo@victim.example" || id.EmailVerified {
				t.Errorf("identity = %+v", id)
			}
		},
	}.run(t, append(idTokenCases(),
		tokenCase{name: "iss of another tenant than tid", mutate: func(c jwt.MapClaims) { c["iss"] = f.URL + "/" + fabrikamTID + "/v2.0" }, want: ic},
		tokenCase{name: "iss is the template", mutate: func(c jwt.MapClaims) { c["iss"] = f.URL + "/{tenantid}/v2.0"; c["tid"] = "{tenantid}" }, want: ic},
		tokenCase{name: "tid not a GUID", mutate: func(c jwt.MapClaims) { c["iss"] = f.URL + "/contoso/v2.0"; c["tid"] = "contoso" }, want: ic},
		tokenCase{name: "no tid", mutate: func(c jwt.MapClaims) { delete(c, "tid") }, want: ic},
		tokenCase{name: "v1 issuer", mutate: func(c jwt.MapClaims) { c["iss"] = "https://sts.windows.net/" + contosoTID + "/" }, want: ic},
		tokenCase{name: "no oid", mutate: func(c jwt.MapClaims) { delete(c, "oid") }, want: ic},
	))
}

func TestMicrosoftTenants(t *testing.T) {
	f := newMicrosoftIdP(t)
	ic, ad := shared.CodeInvalidCredential, shared.CodeAccessDenied
	tests := []struct {
		tenant  string
		allowed []string
		tid     string
		want    shared.ErrorCode
	}{
		{tenant: "common", tid: contosoTID},
		{tenant: "common", tid: consumersTenant},
		{tenant: "common", allowed: []string{contosoTID}, tid: contosoTID},
		{tenant: "common", allowed: []string{strings.ToUpper(contosoTID)}, tid: contosoTID},
		{tenant: "common", allowed: []string{fabrikamTID}, tid: contosoTID, want: ad},
		{tenant: "organizations", tid: contosoTID},
		{tenant: "organizations", tid: consumersTenant, want: ic},
		{tenant: "consumers", tid: consumersTenant},
		{tenant: "consumers", tid: contosoTID, want: ic},
		{tenant: contosoTID, tid: contosoTID},
		{tenant: contosoTID, tid: fabrikamTID, want: ic},
	}
	for _, tt := range tests {
		t.Run(tt.tenant+"/"+tt.tid+"/"+strings.Join(tt.allowed, ","), func(t *testing.T) {
			p, err := newTestMicrosoft(t, f, client(t, f.srv, 0), tt.tenant, tt.allowed)
			if err != nil {
				t.Fatal(err)
			}
			f.set("ok", signRS(t, microsoftClaims(f, tt.tid), rsaKey, "k1"))
			id, err := exchange(p)
			if codeOf(err) != tt.want {
				t.Fatalf("Exchange = %+v, %v; want %q", id, err, tt.want)
			}
			if err == nil && (id.TenantID != tt.tid || id.Issuer != f.URL+"/"+tt.tid+"/v2.0") {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

func TestMicrosoftConfiguration(t *testing.T) {
	f := newMicrosoftIdP(t)
	for _, tt := range []struct {
		name    string
		tenant  string
		allowed []string
		issuer  func(string) string
		ok      bool
	}{
		{name: "default tenant is common", ok: true},
		{name: "tenant name", tenant: "contoso.onmicrosoft.com"},
		{name: "allowed tenant not a GUID", allowed: []string{"contoso"}},
		{name: "common discovery without the template", issuer: func(string) string { return f.URL + "/" + fabrikamTID + "/v2.0" }},
		{name: "tenant discovery of another tenant", tenant: contosoTID, issuer: func(string) string { return f.URL + "/" + fabrikamTID + "/v2.0" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			saved := f.issuerFor
			if tt.issuer != nil {
				f.issuerFor = tt.issuer
			}
			defer func() { f.issuerFor = saved }()
			_, err := newTestMicrosoft(t, f, client(t, f.srv, 0), tt.tenant, tt.allowed)
			if (err == nil) != tt.ok {
				t.Fatalf("NewMicrosoft = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestMicrosoftAuthURL(t *testing.T) {
	f := newMicrosoftIdP(t)
	p, err := newTestMicrosoft(t, f, client(t, f.srv, 0), "organizations", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantQuery(t, authURLQuery(t, p), "client-1", true)
}
