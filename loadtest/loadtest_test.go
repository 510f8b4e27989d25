package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "secret"

// quick keeps each run short; the figures themselves do not matter here.
func quick(target, path string) Config {
	return Config{
		Target:      target,
		Path:        path,
		Connections: 4,
		Duration:    300 * time.Millisecond,
		Warmup:      50 * time.Millisecond,
		Settle:      time.Second,
	}
}

// clickServer answers every click with 302 and counts it in a store whose
// count endpoint is behind a bearer key. forget drops every forget-th
// click after answering; lag applies clicks to the count only after a
// delay, as a server applying its durable log asynchronously does.
type clickServer struct {
	forget  int64
	lag     time.Duration
	initial int64

	answered atomic.Int64
	stored   atomic.Int64
}

func (s *clickServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == DefaultCountPath {
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"count": %d}`, s.initial+s.stored.Load())
		return
	}
	n := s.answered.Add(1)
	if s.forget == 0 || n%s.forget != 0 {
		if s.lag > 0 {
			time.AfterFunc(s.lag, func() { s.stored.Add(1) })
		} else {
			s.stored.Add(1)
		}
	}
	w.Header().Set("Location", "https://example.com/")
	w.WriteHeader(http.StatusFound)
}

func TestRunCountsAcknowledgements(t *testing.T) {
	srv := httptest.NewServer(&clickServer{})
	defer srv.Close()
	var progress bytes.Buffer
	cfg := quick(srv.URL, "/c/DEMO")
	cfg.Duration = 1200 * time.Millisecond
	cfg.Progress = &progress

	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked == 0 || res.Errors != 0 || res.Requests != res.Acked {
		t.Fatalf("requests %d, acked %d, errors %d", res.Requests, res.Acked, res.Errors)
	}
	if res.AckedTotal <= res.Acked {
		t.Errorf("acked total %d should include the warm-up beyond %d", res.AckedTotal, res.Acked)
	}
	if res.RPS <= 0 || res.Duration < cfg.Duration {
		t.Errorf("rps %.0f over %s", res.RPS, res.Duration)
	}
	if !(0 < res.P50 && res.P50 <= res.P95 && res.P95 <= res.P99 && res.P99 <= res.Max) {
		t.Errorf("percentiles out of order: p50 %s p95 %s p99 %s max %s", res.P50, res.P95, res.P99, res.Max)
	}
	if res.Checked {
		t.Error("count checked without an API key")
	}
	if !strings.Contains(progress.String(), "requests/s") {
		t.Errorf("no progress line in %q", progress.String())
	}
	var out bytes.Buffer
	res.Print(&out, "demo")
	for _, want := range []string{"demo", "requests/s", "p50", "p99", "not checked"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Print lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunCountsErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "database is locked", http.StatusInternalServerError)
	}))
	defer srv.Close()

	res, err := Run(context.Background(), quick(srv.URL, "/c/DEMO"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 0 || res.Errors == 0 || res.Errors != res.Requests || res.RPS != 0 {
		t.Fatalf("requests %d, acked %d, errors %d, rps %.0f", res.Requests, res.Acked, res.Errors, res.RPS)
	}
	if len(res.ErrorSamples) != 1 || !strings.Contains(res.ErrorSamples[0], "500") ||
		!strings.Contains(res.ErrorSamples[0], "database is locked") {
		t.Errorf("samples %q", res.ErrorSamples)
	}
}

func TestRunCountsTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	target := srv.URL
	srv.Close() // nothing listens there any more

	res, err := Run(context.Background(), quick(target, "/c/DEMO"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 0 || res.Errors == 0 || len(res.ErrorSamples) == 0 {
		t.Fatalf("acked %d, errors %d, samples %q", res.Acked, res.Errors, res.ErrorSamples)
	}
}

func TestRunDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int64
	landing := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Add(1) }))
	defer landing.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, landing.URL, http.StatusFound)
	}))
	defer srv.Close()

	res, err := Run(context.Background(), quick(srv.URL, "/c/DEMO"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked == 0 || followed.Load() != 0 {
		t.Fatalf("acked %d, landing page hit %d times", res.Acked, followed.Load())
	}
}

func TestRunVerifiesStoredCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		srv  *clickServer
	}{
		{"immediate", &clickServer{initial: 1000}},
		{"applied asynchronously", &clickServer{initial: 1000, lag: 300 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.srv)
			defer srv.Close()
			cfg := quick(srv.URL, "/c/DEMO")
			cfg.APIKey = testKey

			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Checked || !res.Verified || res.StoredBefore != 1000 || res.Stored() != res.AckedTotal {
				t.Fatalf("checked %v, verified %v, before %d, stored %d of %d",
					res.Checked, res.Verified, res.StoredBefore, res.Stored(), res.AckedTotal)
			}
			var out bytes.Buffer
			res.Print(&out, "pactum")
			want := fmt.Sprintf("stored: %d of %d acknowledged clicks (ok)", res.AckedTotal, res.AckedTotal)
			if !strings.Contains(out.String(), want) {
				t.Errorf("Print lacks %q:\n%s", want, out.String())
			}
		})
	}
}

func TestRunReportsMissingClicks(t *testing.T) {
	srv := httptest.NewServer(&clickServer{forget: 10})
	defer srv.Close()
	cfg := quick(srv.URL, "/c/DEMO")
	cfg.APIKey = testKey
	cfg.Settle = 300 * time.Millisecond

	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verified || res.Stored() >= res.AckedTotal {
		t.Fatalf("verified %v with %d stored of %d", res.Verified, res.Stored(), res.AckedTotal)
	}
	var out bytes.Buffer
	res.Print(&out, "forgetful")
	want := fmt.Sprintf("(MISSING %d)", res.AckedTotal-res.Stored())
	if !strings.Contains(out.String(), want) {
		t.Errorf("Print lacks %q:\n%s", want, out.String())
	}
}

func TestRunRefusesUnreadableCount(t *testing.T) {
	srv := httptest.NewServer(&clickServer{})
	defer srv.Close()
	cfg := quick(srv.URL, "/c/DEMO")
	cfg.APIKey = "wrong"
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want the 401 of the count endpoint", err)
	}
}

func TestRunNumbersRequests(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path+"?"+r.URL.RawQuery]++
		mu.Unlock()
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()

	res, err := Run(context.Background(), quick(srv.URL+"/", "/click?offer_id=1&sub1={n}&sub2=x{n}"))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if int64(len(seen)) != res.AckedTotal+res.Errors {
		t.Fatalf("%d distinct paths for %d requests", len(seen), res.AckedTotal)
	}
	for p, n := range seen {
		if n != 1 || !strings.HasPrefix(p, "/click?offer_id=1&sub1=") || strings.Contains(p, "{n}") {
			t.Fatalf("path %q seen %d times", p, n)
		}
	}
}

func TestRunUnderPrefix(t *testing.T) {
	var wrong atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pactum/c/DEMO" {
			wrong.Add(1)
		}
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), quick(srv.URL+"/pactum/", "/c/DEMO"))
	if err != nil || res.Acked == 0 || wrong.Load() != 0 {
		t.Fatalf("err %v, acked %d, wrong paths %d", err, res.Acked, wrong.Load())
	}
}

func TestRunValidates(t *testing.T) {
	for _, cfg := range []Config{
		{Target: "http://127.0.0.1:1", Path: "/c/X", Duration: MaxDuration + time.Second},
		{Target: "http://127.0.0.1:1", Path: "c/X"},
		{Target: "127.0.0.1:1", Path: "/c/X"},
		{Target: "http://127.0.0.1:1", Path: "/c/X", Connections: -1},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	srv := httptest.NewServer(&clickServer{})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	cfg := quick(srv.URL, "/c/DEMO")
	cfg.Duration = time.Minute
	start := time.Now()
	if _, err := Run(ctx, cfg); err == nil {
		t.Fatal("no error after cancel")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %s to stop", time.Since(start))
	}
}

func TestAlternate(t *testing.T) {
	var mu sync.Mutex
	var hits []string
	handler := func(label string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			if len(hits) == 0 || hits[len(hits)-1] != label {
				hits = append(hits, label)
			}
			mu.Unlock()
			w.WriteHeader(http.StatusFound)
		})
	}
	a := httptest.NewServer(handler("A"))
	defer a.Close()
	b := httptest.NewServer(handler("B"))
	defer b.Close()

	rounds, err := Alternate(context.Background(), 2,
		Target{"A", quick(a.URL, "/")}, Target{"B", quick(b.URL, "/")})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range rounds {
		order = append(order, fmt.Sprintf("%s%d", r.Label, r.Round))
		if r.Result.Acked == 0 {
			t.Errorf("%s round %d acknowledged nothing", r.Label, r.Round)
		}
	}
	if got := strings.Join(order, " "); got != "A1 B1 A2 B2" {
		t.Errorf("rounds %s", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(hits, ""); got != "ABAB" {
		t.Errorf("servers hit in order %s", got)
	}

	var out bytes.Buffer
	PrintSummary(&out, Summarize(rounds))
	for _, want := range []string{"A ", "B ", "A / B: req/s x"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSummarize(t *testing.T) {
	r := func(label string, rps float64, p99 time.Duration) Round {
		return Round{Label: label, Result: Result{RPS: rps, P99: p99, Checked: label == "pactum", Verified: rps > 0}}
	}
	sums := Summarize([]Round{
		r("pactum", 300, 9*time.Millisecond), r("bare", 1000, 2*time.Millisecond),
		r("pactum", 100, 3*time.Millisecond), r("bare", 900, 4*time.Millisecond),
		r("pactum", 200, 5*time.Millisecond), r("bare", 5000, 6*time.Millisecond),
		r("bare", 950, 8*time.Millisecond),
	})
	if len(sums) != 2 || sums[0].Label != "pactum" || sums[1].Label != "bare" {
		t.Fatalf("%+v", sums)
	}
	p, b := sums[0], sums[1]
	if p.MedianRPS != 200 || p.MedianP99 != 5*time.Millisecond || p.MinRPS != 100 || p.MaxRPS != 300 ||
		p.Checked != 3 || p.Verified != 3 || p.Rounds != 3 {
		t.Errorf("pactum %+v", p)
	}
	if b.MedianRPS != 975 || b.MedianP99 != 5*time.Millisecond || b.Checked != 0 {
		t.Errorf("bare %+v", b)
	}
	var out bytes.Buffer
	PrintSummary(&out, sums)
	if !strings.Contains(out.String(), "pactum / bare: req/s x0.21, p99 x1.00") {
		t.Errorf("summary:\n%s", out.String())
	}
}

func TestAlternateValidates(t *testing.T) {
	ok := Target{"A", Config{Target: "http://127.0.0.1:1", Path: "/"}}
	if _, err := Alternate(context.Background(), 0, ok); err == nil {
		t.Error("0 rounds accepted")
	}
	bad := Target{"B", Config{Target: "http://127.0.0.1:1", Path: "/", Duration: time.Hour}}
	if _, err := Alternate(context.Background(), 1, ok, bad); err == nil {
		t.Error("an hour accepted")
	}
}

func TestRequestAllocations(t *testing.T) {
	for _, tc := range []struct {
		path string
		want float64
	}{
		{"/c/DEMO", 0},
		{"/click?offer_id=1&sub1={n}", 1}, // the path string itself
	} {
		r := &run{ctx: context.Background(), parts: strings.Split(tc.path, counterPlaceholder)}
		w := &worker{r: r, ep: &endpoint{prefix: "http://127.0.0.1:1/p", basePath: "/p"}}
		w.request()
		if got := testing.AllocsPerRun(100, func() { w.request() }); got != tc.want {
			t.Errorf("%s: %v allocations per request, want %v", tc.path, got, tc.want)
		}
		if got := w.req.URL.RequestURI(); !strings.HasPrefix(got, "/p/c") {
			t.Errorf("%s: request URI %q", tc.path, got)
		}
	}
}

// onlyPaths serves the requests whose path starts with one of prefixes with
// h, and counts the rest as misrouted.
type onlyPaths struct {
	h         http.Handler
	prefixes  []string
	hits      atomic.Int64
	misrouted atomic.Int64
}

func (o *onlyPaths) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, p := range o.prefixes {
		if strings.HasPrefix(r.URL.Path, p) {
			o.hits.Add(1)
			o.h.ServeHTTP(w, r)
			return
		}
	}
	o.misrouted.Add(1)
	http.NotFound(w, r)
}

// TestRunSpreadsOverTargets plays a deployment: two edges that take the
// clicks and an API process that answers the stored count for both.
func TestRunSpreadsOverTargets(t *testing.T) {
	store := &clickServer{initial: 7}
	var edges []*onlyPaths
	var urls []string
	for range 2 {
		e := &onlyPaths{h: store, prefixes: []string{"/c/"}}
		srv := httptest.NewServer(e)
		defer srv.Close()
		edges = append(edges, e)
		urls = append(urls, srv.URL)
	}
	api := &onlyPaths{h: store, prefixes: []string{"/api/"}}
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()

	cfg := quick(strings.Join(urls, ", ")+"/", "/c/DEMO")
	cfg.API = apiSrv.URL
	cfg.APIKey = testKey
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || !res.Verified || res.StoredBefore != 7 {
		t.Fatalf("errors %d %q, verified %v, before %d", res.Errors, res.ErrorSamples, res.Verified, res.StoredBefore)
	}
	for i, e := range edges {
		if e.hits.Load() == 0 || e.misrouted.Load() != 0 {
			t.Errorf("edge %d: %d clicks, %d misrouted requests", i, e.hits.Load(), e.misrouted.Load())
		}
	}
	if api.hits.Load() < 2 || api.misrouted.Load() != 0 {
		t.Errorf("API: %d count requests, %d misrouted", api.hits.Load(), api.misrouted.Load())
	}
	var out bytes.Buffer
	res.Print(&out, "pactum")
	for _, want := range []string{"targets     " + urls[0] + ", " + urls[1] + "\n", "api         " + apiSrv.URL + "\n", "(ok)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("Print lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTargets(t *testing.T) {
	cfg, err := Config{Target: " http://a:1/ ,https://b:2/p", Path: "/c/X", Connections: 3}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.targets, " "); got != "http://a:1 https://b:2/p" || cfg.API != "http://a:1" {
		t.Fatalf("targets %q, API %q", got, cfg.API)
	}
	r, err := newRun(context.Background(), &http.Client{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.cancel()
	var got []string
	for i := range 5 {
		got = append(got, r.target(i).prefix+"|"+r.target(i).basePath)
	}
	if want := "http://a:1| https://b:2/p|/p http://a:1| https://b:2/p|/p http://a:1|"; strings.Join(got, " ") != want {
		t.Errorf("connections 0-4 go to %q, want %q", strings.Join(got, " "), want)
	}

	for _, bad := range []Config{
		{Target: "http://a:1,,http://b:2", Path: "/c/X"},
		{Target: "http://a:1,", Path: "/c/X"},
		{Target: "http://a:1,b:2", Path: "/c/X"},
		{Target: "http://a:1,http://b:2,http://c:3", Path: "/c/X", Connections: 2},
		{Target: "http://a:1", API: "a:1", Path: "/c/X"},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("target %q, API %q, %d connections accepted", bad.Target, bad.API, bad.Connections)
		}
	}
}

// TestRate: with Config.Rate the workers start that many requests a second
// between them, however fast the server answers; a negative rate is refused.
func TestRate(t *testing.T) {
	s := &clickServer{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	cfg := quick(srv.URL, "/c/DEMO")
	cfg.Connections, cfg.Rate, cfg.Warmup, cfg.Duration = 8, 200, -1, time.Second
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 200 a second for a second (and the last in flight): at a rate this
	// low a busy machine can only start fewer, never more.
	if res.Acked < 120 || res.Acked > 205 || res.Errors != 0 {
		t.Errorf("acked %d (errors %d) at 200 a second for a second, want about 200", res.Acked, res.Errors)
	}
	cfg.Rate = -1
	if _, err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "rate") {
		t.Errorf("a negative rate: %v", err)
	}
}
