package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/store"
)

// lastAdminCases join the conformance suite (TestConformance): the
// last-administrator guard counts whom the caller's rule names, granted or
// listed by a verified email (as auth's rule does), enabled ones only.
var lastAdminCases = func() []conformanceCase {
	type member struct {
		name                              string
		granted, listed, disabled, unsure bool // unsure: the email is not verified
	}
	rows := []struct {
		name    string
		users   []member
		noRule  bool   // the zero AdminRule: grants only
		op      string // disable, delete or revoke
		target  string
		refused bool
	}{
		{"the only administrator, by email, cannot be disabled", []member{{name: "a", listed: true}, {name: "b"}}, false, "disable", "a", true},
		{"the only administrator, by email, cannot be deleted", []member{{name: "a", listed: true}, {name: "b"}}, false, "delete", "a", true},
		{"an administrator by email and a granted one: the email one may be disabled", []member{{name: "a", listed: true}, {name: "b", granted: true}}, false, "disable", "a", false},
		{"an administrator by email and a granted one: the granted one may be deleted", []member{{name: "a", listed: true}, {name: "b", granted: true}}, false, "delete", "b", false},
		{"the grant of the only administrator may go when the email keeps them one", []member{{name: "a", granted: true, listed: true}}, false, "revoke", "a", false},
		{"a disabled administrator by email does not count", []member{{name: "a", granted: true}, {name: "c", listed: true, disabled: true}}, false, "revoke", "a", true},
		{"a listed but unverified email does not count", []member{{name: "a", granted: true}, {name: "c", listed: true, unsure: true}}, false, "disable", "a", true},
		{"without the rule, a listed email does not count", []member{{name: "a", granted: true}, {name: "c", listed: true}}, true, "delete", "a", true},
		{"someone who is no administrator may go when there is none", []member{{name: "a"}, {name: "c"}}, false, "delete", "a", false},
	}
	out := make([]conformanceCase, 0, len(rows))
	for _, r := range rows {
		out = append(out, conformanceCase{"last administrator: " + r.name, func(t *testing.T, s *store.Store) {
			ctx := context.Background()
			var emails []string
			ids := map[string]string{}
			for _, m := range r.users {
				email := m.name + "@example.com"
				i := ident("github", m.name, email)
				if m.unsure {
					i.EmailCanonical, i.EmailVerified = nil, false
				}
				u, _ := signedIn(t, s, i, t0)
				ids[m.name] = u.ID
				if m.listed {
					emails = append(emails, email)
				}
				if m.granted {
					if err := s.GrantAdmin(ctx, u.ID, audit("cli:root", t0)); err != nil {
						t.Fatal(err)
					}
				}
				if m.disabled {
					if _, err := s.DisableUser(ctx, u.ID, store.AdminRule{}, audit("cli:root", t0)); err != nil {
						t.Fatal(err)
					}
				}
			}
			rule := store.AdminRule{Emails: emails, Is: func(u store.User, granted bool) bool {
				return granted || (u.EmailVerified && u.EmailCanonical != nil && slices.Contains(emails, *u.EmailCanonical))
			}}
			if r.noRule {
				rule = store.AdminRule{}
			}
			id := ids[r.target]
			wasAdmin, err := s.IsAdmin(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			switch r.op {
			case "disable":
				_, err = s.DisableUser(ctx, id, rule, audit("cli:root", t0))
			case "delete":
				err = s.DeleteUser(ctx, id, rule, audit("cli:root", t0))
			case "revoke":
				err = s.RevokeAdmin(ctx, id, rule, audit("cli:root", t0))
			}
			if r.refused != errors.Is(err, store.ErrLastAdmin) || (!r.refused && err != nil) {
				t.Fatalf("%s %s: %v, refused %v", r.op, r.target, err, r.refused)
			}
			if !r.refused {
				return
			}
			// Refused: the user, their state and their grant are as they were.
			u, err := s.GetUser(ctx, id)
			if err != nil || u.DisabledAt != nil {
				t.Fatalf("after the refusal: %+v, %v", u, err)
			}
			if isAdmin, _ := s.IsAdmin(ctx, id); isAdmin != wasAdmin {
				t.Fatalf("after the refusal the grant is %v, was %v", isAdmin, wasAdmin)
			}
		}})
	}
	return out
}()
