package auth

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/provider"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/shared"
)

// Process and handoff values of a flow.
const (
	ProcessLogin    = "login"
	ProcessConnect  = "connect"
	HandoffPopup    = "popup"
	HandoffRedirect = "redirect"
)

// StartParams are the query of GET /api/auth/{provider}/login.
type StartParams struct {
	Provider  string
	Process   string
	Handoff   string
	Challenge string
	Ticket    string
	// Browser is the browser-binding value already in the flow cookie, if
	// any; a new one is made otherwise.
	Browser string
}

// Started says where to send the browser and what to bind the flow to.
type Started struct {
	RedirectURL string
	Browser     string // value for the flow cookie
}

// Start begins a redirect flow: state, nonce and PKCE verifier are made and
// kept here, stored hashed by state so any replica can finish the flow.
func (s *Service) Start(ctx context.Context, p StartParams) (Started, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return Started{}, err
	}
	if !ValidChallenge(p.Challenge) {
		return Started{}, apperr.New(shared.CodeInvalidRequest, "challenge must be the S256 hash (43 base64url characters) of a verifier the app keeps.")
	}
	var userID *string
	switch p.Process {
	case ProcessLogin:
	case ProcessConnect:
		uid, err := s.spendTicket(ctx, p.Ticket, p.Provider, p.Challenge)
		if err != nil {
			return Started{}, err
		}
		userID = &uid
	default:
		return Started{}, apperr.New(shared.CodeInvalidRequest, "process must be login or connect.")
	}
	state, err := random()
	if err != nil {
		return Started{}, err
	}
	nonce, err := random()
	if err != nil {
		return Started{}, err
	}
	browser := p.Browser
	if !opaqueRE.MatchString(browser) {
		if browser, err = random(); err != nil {
			return Started{}, err
		}
	}
	verifier := oauth2.GenerateVerifier()
	now := s.Now()
	flow := store.Flow{
		StateHash:    hash(state),
		Provider:     p.Provider,
		Process:      p.Process,
		Handoff:      p.Handoff,
		Nonce:        nonce,
		PKCEVerifier: verifier,
		SPAChallenge: p.Challenge,
		BrowserHash:  hash(browser),
		UserID:       userID,
		CreatedAt:    now,
		ExpiresAt:    now.Add(FlowTTL),
	}
	authURL, err := authURL(prov, provider.AuthParams{
		RedirectURI:   s.RedirectURI(p.Provider),
		State:         state,
		Nonce:         nonce,
		CodeChallenge: s256(verifier),
	})
	if err != nil {
		return Started{}, err
	}
	if err := s.store.CreateFlow(ctx, flow); err != nil {
		return Started{}, fmt.Errorf("auth: start flow: %w", err)
	}
	return Started{RedirectURL: authURL, Browser: browser}, nil
}

// authURL asks the provider for its authorization URL; a provider whose
// discovery has not succeeded yet is unavailable.
func authURL(prov provider.Provider, p provider.AuthParams) (u string, err error) {
	if a, ok := prov.(interface{ Available() bool }); ok && !a.Available() {
		return "", apperr.New(shared.CodeProviderUnavailable, "This sign-in provider cannot be reached right now. Try again in a minute.")
	}
	return prov.AuthURL(p), nil
}

// CallbackParams are what the provider sent back, plus the flow cookie.
type CallbackParams struct {
	Provider string
	State    string
	Code     string
	Error    string
	Browser  string
	Meta     Meta
}

// Handoff is what the callback page hands to the SPA.
type Handoff struct {
	Mode    string // popup or redirect
	Flow    string // the SPA's challenge, naming its flow
	Process string // login or connect
	Code    string // the one-time handoff code of a successful login
	// Link is the secret of the pending link a popup login refused as
	// duplicate_email left behind (pending_link.go); posted, never put in
	// a URL.
	Link string
	// Err is why the flow failed, nil on success: an apperr with a stable
	// code, or an internal cause the HTTP layer logs and answers as
	// internal_error (or unavailable during a database outage). Provider
	// text is never reflected.
	Err error
}

// Callback finishes a redirect flow. It always answers a Handoff: errors
// travel to the SPA as stable codes, never as reflected provider text.
func (s *Service) Callback(ctx context.Context, p CallbackParams) Handoff {
	flow, err := s.spendFlow(ctx, p.State)
	if err != nil {
		return s.callbackFailed(ctx, p, Handoff{Mode: HandoffPopup}, "", err)
	}
	// From here on the SPA learns which of its flows failed, and how.
	h := Handoff{Mode: flow.Handoff, Flow: flow.SPAChallenge, Process: flow.Process}
	uid := ""
	if flow.UserID != nil {
		uid = *flow.UserID
	}
	if err := s.checkCallback(p, flow); err != nil {
		return s.callbackFailed(ctx, p, h, uid, err)
	}
	ident, err := s.exchangeCallback(ctx, p, flow)
	if err != nil {
		return s.callbackFailed(ctx, p, h, uid, err)
	}
	if flow.Process == ProcessConnect {
		if err := s.connect(ctx, uid, ident); err != nil {
			return s.callbackFailed(ctx, p, h, uid, err)
		}
		s.record(ctx, uid, p.Provider, nil, p.Meta)
		return h
	}
	if h.Code, err = s.loginHandoff(ctx, p.Provider, flow, ident, p.Meta); err != nil {
		h = s.callbackFailed(ctx, p, h, "", err)
		// Only a popup can carry the link's secret: the redirect
		// fallback would put it in a URL.
		if apperr.CodeOf(err) == shared.CodeDuplicateEmail && h.Mode == HandoffPopup {
			h.Link = s.offerLink(ctx, flow, ident)
		}
		return h
	}
	return h
}

// callbackFailed records the failed attempt and answers h carrying err
// (with context, unless it is already an apperr for the SPA).
func (s *Service) callbackFailed(ctx context.Context, p CallbackParams, h Handoff, userID string, err error) Handoff {
	s.record(ctx, userID, p.Provider, err, p.Meta)
	if _, ok := apperr.As(err); !ok {
		err = fmt.Errorf("auth: callback of %s: %w", p.Provider, err)
	}
	h.Code, h.Err = "", err
	return h
}

// spendFlow looks up the flow a callback's state names and spends it:
// a state works once, whatever happens next.
func (s *Service) spendFlow(ctx context.Context, state string) (store.Flow, error) {
	if !opaqueRE.MatchString(state) {
		return store.Flow{}, apperr.New(shared.CodeInvalidState, "The sign-in link is incomplete or was changed. Start again.")
	}
	flow, err := s.store.SpendFlow(ctx, hash(state), s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return store.Flow{}, apperr.Wrap(shared.CodeInvalidState, "This sign-in has expired or was already used. Start again.", err)
	}
	if err != nil {
		return store.Flow{}, fmt.Errorf("auth: spend flow: %w", err)
	}
	return flow, nil
}

// checkCallback holds the callback to the flow it spent (same provider,
// same browser) and refuses a provider answer that carries no code.
func (s *Service) checkCallback(p CallbackParams, flow store.Flow) error {
	if flow.Provider != p.Provider {
		return apperr.New(shared.CodeInvalidState, "This sign-in was started with another provider. Start again.")
	}
	if !opaqueRE.MatchString(p.Browser) || !equalConstant(string(hash(p.Browser)), string(flow.BrowserHash)) {
		return apperr.New(shared.CodeInvalidState, "This sign-in was started in another browser. Start again here.")
	}
	if p.Error != "" {
		if p.Error == "access_denied" {
			return apperr.New(shared.CodeAccessDenied, "Sign-in was cancelled at "+s.providerName(p.Provider)+".")
		}
		return apperr.New(shared.CodeProviderError, s.providerName(p.Provider)+" could not complete the sign-in.")
	}
	if p.Code == "" || len(p.Code) > 2048 {
		return apperr.New(shared.CodeProviderError, s.providerName(p.Provider)+" returned no authorization code.")
	}
	return nil
}

// exchangeCallback trades the callback's code at the provider, with the
// PKCE verifier and nonce the flow kept.
func (s *Service) exchangeCallback(ctx context.Context, p CallbackParams, flow store.Flow) (provider.Identity, error) {
	prov, err := s.provider(p.Provider)
	if err != nil {
		return provider.Identity{}, err
	}
	return prov.Exchange(ctx, provider.ExchangeParams{
		Code:         p.Code,
		RedirectURI:  s.RedirectURI(p.Provider),
		CodeVerifier: flow.PKCEVerifier,
		Nonce:        flow.Nonce,
		FlowStart:    flow.CreatedAt,
	})
}

// loginHandoff signs ident in and answers the one-time handoff code the
// SPA exchanges for tokens: the user, the handoff code and the login event
// in one transaction.
func (s *Service) loginHandoff(ctx context.Context, providerID string, flow store.Flow, ident provider.Identity, m Meta) (string, error) {
	code, err := random()
	if err != nil {
		return "", err
	}
	now := s.Now()
	if _, _, err := s.resolveWith(ctx, ident, store.SignInParams{
		Handoff: &store.Handoff{CodeHash: hash(code), Provider: providerID, Challenge: flow.SPAChallenge, CreatedAt: now, ExpiresAt: now.Add(HandoffTTL)},
		Events:  []store.LoginEvent{s.event("", providerID, nil, m)},
	}); err != nil {
		return "", err
	}
	if s.metrics != nil {
		s.metrics.SignIn(providerID, shared.OutcomeSuccess)
	}
	return code, nil
}

// Exchange trades a handoff code and the SPA's verifier for a token pair.
// The first attempt spends the code, even with a wrong verifier; every
// failure answers the same invalid_credential.
func (s *Service) Exchange(ctx context.Context, code, verifier string, m Meta) (SignedIn, error) {
	bad := apperr.New(shared.CodeInvalidCredential, "This sign-in code is invalid, expired or already used. Sign in again.")
	if !opaqueRE.MatchString(code) {
		return SignedIn{}, bad
	}
	// The code is spent and the session opened in one transaction; the
	// access token is signed after it. The provider attempt was recorded
	// at the callback.
	pend, err := s.prepare("", m)
	if err != nil {
		return SignedIn{}, err
	}
	var u store.User
	h, err := s.store.RedeemHandoff(ctx, hash(code), s.Now(), func(h store.Handoff) error {
		if !verifierRE.MatchString(verifier) || !equalConstant(s256(verifier), h.Challenge) {
			return bad
		}
		var err error
		if u, err = s.store.GetUser(ctx, h.UserID); err != nil {
			return fmt.Errorf("auth: exchange: %w", err)
		}
		if err := active(u); err != nil {
			return err
		}
		pend.Row.Family.Provider = store.Clip(h.Provider, 64)
		return nil
	}, pend.Row)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return SignedIn{}, bad
	case err != nil:
		if _, ok := apperr.As(err); ok {
			return SignedIn{}, err
		}
		return SignedIn{}, fmt.Errorf("auth: redeem handoff: %w", err)
	}
	pair, err := s.complete(ctx, pend, u)
	if err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Pair: pair, User: toUser(u), IsNew: h.IsNew}, nil
}

// NewNonce issues a single-use nonce for the Google button.
func (s *Service) NewNonce(ctx context.Context) (Expiring, error) {
	n, err := random()
	if err != nil {
		return Expiring{}, err
	}
	now := s.Now()
	if err := s.store.CreateNonce(ctx, hash(n), now, now.Add(NonceTTL)); err != nil {
		return Expiring{}, fmt.Errorf("auth: create nonce: %w", err)
	}
	return Expiring{Value: n, ExpiresAt: now.Add(NonceTTL)}, nil
}

// Credential signs in with a sign-in button's ID token (Google Identity
// Services); nonce is the one the page says it used, if any. The provider
// is the configured one whose kind verifies button credentials.
func (s *Service) Credential(ctx context.Context, credential, nonce string, m Meta) (SignedIn, error) {
	id, _, ok := s.providers.Button()
	if !ok {
		return SignedIn{}, apperr.New(shared.CodeNotFound, "No provider with a sign-in button is configured.")
	}
	res, uid, err := s.credential(ctx, id, credential, nonce, m)
	if err != nil {
		s.record(ctx, uid, id, err, m)
		return SignedIn{}, err
	}
	return res, nil
}

func (s *Service) credential(ctx context.Context, id, credential, nonce string, m Meta) (SignedIn, string, error) {
	prov, err := s.provider(id)
	if err != nil {
		return SignedIn{}, "", err
	}
	cv, ok := prov.(provider.CredentialVerifier)
	if !ok {
		return SignedIn{}, "", apperr.New(shared.CodeNotFound, "This provider has no sign-in button.")
	}
	if credential == "" || len(credential) > 8<<10 {
		return SignedIn{}, "", apperr.New(shared.CodeInvalidCredential, "The Google credential is missing or too large.")
	}
	cred, err := cv.VerifyCredential(ctx, credential)
	if err != nil {
		return SignedIn{}, "", err
	}
	use, err := s.credentialUse(credential, nonce, cred)
	if err != nil {
		return SignedIn{}, "", err
	}
	return s.signInAndStart(ctx, cred.Identity, id, use, m)
}

// credentialUse decides what makes a verified credential single use. The
// nonce claim governs, whatever the body says: a claimed nonce must be a
// live one we issued and is spent by this sign-in; the body's nonce, when
// given, must be that same one. Every accepted credential is remembered
// until the verifier would refuse it anyway, nonce or not.
func (s *Service) credentialUse(credential, nonce string, cred provider.Credential) (*store.CredentialUse, error) {
	use := &store.CredentialUse{
		Hash: hash(credential),
		// Skew on top: replicas' clocks may differ a little.
		ExpiresAt: cred.ExpiresAt.Add(provider.Skew),
	}
	switch {
	case nonce != "" && !equalConstant(nonce, cred.Nonce):
		return nil, apperr.New(shared.CodeInvalidCredential, "The Google credential was not issued for this nonce.")
	case cred.Nonce != "" && !opaqueRE.MatchString(cred.Nonce):
		return nil, apperr.New(shared.CodeInvalidCredential, "The Google credential's nonce is not one we issued.")
	case cred.Nonce != "":
		use.NonceHash = hash(cred.Nonce)
	case !s.opts.CredentialNonceOptional:
		return nil, apperr.New(shared.CodeInvalidCredential, "The Google credential has no nonce: sign in with the button on our page.")
	}
	return use, nil
}

// CodeParams are what an app that ran the provider redirect itself sends.
type CodeParams struct {
	Code         string
	RedirectURI  string
	CodeVerifier string
	Nonce        string
}

// CodeExchange is the client-driven flow: the app ran the provider redirect
// itself and sends the code with its PKCE verifier.
func (s *Service) CodeExchange(ctx context.Context, providerID string, req CodeParams, m Meta) (SignedIn, error) {
	res, uid, err := s.codeExchange(ctx, providerID, req, m)
	if err != nil {
		s.record(ctx, uid, providerID, err, m)
	}
	return res, err
}

func (s *Service) codeExchange(ctx context.Context, providerID string, req CodeParams, m Meta) (SignedIn, string, error) {
	prov, err := s.provider(providerID)
	if err != nil {
		return SignedIn{}, "", err
	}
	allowed := false
	for _, u := range s.opts.CodeRedirects {
		if req.RedirectURI == u {
			allowed = true
			break
		}
	}
	switch {
	case !allowed:
		return SignedIn{}, "", apperr.New(shared.CodeInvalidRequest, "redirect_uri is not in the configured allowlist.")
	case !verifierRE.MatchString(req.CodeVerifier):
		return SignedIn{}, "", apperr.New(shared.CodeInvalidRequest, "code_verifier is required (PKCE, 43 to 128 characters).")
	case req.Code == "" || len(req.Code) > 2048:
		return SignedIn{}, "", apperr.New(shared.CodeInvalidRequest, "code is required.")
	case len(req.Nonce) > 256:
		return SignedIn{}, "", apperr.New(shared.CodeInvalidRequest, "nonce is too long.")
	}
	ident, err := prov.Exchange(ctx, provider.ExchangeParams{
		Code: req.Code, RedirectURI: req.RedirectURI, CodeVerifier: req.CodeVerifier, Nonce: req.Nonce, NonceOptional: true,
	})
	if err != nil {
		return SignedIn{}, "", err
	}
	return s.signInAndStart(ctx, ident, providerID, nil, m)
}

// ConnectTicket lets the caller start a connect flow for providerID from a
// popup, which carries no Authorization header.
func (s *Service) ConnectTicket(ctx context.Context, userID, providerID, challenge string) (Expiring, error) {
	if _, err := s.provider(providerID); err != nil {
		return Expiring{}, err
	}
	if !ValidChallenge(challenge) {
		return Expiring{}, apperr.New(shared.CodeInvalidRequest, "challenge must be an S256 challenge (43 base64url characters).")
	}
	t, err := random()
	if err != nil {
		return Expiring{}, err
	}
	now := s.Now()
	if err := s.store.CreateTicket(ctx, store.Ticket{
		TicketHash: hash(t), UserID: userID, Provider: providerID, Challenge: challenge,
		CreatedAt: now, ExpiresAt: now.Add(TicketTTL),
	}); err != nil {
		return Expiring{}, fmt.Errorf("auth: create ticket: %w", err)
	}
	return Expiring{Value: t, ExpiresAt: now.Add(TicketTTL)}, nil
}

func (s *Service) spendTicket(ctx context.Context, ticket, providerID, challenge string) (string, error) {
	bad := apperr.New(shared.CodeConnectRequiresLogin, "Sign in first, then connect another account from your account page.")
	if !opaqueRE.MatchString(ticket) {
		return "", bad
	}
	t, err := s.store.SpendTicket(ctx, hash(ticket), s.Now())
	if errors.Is(err, store.ErrNotFound) {
		return "", bad
	}
	if err != nil {
		return "", fmt.Errorf("auth: spend ticket: %w", err)
	}
	if t.Provider != providerID || !equalConstant(t.Challenge, challenge) {
		return "", bad
	}
	return t.UserID, nil
}

// connect links an identity to userID. It never merges users.
func (s *Service) connect(ctx context.Context, userID string, id provider.Identity) error {
	row, err := s.identityRow(id)
	if err != nil {
		return err
	}
	_, err = s.store.Connect(ctx, userID, row, s.Now())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrAlreadyConnectedSelf):
		return apperr.Wrap(shared.CodeAlreadyConnectedSelf, "This "+s.providerName(id.Provider)+" account is already connected to your account.", err)
	case errors.Is(err, store.ErrAlreadyConnectedOther):
		return apperr.Wrap(shared.CodeAlreadyConnectedOther, "This "+s.providerName(id.Provider)+" account belongs to another user. Sign in with it to use that account, or disconnect it there first.", err)
	case errors.Is(err, store.ErrUserDisabled), errors.Is(err, store.ErrNotFound):
		return apperr.Wrap(shared.CodeConnectRequiresLogin, "Your session has ended. Sign in again.", err)
	default:
		return fmt.Errorf("auth: connect: %w", err)
	}
}

// Accounts lists the user's sign-in methods: the identities linked to
// userID, then their passkeys.
func (s *Service) Accounts(ctx context.Context, userID string) ([]Account, error) {
	ids, err := s.store.ListIdentities(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: accounts: %w", err)
	}
	keys, err := s.store.ListPasskeys(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: accounts: %w", err)
	}
	out := make([]Account, 0, len(ids)+len(keys))
	for _, i := range ids {
		out = append(out, Account{
			ID: i.ID, Kind: shared.AccountKindProvider, Provider: i.Provider, ProviderName: s.providerName(i.Provider), Subject: i.Subject,
			Email: i.Email, EmailVerified: i.EmailVerified, DisplayName: i.DisplayName,
			CreatedAt: i.CreatedAt, LastLoginAt: i.LastLoginAt,
		})
	}
	for _, k := range keys {
		out = append(out, passkeyAccount(k))
	}
	return out, nil
}

// Disconnect unlinks one identity; the last way to sign in is refused.
func (s *Service) Disconnect(ctx context.Context, userID, identityID string) error {
	err := s.store.DeleteIdentity(ctx, userID, identityID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return apperr.Wrap(shared.CodeNotFound, "No such linked account.", err)
	case errors.Is(err, store.ErrLastLoginMethod):
		return errLastMethod(err)
	default:
		return fmt.Errorf("auth: disconnect: %w", err)
	}
}
