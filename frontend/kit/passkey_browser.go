package kit

import (
	"context"

	"github.com/authbridge/authbridge/shared"
	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// ProviderPasskey is the id passkeys go by among sign-in methods (a
// LinkedAccount's Provider, a session's, the login history's).
const ProviderPasskey = "passkey"

// passkeysSupported says whether this browser has WebAuthn here (it is
// absent on insecure origins).
func passkeysSupported() bool {
	if !app.IsClient {
		return false
	}
	pkc := app.Window().Get("PublicKeyCredential")
	return pkc.Truthy() && app.Window().Get("navigator").Get("credentials").Truthy()
}

// conditionalAvailable asks the browser whether it offers passkeys in a
// field's autofill (PublicKeyCredential.isConditionalMediationAvailable).
// It blocks: call it off the UI goroutine.
func conditionalAvailable(ctx context.Context) bool {
	if !passkeysSupported() {
		return false
	}
	pkc := app.Window().Get("PublicKeyCredential")
	if pkc.Get("isConditionalMediationAvailable").Type() != app.TypeFunction {
		return false
	}
	v, err := await(ctx, pkc.Call("isConditionalMediationAvailable"))
	return err == nil && v.Type() == app.TypeBoolean && v.Bool()
}

// await waits for promise p: its value, or the rejection as *Error (a
// DOMException read by domError).
func await(ctx context.Context, p app.Value) (app.Value, error) {
	type result struct {
		v   app.Value
		err error
	}
	done := make(chan result, 1)
	ok := app.FuncOf(func(_ app.Value, a []app.Value) any {
		v := app.Undefined()
		if len(a) > 0 {
			v = a[0]
		}
		done <- result{v: v}
		return nil
	})
	fail := app.FuncOf(func(_ app.Value, a []app.Value) any {
		name, msg := "Error", "rejected"
		if len(a) > 0 && a[0].Truthy() {
			if n := a[0].Get("name"); n.Type() == app.TypeString {
				name = n.String()
			}
			if m := a[0].Get("message"); m.Type() == app.TypeString {
				msg = m.String()
			}
		}
		done <- result{err: domError(name, msg)}
		return nil
	})
	defer func() { ok.Release(); fail.Release() }()
	p.Call("then", ok, fail)
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		return nil, &Error{Code: CodePasskeyCancelled, Message: ctx.Err().Error()}
	}
}

// toJS makes v (JSON values, []byte as an ArrayBuffer) a JavaScript value.
func toJS(v any) app.Value {
	switch v := v.(type) {
	case map[string]any:
		o := app.Window().Get("Object").New()
		for k, x := range v {
			o.Set(k, toJS(x))
		}
		return o
	case []any:
		a := app.Window().Get("Array").New()
		for _, x := range v {
			a.Call("push", toJS(x))
		}
		return a
	case []string:
		a := app.Window().Get("Array").New()
		for _, x := range v {
			a.Call("push", x)
		}
		return a
	case []byte:
		u := app.Window().Get("Uint8Array").New(len(v))
		app.CopyBytesToJS(u, v)
		return u.Get("buffer")
	}
	return app.ValueOf(v)
}

// bytesOf copies an ArrayBuffer (or a view of one) into Go; nil for
// null or undefined.
func bytesOf(v app.Value) []byte {
	if !v.Truthy() {
		return nil
	}
	u := app.Window().Get("Uint8Array").New(v)
	b := make([]byte, u.Get("length").Int())
	app.CopyBytesToGo(b, u)
	return b
}

// stringOf is v when it is a string, else "".
func stringOf(v app.Value) string {
	if v.Type() != app.TypeString {
		return ""
	}
	return v.String()
}

// credentials calls navigator.credentials.create or .get (method) with pk
// as publicKey, and mediation ("": the browser's default), until the
// browser answers or signal aborts it. It blocks: call it off the UI
// goroutine.
func credentials(ctx context.Context, method string, pk map[string]any, mediation string, signal app.Value) (Credential, error) {
	if !passkeysSupported() {
		return Credential{}, &Error{Code: CodePasskeyUnsupported, Message: "this browser has no passkeys here"}
	}
	opts := app.Window().Get("Object").New()
	opts.Set("publicKey", toJS(pk))
	if mediation != "" {
		opts.Set("mediation", mediation)
	}
	if signal != nil && signal.Truthy() {
		opts.Set("signal", signal)
	}
	v, err := await(ctx, app.Window().Get("navigator").Get("credentials").Call(method, opts))
	if err != nil {
		return Credential{}, err
	}
	if !v.Truthy() {
		return Credential{}, &Error{Code: CodePasskeyCancelled, Message: "no credential"}
	}
	r := v.Get("response")
	c := Credential{
		ID: stringOf(v.Get("id")), RawID: bytesOf(v.Get("rawId")), Type: stringOf(v.Get("type")),
		Attachment: stringOf(v.Get("authenticatorAttachment")), ClientDataJSON: bytesOf(r.Get("clientDataJSON")),
	}
	if method == "create" {
		c.AttestationObject = bytesOf(r.Get("attestationObject"))
		if r.Get("getTransports").Type() == app.TypeFunction {
			t := r.Call("getTransports")
			c.Transports = []string{}
			for i := 0; i < t.Length(); i++ {
				c.Transports = append(c.Transports, t.Index(i).String())
			}
		}
	} else {
		c.AuthenticatorData = bytesOf(r.Get("authenticatorData"))
		c.Signature = bytesOf(r.Get("signature"))
		c.UserHandle = bytesOf(r.Get("userHandle"))
	}
	return c, nil
}

// SignInWithPasskey signs in with a passkey the browser offers (a
// discoverable credential: no user name typed). Call it from the click's
// handler itself: the options are fetched within the click's activation
// and the browser's passkey dialog opens at once. A pending autofill
// request (PasskeyAutofill) gives way to it. It ends like every sign-in
// (OnSignedIn, or OnError with the server's code); the user cancelling
// the dialog is no error: nothing is reported, the button is offered
// again.
func (k *Kit) SignInWithPasskey(ctx app.Context) {
	signal := k.newPasskeyRequest()
	k.publish(ctx, func(s *State) { s.PasskeyBusy = true })
	ctx.Async(func() { k.passkeySignIn(ctx, "", signal) })
}

// PasskeyAutofill offers the user's passkeys in the page's autofill
// (conditional mediation) where the browser supports it, for an input
// with autocomplete="username webauthn" on the page; elsewhere it does
// nothing. Each call spends one ceremony (5 minutes), so call it once,
// when such a field is shown. A choice signs in like SignInWithPasskey.
func (k *Kit) PasskeyAutofill(ctx app.Context) {
	if !k.State().Passkeys {
		return
	}
	signal := k.newPasskeyRequest()
	ctx.Async(func() {
		if conditionalAvailable(ctx) {
			k.passkeySignIn(ctx, "conditional", signal)
		}
	})
}

// newPasskeyRequest aborts the pending request, if any (the browser runs
// one at a time), and answers the new one's abort signal.
func (k *Kit) newPasskeyRequest() app.Value {
	if !app.IsClient {
		return nil
	}
	ctrl := app.Window().Get("AbortController").New()
	k.mu.Lock()
	old := k.passkeyAbort
	k.passkeyAbort = ctrl
	k.mu.Unlock()
	if old != nil && old.Truthy() {
		old.Call("abort")
	}
	return ctrl.Get("signal")
}

func (k *Kit) passkeySignIn(ctx app.Context, mediation string, signal app.Value) {
	err := func() error {
		raw, err := k.public.PasskeyLoginOptions(ctx)
		if err != nil {
			return err
		}
		pk, err := publicKeyOptions(raw, false)
		if err != nil {
			return &Error{Code: shared.CodeInternal, Message: err.Error()}
		}
		c, err := credentials(ctx, "get", pk, mediation, signal)
		if err != nil {
			return err
		}
		body, err := credentialJSON(c, false)
		if err != nil {
			return &Error{Code: shared.CodeInternal, Message: err.Error()}
		}
		res, err := k.public.PasskeyLogin(ctx, body)
		if err != nil {
			return err
		}
		k.publish(ctx, func(s *State) { s.PasskeyBusy = false })
		k.startSession(ctx, res)
		return nil
	}()
	if err == nil {
		return
	}
	if mediation == "" {
		k.publish(ctx, func(s *State) { s.PasskeyBusy = false })
	}
	if AsError(err).Code != CodePasskeyCancelled {
		k.failed(ctx, err)
	}
}

// AddPasskey adds a passkey to the signed-in user: the server's options,
// the browser's dialog creating a discoverable credential, and the new
// credential sent back. It answers the new sign-in method. Start it from
// the click's handler itself (in ctx.Async: it blocks), so the dialog
// opens within the click's activation. Errors: CodePasskeyCancelled when
// the user closed the dialog (nothing to report), CodePasskeyExists when
// this authenticator holds one of the user's passkeys already,
// CodePasskeyUnsupported, or the server's code.
func (k *Kit) AddPasskey(ctx context.Context) (shared.LinkedAccount, error) {
	s := Signed{C: k.session}
	raw, err := s.PasskeyOptions(ctx)
	if err != nil {
		return shared.LinkedAccount{}, err
	}
	pk, err := publicKeyOptions(raw, true)
	if err != nil {
		return shared.LinkedAccount{}, &Error{Code: shared.CodeInternal, Message: err.Error()}
	}
	var signal app.Value
	if app.IsClient {
		signal = k.newPasskeyRequest()
	}
	c, err := credentials(ctx, "create", pk, "", signal)
	if err != nil {
		return shared.LinkedAccount{}, err
	}
	body, err := credentialJSON(c, true)
	if err != nil {
		return shared.LinkedAccount{}, &Error{Code: shared.CodeInternal, Message: err.Error()}
	}
	return s.AddPasskey(ctx, body)
}
