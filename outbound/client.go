package outbound

import (
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// DefaultTimeout bounds one outgoing request, from the connect to the answer's headers: a
// receiver that needs longer is counted as down, and retried later.
const DefaultTimeout = 10 * time.Second

// Config says how a Client sends.
type Config struct {
	// AllowPrivate lifts the address rule (--postback-allow-private), for tests and for
	// partners whose servers are on the operator's own network. Schemes other than http(s),
	// user names in URLs and redirects stay refused.
	AllowPrivate bool
	// Timeout bounds a whole request (default DefaultTimeout).
	Timeout time.Duration
	// Resolver looks names up; nil is the system's. Tests give one of their own.
	Resolver *net.Resolver
}

// Client sends requests under the guard. It is safe for concurrent use, and keeps connections
// open for reuse.
type Client struct {
	http         *http.Client
	allowPrivate bool
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: min(cfg.Timeout, 5*time.Second), KeepAlive: 30 * time.Second, Resolver: cfg.Resolver}
	if !cfg.AllowPrivate {
		// Control runs for each address the dialer tries, after DNS and right before the
		// connect: the address judged is the one connected to, whatever the name said when
		// the URL was checked.
		dialer.Control = control
	}
	transport := &http.Transport{
		// Never a proxy from the environment: a proxy would make the connection, and the
		// address judged would be the proxy's.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 16 << 10,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
	}
	return &Client{
		http: &http.Client{
			Transport: transport,
			Timeout:   cfg.Timeout,
			// A redirect is an answer like any other: following it would send the request
			// (and its signature) to a second address nobody checked when the URL was saved.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		allowPrivate: cfg.AllowPrivate,
	}
}

// CheckURL checks raw as the client would before sending to it (see the function CheckURL).
func (c *Client) CheckURL(raw string) error { return CheckURL(raw, c.allowPrivate) }

// Do sends req after checking its URL, and returns the answer as it came: a redirect is not
// followed. The caller reads what it needs of the body and closes it. A request the guard
// refused returns a *RefusedError (see IsRefused), before or at the connect.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if err := c.CheckURL(req.URL.String()); err != nil {
		return nil, err
	}
	return c.http.Do(req)
}

// IsRefused reports whether err is (or wraps) a request the guard refused.
func IsRefused(err error) bool {
	var r *RefusedError
	return errors.As(err, &r)
}

// control is the dialer's check of the address it is about to connect to.
func control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Message: address + " is not an address the guard can judge"}
	}
	if why := Refused(ap.Addr()); why != "" {
		return refusedAddr(ap.Addr().String(), why)
	}
	return nil
}
