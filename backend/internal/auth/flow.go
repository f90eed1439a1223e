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
	now := s.now()
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
	Message shared.HandoffMessage
	// Err is the cause of a failure that has no stable code (the Message
	// says internal_error): the HTTP layer logs it and may tell the client
	// better, e.g. unavailable during a database outage.
	Err error
}

// Callback finishes a redirect flow. It always answers a Handoff: errors
// travel to the SPA as stable codes, never as reflected provider text.
func (s *Service) Callback(ctx context.Context, p CallbackParams) Handoff {
	h := Handoff{Mode: HandoffPopup, Message: shared.HandoffMessage{Type: shared.HandoffType}}
	fail := func(userID string, err error) Handoff {
		s.record(ctx, userID, p.Provider, err, p.Meta)
		e, ok := apperr.As(err)
		if !ok {
			h.Err = fmt.Errorf("auth: callback of %s: %w", p.Provider, err)
			e = apperr.New(shared.CodeInternal, "Something went wrong on our side. Try again.")
		}
		h.Message.OK = false
		h.Message.Error = &shared.ErrorBody{Code: e.Code, Message: e.Message}
		return h
	}
	if !opaqueRE.MatchString(p.State) {
		return fail("", apperr.New(shared.CodeInvalidState, "The sign-in link is incomplete or was changed. Start again."))
	}
	flow, err := s.store.SpendFlow(ctx, hash(p.State), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return fail("", apperr.Wrap(shared.CodeInvalidState, "This sign-in has expired or was already used. Start again.", err))
	}
	if err != nil {
		return fail("", fmt.Errorf("auth: spend flow: %w", err))
	}
	h.Mode = flow.Handoff
	h.Message.Flow = flow.SPAChallenge
	h.Message.Process = flow.Process
	uid := ""
	if flow.UserID != nil {
		uid = *flow.UserID
	}
	if flow.Provider != p.Provider {
		return fail(uid, apperr.New(shared.CodeInvalidState, "This sign-in was started with another provider. Start again."))
	}
	if !opaqueRE.MatchString(p.Browser) || !equalConstant(string(hash(p.Browser)), string(flow.BrowserHash)) {
		return fail(uid, apperr.New(shared.CodeInvalidState, "This sign-in was started in another browser. Start again here."))
	}
	if p.Error != "" {
		if p.Error == "access_denied" {
			return fail(uid, apperr.New(shared.CodeAccessDenied, "Sign-in was cancelled at "+s.providerName(p.Provider)+"."))
		}
		return fail(uid, apperr.New(shared.CodeProviderError, s.providerName(p.Provider)+" could not complete the sign-in."))
	}
	if p.Code == "" || len(p.Code) > 2048 {
		return fail(uid, apperr.New(shared.CodeProviderError, s.providerName(p.Provider)+" returned no authorization code."))
	}
	prov, err := s.provider(p.Provider)
	if err != nil {
		return fail(uid, err)
	}
	ident, err := prov.Exchange(ctx, provider.ExchangeParams{
		Code:         p.Code,
		RedirectURI:  s.RedirectURI(p.Provider),
		CodeVerifier: flow.PKCEVerifier,
		Nonce:        flow.Nonce,
		FlowStart:    flow.CreatedAt,
	})
	if err != nil {
		return fail(uid, err)
	}
	if flow.Process == ProcessConnect {
		if err := s.connect(ctx, uid, ident); err != nil {
			return fail(uid, err)
		}
		s.record(ctx, uid, p.Provider, nil, p.Meta)
		h.Message.OK = true
		return h
	}
	// The user, the handoff code and the login event in one transaction.
	code, err := random()
	if err != nil {
		return fail("", err)
	}
	now := s.now()
	if _, _, err := s.resolveWith(ctx, ident, store.SignInParams{
		Handoff: &store.Handoff{CodeHash: hash(code), Provider: p.Provider, Challenge: flow.SPAChallenge, CreatedAt: now, ExpiresAt: now.Add(HandoffTTL)},
		Events:  []store.LoginEvent{s.event("", p.Provider, nil, p.Meta)},
	}); err != nil {
		return fail("", err)
	}
	if s.metrics != nil {
		s.metrics.SignIn(p.Provider, shared.OutcomeSuccess)
	}
	h.Message.OK = true
	h.Message.Code = code
	return h
}

// Exchange trades a handoff code and the SPA's verifier for a token pair.
// The first attempt spends the code, even with a wrong verifier; every
// failure answers the same invalid_credential.
func (s *Service) Exchange(ctx context.Context, req shared.ExchangeRequest, m Meta) (shared.SignInResponse, error) {
	bad := apperr.New(shared.CodeInvalidCredential, "This sign-in code is invalid, expired or already used. Sign in again.")
	if !opaqueRE.MatchString(req.Code) {
		return shared.SignInResponse{}, bad
	}
	// The code is spent and the session opened in one transaction; the
	// access token is signed after it. The provider attempt was recorded
	// at the callback.
	pend, err := s.prepare("", m)
	if err != nil {
		return shared.SignInResponse{}, err
	}
	var u store.User
	h, err := s.store.RedeemHandoff(ctx, hash(req.Code), s.now(), func(h store.Handoff) error {
		if !verifierRE.MatchString(req.Verifier) || !equalConstant(s256(req.Verifier), h.Challenge) {
			return bad
		}
		var err error
		if u, err = s.store.GetUser(ctx, h.UserID); err != nil {
			return fmt.Errorf("auth: exchange: %w", err)
		}
		if u.DisabledAt != nil {
			return apperr.New(shared.CodeAccessDenied, "This account is disabled.")
		}
		pend.Row.Family.Provider = store.Clip(h.Provider, 64)
		return nil
	}, pend.Row)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return shared.SignInResponse{}, bad
	case err != nil:
		if _, ok := apperr.As(err); ok {
			return shared.SignInResponse{}, err
		}
		return shared.SignInResponse{}, fmt.Errorf("auth: redeem handoff: %w", err)
	}
	pair, err := s.complete(ctx, pend, u)
	if err != nil {
		return shared.SignInResponse{}, err
	}
	return shared.SignInResponse{TokenPair: pair, User: ToUser(u), IsNew: h.IsNew}, nil
}

// NewNonce issues a single-use nonce for the Google button.
func (s *Service) NewNonce(ctx context.Context) (shared.NonceResponse, error) {
	n, err := random()
	if err != nil {
		return shared.NonceResponse{}, err
	}
	now := s.now()
	if err := s.store.CreateNonce(ctx, hash(n), now, now.Add(NonceTTL)); err != nil {
		return shared.NonceResponse{}, fmt.Errorf("auth: create nonce: %w", err)
	}
	return shared.NonceResponse{Nonce: n, ExpiresAt: now.Add(NonceTTL)}, nil
}

// Credential signs in with a Google Identity Services ID token.
func (s *Service) Credential(ctx context.Context, req shared.GoogleCredentialRequest, m Meta) (shared.SignInResponse, error) {
	const id = "google"
	res, uid, err := s.credential(ctx, id, req, m)
	if err != nil {
		s.record(ctx, uid, id, err, m)
		return shared.SignInResponse{}, err
	}
	return res, nil
}

func (s *Service) credential(ctx context.Context, id string, req shared.GoogleCredentialRequest, m Meta) (shared.SignInResponse, string, error) {
	prov, err := s.provider(id)
	if err != nil {
		return shared.SignInResponse{}, "", err
	}
	cv, ok := prov.(provider.CredentialVerifier)
	if !ok {
		return shared.SignInResponse{}, "", apperr.New(shared.CodeNotFound, "This provider has no sign-in button.")
	}
	if req.Credential == "" || len(req.Credential) > 8<<10 {
		return shared.SignInResponse{}, "", apperr.New(shared.CodeInvalidCredential, "The Google credential is missing or too large.")
	}
	cred, err := cv.VerifyCredential(ctx, req.Credential)
	if err != nil {
		return shared.SignInResponse{}, "", err
	}
	use, err := s.credentialUse(req, cred)
	if err != nil {
		return shared.SignInResponse{}, "", err
	}
	return s.signInAndStart(ctx, cred.Identity, id, use, m)
}

// credentialUse decides what makes a verified credential single use. The
// nonce claim governs, whatever the body says: a claimed nonce must be a
// live one we issued and is spent by this sign-in; the body's nonce, when
// given, must be that same one. Every accepted credential is remembered
// until the verifier would refuse it anyway, nonce or not.
func (s *Service) credentialUse(req shared.GoogleCredentialRequest, cred provider.Credential) (*store.CredentialUse, error) {
	use := &store.CredentialUse{
		Hash: hash(req.Credential),
		// Skew on top: replicas' clocks may differ a little.
		ExpiresAt: cred.ExpiresAt.Add(provider.Skew),
	}
	switch {
	case req.Nonce != "" && !equalConstant(req.Nonce, cred.Nonce):
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

// CodeExchange is the client-driven flow: the app ran the provider redirect
// itself and sends the code with its PKCE verifier.
func (s *Service) CodeExchange(ctx context.Context, providerID string, req shared.CodeExchangeRequest, m Meta) (shared.SignInResponse, error) {
	res, uid, err := s.codeExchange(ctx, providerID, req, m)
	if err != nil {
		s.record(ctx, uid, providerID, err, m)
	}
	return res, err
}

func (s *Service) codeExchange(ctx context.Context, providerID string, req shared.CodeExchangeRequest, m Meta) (shared.SignInResponse, string, error) {
	prov, err := s.provider(providerID)
	if err != nil {
		return shared.SignInResponse{}, "", err
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
		return shared.SignInResponse{}, "", apperr.New(shared.CodeInvalidRequest, "redirect_uri is not in the configured allowlist.")
	case !verifierRE.MatchString(req.CodeVerifier):
		return shared.SignInResponse{}, "", apperr.New(shared.CodeInvalidRequest, "code_verifier is required (PKCE, 43 to 128 characters).")
	case req.Code == "" || len(req.Code) > 2048:
		return shared.SignInResponse{}, "", apperr.New(shared.CodeInvalidRequest, "code is required.")
	case len(req.Nonce) > 256:
		return shared.SignInResponse{}, "", apperr.New(shared.CodeInvalidRequest, "nonce is too long.")
	}
	ident, err := prov.Exchange(ctx, provider.ExchangeParams{
		Code: req.Code, RedirectURI: req.RedirectURI, CodeVerifier: req.CodeVerifier, Nonce: req.Nonce, NonceOptional: true,
	})
	if err != nil {
		return shared.SignInResponse{}, "", err
	}
	return s.signInAndStart(ctx, ident, providerID, nil, m)
}

// ConnectTicket lets the caller start a connect flow for providerID from a
// popup, which carries no Authorization header.
func (s *Service) ConnectTicket(ctx context.Context, userID string, req shared.ConnectTicketRequest) (shared.ConnectTicketResponse, error) {
	if _, err := s.provider(req.Provider); err != nil {
		return shared.ConnectTicketResponse{}, err
	}
	if !ValidChallenge(req.Challenge) {
		return shared.ConnectTicketResponse{}, apperr.New(shared.CodeInvalidRequest, "challenge must be an S256 challenge (43 base64url characters).")
	}
	t, err := random()
	if err != nil {
		return shared.ConnectTicketResponse{}, err
	}
	now := s.now()
	if err := s.store.CreateTicket(ctx, store.Ticket{
		TicketHash: hash(t), UserID: userID, Provider: req.Provider, Challenge: req.Challenge,
		CreatedAt: now, ExpiresAt: now.Add(TicketTTL),
	}); err != nil {
		return shared.ConnectTicketResponse{}, fmt.Errorf("auth: create ticket: %w", err)
	}
	return shared.ConnectTicketResponse{Ticket: t, ExpiresAt: now.Add(TicketTTL)}, nil
}

func (s *Service) spendTicket(ctx context.Context, ticket, providerID, challenge string) (string, error) {
	bad := apperr.New(shared.CodeConnectRequiresLogin, "Sign in first, then connect another account from your account page.")
	if !opaqueRE.MatchString(ticket) {
		return "", bad
	}
	t, err := s.store.SpendTicket(ctx, hash(ticket), s.now())
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
	_, err = s.store.Connect(ctx, userID, row, s.now())
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

// Accounts lists the identities linked to userID.
func (s *Service) Accounts(ctx context.Context, userID string) ([]shared.LinkedAccount, error) {
	ids, err := s.store.ListIdentities(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: accounts: %w", err)
	}
	out := make([]shared.LinkedAccount, 0, len(ids))
	for _, i := range ids {
		out = append(out, shared.LinkedAccount{
			ID: i.ID, Provider: i.Provider, ProviderName: s.providerName(i.Provider), Subject: i.Subject,
			Email: i.Email, EmailVerified: i.EmailVerified, DisplayName: i.DisplayName,
			CreatedAt: i.CreatedAt, LastLoginAt: i.LastLoginAt,
		})
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
		return apperr.Wrap(shared.CodeLastLoginMethod, "This is the only way you can sign in, so it can't be disconnected. Connect another provider first.", err)
	default:
		return fmt.Errorf("auth: disconnect: %w", err)
	}
}
