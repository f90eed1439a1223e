// Package provider talks to identity providers: Google (button credential
// and redirect), Microsoft Entra ID, LINE, Discord, GitHub and any OIDC
// issuer. Each one turns an authorization code (or a credential) into a
// normalised Identity. Factories are passed in by the caller; there is no
// global registry.
package provider

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/shared"
)

// Identity is what a provider says about the user, normalised. Its key is
// (Provider, Issuer, Subject). EmailVerified is true only when the provider
// itself verified the address.
type Identity struct {
	Provider      string
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	AvatarURL     string
	HostedDomain  string
	TenantID      string
}

// Info describes a provider for the providers list.
type Info struct {
	ID   string
	Name string
	Kind string // "oidc" or "oauth2"
}

// AuthParams build the authorization URL. CodeChallenge is the S256 of the
// backend-held PKCE verifier.
type AuthParams struct {
	RedirectURI   string
	State         string
	Nonce         string
	CodeChallenge string
}

// ExchangeParams redeem an authorization code.
type ExchangeParams struct {
	Code         string
	RedirectURI  string
	CodeVerifier string
	Nonce        string // compared with the ID token's nonce (OIDC)
}

// Provider is the small interface every provider implements.
type Provider interface {
	Info() Info
	AuthURL(AuthParams) string
	Exchange(ctx context.Context, p ExchangeParams) (Identity, error)
}

// CredentialVerifier is implemented by providers with a sign-in button
// that hands the page an ID token (Google Identity Services).
type CredentialVerifier interface {
	VerifyCredential(ctx context.Context, rawIDToken, nonce string) (Identity, error)
}

// Config configures one provider instance.
type Config struct {
	ID             string // provider id in URLs: google, github, or the lower-cased OIDC name
	Kind           string // factory key: google, microsoft, line, discord, github, oidc
	DisplayName    string
	ClientID       string
	ClientSecret   string
	Issuer         string
	AuthURL        string
	TokenURL       string
	APIURL         string
	Tenant         string
	AllowedTenants []string
	HostedDomain   string
	HTTPClient     *http.Client
	Now            func() time.Time
	Logger         *slog.Logger
}

// Factory builds a provider; it may do network I/O (discovery).
type Factory func(ctx context.Context, cfg Config) (Provider, error)

// Factories are the built-in providers by Config.Kind.
func Factories() map[string]Factory {
	return map[string]Factory{
		"google":    NewGoogle,
		"oidc":      NewOIDC,
		"github":    NewGitHub,
		"discord":   NewDiscord,
		"microsoft": NewMicrosoft,
		"line":      NewLINE,
	}
}

// MaxResponse caps every provider response body.
const MaxResponse = 1 << 20

// NewHTTPClient is the outbound client for providers: a timeout on every
// call and a cap on every response body.
func NewHTTPClient(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.ResponseHeaderTimeout = timeout
	return &http.Client{Timeout: timeout, Transport: capped{base}}
}

type capped struct{ next http.RoundTripper }

func (c capped) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxResponse}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

var errTooLarge = errors.New("provider: response too large")

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// withClient makes x/oauth2 and go-oidc use our client.
func withClient(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c)
}

// classify turns a transport or token-endpoint failure into a contract
// error: unreachable, timed out or 5xx → provider_unavailable; anything
// else the provider answered → provider_error.
func classify(name string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil && re.Response.StatusCode >= 500 {
			return apperr.Wrap(shared.CodeProviderUnavailable, name+" is not answering right now. Try again in a minute.", err)
		}
		return apperr.Wrap(shared.CodeProviderError, name+" refused the sign-in (the code may have expired). Start again.", err)
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) || errors.Is(err, context.DeadlineExceeded) {
		return apperr.Wrap(shared.CodeProviderUnavailable, name+" could not be reached. Try again in a minute.", err)
	}
	return apperr.Wrap(shared.CodeProviderError, name+" sent an answer we could not use.", err)
}

// httpStatusError is a non-2xx answer of a provider API.
type httpStatusError struct{ status int }

func (e httpStatusError) Error() string { return "provider: HTTP " + http.StatusText(e.status) }

func statusErr(name string, status int) error {
	if status >= 500 {
		return apperr.Wrap(shared.CodeProviderUnavailable, name+" is not answering right now. Try again in a minute.", httpStatusError{status})
	}
	return apperr.Wrap(shared.CodeProviderError, name+" refused our request.", httpStatusError{status})
}

func invalidCredential(err error) error {
	return apperr.Wrap(shared.CodeInvalidCredential, "The sign-in token from the provider is not valid.", err)
}

// exchangeCode redeems an authorization code at the token endpoint with
// the PKCE verifier, through the provider's HTTP client.
func exchangeCode(ctx context.Context, c oauth2.Config, client *http.Client, name string, e ExchangeParams) (*oauth2.Token, error) {
	c.RedirectURL = e.RedirectURI
	tok, err := c.Exchange(withClient(ctx, client), e.Code, oauth2.VerifierOption(e.CodeVerifier))
	if err != nil {
		return nil, classify(name, err)
	}
	return tok, nil
}

// idToken is the id_token of a token response.
func idToken(tok *oauth2.Token, name string) (string, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", classify(name, errors.New("token response without id_token"))
	}
	return raw, nil
}
