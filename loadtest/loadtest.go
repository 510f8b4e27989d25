// Package loadtest drives a running Pactum server over HTTP and reports
// throughput, latency percentiles and whether every acknowledged click was
// stored. It is the engine behind `pactum loadtest`.
//
// The generator shares the machine with the server it measures, so the hot
// loop is kept cheap: one keep-alive connection and one reused request per
// worker, latencies counted into a fixed histogram, no per-request logging.
package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
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
)

// Defaults applied to a zero Config field.
const (
	DefaultConnections = 64
	DefaultDuration    = 10 * time.Second
	DefaultWarmup      = time.Second
	DefaultCountPath   = "/api/v1/clicks/count"
	DefaultExpect      = http.StatusFound
	DefaultSettle      = 15 * time.Second
)

// Placeholder in Config.Path replaced by a counter unique within the run.
const counterPlaceholder = "{n}"

const (
	maxErrorSamples = 8
	pollInterval    = 100 * time.Millisecond
	// requestGrace bounds how long a hung request may outlive the run.
	requestGrace = 10 * time.Second
	errorPause   = 10 * time.Millisecond
)

// Config describes one run against one server.
type Config struct {
	// Target is the base URL of a running server, e.g. http://127.0.0.1:8080.
	Target string
	// Path is the request path and query, e.g. "/c/DEMO" or
	// "/click?offer_id=1&partner_id=1&sub1={n}". Every "{n}" is replaced by
	// a counter unique within the run. It is sent as written, unescaped.
	Path string
	// Connections is the number of concurrent keep-alive connections,
	// each driven by one worker that waits for every answer (default 64).
	Connections int
	// Duration is the measured part of the run (default 10s, at most
	// MaxDuration).
	Duration time.Duration
	// Warmup runs before Duration and is not measured (default 1s; a
	// negative value means none). Clicks acknowledged during it still count
	// in the stored-count check.
	Warmup time.Duration
	// APIKey authorises the stored-count check; empty skips the check.
	APIKey string
	// CountPath answers {"count": N} (default /api/v1/clicks/count).
	CountPath string
	// Expect is the status that acknowledges a request (default 302).
	Expect int
	// Settle bounds how long to wait after the run for the server to apply
	// its durable log to the store (default 15s).
	Settle time.Duration
	// Progress receives a line per second with the request rate (nil: none).
	Progress io.Writer
}

// Result is what one run measured. Requests, Acked, Errors, RPS and the
// percentiles cover the measured part only; AckedTotal adds the warm-up,
// since the stored count spans both.
type Result struct {
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
	Verified     bool  // StoredAfter-StoredBefore >= AckedTotal

	ErrorSamples []string // a few distinct error messages
}

// Stored is how many clicks the store gained during the run.
func (r Result) Stored() int64 { return r.StoredAfter - r.StoredBefore }

// Print writes r in a form meant for people.
func (r Result) Print(w io.Writer, label string) {
	fmt.Fprintf(w, "%s\n", label)
	fmt.Fprintf(w, "  requests/s  %.0f  (%d acknowledged in %.2fs, %d errors)\n",
		r.RPS, r.Acked, r.Duration.Seconds(), r.Errors)
	fmt.Fprintf(w, "  latency ms  p50 %s  p95 %s  p99 %s  max %s\n", ms(r.P50), ms(r.P95), ms(r.P99), ms(r.Max))
	switch {
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

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

func (c Config) withDefaults() (Config, error) {
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
	}
	if c.Expect == 0 {
		c.Expect = DefaultExpect
	}
	if c.Settle == 0 {
		c.Settle = DefaultSettle
	}
	switch {
	case c.Connections < 0 || c.Connections > MaxConnections:
		return c, fmt.Errorf("loadtest: connections must be between 1 and %d", MaxConnections)
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
	u, err := url.Parse(c.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("loadtest: target %q is not an http(s) URL", c.Target)
	}
	return c, nil
}

// Run drives cfg.Target until the warm-up and cfg.Duration have passed, then,
// if cfg.APIKey is set, waits for the store to hold every acknowledged click.
// An error means the run could not start, the count could not be read, or ctx
// was cancelled; the Result then holds whatever was measured.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	base := strings.TrimRight(cfg.Target, "/")

	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.Connections,
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

	var res Result
	if cfg.APIKey != "" {
		res.Checked = true
		if res.StoredBefore, err = readCount(ctx, client, base+cfg.CountPath, cfg.APIKey); err != nil {
			return res, fmt.Errorf("loadtest: stored count before the run: %w", err)
		}
	}

	res, runErr := drive(ctx, client, base, cfg, res)
	if runErr != nil || !res.Checked {
		return res, runErr
	}

	deadline := time.Now().Add(cfg.Settle)
	for {
		n, err := readCount(ctx, client, base+cfg.CountPath, cfg.APIKey)
		if err == nil {
			res.StoredAfter = n
			if res.Stored() >= res.AckedTotal {
				res.Verified = true
				return res, nil
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return res, fmt.Errorf("loadtest: stored count after the run: %w", err)
			}
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
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
	expect    int
	prefix    string   // base URL, for a request rebuilt after an error
	basePath  string   // path of the base URL, for a server mounted under a prefix
	parts     []string // Path split at every "{n}"
	counter   atomic.Int64
	stop      atomic.Bool
	start     time.Time
	measured  time.Time // warm-up ends

	samplesMu sync.Mutex
	samples   []string
}

// Each worker keeps its own counters so that the hot loop writes no memory
// another goroutine reads, but done, which the progress printer reads once a
// second.
type worker struct {
	r    *run
	req  *http.Request
	buf  []byte
	hist histogram

	done atomic.Int64

	requests, acked, errors, warmAcked int64
	finished                           time.Time
}

func drive(ctx context.Context, client *http.Client, base string, cfg Config, res Result) (Result, error) {
	// Requests get their own context so that one hung past the end of the
	// run is abandoned after a grace period instead of holding Run forever.
	reqCtx, cancelReqs := context.WithCancel(ctx)
	defer cancelReqs()

	r := &run{
		transport: client.Transport,
		ctx:       reqCtx,
		expect:    cfg.Expect,
		prefix:    base,
		parts:     strings.Split(cfg.Path, counterPlaceholder),
		start:     time.Now(),
	}
	if u, err := url.Parse(base); err == nil {
		r.basePath = u.EscapedPath()
	}
	r.measured = r.start.Add(cfg.Warmup)
	total := cfg.Warmup + cfg.Duration
	stopTimer := time.AfterFunc(total, func() { r.stop.Store(true) })
	defer stopTimer.Stop()
	graceTimer := time.AfterFunc(total+requestGrace, cancelReqs)
	defer graceTimer.Stop()
	stopOnCancel := context.AfterFunc(ctx, func() { r.stop.Store(true) })
	defer stopOnCancel()

	workers := make([]*worker, cfg.Connections)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{r: r}
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
	return res, ctx.Err()
}

func (w *worker) loop() {
	r := w.r
	for !r.stop.Load() {
		req := w.request()
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
			w.req = nil
			// A refused or reset connection fails at once; without a
			// pause every worker would spin and starve the server it
			// shares the machine with.
			time.Sleep(errorPause)
		}
		w.done.Add(1)
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
	r := w.r
	if w.req == nil {
		u, _ := url.Parse(r.prefix) // validated in withDefaults
		u.Path, u.RawPath, u.RawQuery, u.Fragment = "", "", "", ""
		w.req = (&http.Request{
			Method:     http.MethodGet,
			URL:        u,
			Proto:      "HTTP/1.1",
			ProtoMajor: 1,
			ProtoMinor: 1,
			Header:     make(http.Header),
			Host:       u.Host,
		}).WithContext(r.ctx)
		if len(r.parts) == 1 {
			u.Opaque = r.basePath + r.parts[0]
		}
	}
	if len(r.parts) > 1 {
		w.buf = append(w.buf[:0], r.basePath...)
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
			fmt.Fprintf(out, "  %4s  %8.0f req/s%s\n", elapsed, rate, phase)
		}
	}
}
