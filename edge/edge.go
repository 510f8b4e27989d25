// Package edge is the tracking hot path: it answers clicks with a redirect to the offer's
// destination and impressions with a pixel, under Pactum's own URLs and the incumbents' (SPEC
// section 3), and hands each visit to a Recorder that makes it durable before the answer goes out.
//
// Everything a click needs is in memory: offers, partners and links (Catalog), classified user
// agents, the visitors of the last 24 hours. Per-request state is pooled, so a click allocates
// only what outlives it: the click id, the IP's text, one string holding Location and cookie, the
// header slice that points into it (and ServeMux's path match).
package edge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/textproto"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/geoip"
	"github.com/pactum/pactum/macro"
)

// Recorder makes visits durable. The edge answers a click only after RecordClick has returned
// nil, so RecordClick must return only once the click would survive a crash. v is valid only
// during the call: a Recorder that keeps the visit copies *v (its strings may be kept).
type Recorder interface {
	RecordClick(ctx context.Context, v *pactum.Visit) error
	RecordImpression(ctx context.Context, v *pactum.Visit) error
}

// ClickSource gives the clicks stored since a time, oldest first. pactum.ClickStore satisfies it.
type ClickSource interface {
	ClicksSince(ctx context.Context, since time.Time, fn func(pactum.Visit) error) error
}

// DefaultMaxInFlight is how many requests the edge serves at once before answering 503.
const DefaultMaxInFlight = 4096

// Config is what New needs. Catalog, Signer and Recorder are required.
type Config struct {
	Catalog  *catalog.Catalog
	Signer   *clickid.Signer
	Recorder Recorder
	// GeoIP gives the visitor's country; nil without a database.
	GeoIP *geoip.DB
	// DataCenters tells data-centre and hosting networks (geoip.DataCenters); nil without an
	// ASN database, and then the datacenter rule never fires.
	DataCenters interface{ Contains(netip.Addr) bool }
	// CountryHeader names a header set by a proxy in front of the edge with the visitor's
	// country (e.g. "CF-IPCountry"). It is read when GeoIP gives nothing, and only from trusted
	// proxies if TrustedProxies is set.
	CountryHeader string
	// TrustedProxies are the networks of the proxies in front of the edge: X-Forwarded-For and
	// X-Forwarded-Proto are honoured only from them.
	TrustedProxies []netip.Prefix
	// MaxInFlight bounds concurrent requests (DefaultMaxInFlight if 0); more get a 503.
	MaxInFlight int
	// MaxVisitors bounds the memory of recent visitors (DefaultMaxVisitors if 0).
	MaxVisitors int
	// SharedVisitors, where several edges serve one deployment, is asked about each visitor
	// this edge has not seen in the last 24 hours, so that a visitor who reaches two edges is
	// unique once (bus.VisitorBucket). Nil: this edge's own memory decides.
	SharedVisitors SharedVisitors
	// Conversions takes the conversions that postbacks and pixels report. Without it the edge
	// serves clicks and impressions only; with it, Advertisers is required too.
	Conversions Submitter
	// Advertisers authenticates postbacks by token or address (postback.go).
	Advertisers AdvertiserSource
	Now         func() time.Time // time.Now if nil
	Logger      *slog.Logger     // slog.Default() if nil
}

// Edge serves the tracking endpoints. It is safe for concurrent use.
type Edge struct {
	cfg           Config
	countryHeader string // canonical form of cfg.CountryHeader
	maxInFlight   int64
	inFlight      atomic.Int64
	agents        *agentCache
	visitors      *visitors
	pool          sync.Pool // *request
	stamp         atomic.Pointer[stamp]
	lastLog       atomic.Int64 // unix seconds of the last failure logged
	advertisers   *advertiserCache
}

// stamp caches the decimal form of the current second for the {timestamp} macro.
type stamp struct {
	sec int64
	s   string
}

// request is the state of one request, pooled so that a click allocates only what outlives it.
type request struct {
	params params
	visit  pactum.Visit
	values macro.Values
	buf    []byte
}

// New returns an Edge configured by cfg.
func New(cfg Config) (*Edge, error) {
	switch {
	case cfg.Catalog == nil:
		return nil, errors.New("edge: Config.Catalog is required")
	case cfg.Signer == nil:
		return nil, errors.New("edge: Config.Signer is required")
	case cfg.Recorder == nil:
		return nil, errors.New("edge: Config.Recorder is required")
	case cfg.Conversions != nil && cfg.Advertisers == nil:
		return nil, errors.New("edge: Config.Advertisers is required with Config.Conversions")
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := &Edge{
		cfg:         cfg,
		maxInFlight: int64(cfg.MaxInFlight),
		agents:      newAgentCache(),
		visitors:    newVisitors(cfg.MaxVisitors),
	}
	if cfg.CountryHeader != "" {
		e.countryHeader = textproto.CanonicalMIMEHeaderKey(cfg.CountryHeader)
	}
	e.pool.New = func() any { return &request{buf: make([]byte, 0, 512)} }
	if cfg.Advertisers != nil {
		e.advertisers = newAdvertiserCache(cfg.Advertisers, cfg.Catalog, cfg.Now)
	}
	return e, nil
}

// Register adds the tracking endpoints to mux.
func (e *Edge) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /c/{code}", func(w http.ResponseWriter, r *http.Request) {
		e.serve(w, r, false, r.PathValue("code"), true)
	})
	mux.HandleFunc("GET /click", e.serveClick)
	mux.HandleFunc("GET /aff_c", e.serveClick)
	mux.HandleFunc("GET /i/{code}", func(w http.ResponseWriter, r *http.Request) {
		e.serve(w, r, true, r.PathValue("code"), true)
	})
	mux.HandleFunc("GET /impression", func(w http.ResponseWriter, r *http.Request) {
		e.serve(w, r, true, "", false)
	})
	if e.cfg.Conversions != nil {
		e.registerConversions(mux)
	}
}

func (e *Edge) serveClick(w http.ResponseWriter, r *http.Request) {
	e.serve(w, r, false, "", false)
}

// Seed fills the memory of recent visitors from the clicks stored in the last 24 hours, so
// that a restarted edge keeps flagging unique clicks correctly. Call it before serving.
func (e *Edge) Seed(ctx context.Context, src ClickSource) error {
	return src.ClicksSince(ctx, e.cfg.Now().Add(-UniqueWindow), func(v pactum.Visit) error {
		e.visitors.first(e.visitors.key(v.IP, v.UserAgent, v.OfferID, v.PartnerID), v.Time)
		return nil
	})
}

// timestamp returns t in unix seconds as text, computed once per second.
func (e *Edge) timestamp(t time.Time) string {
	sec := t.Unix()
	if s := e.stamp.Load(); s != nil && s.sec == sec {
		return s.s
	}
	s := &stamp{sec: sec, s: strconv.FormatInt(sec, 10)}
	e.stamp.Store(s)
	return s.s
}

// logFailure logs a failure at most once a second: the hot path must not log per request, and
// a failing store fails every request.
func (e *Edge) logFailure(msg string, err error) {
	now := time.Now().Unix()
	last := e.lastLog.Load()
	if now > last && e.lastLog.CompareAndSwap(last, now) {
		e.cfg.Logger.Error(msg, "err", err)
	}
}
