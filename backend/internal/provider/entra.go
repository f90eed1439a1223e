package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/shared"
)

const (
	// microsoftLogin is Entra ID's public-cloud login base; sovereign
	// clouds and tests override it with Config.Issuer.
	microsoftLogin = "https://login.microsoftonline.com"
	// consumersTenant is the tenant of personal Microsoft accounts.
	consumersTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
	// tenantPlaceholder is what multi-tenant discovery documents put in
	// their issuer instead of a tenant id.
	tenantPlaceholder = "{tenantid}"
)

var guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// microsoft is Entra ID. For common and organizations the discovered
// issuer is a template with {tenantid}, which go-oidc refuses, so
// discovery runs without go-oidc's issuer check and every issuer check is
// done here: the discovered issuer is the expected template, each token's
// tid is a GUID and its iss is exactly <base>/<tid>/v2.0, and tid is in the
// allowlist when one is set.
//
// The identity is (microsoft, <base>/<tid>/v2.0, oid): oid is the user's
// immutable id within the tenant (the same across apps), and the tenant is
// in the issuer, so the key is oid+tid as Microsoft recommends. sub is not
// used: it is pairwise per app, so a new app registration would orphan
// every account. The email claim is never verified: it is user-editable
// (nOAuth).
type microsoft struct {
	*oidcProvider
	base   string
	tenant string
}

var _ Provider = (*microsoft)(nil)

// NewMicrosoft builds Microsoft Entra ID for cfg.Tenant: common (default),
// organizations, consumers or a tenant GUID. cfg.Issuer overrides the
// login base, https://login.microsoftonline.com.
func NewMicrosoft(ctx context.Context, cfg Config) (Provider, error) {
	defaults(&cfg)
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("provider %s: client id is required", cfg.ID)
	}
	base := strings.TrimRight(orStr(cfg.Issuer, microsoftLogin), "/")
	tenant := strings.ToLower(orStr(cfg.Tenant, "common"))
	var want string // the issuer the discovery document must advertise
	switch {
	case tenant == "common" || tenant == "organizations":
		want = base + "/" + tenantPlaceholder + "/v2.0"
	case tenant == "consumers":
		want = base + "/" + consumersTenant + "/v2.0"
	case guidRE.MatchString(tenant):
		want = base + "/" + tenant + "/v2.0"
	default:
		return nil, fmt.Errorf("provider %s: tenant %q is not common, organizations, consumers or a tenant GUID", cfg.ID, cfg.Tenant)
	}
	allowed := make([]string, 0, len(cfg.AllowedTenants))
	for _, t := range cfg.AllowedTenants {
		t = strings.ToLower(strings.TrimSpace(t))
		if !guidRE.MatchString(t) {
			return nil, fmt.Errorf("provider %s: allowed tenant %q is not a GUID", cfg.ID, t)
		}
		allowed = append(allowed, t)
	}
	cfg.AllowedTenants = allowed
	name := orStr(cfg.DisplayName, "Microsoft")
	d, err := discover(ctx, cfg, name, base+"/"+tenant+"/v2.0", false)
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", cfg.ID, err)
	}
	if d.Issuer != want {
		return nil, fmt.Errorf("provider %s: %w", cfg.ID,
			providerError(name, fmt.Errorf("discovery issuer %q, want %q", d.Issuer, want)))
	}
	return &microsoft{oidcProvider: newOIDCProvider(cfg, name, d, nil), base: base, tenant: tenant}, nil
}

func (m *microsoft) Exchange(ctx context.Context, e ExchangeParams) (Identity, error) {
	c, err := m.exchange(ctx, e)
	if err != nil {
		return Identity{}, err
	}
	tid := c.TID
	switch {
	case !guidRE.MatchString(tid):
		return Identity{}, invalidCredential(fmt.Errorf("tid %q is not a GUID", tid))
	case c.Issuer != m.base+"/"+tid+"/v2.0":
		return Identity{}, invalidCredential(fmt.Errorf("iss %q does not match tid %s", c.Issuer, tid))
	case guidRE.MatchString(m.tenant) && tid != m.tenant,
		m.tenant == "consumers" && tid != consumersTenant,
		m.tenant == "organizations" && tid == consumersTenant:
		return Identity{}, invalidCredential(fmt.Errorf("tid %s does not belong to tenant %s", tid, m.tenant))
	case !guidRE.MatchString(c.OID):
		return Identity{}, invalidCredential(errors.New("oid missing or not a GUID"))
	case len(m.cfg.AllowedTenants) > 0 && !slices.Contains(m.cfg.AllowedTenants, tid):
		return Identity{}, apperr.Wrap(shared.CodeAccessDenied, "This Microsoft organisation may not sign in here.",
			fmt.Errorf("tenant %s is not in the allowlist", tid))
	}
	return Identity{
		Provider: m.info.ID,
		Issuer:   c.Issuer,
		Subject:  c.OID,
		Email:    c.Email, // user-editable: never verified
		Name:     c.Name,
		TenantID: tid,
	}, nil
}
