package auth

// Passkeys: WebAuthn credentials as a sign-in method of their own. The
// ceremonies' session data is stored (store.PasskeyCeremony) keyed by the
// hash of the challenge, so any replica finishes a ceremony and each
// challenge works once; the relying party id is the frontend origin's host.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// PasskeyTTL is how long a passkey ceremony's challenge stays usable.
const PasskeyTTL = 5 * time.Minute

// ProviderPasskey names passkey sign-ins in the login history and sessions.
const ProviderPasskey = "passkey"

// defaultPasskeyName names a new passkey until its owner renames it.
const defaultPasskeyName = "Passkey"

// maxPasskeyName bounds a passkey's name, in characters.
const maxPasskeyName = 64

// PasskeyStarted is the first half of a ceremony: the options the browser
// passes to navigator.credentials (a JSON object with its publicKey
// member, binary values base64url), and for a sign-in the value of the
// cookie that binds it to the browser.
type PasskeyStarted struct {
	Options   json.RawMessage
	Browser   string
	ExpiresAt time.Time
}

// NewRelyingParty answers the WebAuthn relying party of the frontend
// origin: its host is the relying-party id, the origin the one origin
// accepted. A loopback IP address answers nil, nil: the server runs, with
// passkeys off (browsers refuse IP addresses as relying-party ids; use
// http://localhost for passkeys in development). Any other IP address is
// an error: config refuses it at start.
func NewRelyingParty(frontendOrigin string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(frontendOrigin)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("auth: passkeys: frontend origin %q has no host", frontendOrigin)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		if ip.IsLoopback() {
			return nil, nil
		}
		return nil, fmt.Errorf("auth: passkeys: the frontend origin's host %s is an IP address, which cannot be a relying-party id", host)
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  host,
		RPDisplayName:         host,
		RPOrigins:             []string{u.Scheme + "://" + u.Host},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: PasskeyTTL, TimeoutUVD: PasskeyTTL},
			Registration: webauthn.TimeoutConfig{Timeout: PasskeyTTL, TimeoutUVD: PasskeyTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	return wa, nil
}

// passkeyUser is a user as the WebAuthn library sees one. The user handle
// is our user id: random, not personal, stable for the account.
type passkeyUser struct {
	id, name, display string
	creds             []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.id) }
func (u passkeyUser) WebAuthnName() string                       { return u.name }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.display }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

var _ webauthn.User = passkeyUser{}

func credentialOf(p store.Passkey) webauthn.Credential {
	c := webauthn.Credential{
		ID:            p.CredentialID,
		PublicKey:     p.PublicKey,
		Flags:         webauthn.CredentialFlags{UserPresent: true, UserVerified: true, BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount},
	}
	for _, t := range strings.Split(p.Transports, ",") {
		if t != "" {
			c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
		}
	}
	return c
}

// PasskeysOn says whether this server takes passkeys (see NewRelyingParty).
func (s *Service) PasskeysOn() bool { return s.rp != nil }

func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	if s.rp == nil {
		return nil, apperr.New(shared.CodeNotFound, "Passkeys are not available on this server.")
	}
	return s.rp, nil
}

// Errors of the ceremonies.
func errPasskeyInvalid(msg string, cause error) error {
	return apperr.Wrap(shared.CodePasskeyInvalid, msg, cause)
}

func errCeremonyExpired(cause error) error {
	return apperr.Wrap(shared.CodePasskeyCeremonyExpired, "This passkey request has expired or was already used. Try again.", cause)
}

// BeginLogin starts a passkey sign-in: discoverable credentials (no user
// name), user verification required. browser is the binding value already
// in the browser's cookie, if any.
func (s *Service) BeginLogin(ctx context.Context, browser string) (PasskeyStarted, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return PasskeyStarted{}, err
	}
	assertion, sd, err := rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return PasskeyStarted{}, fmt.Errorf("auth: begin passkey login: %w", err)
	}
	if !opaqueRE.MatchString(browser) {
		if browser, err = random(); err != nil {
			return PasskeyStarted{}, err
		}
	}
	return s.startCeremony(ctx, store.CeremonyLogin, nil, hash(browser), assertion, ceremonyData{Session: *sd}, browser)
}

// ceremonyData is what a ceremony keeps between its options and its
// answer: the library's session data, and for a sign-up the new user's name.
type ceremonyData struct {
	Session webauthn.SessionData `json:"session"`
	Name    string               `json:"name,omitempty"`
}

// startCeremony stores d under its challenge's hash and answers opts.
func (s *Service) startCeremony(ctx context.Context, kind string, userID *string, browserHash []byte, opts any, d ceremonyData, browser string) (PasskeyStarted, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return PasskeyStarted{}, fmt.Errorf("auth: passkey session: %w", err)
	}
	out, err := json.Marshal(opts)
	if err != nil {
		return PasskeyStarted{}, fmt.Errorf("auth: passkey options: %w", err)
	}
	now := s.Now()
	if err := s.store.CreatePasskeyCeremony(ctx, store.PasskeyCeremony{
		ChallengeHash: hash(d.Session.Challenge), Kind: kind, UserID: userID, SessionData: string(data),
		BrowserHash: browserHash, CreatedAt: now, ExpiresAt: now.Add(PasskeyTTL),
	}); err != nil {
		return PasskeyStarted{}, fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	return PasskeyStarted{Options: out, Browser: browser, ExpiresAt: now.Add(PasskeyTTL)}, nil
}

// spendCeremony spends the ceremony a response's challenge names, once,
// and answers what it kept; a ceremony of another kind is as good as none.
func (s *Service) spendCeremony(ctx context.Context, challenge, kind string) (store.PasskeyCeremony, ceremonyData, error) {
	var sd ceremonyData
	if challenge == "" || len(challenge) > 128 {
		return store.PasskeyCeremony{}, sd, errCeremonyExpired(nil)
	}
	c, err := s.store.SpendPasskeyCeremony(ctx, hash(challenge), s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return c, sd, errCeremonyExpired(err)
	}
	if err != nil {
		return c, sd, fmt.Errorf("auth: spend passkey ceremony: %w", err)
	}
	if c.Kind != kind {
		return c, sd, errCeremonyExpired(nil)
	}
	if err := json.Unmarshal([]byte(c.SessionData), &sd); err != nil {
		return c, sd, fmt.Errorf("auth: passkey session data: %w", err)
	}
	return c, sd, nil
}

// FinishLogin verifies a passkey assertion (the WebAuthn JSON of the
// browser's PublicKeyCredential) against the ceremony its challenge names,
// bound to browser, and signs its owner in: the same token pair as every
// other sign-in, and a login-history row. A counter that went backwards
// (a cloned authenticator) is logged, recorded on the passkey and in the
// history, and refused.
func (s *Service) FinishLogin(ctx context.Context, body []byte, browser string, m Meta) (SignedIn, error) {
	res, uid, recorded, err := s.finishLogin(ctx, body, browser, m)
	if err != nil && !recorded {
		s.record(ctx, uid, ProviderPasskey, err, m)
	}
	return res, err
}

func (s *Service) finishLogin(ctx context.Context, body []byte, browser string, m Meta) (_ SignedIn, uid string, recorded bool, _ error) {
	rp, err := s.relyingParty()
	if err != nil {
		return SignedIn{}, "", false, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		return SignedIn{}, "", false, errPasskeyInvalid("The passkey's answer could not be read.", err)
	}
	c, sd, err := s.spendCeremony(ctx, parsed.Response.CollectedClientData.Challenge, store.CeremonyLogin)
	if err != nil {
		return SignedIn{}, "", false, err
	}
	if !opaqueRE.MatchString(browser) || !equalConstant(string(hash(browser)), string(c.BrowserHash)) {
		return SignedIn{}, "", false, apperr.New(shared.CodeInvalidState, "This passkey sign-in was started in another browser. Try again here.")
	}
	var (
		found    store.Passkey
		lookedUp error
	)
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		p, err := s.store.PasskeyByCredential(ctx, rawID)
		if err == nil && !equalConstant(string(userHandle), p.UserID) {
			err = store.ErrNotFound
		}
		if err != nil {
			lookedUp = err
			return nil, err
		}
		found = p
		return passkeyUser{id: p.UserID, creds: []webauthn.Credential{credentialOf(p)}}, nil
	}
	_, cred, err := rp.ValidatePasskeyLogin(handler, sd.Session, parsed)
	switch {
	case errors.Is(lookedUp, store.ErrNotFound):
		// Nobody is created from an assertion, whatever
		// AUTHBRIDGE_PASSKEY_SIGNUP says: there is no key to check it with.
		return SignedIn{}, "", false, apperr.Wrap(shared.CodePasskeyNotRecognised,
			"This passkey is not registered here. Sign in another way, then add it from your account page.", lookedUp)
	case lookedUp != nil:
		return SignedIn{}, "", false, fmt.Errorf("auth: passkey lookup: %w", lookedUp)
	case err != nil:
		return SignedIn{}, found.UserID, false, errPasskeyInvalid("The passkey's answer did not verify. Try again.", err)
	case cred.Authenticator.CloneWarning:
		return SignedIn{}, found.UserID, true, s.passkeyCloned(ctx, found, m, nil)
	}
	pend, err := s.prepare(ProviderPasskey, m, s.event("", ProviderPasskey, nil, m))
	if err != nil {
		return SignedIn{}, found.UserID, false, err
	}
	u, err := s.store.PasskeySignIn(ctx, store.PasskeySignInParams{
		PasskeyID: found.ID, UserID: found.UserID, SignCount: cred.Authenticator.SignCount,
		BackupState: cred.Flags.BackupState, Now: s.Now(), Session: pend.Row,
	})
	switch {
	case errors.Is(err, store.ErrSignCountRegressed):
		return SignedIn{}, found.UserID, true, s.passkeyCloned(ctx, found, m, err)
	case errors.Is(err, store.ErrUserDisabled):
		return SignedIn{}, found.UserID, false, errDisabled(err)
	case errors.Is(err, store.ErrNotFound):
		return SignedIn{}, "", false, apperr.Wrap(shared.CodePasskeyNotRecognised, "This passkey was removed.", err)
	case err != nil:
		return SignedIn{}, found.UserID, false, fmt.Errorf("auth: passkey sign in: %w", err)
	}
	pair, err := s.complete(ctx, pend, u)
	if err != nil {
		return SignedIn{}, u.ID, true, err
	}
	if s.metrics != nil {
		s.metrics.SignIn(ProviderPasskey, shared.OutcomeSuccess)
	}
	return SignedIn{Pair: pair, User: toUser(u)}, u.ID, true, nil
}

// passkeyCloned handles a signature counter that did not move forward:
// the passkey is flagged and the attempt recorded in one transaction, the
// operator warned, and the sign-in refused.
func (s *Service) passkeyCloned(ctx context.Context, p store.Passkey, m Meta, cause error) error {
	err := apperr.Wrap(shared.CodePasskeyCloned,
		"This passkey's signature counter went backwards, which a copied authenticator would do, so it was refused. Sign in another way and check your passkeys.", cause)
	s.log.WarnContext(ctx, "passkey sign count regressed: possible cloned authenticator", "user", p.UserID, "passkey", p.ID)
	if werr := s.store.FlagPasskeyCloned(context.WithoutCancel(ctx), p.ID, s.event(p.UserID, ProviderPasskey, err, m)); werr != nil {
		s.log.ErrorContext(ctx, "passkey: recording the clone signal failed", "err", werr)
	}
	if s.metrics != nil {
		s.metrics.SignIn(ProviderPasskey, shared.OutcomeFailure)
	}
	return err
}

// BeginRegistration starts adding a passkey to a signed-in user: a
// discoverable credential with user verification, attestation none, the
// user's own passkeys excluded.
func (s *Service) BeginRegistration(ctx context.Context, userID string) (PasskeyStarted, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return PasskeyStarted{}, err
	}
	wu, err := s.passkeyUser(ctx, userID)
	if err != nil {
		return PasskeyStarted{}, err
	}
	exclude := make([]protocol.CredentialDescriptor, 0, len(wu.creds))
	for _, c := range wu.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, sd, err := rp.BeginRegistration(wu,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return PasskeyStarted{}, fmt.Errorf("auth: begin passkey registration: %w", err)
	}
	return s.startCeremony(ctx, store.CeremonyRegister, &userID, nil, creation, ceremonyData{Session: *sd}, "")
}

// passkeyUser is the active user userID with their passkeys.
func (s *Service) passkeyUser(ctx context.Context, userID string) (passkeyUser, error) {
	u, err := s.ActiveUser(ctx, userID)
	if err != nil {
		return passkeyUser{}, err
	}
	keys, err := s.store.ListPasskeys(ctx, userID)
	if err != nil {
		return passkeyUser{}, fmt.Errorf("auth: passkeys: %w", err)
	}
	name := u.Email
	if name == "" {
		name = u.Name
	}
	wu := passkeyUser{id: u.ID, name: name, display: u.Name}
	for _, k := range keys {
		wu.creds = append(wu.creds, credentialOf(k))
	}
	return wu, nil
}

// FinishRegistration verifies the browser's new credential against the
// caller's own ceremony and adds it to the caller's sign-in methods.
func (s *Service) FinishRegistration(ctx context.Context, userID string, body []byte) (Account, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return Account{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return Account{}, errPasskeyInvalid("The new passkey could not be read.", err)
	}
	c, sd, err := s.spendCeremony(ctx, parsed.Response.CollectedClientData.Challenge, store.CeremonyRegister)
	if err != nil {
		return Account{}, err
	}
	if c.UserID == nil || !equalConstant(*c.UserID, userID) {
		return Account{}, errCeremonyExpired(nil)
	}
	wu, err := s.passkeyUser(ctx, userID)
	if err != nil {
		return Account{}, err
	}
	cred, err := rp.CreateCredential(wu, sd.Session, parsed)
	if err != nil {
		return Account{}, errPasskeyInvalid("The new passkey did not verify. Try again.", err)
	}
	p := s.passkeyRow(userID, cred)
	switch err := s.store.AddPasskey(ctx, p); {
	case errors.Is(err, store.ErrConflict):
		return Account{}, errPasskeyInvalid("This passkey is registered already.", err)
	case errors.Is(err, store.ErrUserDisabled):
		return Account{}, errDisabled(err)
	case errors.Is(err, store.ErrNotFound):
		return Account{}, apperr.Wrap(shared.CodeInvalidToken, "This account no longer exists.", err)
	case err != nil:
		return Account{}, fmt.Errorf("auth: add passkey: %w", err)
	}
	return passkeyAccount(p), nil
}

// passkeyRow is a verified new credential as the row that keeps it.
func (s *Service) passkeyRow(userID string, cred *webauthn.Credential) store.Passkey {
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	return store.Passkey{
		ID: store.NewID(), UserID: userID, CredentialID: cred.ID, PublicKey: cred.PublicKey,
		SignCount: cred.Authenticator.SignCount, AAGUID: cred.Authenticator.AAGUID,
		Transports: store.Clip(strings.Join(transports, ","), 255), BackupEligible: cred.Flags.BackupEligible,
		BackupState: cred.Flags.BackupState, Name: defaultPasskeyName, CreatedAt: s.Now(),
	}
}

// passkeyAccount is a passkey as one of the user's sign-in methods.
func passkeyAccount(p store.Passkey) Account {
	last := p.CreatedAt
	if p.LastUsedAt != nil {
		last = *p.LastUsedAt
	}
	return Account{
		ID: p.ID, Kind: shared.AccountKindPasskey, Provider: ProviderPasskey, ProviderName: "Passkey",
		DisplayName: p.Name, CreatedAt: p.CreatedAt, LastLoginAt: last, CloneWarning: p.CloneWarning,
	}
}

// RenamePasskey renames one of the user's passkeys.
func (s *Service) RenamePasskey(ctx context.Context, userID, id, name string) error {
	name, err := validName(name)
	if err != nil {
		return err
	}
	err = s.store.RenamePasskey(ctx, userID, id, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apperr.Wrap(shared.CodeNotFound, "No such passkey.", err)
	case err != nil:
		return fmt.Errorf("auth: rename passkey: %w", err)
	}
	return nil
}

// validName answers a name as kept (trimmed), or invalid_request.
func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxPasskeyName || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apperr.New(shared.CodeInvalidRequest, fmt.Sprintf("name must be 1 to %d characters, without control characters.", maxPasskeyName))
	}
	return name, nil
}

// RemovePasskey removes one of the user's passkeys; the last way to sign
// in is refused (errLastMethod).
func (s *Service) RemovePasskey(ctx context.Context, userID, id string) error {
	err := s.store.DeletePasskey(ctx, userID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return apperr.Wrap(shared.CodeNotFound, "No such passkey.", err)
	case errors.Is(err, store.ErrLastLoginMethod):
		return errLastMethod(err)
	case err != nil:
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	return nil
}

// errLastMethod is how the last-method rule (store.guardLastMethod) is
// answered, whichever method the user tried to remove.
func errLastMethod(cause error) error {
	return apperr.Wrap(shared.CodeLastLoginMethod, "This is the only way you can sign in, so it can't be removed. Connect another provider or add a passkey first.", cause)
}

// BeginSignup starts a sign-up with a passkey alone (AUTHBRIDGE_PASSKEY_SIGNUP):
// a new user, named name, whose id is made now and stored with nothing
// until the answer verifies; bound to the browser like a sign-in.
func (s *Service) BeginSignup(ctx context.Context, name, browser string) (PasskeyStarted, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return PasskeyStarted{}, err
	}
	if !s.opts.PasskeySignup {
		return PasskeyStarted{}, apperr.New(shared.CodeNotFound, "Sign-up with a passkey alone is off here: sign in with a provider, then add a passkey.")
	}
	if !s.opts.Allowlist.Allows("", false) {
		// A passkey carries no email: the domain allowlist fails closed
		// (config refuses the combination at start already).
		return PasskeyStarted{}, apperr.New(shared.CodeEmailDomainNotAllowed, "This site only accepts accounts with a verified email address from an allowed domain: sign in with a provider.")
	}
	if name, err = validName(name); err != nil {
		return PasskeyStarted{}, err
	}
	userID := store.NewID()
	creation, sd, err := rp.BeginRegistration(passkeyUser{id: userID, name: name, display: name},
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationRequired,
		}),
		webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
	if err != nil {
		return PasskeyStarted{}, fmt.Errorf("auth: begin passkey sign-up: %w", err)
	}
	if !opaqueRE.MatchString(browser) {
		if browser, err = random(); err != nil {
			return PasskeyStarted{}, err
		}
	}
	return s.startCeremony(ctx, store.CeremonySignup, &userID, hash(browser), creation, ceremonyData{Session: *sd, Name: name}, browser)
}

// FinishSignup verifies the new credential of a sign-up and creates its
// user with it, signed in: the user, the passkey, the session and the
// login event in one transaction.
func (s *Service) FinishSignup(ctx context.Context, body []byte, browser string, m Meta) (SignedIn, error) {
	res, err := s.finishSignup(ctx, body, browser, m)
	if err != nil {
		s.record(ctx, "", ProviderPasskey, err, m)
	}
	return res, err
}

func (s *Service) finishSignup(ctx context.Context, body []byte, browser string, m Meta) (SignedIn, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return SignedIn{}, err
	}
	if !s.opts.PasskeySignup {
		return SignedIn{}, apperr.New(shared.CodeNotFound, "Sign-up with a passkey alone is off here: sign in with a provider, then add a passkey.")
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		return SignedIn{}, errPasskeyInvalid("The new passkey could not be read.", err)
	}
	c, d, err := s.spendCeremony(ctx, parsed.Response.CollectedClientData.Challenge, store.CeremonySignup)
	if err != nil {
		return SignedIn{}, err
	}
	if c.UserID == nil || !opaqueRE.MatchString(browser) || !equalConstant(string(hash(browser)), string(c.BrowserHash)) {
		return SignedIn{}, apperr.New(shared.CodeInvalidState, "This passkey sign-up was started in another browser. Try again here.")
	}
	cred, err := rp.CreateCredential(passkeyUser{id: *c.UserID, name: d.Name, display: d.Name}, d.Session, parsed)
	if err != nil {
		return SignedIn{}, errPasskeyInvalid("The new passkey did not verify. Try again.", err)
	}
	now := s.Now()
	u := store.User{ID: *c.UserID, Name: d.Name, CreatedAt: now, UpdatedAt: now}
	pend, err := s.prepare(ProviderPasskey, m, s.event("", ProviderPasskey, nil, m))
	if err != nil {
		return SignedIn{}, err
	}
	switch err := s.store.PasskeySignUp(ctx, u, s.passkeyRow(u.ID, cred), pend.Row); {
	case errors.Is(err, store.ErrConflict):
		return SignedIn{}, errPasskeyInvalid("This passkey is registered already. Sign in with it instead.", err)
	case err != nil:
		return SignedIn{}, fmt.Errorf("auth: passkey sign-up: %w", err)
	}
	pair, err := s.complete(ctx, pend, u)
	if err != nil {
		return SignedIn{}, err
	}
	if s.metrics != nil {
		s.metrics.SignIn(ProviderPasskey, shared.OutcomeSuccess)
	}
	return SignedIn{Pair: pair, User: toUser(u), IsNew: true}, nil
}
