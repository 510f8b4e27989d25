package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/api"
	"github.com/pactum/pactum/api/apitest"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

const adminKey = "admin-test-key"

// env is a running API on a fresh SQLite store, with keys for each role of a small program:
// advertisers 1 and 2, partners 1 and 2, offer 1 (advertiser 1, public), offer 2 (advertiser
// 2, public) and offer 3 (advertiser 1, private).
type env struct {
	t       testing.TB
	store   *sqldb.Store
	mux     http.Handler   // raw, with every request and answer checked against the OpenAPI document
	raw     *http.ServeMux // the API as Register mounts it
	changes *atomic.Int64
	adv1    string // advertiser 1's key
	adv2    string
	p1      string // partner 1's key
	p2      string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv that lets configure complete the program's config (a conversion intake)
// once the store is open.
func newEnvWith(t testing.TB, configure func(e *env, cfg *program.Config)) *env {
	t.Helper()
	e := &env{t: t, store: sqlitetest.Open(t), raw: http.NewServeMux(), changes: new(atomic.Int64)}
	e.mux = apitest.Handler(t, e.raw)
	cfg := program.Config{
		Store:     e.store,
		PublicURL: "http://track.test/",
		OnChange:  func() { e.changes.Add(1) },
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:       func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) },
	}
	if configure != nil {
		configure(e, &cfg)
	}
	api.New(api.Config{Program: program.New(cfg), Reports: report.New(e.store, nil, cfg.Now), AdminKey: adminKey, Logger: cfg.Logger}).Register(e.raw)

	e.mustCreate("/api/v1/advertisers", `{"name":"Shoe Shop","currency":"EUR"}`)
	e.mustCreate("/api/v1/advertisers", `{"name":"Book Shop","currency":"USD"}`)
	e.mustCreate("/api/v1/partners", `{"name":"Anna","email":"anna@example.com","kind":"influencer"}`)
	e.mustCreate("/api/v1/partners", `{"name":"Ben","email":"ben@example.com"}`)
	e.mustCreate("/api/v1/offers", `{"advertiser_id":1,"name":"Shoes","destination_url":"https://shoes.example/?c={click_id}"}`)
	e.mustCreate("/api/v1/offers", `{"advertiser_id":2,"name":"Books","destination_url":"https://books.example/"}`)
	e.mustCreate("/api/v1/offers", `{"advertiser_id":1,"name":"Shoes VIP","visibility":"private","destination_url":"https://shoes.example/vip"}`)
	e.adv1 = e.mustCreate("/api/v1/api-keys", `{"name":"adv1","role":"advertiser","advertiser_id":1}`)["key"].(string)
	e.adv2 = e.mustCreate("/api/v1/api-keys", `{"name":"adv2","role":"advertiser","advertiser_id":2}`)["key"].(string)
	e.p1 = e.mustCreate("/api/v1/api-keys", `{"name":"p1","role":"partner","partner_id":1}`)["key"].(string)
	e.p2 = e.mustCreate("/api/v1/api-keys", `{"name":"p2","role":"partner","partner_id":2}`)["key"].(string)
	e.changes.Store(0)
	return e
}

// as returns e reporting to t, for the subtests of a fuzz target.
func (e *env) as(t testing.TB) *env {
	c := *e
	c.t = t
	c.mux = apitest.Handler(t, e.raw)
	return &c
}

// do sends one request and returns the status and the decoded JSON body (nil if none).
func (e *env) do(method, path, key, body string) (int, map[string]any) {
	e.t.Helper()
	status, raw := e.doRaw(method, path, key, body)
	if raw == "" {
		return status, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		e.t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", method, path, err, raw)
	}
	return status, m
}

func (e *env) doRaw(method, path, key, body string) (int, string) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Body.Len() > 0 && rec.Header().Get("Content-Type") != "application/json" {
		e.t.Errorf("%s %s: Content-Type %q", method, path, rec.Header().Get("Content-Type"))
	}
	return rec.Code, rec.Body.String()
}

func (e *env) mustCreate(path, body string) map[string]any {
	e.t.Helper()
	status, m := e.do("POST", path, adminKey, body)
	if status != http.StatusCreated {
		e.t.Fatalf("POST %s %s: status %d %v", path, body, status, m)
	}
	return m
}

// lookup finds a value in decoded JSON by a dotted path whose numeric parts index arrays
// ("data.0.code"); "#data" is the length of the array at data.
func lookup(v any, path string) (any, bool) {
	count := strings.HasPrefix(path, "#")
	path = strings.TrimPrefix(path, "#")
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	if count {
		arr, ok := v.([]any)
		return float64(len(arr)), ok
	}
	return v, true
}

// checkFields compares the answer's fields with want; a want of absent means the field must not
// be there. Numbers are compared as JSON numbers.
func checkFields(t *testing.T, body map[string]any, want map[string]any) {
	t.Helper()
	for path, w := range want {
		got, ok := lookup(body, path)
		if w == absent {
			if ok {
				t.Errorf("%s = %v, want it absent", path, got)
			}
			continue
		}
		if n, isInt := w.(int); isInt {
			w = float64(n)
		}
		if !ok {
			t.Errorf("%s missing, want %v (body %v)", path, w, body)
		} else if fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v (body %v)", path, got, w, body)
		}
	}
}

type absentType struct{}

var absent = absentType{}

// step is one request of a scenario and what must come of it.
type step struct {
	name              string
	method, path, key string
	body              string
	status            int
	want              map[string]any
	check             func(t *testing.T, e *env, body map[string]any)
	wantChange        bool
}

func runSteps(t *testing.T, e *env, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			before := e.changes.Load()
			status, body := e.do(s.method, s.path, s.key, s.body)
			if status != s.status {
				t.Fatalf("%s %s: status %d, want %d; body %v", s.method, s.path, status, s.status, body)
			}
			if status >= 400 {
				checkErrorShape(t, body)
			}
			checkFields(t, body, s.want)
			if changed := e.changes.Load() != before; changed != s.wantChange {
				t.Errorf("OnChange called: %v, want %v", changed, s.wantChange)
			}
			if s.check != nil {
				s.check(t, e, body)
			}
		})
	}
}

// checkErrorShape checks the SPEC's error shape: {"error":{"code","message"[,"field"]}} and
// nothing else.
func checkErrorShape(t testing.TB, body map[string]any) {
	t.Helper()
	if len(body) != 1 {
		t.Fatalf("error body has keys other than error: %v", body)
	}
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("error body without an error object: %v", body)
	}
	if c, _ := e["code"].(string); c == "" {
		t.Errorf("error without a code: %v", body)
	}
	if m, _ := e["message"].(string); m == "" {
		t.Errorf("error without a message: %v", body)
	}
	for k := range e {
		if k != "code" && k != "message" && k != "field" {
			t.Errorf("error has an unexpected key %q: %v", k, body)
		}
	}
}

func ctx() context.Context { return context.Background() }

var _ pactum.Store = (*sqldb.Store)(nil)
