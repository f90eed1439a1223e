package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The systems the load tool drives. Besides AuthBridge, the references
// `make compare` measures on the same machine, with the same virtual
// users, for the workloads they share with it (me and refresh):
//
//   - simplejwt: Django REST framework with Simple JWT, refresh tokens
//     rotated and blacklisted after rotation (bench/simplejwt), the stack
//     the project's reference templates are built on;
//   - pocketbase: PocketBase (bench/pocketbase), whose refresh re-signs
//     its token without rotating anything.
//
// Their users sign in with a password (load-N, load-N@example.com), made
// by scripts/compare.sh before the run.
var apis = []string{"authbridge", "simplejwt", "pocketbase"}

// referenceWorkloads are the workloads the references have.
var referenceWorkloads = []string{"me", "refresh"}

// referenceSignIn signs the i-th virtual user in to a reference system.
func referenceSignIn(ctx context.Context, c *http.Client, api, base string, i int, password string) (*user, error) {
	var (
		path string
		body map[string]string
	)
	switch api {
	case "simplejwt":
		path, body = "/api/token/", map[string]string{"username": fmt.Sprintf("load-%d", i+1), "password": password}
	case "pocketbase":
		path, body = "/api/collections/users/auth-with-password", map[string]string{"identity": fmt.Sprintf("load-%d@example.com", i+1), "password": password}
	default:
		return nil, fmt.Errorf("unknown api %q", api)
	}
	resp, out, err := call(ctx, c, "POST", base+path, body, nil)
	if err != nil {
		return nil, err
	}
	if err := expectOK(api+" sign-in", resp, out); err != nil {
		return nil, err
	}
	var r struct {
		Access  string `json:"access"`  // simplejwt
		Refresh string `json:"refresh"` // simplejwt
		Token   string `json:"token"`   // pocketbase
		Record  struct {
			ID string `json:"id"`
		} `json:"record"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("%s sign-in: %w", api, err)
	}
	u := &user{access: r.Access, refresh: r.Refresh, id: r.Record.ID}
	if api == "pocketbase" {
		u.access = r.Token
	}
	if u.access == "" {
		return nil, fmt.Errorf("%s sign-in: no token in %.200s", api, out)
	}
	return u, nil
}

// referenceStep answers one iteration of a workload against a reference.
func referenceStep(name, api string, c *http.Client, base string) (func(context.Context, *user) error, error) {
	bearer := func(u *user) map[string]string { return map[string]string{"Authorization": "Bearer " + u.access} }
	// me reads the signed-in user at path(u).
	me := func(path func(*user) string) func(context.Context, *user) error {
		return func(ctx context.Context, u *user) error {
			resp, body, err := call(ctx, c, "GET", base+path(u), nil, bearer(u))
			if err != nil {
				return err
			}
			return expectOK("me", resp, body)
		}
	}
	switch {
	case api == "simplejwt" && name == "me":
		return me(func(*user) string { return "/api/me/" }), nil
	case api == "simplejwt" && name == "refresh":
		return func(ctx context.Context, u *user) error {
			resp, body, err := call(ctx, c, "POST", base+"/api/token/refresh/", map[string]string{"refresh": u.refresh}, nil)
			if err != nil {
				return err
			}
			if err := expectOK("refresh", resp, body); err != nil {
				return err
			}
			var r struct{ Access, Refresh string }
			if err := json.Unmarshal(body, &r); err != nil || r.Refresh == "" {
				return fmt.Errorf("refresh: no rotated token in %.200s", body)
			}
			u.access, u.refresh = r.Access, r.Refresh
			return nil
		}, nil
	case api == "pocketbase" && name == "me":
		return me(func(u *user) string { return "/api/collections/users/records/" + u.id }), nil
	case api == "pocketbase" && name == "refresh":
		return func(ctx context.Context, u *user) error {
			resp, body, err := call(ctx, c, "POST", base+"/api/collections/users/auth-refresh", nil, bearer(u))
			if err != nil {
				return err
			}
			if err := expectOK("refresh", resp, body); err != nil {
				return err
			}
			var r struct{ Token string }
			if err := json.Unmarshal(body, &r); err != nil || r.Token == "" {
				return fmt.Errorf("refresh: no token in %.200s", body)
			}
			u.access = r.Token
			return nil
		}, nil
	}
	return nil, errors.New(api + " has no " + name + " workload (want " + strings.Join(referenceWorkloads, ", ") + " or all)")
}
