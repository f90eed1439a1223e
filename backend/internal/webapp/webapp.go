// Package webapp serves the dashboard's static build (the frontend's dist/)
// the way nginx does in production, so one binary runs the whole product on
// a bare machine: try $path, then $path.html, then /index.html; precompressed
// .br and .gz siblings; the dashboard's security headers
// (nginx/spa-headers.conf).
package webapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/authbridge/authbridge/shared"
)

// Options tune the handler. The zero value serves the production policy.
type Options struct {
	// ExtraScriptSrc and ExtraConnectSrc are CSP sources appended to
	// script-src and connect-src, after 'self' and the Google Identity
	// Services origins (for example a GIS stand-in on another origin in
	// browser tests). Keywords that weaken the policy are refused.
	ExtraScriptSrc  []string
	ExtraConnectSrc []string
	// Log hears about files that exist but cannot be read; nil discards.
	Log *slog.Logger
}

// reserved are the backend's path prefixes. The dashboard never answers
// under them, even if the build held such a directory, so a fallback to
// index.html can never hide the API's own 404.
var reserved = []string{"/api", "/.well-known", "/devidp"}

// Handler serves the site in dir, which must be a directory holding
// index.html. Every answer carries the dashboard's security headers and
// Cache-Control: no-cache (revalidate with the ETag), except a
// content-hashed file found under web/, which is immutable (cacheControl).
func Handler(dir string, opts Options) (http.Handler, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("webapp: dashboard directory %q: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("webapp: dashboard directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("webapp: dashboard directory %s is not a directory", abs)
	}
	if fi, err := os.Stat(filepath.Join(abs, "index.html")); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("webapp: dashboard directory %s has no index.html (is it the frontend's dist/?)", abs)
	}
	headers, err := securityHeaders(opts.ExtraScriptSrc, opts.ExtraConnectSrc)
	if err != nil {
		return nil, fmt.Errorf("webapp: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return handleSite(abs, headers, log), nil
}

func handleSite(dir string, headers map[string]string, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range headers {
			h.Set(k, v)
		}
		h.Set("Cache-Control", cacheRevalidate)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, shared.CodeMethodNotAllowed, "The dashboard answers GET and HEAD only.")
			return
		}
		name, ok := cleanPath(r.URL.Path)
		if !ok {
			writeError(w, http.StatusNotFound, shared.CodeNotFound, "Not found.")
			return
		}
		// The root is opened per request, not once: a rebuild that replaces
		// dist/ is then picked up without a restart.
		root, err := os.OpenRoot(dir)
		if err != nil {
			log.ErrorContext(r.Context(), "webapp: open dashboard directory", "err", err)
			writeError(w, http.StatusInternalServerError, shared.CodeInternal, "Something went wrong on our side. Try again.")
			return
		}
		defer root.Close()
		f, found, err := lookup(root, name)
		if err != nil {
			log.ErrorContext(r.Context(), "webapp: read dashboard file", "err", err)
			writeError(w, http.StatusInternalServerError, shared.CodeInternal, "Something went wrong on our side. Try again.")
			return
		}
		if f == nil {
			writeError(w, http.StatusNotFound, shared.CodeNotFound, "Not found.")
			return
		}
		defer f.Close()
		h.Set("Content-Type", contentType(found))
		h.Set("Vary", "Accept-Encoding")
		h.Set("Cache-Control", cacheControl(found))
		serveFile(w, r, root, found, f, log)
	})
}

// cleanPath turns a request path into a name relative to the site root
// ("" for the root). It refuses "..", dotfiles, NUL and backslashes, and the
// backend's reserved prefixes.
func cleanPath(p string) (string, bool) {
	if strings.ContainsAny(p, "\x00\\") {
		return "", false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." || (strings.HasPrefix(seg, ".") && seg != ".") {
			return "", false
		}
	}
	p = path.Clean("/" + p)
	for _, prefix := range reserved {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return "", false
		}
	}
	return strings.TrimPrefix(p, "/"), true
}

// lookup follows nginx's try_files $uri $uri.html /index.html, except under
// web/ (the wasm, scripts and icons), where a missing file is a 404 as in
// nginx's location /web/: a page served as app.wasm would only fail later
// and more obscurely. It answers the open file and its name, nil when
// nothing matches; only unexpected failures (permissions) are errors.
func lookup(root *os.Root, name string) (*os.File, string, error) {
	var candidates []string
	if name != "" {
		candidates = append(candidates, name, name+".html")
	}
	if name != "web" && !strings.HasPrefix(name, "web/") {
		candidates = append(candidates, "index.html")
	}
	for _, c := range candidates {
		f, _, err := openRegular(root, c)
		if err != nil {
			return nil, "", err
		}
		if f != nil {
			return f, c, nil
		}
	}
	return nil, "", nil
}

// openRegular opens name when it is a regular file, never a directory (no
// listings). Missing files, symlinks leaving the root and other path
// problems answer nil; permission errors are reported.
func openRegular(root *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := root.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, nil, fmt.Errorf("open %s: %w", name, err)
		}
		return nil, nil, nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil && errors.Is(err, fs.ErrPermission) {
			return nil, nil, fmt.Errorf("stat %s: %w", name, err)
		}
		return nil, nil, nil
	}
	return f, fi, nil
}

// serveFile answers f (the original file, named name) or its best
// precompressed sibling the client accepts. http.ServeContent handles
// HEAD, ranges and the conditional requests; the ETag names the encoding
// so a cached gzip body is never revalidated as the brotli one.
func serveFile(w http.ResponseWriter, r *http.Request, root *os.Root, name string, f *os.File, log *slog.Logger) {
	fi, err := f.Stat()
	if err != nil {
		log.ErrorContext(r.Context(), "webapp: stat dashboard file", "name", name, "err", err)
		writeError(w, http.StatusInternalServerError, shared.CodeInternal, "Something went wrong on our side. Try again.")
		return
	}
	for _, c := range acceptedCodings(r.Header.Get("Accept-Encoding")) {
		cf, cfi, err := openRegular(root, name+c.ext)
		if err != nil {
			log.WarnContext(r.Context(), "webapp: precompressed file unreadable; serving the original", "name", name+c.ext, "err", err)
			continue
		}
		if cf == nil {
			continue
		}
		// A sibling older than its original is left over from an earlier
		// build: serving it would run a stale app.
		if cfi.ModTime().Before(fi.ModTime()) {
			cf.Close()
			log.DebugContext(r.Context(), "webapp: precompressed file older than its original; ignored", "name", name+c.ext)
			continue
		}
		defer cf.Close()
		w.Header().Set("ETag", etag(cfi, c.ext))
		http.ServeContent(&encodedWriter{ResponseWriter: w, coding: c.name}, r, "", cfi.ModTime(), cf)
		return
	}
	w.Header().Set("ETag", etag(fi, ""))
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func etag(fi fs.FileInfo, suffix string) string {
	return fmt.Sprintf(`"%x-%x%s"`, fi.ModTime().UnixNano(), fi.Size(), strings.ReplaceAll(suffix, ".", "-"))
}

// writeError answers with the contract's error envelope.
func writeError(w http.ResponseWriter, status int, code shared.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(shared.ErrorEnvelope{Error: shared.ErrorBody{Code: code, Message: msg}})
}
