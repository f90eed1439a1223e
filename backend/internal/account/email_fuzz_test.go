package account

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCanonicalEmail: canonicalisation is idempotent, changes the local
// part only by lower-casing ASCII letters (so a local part with non-ASCII
// never becomes an all-ASCII one), and answers a host-name domain.
func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range []string{
		"Ada@Example.COM", "\u212Aelvin@example.com", "JOSÉ@bücher.example", "user@exаmple.com",
		"a@xn--bcher-kva.example", "a@example.com.", " x@y.z ", "ﬁ@ＥＸＡＭＰＬＥ.com", "a@b@c.d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CanonicalEmail(in)
		if err != nil {
			return
		}
		again, err := CanonicalEmail(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in, out, again, err)
		}
		trimmed := strings.TrimSpace(in)
		inLocal := trimmed[:strings.LastIndexByte(trimmed, '@')]
		outLocal := out[:strings.LastIndexByte(out, '@')]
		if len(inLocal) != len(outLocal) {
			t.Fatalf("local part %q became %q", inLocal, outLocal)
		}
		for i := 0; i < len(inLocal); i++ {
			c := inLocal[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if outLocal[i] != c {
				t.Fatalf("local part %q became %q: only ASCII letters may change", inLocal, outLocal)
			}
		}
		if !isASCII(inLocal) && isASCII(outLocal) {
			t.Fatalf("non-ASCII local part %q became ASCII %q", inLocal, outLocal)
		}
		if d := Domain(out); !hostname(d) || !utf8.ValidString(out) {
			t.Fatalf("%q -> %q: domain %q is not an ASCII host name", in, out, d)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
