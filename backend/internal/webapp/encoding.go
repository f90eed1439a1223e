package webapp

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// coding is a content coding we may find precompressed on disk.
type coding struct {
	name string // Content-Encoding value
	ext  string // file suffix
	q    float64
}

// precompressed lists the codings in order of preference at equal weight.
var precompressed = []coding{{name: "br", ext: ".br"}, {name: "gzip", ext: ".gz"}}

// acceptedCodings answers the precompressed codings an Accept-Encoding
// header allows, best first: by q-value, brotli before gzip on a tie. A
// coding with q=0 is refused, "*" stands for any coding not named, and no
// header means identity only (as with nginx's gzip_static).
func acceptedCodings(header string) []coding {
	weights := map[string]float64{}
	for part := range strings.SplitSeq(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if name == "x-gzip" {
			name = "gzip"
		}
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(param, "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0 // unreadable weight: don't guess the client accepts it
				}
				q = f
			}
		}
		if _, seen := weights[name]; !seen {
			weights[name] = q
		}
	}
	var out []coding
	for _, c := range precompressed {
		q, named := weights[c.name]
		if !named {
			q = weights["*"] // 0 when absent
		}
		if q > 0 {
			c.q = q
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b coding) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	return out
}

// encodedWriter adds Content-Encoding to the answers that carry the
// compressed bytes (200 and 206) and to no other: a 304 or 412 has no body,
// and http.ServeContent computes Content-Length only while the header is
// still unset, so it counts the compressed bytes we send.
type encodedWriter struct {
	http.ResponseWriter
	coding      string
	wroteHeader bool
}

func (e *encodedWriter) WriteHeader(status int) {
	if !e.wroteHeader {
		e.wroteHeader = true
		if status == http.StatusOK || status == http.StatusPartialContent {
			e.Header().Set("Content-Encoding", e.coding)
		}
	}
	e.ResponseWriter.WriteHeader(status)
}

func (e *encodedWriter) Write(b []byte) (int, error) {
	if !e.wroteHeader {
		e.WriteHeader(http.StatusOK)
	}
	return e.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (e *encodedWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }
