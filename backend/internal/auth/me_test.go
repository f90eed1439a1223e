package auth_test

import (
	"context"
	"testing"

	"github.com/authbridge/authbridge/backend/internal/apperr"
	"github.com/authbridge/authbridge/backend/internal/store"
	"github.com/authbridge/authbridge/backend/internal/store/storetest"
	"github.com/authbridge/authbridge/shared"
)

// TestActiveUser: the rule every authenticated route asks first. A user
// answers as themself; an unknown (deleted) one is invalid_token; a
// disabled one is account_disabled, at once (the store's user cache drops it).
func TestActiveUser(t *testing.T) {
	for _, engine := range storetest.Engines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, engine, "")
			u, err := f.svc.ActiveUser(ctx, f.ada.ID)
			if err != nil || u.ID != f.ada.ID || u.Email != "ada@example.com" || u.Name != "ada" {
				t.Fatalf("active user = %+v, %v", u, err)
			}
			if _, err := f.svc.ActiveUser(ctx, store.NewID()); apperr.CodeOf(err) != shared.CodeInvalidToken {
				t.Fatalf("unknown user: %v, want invalid_token", err)
			}
			now := f.clk.t
			if err := f.st.SetUserDisabled(ctx, f.ada.ID, &now); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ActiveUser(ctx, f.ada.ID); apperr.CodeOf(err) != shared.CodeAccountDisabled {
				t.Fatalf("disabled user: %v, want account_disabled", err)
			}
		})
	}
}
