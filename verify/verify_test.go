package verify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerify(t *testing.T) {
	ec, ed, other := newECKey(t, "ec-1"), newEdKey(t, "ed-1"), newECKey(t, "ec-other")
	clock := newFakeClock()
	now := clock.Now()

	type tc struct {
		name  string
		algs  []string // the issuer's; default ES256
		opts  []Option
		token func(is *testIssuer) string
		want  error // nil: verifies
		check func(t *testing.T, c *Claims)
	}
	withClaims := func(k *testKey, edit func(c jwt.MapClaims)) func(is *testIssuer) string {
		return func(is *testIssuer) string {
			c := is.claimsAt(now)
			edit(c)
			return sign(t, k, c, nil)
		}
	}
	withHeader := func(k *testKey, edit func(h map[string]any)) func(is *testIssuer) string {
		return func(is *testIssuer) string { return sign(t, k, is.claimsAt(now), edit) }
	}
	valid := withClaims(ec, func(jwt.MapClaims) {})
	cases := []tc{
		{name: "ES256 token verifies", token: valid, check: func(t *testing.T, c *Claims) {
			if c.Subject != "user-1" || c.SessionID != "session-1" || c.ID != "token-1" || c.Name != "Ada" ||
				c.Email != "ada@example.com" || !c.IssuedAt.Equal(now) || !c.ExpiresAt.Equal(now.Add(10*time.Minute)) {
				t.Fatalf("claims = %+v", c)
			}
		}},
		{name: "EdDSA token verifies when the issuer lists EdDSA", algs: []string{"EdDSA"}, token: withClaims(ed, func(jwt.MapClaims) {})},
		{name: "EdDSA token refused when the issuer lists only ES256", token: withClaims(ed, func(jwt.MapClaims) {}), want: ErrInvalid},
		{name: "roles are read", token: withClaims(ec, func(c jwt.MapClaims) { c["roles"] = []string{"admin"} }),
			check: func(t *testing.T, c *Claims) {
				if !c.HasRole("admin") || c.HasRole("root") {
					t.Fatalf("roles = %q", c.Roles)
				}
			}},
		{name: "aud as an array containing ours", token: withClaims(ec, func(c jwt.MapClaims) { c["aud"] = []string{"x", c["aud"].(string)} })},
		{name: "typ application/at+jwt", token: withHeader(ec, func(h map[string]any) { h["typ"] = "application/at+jwt" })},
		{name: "tampered payload", token: func(is *testIssuer) string {
			p := strings.Split(valid(is), ".")
			c := is.claimsAt(now)
			c["sub"] = "user-2"
			p[1] = strings.Split(sign(t, other, c, nil), ".")[1]
			return strings.Join(p, ".")
		}, want: ErrInvalid},
		{name: "tampered signature", token: func(is *testIssuer) string {
			s := []byte(valid(is))
			i := len(s) - 10
			s[i] = map[bool]byte{true: 'A', false: 'B'}[s[i] != 'A']
			return string(s)
		}, want: ErrInvalid},
		{name: "signed by a key the issuer does not publish, under its kid", token: func(is *testIssuer) string {
			return sign(t, other, is.claimsAt(now), func(h map[string]any) { h["kid"] = ec.kid })
		}, want: ErrInvalid},
		{name: "expired", opts: []Option{WithClock(func() time.Time { return now.Add(10*time.Minute + 31*time.Second) })}, token: valid, want: ErrExpired},
		{name: "expired within the leeway", opts: []Option{WithClock(func() time.Time { return now.Add(10*time.Minute + 29*time.Second) })}, token: valid},
		{name: "expired and of another audience is invalid", opts: []Option{WithClock(func() time.Time { return now.Add(time.Hour) })},
			token: withClaims(ec, func(c jwt.MapClaims) { c["aud"] = "https://elsewhere/api" }), want: ErrInvalid},
		{name: "wrong audience", opts: []Option{WithAudience("https://other.example/api")}, token: valid, want: ErrInvalid},
		{name: "audience option matches", opts: []Option{WithAudience("https://other.example/api")},
			token: withClaims(ec, func(c jwt.MapClaims) { c["aud"] = "https://other.example/api" })},
		{name: "wrong issuer", token: withClaims(ec, func(c jwt.MapClaims) { c["iss"] = "https://evil.example" }), want: ErrInvalid},
		{name: "no exp", token: withClaims(ec, func(c jwt.MapClaims) { delete(c, "exp") }), want: ErrInvalid},
		{name: "no sub", token: withClaims(ec, func(c jwt.MapClaims) { delete(c, "sub") }), want: ErrInvalid},
		{name: "no sid", token: withClaims(ec, func(c jwt.MapClaims) { delete(c, "sid") }), want: ErrInvalid},
		{name: "no jti", token: withClaims(ec, func(c jwt.MapClaims) { delete(c, "jti") }), want: ErrInvalid},
		{name: "issued in the future", token: withClaims(ec, func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() }), want: ErrInvalid},
		{name: "roles not an array of strings", token: withClaims(ec, func(c jwt.MapClaims) { c["roles"] = "admin" }), want: ErrInvalid},
		{name: "no typ", token: withHeader(ec, func(h map[string]any) { delete(h, "typ") }), want: ErrInvalid},
		{name: "typ JWT", token: withHeader(ec, func(h map[string]any) { h["typ"] = "JWT" }), want: ErrInvalid},
		{name: "no kid", token: withHeader(ec, func(h map[string]any) { delete(h, "kid") }), want: ErrInvalid},
		{name: "unknown kid", token: withHeader(ec, func(h map[string]any) { h["kid"] = "nope" }), want: ErrInvalid},
		{name: "ES256 header on an EdDSA kid", algs: []string{"ES256", "EdDSA"},
			token: withHeader(ec, func(h map[string]any) { h["kid"] = ed.kid }), want: ErrInvalid},
		{name: "alg none", token: func(is *testIssuer) string {
			tk := jwt.NewWithClaims(jwt.SigningMethodNone, is.claimsAt(now))
			tk.Header["typ"], tk.Header["kid"] = "at+jwt", ec.kid
			s, err := tk.SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, want: ErrInvalid},
		{name: "HS256 keyed with the public JWK (alg confusion)", token: func(is *testIssuer) string {
			tk := jwt.NewWithClaims(jwt.SigningMethodHS256, is.claimsAt(now))
			tk.Header["typ"], tk.Header["kid"] = "at+jwt", ec.kid
			s, err := tk.SignedString([]byte(ec.jwk["x"] + ec.jwk["y"]))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, want: ErrInvalid},
		{name: "not a JWT", token: func(*testIssuer) string { return "abc.def" }, want: ErrInvalid},
		{name: "empty", token: func(*testIssuer) string { return "" }, want: ErrInvalid},
		{name: "larger than MaxTokenSize", token: withClaims(ec, func(c jwt.MapClaims) { c["name"] = strings.Repeat("a", MaxTokenSize) }), want: ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := newTestIssuer(t, ec, ed)
			if c.algs != nil {
				is.algs = c.algs
			}
			v := mustNew(t, is, append([]Option{WithClock(clock.Now)}, c.opts...)...)
			claims, err := v.Verify(context.Background(), c.token(is))
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.check != nil {
					c.check(t, claims)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify err = %v, want %v", err, c.want)
			}
			for _, e := range []error{ErrInvalid, ErrExpired, ErrKeyUnavailable} {
				if e != c.want && errors.Is(err, e) {
					t.Fatalf("Verify err = %v is also %v", err, e)
				}
			}
		})
	}
}

func TestNew(t *testing.T) {
	ec, ed := newECKey(t, "ec-1"), newEdKey(t, "ed-1")
	cases := []struct {
		name   string
		edit   func(is *testIssuer)
		issuer func(is *testIssuer) string
		want   string // in the error; "" for success
		is     error
	}{
		{name: "ok"},
		{name: "metadata names another issuer", edit: func(is *testIssuer) { is.mdIssuer = "https://evil.example" }, want: "names issuer"},
		{name: "issuer with a trailing slash", issuer: func(is *testIssuer) string { return is.srv.URL + "/" }, want: "trailing slash"},
		{name: "no metadata there", issuer: func(is *testIssuer) string { return is.srv.URL + "/elsewhere" }, want: "status 404"},
		{name: "only algs this package refuses", edit: func(is *testIssuer) { is.algs = []string{"HS256", "none", "RS256"} }, want: "verifies only"},
		{name: "JWKS unreachable", edit: func(is *testIssuer) { is.jwksStatus = 500 }, is: ErrKeyUnavailable},
		{name: "JWKS without a key of the issuer's algs", edit: func(is *testIssuer) { is.keys = []*testKey{ed} }, is: ErrKeyUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := newTestIssuer(t, ec)
			if c.edit != nil {
				is.set(c.edit)
			}
			iss := is.srv.URL
			if c.issuer != nil {
				iss = c.issuer(is)
			}
			v, err := New(context.Background(), iss)
			switch {
			case c.want == "" && c.is == nil:
				if err != nil {
					t.Fatal(err)
				}
				if v.Issuer() != is.srv.URL || len(v.Algs()) != 1 || v.Algs()[0] != "ES256" {
					t.Fatalf("issuer %q algs %q", v.Issuer(), v.Algs())
				}
			case c.is != nil && !errors.Is(err, c.is):
				t.Fatalf("err = %v, want %v", err, c.is)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
		})
	}
	t.Run("invalid options", func(t *testing.T) {
		is := newTestIssuer(t, ec)
		for _, o := range []Option{WithLeeway(31 * time.Second), WithLeeway(-1), WithAudience(""), WithHTTPClient(nil),
			WithClock(nil), WithRefetchInterval(-time.Second)} {
			if _, err := New(context.Background(), is.srv.URL, o); err == nil {
				t.Error("an invalid option was accepted")
			}
		}
	})
}
