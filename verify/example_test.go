package verify_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/authbridge/authbridge/verify"
)

// Example protects an API with AuthBridge's access tokens. README.md shows
// the code between the markers; a test keeps the two the same. It has no
// output to check: it would need a running AuthBridge.
func Example() {
	ctx := context.Background()
	// README begin
	v, err := verify.New(ctx, "https://auth.example.com") // AUTHBRIDGE_PUBLIC_URL, exactly the tokens' iss
	if err != nil {
		log.Fatal(err) // the metadata or the JWKS could not be read
	}
	mux := http.NewServeMux()
	mux.Handle("GET /notes", v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := verify.ClaimsFrom(r.Context()) // Subject, SessionID, Name, Email, Roles, ExpiresAt...
		fmt.Fprintf(w, "the notes of %s\n", c.Subject)
	})))
	log.Fatal(http.ListenAndServe(":8081", mux))
	// README end
}
