package api

import (
	"context"
	"net/http"

	"github.com/authbridge/authbridge/shared"
)

// pathPendingLink is "proof, then link": what this browser was refused as
// duplicate_email, waiting for the email's owner to confirm. The browser's
// flow cookie goes along (same origin); the link secret only in a body.
const pathPendingLink = "/api/me/pending-link"

// PendingLink is what this browser may link to the signed-in account.
func (s Signed) PendingLink(ctx context.Context) (shared.PendingLinkResponse, error) {
	var out shared.PendingLinkResponse
	err := s.C.Call(ctx, http.MethodGet, pathPendingLink, nil, &out)
	return out, err
}

// ConfirmLink attaches the pending link whose secret is link to the
// signed-in account, and answers the new sign-in method.
func (s Signed) ConfirmLink(ctx context.Context, link string) (shared.LinkedAccount, error) {
	var out shared.LinkedAccount
	err := s.C.Call(ctx, http.MethodPost, pathPendingLink, shared.PendingLinkRequest{Link: link}, &out)
	return out, err
}

// DiscardLink drops what this browser has pending ("Not now").
func (s Signed) DiscardLink(ctx context.Context) error {
	return s.C.Call(ctx, http.MethodDelete, pathPendingLink, nil, nil)
}
