package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/auth"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/shared"
)

// TestAdminDisable: an operator disables a signed-in user: the refresh
// token is refused with account_disabled, the access token on every route
// (ActiveUser), the audit trail says who did it and why; enabling lets the
// user sign in again (the ended session stays ended).
func TestAdminDisable(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, engine, "")
			adm := f.svc.Admin()
			cli := auth.CLIActor("root")
			n, err := adm.Disable(ctx, cli, f.ada.ID, "  compromised  ")
			if err != nil || n != 1 {
				t.Fatalf("Disable = %d, %v", n, err)
			}
			f.refresh(t, f.first.RefreshToken, shared.CodeAccountDisabled)
			if _, err := f.svc.ActiveUser(ctx, f.ada.ID); apperr.CodeOf(err) != shared.CodeAccountDisabled {
				t.Fatalf("ActiveUser of a disabled user: %v", err)
			}
			d, err := adm.UserDetail(ctx, f.ada.ID)
			if err != nil || d.User.DisabledAt == nil || len(d.Sessions) != 0 || d.Admin {
				t.Fatalf("UserDetail = %+v, %v", d, err)
			}
			f.clk.advance(time.Second) // the audit trail orders by time
			if err := adm.Enable(ctx, cli, f.ada.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ActiveUser(ctx, f.ada.ID); err != nil {
				t.Fatalf("ActiveUser after enable: %v", err)
			}
			f.refresh(t, f.first.RefreshToken, shared.CodeInvalidToken)
			evs, err := adm.Events(ctx, auth.EventQuery{UserID: f.ada.ID})
			if err != nil || len(evs) != 2 || evs[1].Action != auth.ActionDisable || evs[1].Actor != "cli:root" || evs[1].Reason != "compromised" || evs[1].Target != f.ada.ID {
				t.Fatalf("Events = %+v, %v", evs, err)
			}
		})
	}
}

// TestAdminErrors: what each operation answers for an unknown user, the
// last administrator, and a bad query.
func TestAdminErrors(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, engine, "")
			adm := f.svc.Admin()
			cli := auth.CLIActor("")
			if cli.ID != "cli:unknown" {
				t.Fatalf("CLIActor(\"\") = %q", cli.ID)
			}
			if err := adm.GrantAdmin(ctx, cli, f.ada.ID); err != nil {
				t.Fatal(err)
			}
			nobody := store.NewID()
			tests := []struct {
				name string
				op   func() error
				want shared.ErrorCode
			}{
				{"disable unknown", func() error { _, err := adm.Disable(ctx, cli, nobody, ""); return err }, shared.CodeNotFound},
				{"enable unknown", func() error { return adm.Enable(ctx, cli, nobody, "") }, shared.CodeNotFound},
				{"delete unknown", func() error { return adm.Delete(ctx, cli, nobody, "") }, shared.CodeNotFound},
				{"revoke sessions unknown", func() error { _, err := adm.RevokeSessions(ctx, cli, nobody, ""); return err }, shared.CodeNotFound},
				{"grant unknown", func() error { return adm.GrantAdmin(ctx, cli, nobody) }, shared.CodeNotFound},
				{"detail unknown", func() error { _, err := adm.UserDetail(ctx, nobody); return err }, shared.CodeNotFound},
				{"find unknown email", func() error { _, err := adm.Find(ctx, "nobody@example.com"); return err }, shared.CodeNotFound},
				{"find unknown id", func() error { _, err := adm.Find(ctx, nobody); return err }, shared.CodeNotFound},
				{"revoke the last admin", func() error { return adm.RevokeAdmin(ctx, auth.Actor{ID: f.ada.ID}, f.ada.ID) }, shared.CodeLastAdmin},
				{"disable the last admin", func() error { _, err := adm.Disable(ctx, cli, f.ada.ID, ""); return err }, shared.CodeLastAdmin},
				{"disable oneself", func() error { _, err := adm.Disable(ctx, auth.Actor{ID: f.ada.ID}, f.ada.ID, ""); return err }, shared.CodeCannotDisableSelf},
				{"reason too long", func() error { return adm.Enable(ctx, cli, f.ada.ID, strings.Repeat("r", auth.MaxReason+1)) }, shared.CodeInvalidRequest},
				{"delete the last admin", func() error { return adm.Delete(ctx, auth.Actor{ID: f.ada.ID}, f.ada.ID, "") }, shared.CodeLastAdmin},
				{"page 0 of -1", func() error { _, err := adm.ListUsers(ctx, auth.UserQuery{Page: -1}); return err }, shared.CodeInvalidRequest},
				{"limit too large", func() error { _, err := adm.ListUsers(ctx, auth.UserQuery{Limit: 201}); return err }, shared.CodeInvalidRequest},
				{"bad provider id", func() error { _, err := adm.ProviderOrphans(ctx, "Not A Provider"); return err }, shared.CodeInvalidRequest},
			}
			for _, tt := range tests {
				if err := tt.op(); apperr.CodeOf(err) != tt.want {
					t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
				}
			}
			if _, err := f.svc.ActiveUser(ctx, f.ada.ID); err != nil {
				t.Fatalf("the refused operations changed the user: %v", err)
			}
		})
	}
}

// TestAdminFindAndList: users are found by id and by email (verified
// first; an unverified email that several users share is ambiguous) and
// listed in pages.
func TestAdminFindAndList(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, engine, "")
			adm := f.svc.Admin()
			canon := "bea@example.com"
			at := f.clk.t
			bea := store.User{ID: store.NewID(), Name: "Bea", Email: "Bea@Example.com", EmailCanonical: &canon, EmailVerified: true, CreatedAt: at.Add(time.Second), UpdatedAt: at}
			storetest.CreateUser(t, f.st, bea)
			for i := 0; i < 2; i++ {
				storetest.CreateUser(t, f.st, store.User{ID: store.NewID(), Name: "twin", Email: "twin@example.com", CreatedAt: at.Add(time.Duration(2+i) * time.Second), UpdatedAt: at})
			}
			if u, err := adm.Find(ctx, "BEA@example.com"); err != nil || u.ID != bea.ID {
				t.Fatalf("Find by verified email = %+v, %v", u, err)
			}
			if u, err := adm.Find(ctx, f.ada.ID); err != nil || u.Email != "ada@example.com" {
				t.Fatalf("Find by id = %+v, %v", u, err)
			}
			if u, err := adm.Find(ctx, "ada@example.com"); err != nil || u.ID != f.ada.ID {
				t.Fatalf("Find by unverified email = %+v, %v", u, err)
			}
			if _, err := adm.Find(ctx, "twin@example.com"); apperr.CodeOf(err) != shared.CodeInvalidRequest {
				t.Fatalf("Find of a shared unverified email: %v, want invalid_request", err)
			}
			p, err := adm.ListUsers(ctx, auth.UserQuery{Page: 2, Limit: 3})
			if err != nil || p.Total != 4 || len(p.Users) != 1 || p.Users[0].ID != f.ada.ID {
				t.Fatalf("ListUsers page 2 = %+v, %v; want ada, the oldest, alone", p, err)
			}
			p, err = adm.ListUsers(ctx, auth.UserQuery{Query: "twin"})
			if err != nil || p.Total != 2 || p.Page != 1 || p.Limit != 50 {
				t.Fatalf("ListUsers twin = %+v, %v", p, err)
			}
		})
	}
}
