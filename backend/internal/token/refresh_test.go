package token_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/token"
)

const famID = "00112233445566778899aabbccddeeff"

var secret = bytes.Repeat([]byte{7}, token.RefreshSecretLen)

func mustKey(t testing.TB, secretKey string) *token.RefreshKey {
	t.Helper()
	k, err := token.NewRefreshKey(secretKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRefreshRoundTrip(t *testing.T) {
	for _, sk := range []string{"", strings.Repeat("s", 32)} {
		k := mustKey(t, sk)
		for _, gen := range []uint64{0, 1, 2, 1 << 40, ^uint64(0)} {
			s, err := k.Format(famID, gen, secret)
			if err != nil {
				t.Fatal(err)
			}
			if len(s) != 76 {
				t.Fatalf("token of %d characters, want 76", len(s))
			}
			again, _ := k.Format(famID, gen, secret)
			if again != s {
				t.Fatal("Format is not deterministic: a grace-window replay could not be answered with the current token")
			}
			r, err := token.ParseRefresh(s)
			if err != nil || r.FamilyID != famID || r.Generation != gen || r.String() != s {
				t.Fatalf("ParseRefresh = %+v, %v", r, err)
			}
			if !k.Verify(r, secret) {
				t.Fatal("a formatted token does not verify")
			}
		}
	}
}

// TestRefreshVerifyRefuses: every change to what the MAC covers, and every
// other key, fails verification.
func TestRefreshVerifyRefuses(t *testing.T) {
	k := mustKey(t, strings.Repeat("s", 32))
	good, _ := k.Format(famID, 5, secret)
	r, _ := token.ParseRefresh(good)
	otherSecret := bytes.Repeat([]byte{8}, token.RefreshSecretLen)
	flip := func(i int) token.Refresh {
		raw, _ := base64.RawURLEncoding.DecodeString(good)
		raw[i] ^= 1
		x, err := token.ParseRefresh(base64.RawURLEncoding.EncodeToString(raw))
		if err != nil {
			t.Fatalf("flip %d: %v", i, err)
		}
		return x
	}
	tests := []struct {
		name   string
		key    *token.RefreshKey
		r      token.Refresh
		secret []byte
	}{
		{"other family secret", k, r, otherSecret},
		{"short secret", k, r, secret[:16]},
		{"other server key", mustKey(t, strings.Repeat("t", 32)), r, secret},
		{"no server key", mustKey(t, ""), r, secret},
		{"family id changed", k, flip(1), secret},
		{"generation changed", k, flip(24), secret},
		{"MAC changed", k, flip(56), secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.key.Verify(tt.r, tt.secret) {
				t.Fatal("verified")
			}
		})
	}
	// Without a server key the family secret keys the MAC: the token of one
	// secret does not verify with another.
	nk := mustKey(t, "")
	s, _ := nk.Format(famID, 5, secret)
	r2, _ := token.ParseRefresh(s)
	if nk.Verify(r2, otherSecret) || k.Verify(r2, secret) {
		t.Fatal("a token verified under another secret or key")
	}
}

func TestParseRefreshRefuses(t *testing.T) {
	k := mustKey(t, "")
	good, _ := k.Format(famID, 1, secret)
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	v2 := append([]byte{2}, raw[1:]...)
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"one short", good[:75]},
		{"one long", good + "A"},
		{"padding", good[:75] + "="},
		{"standard alphabet", strings.Replace(good[:75], good[:1], "+", 1) + good[75:]},
		{"newline inside", good[:40] + "\n" + good[41:]},
		{"space", good[:75] + " "},
		{"unknown version", base64.RawURLEncoding.EncodeToString(v2)},
		{"old opaque token", strings.Repeat("A", 43)},
		{"8 KiB", strings.Repeat("A", 8<<10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := token.ParseRefresh(tt.in); err == nil {
				t.Fatalf("accepted: %+v", r)
			}
		})
	}
}

func TestFormatRefusesBadInput(t *testing.T) {
	k := mustKey(t, "")
	for _, tt := range []struct {
		name, fam string
		secret    []byte
	}{
		{"upper-case family id", strings.ToUpper(famID), secret},
		{"short family id", famID[:30], secret},
		{"not hex", "zz" + famID[2:], secret},
		{"no secret", famID, nil},
	} {
		if s, err := k.Format(tt.fam, 1, tt.secret); err == nil {
			t.Fatalf("%s: formatted %q", tt.name, s)
		}
	}
}

// FuzzRefreshToken: whatever ParseRefresh accepts re-encodes to the same
// string (one spelling per token, so no non-canonical variant passes);
// Format then Parse gives back what went in and verifies; a token never
// verifies under another secret; nothing panics.
func FuzzRefreshToken(f *testing.F) {
	k := mustKey(f, "")
	good, _ := k.Format(famID, 3, secret)
	f.Add(good, []byte(famID), uint64(3), secret)
	f.Add(good[:75]+"=", []byte("0"), uint64(0), []byte{})
	f.Add(strings.Repeat("_", 76), bytes.Repeat([]byte{0xff}, 16), ^uint64(0), bytes.Repeat([]byte{1}, 32))
	f.Add("AQ"+good[2:], []byte("ABCDEF0123456789ABCDEF0123456789"), uint64(1), secret)
	f.Fuzz(func(t *testing.T, s string, fam []byte, gen uint64, sec []byte) {
		if r, err := token.ParseRefresh(s); err == nil {
			if r.String() != s {
				t.Fatalf("accepted %q, which re-encodes to %q", s, r.String())
			}
			if len(r.FamilyID) != 32 || strings.ToLower(r.FamilyID) != r.FamilyID {
				t.Fatalf("accepted family id %q", r.FamilyID)
			}
		}
		// fam as a family id: raw 16 bytes made into hex, or the bytes as
		// they are (which Format must refuse unless already canonical).
		for _, id := range []string{hex.EncodeToString(pad16(fam)), string(fam)} {
			tok, err := k.Format(id, gen, sec)
			if err != nil {
				continue
			}
			if len(sec) != token.RefreshSecretLen {
				t.Fatalf("formatted with a %d-byte secret", len(sec))
			}
			r, err := token.ParseRefresh(tok)
			if err != nil || r.FamilyID != id || r.Generation != gen || r.String() != tok {
				t.Fatalf("Format(%q, %d) = %q; parsed %+v, %v", id, gen, tok, r, err)
			}
			if !k.Verify(r, sec) {
				t.Fatal("a formatted token does not verify")
			}
			other := bytes.Clone(sec)
			other[0] ^= 0x80
			if k.Verify(r, other) {
				t.Fatal("verified under another secret")
			}
		}
	})
}

func pad16(b []byte) []byte {
	out := make([]byte, 16)
	copy(out, b)
	return out
}
