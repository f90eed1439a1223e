package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/clientip"
	"github.com/authbridge/authbridge/backend/internal/config"
	"github.com/authbridge/authbridge/shared"
)

// FlowCookie binds a redirect flow to the browser that started it (login
// and connect CSRF). Lax, so it comes back on the provider's top-level
// redirect to our callback.
const FlowCookie = "__Host-authbridge_flow"

func meta(r *http.Request, ips *clientip.Resolver) auth.Meta {
	return auth.Meta{IP: ips.ClientIP(r), UserAgent: r.UserAgent()}
}

// handleProviders lists the configured providers for the dashboard.
func handleProviders(svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, buttonClientID := svc.Providers()
		// The contract calls the button's client id google_client_id.
		out := shared.ProvidersResponse{Providers: make([]shared.ProviderInfo, 0, len(list)), GoogleClientID: buttonClientID, Passkeys: svc.PasskeysOn()}
		for _, info := range list {
			out.Providers = append(out.Providers, shared.ProviderInfo{
				ID: info.ID, Name: info.Name, Kind: info.Kind, Available: info.Available,
				LoginURL: "/api/auth/" + info.ID + "/login",
			})
		}
		encode(w, http.StatusOK, out)
	})
}

// handleLogin starts a redirect flow and sends the browser to the provider.
// Problems are handed to the SPA like any other outcome.
func handleLogin(log *slog.Logger, cfg config.Config, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		p := auth.StartParams{
			Provider:  r.PathValue("provider"),
			Process:   orDefault(q.Get("process"), auth.ProcessLogin),
			Handoff:   orDefault(q.Get("handoff"), auth.HandoffPopup),
			Challenge: q.Get("challenge"),
			Ticket:    q.Get("ticket"),
		}
		if c, err := r.Cookie(FlowCookie); err == nil {
			p.Browser = c.Value
		}
		fail := func(err error) {
			h := auth.Handoff{Mode: p.Handoff, Process: p.Process, Err: err}
			if auth.ValidChallenge(p.Challenge) {
				h.Flow = p.Challenge
			}
			writeHandoff(w, r, log, cfg, h)
		}
		// Absent values take their defaults; anything else unknown is
		// refused rather than guessed at, and never echoed back.
		if p.Handoff != auth.HandoffPopup && p.Handoff != auth.HandoffRedirect {
			p.Handoff, p.Process = auth.HandoffPopup, ""
			fail(apperr.New(shared.CodeInvalidRequest, "handoff must be popup or redirect."))
			return
		}
		if p.Process != auth.ProcessLogin && p.Process != auth.ProcessConnect {
			p.Process = ""
			fail(apperr.New(shared.CodeInvalidRequest, "process must be login or connect."))
			return
		}
		started, err := svc.Start(r.Context(), p)
		if err != nil {
			fail(err)
			return
		}
		setFlowCookie(w, started.Browser, int(auth.FlowTTL.Seconds()))
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, started.RedirectURL, http.StatusFound)
	})
}

// handleCallback finishes a flow and hands the result to the SPA.
func handleCallback(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		p := auth.CallbackParams{
			Provider: r.PathValue("provider"),
			State:    q.Get("state"),
			Code:     q.Get("code"),
			Error:    q.Get("error"),
			Meta:     meta(r, ips),
		}
		if c, err := r.Cookie(FlowCookie); err == nil {
			p.Browser = c.Value
		}
		h := svc.Callback(r.Context(), p)
		if h.Link != "" {
			// The pending link is bound to this cookie: keep it as long.
			setFlowCookie(w, p.Browser, int(auth.PendingLinkTTL.Seconds()))
		}
		writeHandoff(w, r, log, cfg, h)
	})
}

// handoffScript posts the result to the opener at the exact frontend
// origin, then closes the popup; without an opener it falls back to a
// redirect. It posts nowhere else (no BroadcastChannel): the SPA only
// believes messages whose source is its own popup. It is constant, so the
// CSP allows it by hash: its words (the close hint, in the page's
// language) come in the data block.
const handoffScript = `(function(){
var d=JSON.parse(document.getElementById("handoff").textContent);
var o=null;try{o=window.opener}catch(e){}
if(d.mode==="popup"&&o&&!o.closed){
try{o.postMessage(d.message,d.origin)}catch(e){}
window.close();
setTimeout(function(){document.getElementById("status").textContent=d.close},500);
}else{window.location.replace(d.redirect)}
})();`

var handoffScriptHash = func() string {
	h := sha256.Sum256([]byte(handoffScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}()

var handoffPage = template.Must(template.New("handoff").Parse(`<!doctype html>
<html lang="{{.T.Lang}}"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.T.Title}}</title></head>
<body><p id="status">{{if .OK}}{{.T.OK}}{{else}}{{.T.Failed}}{{end}}</p>
<script type="application/json" id="handoff">{{.Data}}</script>
<script>{{.Script}}</script></body></html>`))

// fragmentURL is the redirect fallback: the frontend with the result in the
// URL fragment, which browsers never send to a server. It carries the
// one-time code only, never a token.
func fragmentURL(cfg config.Config, m shared.HandoffMessage) string {
	return cfg.FrontendOrigin + "/#" + m.Fragment()
}

// handoffMessage is the message a handoff carries to the SPA; a failure
// says what publicError would.
func handoffMessage(r *http.Request, log *slog.Logger, h auth.Handoff) shared.HandoffMessage {
	m := shared.HandoffMessage{Type: shared.HandoffType, OK: h.Err == nil, Code: h.Code, Flow: h.Flow, Process: h.Process}
	if h.Err != nil {
		e := publicError(r, log, h.Err)
		m.Code = ""
		m.Error = &shared.ErrorBody{Code: e.Code, Message: e.Message}
		m.Link = h.Link // posted only: Fragment leaves it out
	}
	return m
}

// writeHandoff answers with the handoff page (popup) or a redirect.
func writeHandoff(w http.ResponseWriter, r *http.Request, log *slog.Logger, cfg config.Config, h auth.Handoff) {
	msg := handoffMessage(r, log, h)
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("X-Content-Type-Options", "nosniff")
	status := handoffStatus(msg)
	if status == http.StatusServiceUnavailable {
		hdr.Set("Retry-After", retryAfterUnavailable)
	}
	redirect := fragmentURL(cfg, msg)
	if h.Mode == auth.HandoffRedirect {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return
	}
	words := handoffTextFor(r.Header.Get("Accept-Language"))
	data, _ := json.Marshal(map[string]any{
		"mode": h.Mode, "origin": cfg.FrontendOrigin, "message": msg, "redirect": redirect, "close": words.Close,
	})
	hdr.Set("Content-Security-Policy", "default-src 'none'; script-src "+handoffScriptHash+"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Language", words.Lang)
	hdr.Set("Vary", "Accept-Language")
	w.WriteHeader(status)
	_ = handoffPage.Execute(w, map[string]any{
		"T":      words,
		"OK":     msg.OK,
		"Data":   template.JS(jsonForScript(data)),
		"Script": template.JS(handoffScript),
	})
}

// handoffStatus is the status of a handoff page. The page itself carries
// the result to the SPA, so most failures (a denial at the provider, a
// replayed state) answer 200 like a success; a malformed request answers
// 400 and a database outage 503 (with Retry-After), as every other route
// does, so that monitors and clients that look at statuses see them. A
// browser runs the page's script whatever the status.
func handoffStatus(m shared.HandoffMessage) int {
	if m.OK || m.Error == nil {
		return http.StatusOK
	}
	switch m.Error.Code {
	case shared.CodeInvalidRequest, shared.CodeUnavailable:
		return statusOf[m.Error.Code]
	}
	return http.StatusOK
}

// jsonForScript makes JSON safe inside a <script> data block.
func jsonForScript(b []byte) string {
	s := string(b)
	s = strings.ReplaceAll(s, "<", `\u003c`)
	s = strings.ReplaceAll(s, ">", `\u003e`)
	s = strings.ReplaceAll(s, "&", `\u0026`)
	return s
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// handleExchange trades the one-time handoff code for a token pair. Browsers
// (an Origin we serve) get the refresh token as the HttpOnly cookie only.
func handleExchange(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.ExchangeRequest](w, r, false)
		if err == nil && (req.Code == "" || req.Verifier == "") {
			// Malformed, not a wrong guess: refused before the code is
			// looked up, so it spends nothing.
			err = apperr.New(shared.CodeInvalidRequest, "code and verifier are both required.")
		}
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		res, err := svc.Exchange(r.Context(), req.Code, req.Verifier, meta(r, ips))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		answerSignIn(w, r, cfg, res)
	})
}

// answerSignIn writes a sign-in response. A request from an allowed browser
// origin gets the refresh token as a cookie and not in the body.
func answerSignIn(w http.ResponseWriter, r *http.Request, cfg config.Config, signedIn auth.SignedIn) {
	res := wireSignIn(signedIn)
	if originAllowed(r, cfg.AllowedOrigins) {
		now := time.Now()
		setRefreshCookie(w, res.RefreshToken, now.Add(cfg.RefreshTTL), now)
		res.RefreshToken = ""
	}
	encode(w, http.StatusOK, res)
}

func handleNonce(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := svc.NewNonce(r.Context())
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, shared.NonceResponse{Nonce: n.Value, ExpiresAt: n.ExpiresAt})
	})
}

func handleCredential(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.GoogleCredentialRequest](w, r, false)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		res, err := svc.Credential(r.Context(), req.Credential, req.Nonce, meta(r, ips))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		answerSignIn(w, r, cfg, res)
	})
}

func handleCodeExchange(log *slog.Logger, cfg config.Config, svc *auth.Service, ips *clientip.Resolver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.CodeExchangeRequest](w, r, false)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		res, err := svc.CodeExchange(r.Context(), r.PathValue("provider"), auth.CodeParams{
			Code: req.Code, RedirectURI: req.RedirectURI, CodeVerifier: req.CodeVerifier, Nonce: req.Nonce,
		}, meta(r, ips))
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		answerSignIn(w, r, cfg, res)
	})
}

func handleConnectTicket(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := decode[shared.ConnectTicketRequest](w, r, false)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		t, err := svc.ConnectTicket(r.Context(), claimsFrom(r).Subject, req.Provider, req.Challenge)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, shared.ConnectTicketResponse{Ticket: t.Value, ExpiresAt: t.ExpiresAt})
	})
}

func handleAccounts(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accts, err := svc.Accounts(r.Context(), claimsFrom(r).Subject)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		encode(w, http.StatusOK, wireList(accts, wireAccount))
	})
}

func handleDisconnect(log *slog.Logger, svc *auth.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.Disconnect(r.Context(), claimsFrom(r).Subject, r.PathValue("id")); err != nil {
			writeError(w, r, log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
