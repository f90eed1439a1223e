// Package clientip finds the client address of a request, believing
// X-Forwarded-For only when it comes from a configured proxy.
//
// Each proxy appends the address it received the request from to
// X-Forwarded-For, so the header reads from the client's side on the left to
// the nearest proxy on the right, and everything left of the first proxy we
// trust was written by whoever sent the request: the client can put anything
// there. The walk therefore starts at the connection's peer and goes right
// to left only while the current hop is trusted; the first address that is
// not a trusted proxy is the client. Forwarded and X-Real-IP are ignored.
package clientip

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver knows which peers are trusted proxies. A nil or empty Resolver
// trusts none: the client is always the connection's peer.
type Resolver struct {
	trusted []netip.Prefix
}

// Parse reads a comma-separated list of CIDRs (AUTHBRIDGE_TRUSTED_PROXIES).
// A bare address is a single host (/32 or /128); IPv4-mapped IPv6 entries
// are read as IPv4; empty entries are skipped. Every bad entry is reported
// in the one error.
func Parse(cidrs string) (*Resolver, error) {
	r := &Resolver{}
	var bad []string
	for _, item := range strings.Split(cidrs, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		p, err := parseEntry(item)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", item, err))
			continue
		}
		r.trusted = append(r.trusted, p)
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("clientip: bad trusted proxy list: %s", strings.Join(bad, "; "))
	}
	return r, nil
}

var errNotIP = errors.New("not an IP address or CIDR")

func parseEntry(s string) (netip.Prefix, error) {
	if strings.Contains(s, "%") {
		return netip.Prefix{}, errors.New("zoned addresses are not supported")
	}
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, errNotIP
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, errNotIP
	}
	// Addresses are unmapped before they are compared, so a mapped
	// prefix such as ::ffff:10.0.0.0/104 must become 10.0.0.0/8 to match.
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func (r *Resolver) isTrusted(a netip.Addr) bool {
	if r == nil {
		return false
	}
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP answers the client's address in canonical form (IPv4-mapped
// IPv6 as IPv4, IPv6 compressed, no zone). It is the connection's peer
// unless the peer is a trusted proxy; then X-Forwarded-For is walked from the
// right, over trusted hops, to the first address that is not trusted. An
// entry that is not a bare IP address (empty, a host name, with a port)
// stops the walk at the last trusted hop before it.
func (r *Resolver) ClientIP(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr // no port: whatever the listener reported
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host // not an IP (a unix socket): nothing to trust
	}
	client := peer.Unmap().WithZone("")
	if !r.isTrusted(client) {
		return client.String()
	}
	// Walk the header lines from the last, and each line from its right
	// end, without splitting it into a slice: a trusted proxy forwards
	// whatever the client put on the left, up to the header size limit.
	lines := req.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for {
			cut := strings.LastIndexByte(rest, ',')
			hop, ok := parseHop(rest[cut+1:])
			if !ok {
				return client.String()
			}
			client = hop
			if !r.isTrusted(client) {
				return client.String()
			}
			if cut < 0 {
				break
			}
			rest = rest[:cut]
		}
	}
	return client.String() // every hop is a trusted proxy
}

// parseHop reads one X-Forwarded-For entry: a bare IP address, no port,
// brackets or zone.
func parseHop(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
