package i18n

import (
	"strings"
	"testing"
)

// TestLinkTexts: every "proof, then link" text exists in every language
// and names every provider (and the email) it is given.
func TestLinkTexts(t *testing.T) {
	msg := "An account with this email already exists. Sign in with GitHub or Google, then connect Discord from your account page."
	owners, refused, ok := DuplicateProviders(msg)
	if !ok || strings.Join(owners, "|") != "GitHub|Google" || refused != "Discord" {
		t.Fatalf("DuplicateProviders = %q, %q, %v", owners, refused, ok)
	}
	if _, _, ok := DuplicateProviders("An account with this email already exists."); ok {
		t.Fatal("names read from a message without any")
	}
	for _, l := range Langs {
		offer := OfferText(l, owners, refused)
		for _, name := range []string{"GitHub", "Google", "Discord"} {
			if !strings.Contains(offer, name) {
				t.Errorf("%s: offer %q does not name %s", l, offer, name)
			}
		}
		if title := TL(l, LinkTitle, "Discord", "a@example.com"); !strings.Contains(title, "Discord") || !strings.Contains(title, "a@example.com") || strings.Contains(title, "%s") {
			t.Errorf("%s: title %q", l, title)
		}
		for k, words := range linkText {
			if words[index(l)] == "" {
				t.Errorf("%s has no %s text", k, l)
			}
			if strings.Count(words[index(l)], "%s") != strings.Count(words[0], "%s") {
				t.Errorf("%s in %s fills %d names, English %d", k, l, strings.Count(words[index(l)], "%s"), strings.Count(words[0], "%s"))
			}
		}
	}
}

// TestTSaysLinkTexts: T (what the dashboard's alert shows) says the link
// catalogue's texts too, in every language, and no key is in both
// catalogues (T would hide one).
func TestTSaysLinkTexts(t *testing.T) {
	for k := range linkText {
		if _, ok := text[k]; ok {
			t.Errorf("%s is in both catalogues", k)
		}
	}
	for _, l := range Langs {
		if got, want := T(l, LinkDiscarded, "Discord"), TL(l, LinkDiscarded, "Discord"); got != want || !strings.Contains(got, "Discord") {
			t.Errorf("%s: T = %q, want %q naming Discord", l, got, want)
		}
	}
}
