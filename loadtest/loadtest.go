// Package loadtest drives a running Pactum server over HTTP and reports
// throughput, latency percentiles and whether every acknowledged click or
// conversion was stored. It is the engine behind `pactum loadtest`.
//
// The generator shares the machine with the server it measures, so the hot
// loop is kept cheap: one keep-alive connection and one reused request per
// worker, latencies counted into a fixed histogram, no per-request logging.
package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits on a run, so that a mistyped flag cannot keep a server busy for
// hours or open thousands of sockets.
const (
	MaxDuration    = 10 * time.Minute
	MaxConnections = 4096
	MaxRate        = 1_000_000
)

// Modes: what each request of the run is.
const (
	// ModeClicks requests Config.Path, a click or any other GET.
	ModeClicks = "clicks"
	// ModeConversions first makes click ids by requesting Config.Path, then
	// reports a conversion for one of them with each request, through the
	// API with three line items.
	ModeConversions = "conversions"
	// ModePostbacks is ModeConversions with server-to-server postbacks
	// (GET /postback on the targets, with the advertiser's postback token)
	// in place of the API.
	ModePostbacks = "postbacks"
	// ModeShopify posts Shopify orders/create webhooks, each an order of
	// ten line items with a discount code, to Config.Path on the targets,
	// signed with Config.ShopSecret as Shopify signs them; each is
	// acknowledged by 200. Afterwards the store must hold every acknowledged
	// order once as a conversion, with its commission.
	ModeShopify = "shopify"
)

// Defaults applied to a zero Config field.
const (
	DefaultMode        = ModeClicks
	DefaultConnections = 64
	DefaultDuration    = 10 * time.Second
	DefaultWarmup      = time.Second
	DefaultCountPath   = "/api/v1/clicks/count"
	DefaultExpect      = http.StatusFound
	DefaultSettle      = 15 * time.Second

	// The same, in conversions mode.
	DefaultConversionCountPath = "/api/v1/conversions/count"
	DefaultConversionExpect    = http.StatusCreated
	DefaultPostbackExpect      = http.StatusOK
	DefaultClickIDs            = 20_000
	DefaultEvent               = "purchase"
)

// MaxClickIDs bounds the set-up of conversions mode, which holds every click
// id in memory and makes them all before the measured run starts.
const MaxClickIDs = 1_000_000

// Placeholder in Config.Path replaced by a counter unique within the run.
const counterPlaceholder = "{n}"

const (
	maxErrorSamples = 8
	pollInterval    = 100 * time.Millisecond
	// requestGrace bounds how long a hung request may outlive the run.
	requestGrace = 10 * time.Second
	errorPause   = 10 * time.Millisecond
)

// Config describes one run against one server, or against the processes of
// one deployment.
type Config struct {
	// Mode is ModeClicks (default), ModeConversions, ModePostbacks or ModeShopify.
	Mode string
	// Target is the base URL of a running server, e.g. http://127.0.0.1:8080,
	// or several separated by commas, e.g. the edges of a deployment:
	// connection i then uses target i modulo their number, so that each
	// gets an even share of the load.
	Target string
	// API is the base URL of the REST API (default: the first target): the
	// stored-count check and, in conversions mode, the conversions and their
	// listing go there. Click ids are made on the targets, which serve the
	// clicks.
	API string
	// Path is the request path and query, e.g. "/c/DEMO" or
	// "/click?offer_id=1&partner_id=1&sub1={n}". Every "{n}" is replaced by
	// a counter unique within the run. It is sent as written, unescaped.
	// In conversions mode it is the click that makes the click ids, and
	// must answer with a click_id in the Location's query or a pc_{offer}
	// cookie.
	Path string
	// Connections is the number of concurrent keep-alive connections,
	// each driven by one worker that waits for every answer (default 64).
	Connections int
	// Rate, when above zero, is how many requests a second the workers
	// start between them, at most (at most MaxRate): every binary compared
	// then gets the same load, which makes the server's CPU per request
	// comparable where throughput alone moves with the machine. Zero sends
	// as fast as the answers come.
	Rate int
	// Duration is the measured part of the run (default 10s, at most
	// MaxDuration).
	Duration time.Duration
	// Warmup runs before Duration and is not measured (default 1s; a
	// negative value means none). Clicks acknowledged during it still count
	// in the stored-count check.
	Warmup time.Duration
	// APIKey authorises the stored-count check; empty skips the check.
	// Conversions mode needs it: it also authorises each conversion.
	APIKey string
	// CountPath answers {"count": N} (default /api/v1/clicks/count, or
	// /api/v1/conversions/count in conversions mode).
	CountPath string
	// Expect is the status that acknowledges a request (default 302, 201
	// in conversions mode, 200 in postbacks mode).
	Expect int
	// ClickIDs is how many click ids conversions mode makes before the run
	// (default 20,000, at most MaxClickIDs). A run with more conversions
	// reuses them round robin; each conversion has its own order id, so
	// none is a duplicate of another.
	ClickIDs int
	// Event names the event of each conversion (default "purchase").
	Event string
	// PostbackToken is the postback token of the offer's advertiser, which
	// postbacks mode sends with each postback (parameter token).
	PostbackToken string
	// ShopSecret signs the webhooks of shopify mode (the advertiser's
	// shopify_secret), and Coupon is their discount code: a partner's
	// coupon, so that every order earns a commission.
	ShopSecret string
	Coupon     string
	// Settle bounds how long to wait after the run for the server to apply
	// its durable log to the store (default 15s).
	Settle time.Duration
	// Progress receives a line per second with the request rate (nil: none).
	Progress io.Writer

	targets []string // Target split at commas, by withDefaults
}

// Result is what one run measured. Requests, Acked, Errors, RPS and the
// percentiles cover the measured part only; AckedTotal adds the warm-up,
// since the stored count spans both.
type Result struct {
	Mode string

	Targets []string // base URLs the load was spread over
	API     string   // base URL of the API calls

	// Conversions and postbacks modes: the click ids made before the run,
	// and how long that took.
	ClickIDs int
	Setup    time.Duration

	Requests   int64 // answered or failed during the measured part
	Acked      int64 // answered with the expected status
	Errors     int64 // any other status, or a transport error
	AckedTotal int64 // Acked plus acknowledgements during warm-up

	Duration time.Duration // measured part, until the last request in flight finished
	// RPS is acknowledged requests per second: a server that answers fast
	// with errors gets no credit for it.
	RPS float64

	P50, P95, P99, Max time.Duration // over every measured request, errors included

	Checked      bool  // the stored-count check ran
	StoredBefore int64 // count before the run
	StoredAfter  int64 // count after the run, once it caught up or Settle ran out
	// Verified: StoredAfter-StoredBefore >= AckedTotal and, in conversions
	// mode, the listing found every acknowledged conversion once, with a
	// commission.
	Verified bool

	// Conversions and postbacks modes: after the count, the run's
	// conversions are listed and compared with the acknowledged order ids.
	Listed       bool  // the listing ran
	Found        int64 // acknowledged conversions listed at least once
	Missing      int64 // acknowledged but not listed
	NoCommission int64 // listed without a commission payout
	Duplicates   int64 // listed more than once

	ErrorSamples []string // a few distinct error messages
}

// Stored is how many clicks (or conversions) the store gained during the run.
func (r Result) Stored() int64 { return r.StoredAfter - r.StoredBefore }

// Conversions says whether the run reported conversions (conversions or
// postbacks mode) rather than clicks.
func (r Result) Conversions() bool { return reportsConversions(r.Mode) }

func reportsConversions(mode string) bool {
	return mode == ModeConversions || mode == ModePostbacks || mode == ModeShopify
}

// Print writes r in a form meant for people.
func (r Result) Print(w io.Writer, label string) {
	fmt.Fprintf(w, "%s\n", label)
	if len(r.Targets) > 0 {
		fmt.Fprintf(w, "  targets     %s\n", strings.Join(r.Targets, ", "))
	}
	// The API is worth a line only where it was used and not already named.
	if (r.Checked || r.Conversions()) && len(r.Targets) > 0 && r.API != r.Targets[0] {
		fmt.Fprintf(w, "  api         %s\n", r.API)
	}
	unit := unitOf(r.Mode)
	if r.Conversions() && r.Mode != ModeShopify {
		fmt.Fprintf(w, "  set-up      %d click ids in %.2fs\n", r.ClickIDs, r.Setup.Seconds())
	}
	fmt.Fprintf(w, "  %s  %.0f  (%d acknowledged in %.2fs, %d errors)\n",
		unit, r.RPS, r.Acked, r.Duration.Seconds(), r.Errors)
	fmt.Fprintf(w, "  latency ms  p50 %s  p95 %s  p99 %s  max %s\n", ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
	switch {
	case r.Conversions():
		r.printStoredConversions(w)
	case !r.Checked:
		fmt.Fprintf(w, "  stored: not checked (no API key)\n")
	case r.Verified:
		fmt.Fprintf(w, "  stored: %d of %d acknowledged clicks (ok)\n", r.Stored(), r.AckedTotal)
	default:
		fmt.Fprintf(w, "  stored: %d of %d acknowledged clicks (MISSING %d)\n",
			r.Stored(), r.AckedTotal, r.AckedTotal-r.Stored())
	}
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(w, "  error: %s\n", s)
	}
}

// unitOf names what a run in mode counts per second.
func unitOf(mode string) string {
	switch mode {
	case ModeConversions:
		return "conversions/s"
	case ModePostbacks:
		return "postbacks/s"
	case ModeShopify:
		return "webhooks/s"
	}
	return "requests/s"
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

func (c Config) withDefaults() (Config, error) {
	if c.Mode == "" {
		c.Mode = DefaultMode
	}
	conversions := reportsConversions(c.Mode)
	if c.Connections == 0 {
		c.Connections = DefaultConnections
	}
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.Warmup == 0 {
		c.Warmup = DefaultWarmup
	} else if c.Warmup < 0 {
		c.Warmup = 0
	}
	if c.CountPath == "" {
		c.CountPath = DefaultCountPath
		if conversions {
			c.CountPath = DefaultConversionCountPath
		}
	}
	if c.Expect == 0 {
		c.Expect = DefaultExpect
		switch c.Mode {
		case ModeConversions:
			c.Expect = DefaultConversionExpect
		case ModePostbacks, ModeShopify:
			c.Expect = DefaultPostbackExpect
		}
	}
	if c.ClickIDs == 0 {
		c.ClickIDs = DefaultClickIDs
	}
	if c.Event == "" {
		c.Event = DefaultEvent
	}
	if c.Settle == 0 {
		c.Settle = DefaultSettle
	}
	switch {
	case c.Mode != ModeClicks && !conversions:
		return c, fmt.Errorf("loadtest: mode %q is not %s, %s, %s or %s", c.Mode, ModeClicks, ModeConversions, ModePostbacks, ModeShopify)
	case conversions && c.APIKey == "":
		return c, fmt.Errorf("loadtest: %s mode needs an API key", c.Mode)
	case c.Mode == ModePostbacks && c.PostbackToken == "":
		return c, fmt.Errorf("loadtest: postbacks mode needs the advertiser's postback token")
	case c.Mode == ModeShopify && (c.ShopSecret == "" || c.Coupon == ""):
		return c, fmt.Errorf("loadtest: shopify mode needs the advertiser's Shopify secret and a partner's coupon")
	case c.ClickIDs < 0 || c.ClickIDs > MaxClickIDs:
		return c, fmt.Errorf("loadtest: click ids must be between 1 and %d", MaxClickIDs)
	case c.Connections < 0 || c.Connections > MaxConnections:
		return c, fmt.Errorf("loadtest: connections must be between 1 and %d", MaxConnections)
	case c.Rate < 0 || c.Rate > MaxRate:
		return c, fmt.Errorf("loadtest: rate must be between 0 (as fast as answers come) and %d requests a second", MaxRate)
	case c.Duration < 0 || c.Duration > MaxDuration:
		return c, fmt.Errorf("loadtest: duration must be at most %s", MaxDuration)
	case c.Warmup > MaxDuration:
		return c, fmt.Errorf("loadtest: warm-up must be at most %s", MaxDuration)
	case !strings.HasPrefix(c.Path, "/"):
		return c, fmt.Errorf("loadtest: path %q must start with /", c.Path)
	case !strings.HasPrefix(c.CountPath, "/"):
		return c, fmt.Errorf("loadtest: count path %q must start with /", c.CountPath)
	case c.Expect < 100 || c.Expect > 599:
		return c, fmt.Errorf("loadtest: expected status %d is not an HTTP status", c.Expect)
	}
	c.targets = nil
	for _, t := range strings.Split(c.Target, ",") {
		t = strings.TrimRight(strings.TrimSpace(t), "/")
		// An empty entry is more likely an unset shell variable than a
		// wish for fewer targets: the run would not be what it says.
		if !httpURL(t) {
			return c, fmt.Errorf("loadtest: target %q is not an http(s) URL", t)
		}
		c.targets = append(c.targets, t)
	}
	if c.Connections < len(c.targets) {
		return c, fmt.Errorf("loadtest: %d connections for %d targets would leave some without load", c.Connections, len(c.targets))
	}
	if c.API == "" {
		c.API = c.targets[0]
	}
	c.API = strings.TrimRight(strings.TrimSpace(c.API), "/")
	if !httpURL(c.API) {
		return c, fmt.Errorf("loadtest: API %q is not an http(s) URL", c.API)
	}
	return c, nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Run drives cfg.Target until the warm-up and cfg.Duration have passed, then,
// if cfg.APIKey is set, waits for the store to hold every acknowledged click
// or conversion. In conversions mode it first makes cfg.ClickIDs click ids on
// cfg.Target, reports the conversions to cfg.API, and afterwards lists the
// run's conversions to check each acknowledged one.
// An error means the run could not start, the set-up failed, the count or
// the list could not be read, or ctx was cancelled; the Result then holds
// whatever was measured.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	api := cfg.API

	transport := &http.Transport{
		DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		// One more than the workers hold: the API's connection, when it
		// is another host, must not push a worker's out of the pool.
		MaxIdleConns:        cfg.Connections + 1,
		MaxIdleConnsPerHost: cfg.Connections,
		MaxConnsPerHost:     cfg.Connections,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		// A redirect is the answer being measured, not something to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}

	res := Result{Mode: cfg.Mode, Targets: cfg.targets, API: api}
	if cfg.APIKey != "" {
		res.Checked = true
		if res.StoredBefore, err = readCount(ctx, client, api+cfg.CountPath, cfg.APIKey); err != nil {
			return res, fmt.Errorf("loadtest: stored count before the run: %w", err)
		}
	}

	r, err := newRun(ctx, client, cfg)
	if err != nil {
		return res, err
	}
	defer r.cancel()
	if r.conv != nil && !r.conv.shopify {
		t0 := time.Now()
		if err := r.makeClickIDs(cfg.ClickIDs, cfg.Connections); err != nil {
			return res, fmt.Errorf("loadtest: making click ids: %w", err)
		}
		res.ClickIDs, res.Setup = len(r.conv.clickIDs), time.Since(t0)
		if cfg.Mode == ModeConversions && !slices.Contains(cfg.targets, api) {
			// The run will not use the set-up's connections to the
			// targets: holding them would only keep sockets open there.
			transport.CloseIdleConnections()
		}
	}

	res, workers, runErr := r.drive(ctx, cfg, res)
	if runErr != nil || !res.Checked {
		return res, runErr
	}
	if err := settle(ctx, client, api, cfg, &res); err != nil {
		return res, err
	}
	if r.conv != nil {
		// Even when the count fell short: the listing says which are missing.
		return res, r.checkConversions(ctx, client, api, cfg.APIKey, workers, &res)
	}
	return res, nil
}

// settle waits for the stored count to cover every acknowledgement, or for
// cfg.Settle to run out.
func settle(ctx context.Context, client *http.Client, api string, cfg Config, res *Result) error {
	deadline := time.Now().Add(cfg.Settle)
	for {
		n, err := readCount(ctx, client, api+cfg.CountPath, cfg.APIKey)
		if err == nil {
			res.StoredAfter = n
			if res.Stored() >= res.AckedTotal {
				res.Verified = true
				return nil
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return fmt.Errorf("loadtest: stored count after the run: %w", err)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

func readCount(ctx context.Context, client *http.Client, u, apiKey string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s: %s", u, resp.Status, snippet(body))
	}
	var v struct {
		Count *int64 `json:"count"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Count == nil {
		return 0, fmt.Errorf("GET %s: want {\"count\": N}, got %s", u, snippet(body))
	}
	return *v.Count, nil
}

func snippet(b []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(b))
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}

// run is the state shared by the workers of one run.
type run struct {
	// The hot loop calls the transport directly: http.Client, on every
	// 302, parses Location and prepares the follow-up request before
	// CheckRedirect can decline it, which cost about a tenth of the
	// generator's CPU. A transport never follows redirects.
	transport http.RoundTripper
	ctx       context.Context
	cancel    context.CancelFunc // ends ctx, for requests hung past the run
	expect    int
	unit      string       // what the progress line counts per second
	conv      *conversions // nil in clicks mode
	targets   []endpoint   // where clicks and postbacks go: worker i to targets[i % len]
	api       endpoint     // where conversions go
	parts     []string     // Path split at every "{n}"
	counter   atomic.Int64
	pace      *pacer // nil: no Config.Rate
	stop      atomic.Bool
	start     time.Time
	measured  time.Time // warm-up ends

	samplesMu sync.Mutex
	samples   []string
}

// endpoint is one base URL a worker sends to.
type endpoint struct {
	prefix   string // base URL, for a request rebuilt after an error
	basePath string // path of the base URL, for a server mounted under a prefix
}

func newEndpoint(base string) endpoint {
	e := endpoint{prefix: base}
	if u, err := url.Parse(base); err == nil {
		e.basePath = u.EscapedPath()
	}
	return e
}

// Each worker keeps its own counters so that the hot loop writes no memory
// another goroutine reads, but done, which the progress printer reads once a
// second.
type worker struct {
	r    *run
	ep   *endpoint // where request and postback send; conversions go to r.api
	req  *http.Request
	buf  []byte
	hist histogram

	done atomic.Int64

	requests, acked, errors, warmAcked int64
	finished                           time.Time

	// Conversions and postbacks modes: the body being sent (conversions),
	// the order number it carries, the next one, and the order numbers
	// acknowledged.
	body      *requestBody
	mac       hash.Hash // shopify mode: the HMAC of the webhooks' signatures
	order     int64
	nextOrder int64
	orders    []int64
}

func newRun(ctx context.Context, client *http.Client, cfg Config) (*run, error) {
	r := &run{
		transport: client.Transport,
		expect:    cfg.Expect,
		unit:      unitOf(cfg.Mode),
		api:       newEndpoint(cfg.API),
		parts:     strings.Split(cfg.Path, counterPlaceholder),
	}
	for _, t := range cfg.targets {
		r.targets = append(r.targets, newEndpoint(t))
	}
	if reportsConversions(cfg.Mode) {
		var err error
		if r.conv, err = newConversions(cfg); err != nil {
			return nil, err
		}
	}
	// Requests get their own context so that one hung past the end of the
	// run is abandoned after a grace period instead of holding Run forever.
	r.ctx, r.cancel = context.WithCancel(ctx)
	return r, nil
}

// drive runs the workers and returns what they measured, and the workers
// for the order numbers they kept.
func (r *run) drive(ctx context.Context, cfg Config, res Result) (Result, []*worker, error) {
	defer r.cancel()
	r.start = time.Now()
	r.measured = r.start.Add(cfg.Warmup)
	if cfg.Rate > 0 {
		r.pace = newPacer(r.start, cfg.Rate)
	}
	total := cfg.Warmup + cfg.Duration
	stopTimer := time.AfterFunc(total, func() { r.stop.Store(true) })
	defer stopTimer.Stop()
	graceTimer := time.AfterFunc(total+requestGrace, r.cancel)
	defer graceTimer.Stop()
	stopOnCancel := context.AfterFunc(ctx, func() { r.stop.Store(true) })
	defer stopOnCancel()

	workers := make([]*worker, cfg.Connections)
	var wg sync.WaitGroup
	for i := range workers {
		// Reporting conversions, each worker numbers its orders i+1, i+1+n,
		// i+1+2n, ...: unique without a shared counter in the hot loop.
		w := &worker{r: r, ep: r.target(i), nextOrder: int64(i) + 1}
		workers[i] = w
		wg.Go(w.loop)
	}

	progressDone := make(chan struct{})
	var progressWG sync.WaitGroup
	if cfg.Progress != nil {
		progressWG.Go(func() { r.progress(cfg.Progress, workers, progressDone) })
	}
	wg.Wait()
	close(progressDone)
	progressWG.Wait()

	var h histogram
	var last time.Time
	for _, w := range workers {
		res.Requests += w.requests
		res.Acked += w.acked
		res.Errors += w.errors
		res.AckedTotal += w.acked + w.warmAcked
		h.merge(&w.hist)
		if w.finished.After(last) {
			last = w.finished
		}
	}
	res.Duration = max(last.Sub(r.measured), 0)
	if res.Duration > 0 {
		res.RPS = float64(res.Acked) / res.Duration.Seconds()
	}
	res.P50, res.P95, res.P99, res.Max = h.quantile(0.50), h.quantile(0.95), h.quantile(0.99), h.max
	res.ErrorSamples = r.samples
	return res, workers, ctx.Err()
}

// target is where connection i sends its clicks: round robin, so that the
// targets' shares of the connections differ by one at most.
func (r *run) target(i int) *endpoint { return &r.targets[i%len(r.targets)] }

func (w *worker) loop() {
	r := w.r
	next := w.request
	switch {
	case r.conv != nil && r.conv.postbacks:
		next = w.postback
	case r.conv != nil && r.conv.shopify:
		next = w.shopifyOrder
	case r.conv != nil:
		next = w.conversion
	}
	for !r.stop.Load() {
		if r.pace != nil && !r.pace.wait(&r.stop) {
			break
		}
		req := next()
		t0 := time.Now()
		resp, err := r.transport.RoundTrip(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
			if status != r.expect {
				w.sampleStatus(resp)
			}
			// Draining lets the connection be reused; closing after a
			// full read returns it to the pool.
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		now := time.Now()
		ok := err == nil && status == r.expect
		if err != nil {
			r.sample(err.Error())
			// The transport may still hold a failed request, so the
			// next one must not share it.
			w.req, w.body, w.buf = nil, nil, nil
			// A refused or reset connection fails at once; without a
			// pause every worker would spin and starve the server it
			// shares the machine with.
			time.Sleep(errorPause)
		}
		w.done.Add(1)
		if ok && r.conv != nil {
			w.orders = append(w.orders, w.order)
		}
		if t0.Before(r.measured) {
			if ok {
				w.warmAcked++
			}
			continue
		}
		w.requests++
		if ok {
			w.acked++
		} else {
			w.errors++
		}
		w.hist.record(now.Sub(t0))
	}
	w.finished = time.Now()
}

// request returns the worker's request with the next path. Reusing it is
// allowed once the previous response body is closed (see http.RoundTripper),
// so the only allocation per request is the path string, and none at all
// without "{n}". URL.Opaque carries the path so it is sent exactly as given.
func (w *worker) request() *http.Request {
	r, ep := w.r, w.ep
	if w.req == nil {
		w.req = r.newGet(ep)
		if len(r.parts) == 1 {
			w.req.URL.Opaque = ep.basePath + r.parts[0]
		}
	}
	if len(r.parts) > 1 {
		w.buf = append(w.buf[:0], ep.basePath...)
		for i, p := range r.parts {
			if i > 0 {
				w.buf = strconv.AppendInt(w.buf, r.counter.Add(1), 10)
			}
			w.buf = append(w.buf, p...)
		}
		w.req.URL.Opaque = string(w.buf)
	}
	return w.req
}

// newGet returns a GET request to ep with no path yet: the caller sets
// URL.Opaque, which is sent exactly as given.
func (r *run) newGet(ep *endpoint) *http.Request {
	u, _ := url.Parse(ep.prefix) // validated in withDefaults
	u.Path, u.RawPath, u.RawQuery, u.Fragment = "", "", "", ""
	return (&http.Request{
		Method:     http.MethodGet,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header),
		Host:       u.Host,
	}).WithContext(r.ctx)
}

func (w *worker) sampleStatus(resp *http.Response) {
	if w.r.samplesFull() {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	msg := resp.Status
	if s := snippet(body); s != "" {
		msg += ": " + s
	}
	w.r.sample(msg)
}

func (r *run) samplesFull() bool {
	r.samplesMu.Lock()
	defer r.samplesMu.Unlock()
	return len(r.samples) >= maxErrorSamples
}

func (r *run) sample(msg string) {
	r.samplesMu.Lock()
	defer r.samplesMu.Unlock()
	if len(r.samples) >= maxErrorSamples {
		return
	}
	for _, s := range r.samples {
		if s == msg {
			return
		}
	}
	r.samples = append(r.samples, msg)
}

func (r *run) progress(out io.Writer, workers []*worker, done <-chan struct{}) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var prev int64
	prevAt := r.start
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			var n int64
			for _, w := range workers {
				n += w.done.Load()
			}
			rate := float64(n-prev) / now.Sub(prevAt).Seconds()
			phase := ""
			if prevAt.Before(r.measured) {
				phase = "  (warm-up)"
			}
			prev, prevAt = n, now
			elapsed := now.Sub(r.start).Round(time.Second)
			fmt.Fprintf(out, "  %4s  %8.0f %s%s\n", elapsed, rate, r.unit, phase)
		}
	}
}

// pacer hands out start times a fixed interval apart (Config.Rate): a worker
// takes the next and waits for it. Times the workers could not keep up with
// are not made up later in a burst: a slot more than a second late moves the
// schedule to now.
type pacer struct {
	next     atomic.Int64 // unix nanoseconds of the next start
	interval int64
}

func newPacer(start time.Time, rate int) *pacer {
	p := &pacer{interval: int64(time.Second) / int64(rate)}
	p.next.Store(start.UnixNano())
	return p
}

// wait blocks until the worker's next start, and reports false if stop was
// set meanwhile.
func (p *pacer) wait(stop *atomic.Bool) bool {
	now := time.Now().UnixNano()
	at := p.next.Add(p.interval) - p.interval
	if late := now - at; late > int64(time.Second) {
		p.next.CompareAndSwap(at+p.interval, now+p.interval)
		at = now
	}
	for d := time.Duration(at - now); d > 0; d = time.Duration(at - time.Now().UnixNano()) {
		if stop.Load() {
			return false
		}
		time.Sleep(min(d, 100*time.Millisecond))
	}
	return !stop.Load()
}
