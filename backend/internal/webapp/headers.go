package webapp

import (
	"fmt"
	"mime"
	"path"
	"regexp"
	"strings"
)

// gisScript and the other Google Identity Services origins are those of
// nginx/spa-headers.conf; a test keeps the two in step.
const (
	gisScript  = "https://accounts.google.com/gsi/client"
	gisConnect = "https://accounts.google.com/gsi/"
	gisFrame   = "https://accounts.google.com/gsi/"
	gisStyle   = "https://accounts.google.com/gsi/style"
)

// securityHeaders are the headers of every dashboard answer, as in
// nginx/spa-headers.conf, with the extra CSP sources appended.
func securityHeaders(extraScript, extraConnect []string) (map[string]string, error) {
	for _, list := range [][]string{extraScript, extraConnect} {
		for _, s := range list {
			if err := checkSource(s); err != nil {
				return nil, err
			}
		}
	}
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src " + strings.Join(append([]string{"'self'", "'wasm-unsafe-eval'", gisScript}, extraScript...), " "),
		"connect-src " + strings.Join(append([]string{"'self'", gisConnect}, extraConnect...), " "),
		"frame-src " + gisFrame,
		"style-src 'self' 'unsafe-inline' " + gisStyle,
		"img-src 'self' data: https:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
	return map[string]string{
		"Content-Security-Policy":    csp,
		"Cross-Origin-Opener-Policy": "same-origin-allow-popups",
		"Strict-Transport-Security":  "max-age=31536000; includeSubDomains",
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "strict-origin-when-cross-origin",
	}, nil
}

// The two caching policies. Everything is revalidated (no-cache: the ETag
// decides) except content-hashed files, whose URL changes whenever their
// bytes do, so a browser keeps them without asking.
const (
	cacheRevalidate = "no-cache"
	cacheImmutable  = "public, max-age=31536000, immutable"
)

// hashedName is the shape of a content-hashed file: directly in web/,
// <stem>.<16 lowercase hex digits>.<ext>, as frontend/site.WasmName makes
// app.<hash>.wasm. nginx.conf.template's map $dashboard_cache holds the same
// pattern; a test keeps the two in step.
var hashedName = regexp.MustCompile(`^web/[a-z0-9-]+\.[0-9a-f]{16}\.[a-z0-9]+$`)

// cacheControl is the Cache-Control of the site's file name (relative to
// the site's root, as served, never a .br/.gz sibling's).
func cacheControl(name string) string {
	if hashedName.MatchString(name) {
		return cacheImmutable
	}
	return cacheRevalidate
}

// checkSource accepts one CSP source expression (an origin, a URL prefix or
// a quoted keyword) that cannot end the directive or weaken the policy.
func checkSource(s string) error {
	if s == "" || strings.ContainsAny(s, ";,") || strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0 {
		return fmt.Errorf("CSP source %q must be one printable token without ';' or ','", s)
	}
	switch strings.ToLower(s) {
	case "*", "'unsafe-eval'", "'unsafe-inline'", "'unsafe-hashes'", "'strict-dynamic'", "http:", "https:", "data:", "blob:":
		return fmt.Errorf("CSP source %s would weaken the dashboard's script or connect policy", s)
	}
	return nil
}

// types are the Content-Types of the dashboard's files, fixed here rather
// than read from the host's mime tables, which differ between machines
// (.webmanifest is missing from many, .js is application/javascript in some).
var types = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".wasm":        "application/wasm",
	".webmanifest": "application/manifest+json",
	".json":        "application/json",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".webp":        "image/webp",
	".txt":         "text/plain; charset=utf-8",
	".map":         "application/json",
}

// contentType is the type of the original file name (never of a .br/.gz
// sibling).
func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
