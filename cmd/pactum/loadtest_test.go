package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pactum/pactum/loadtest"
)

func TestBaselineTarget(t *testing.T) {
	for _, tc := range []struct {
		in, label, target, path string
	}{
		{"http://127.0.0.1:8081/", "bare net/http 302", "http://127.0.0.1:8081", "/"},
		{" durable log = http://127.0.0.1:8082/x?a=b ", "durable log", "http://127.0.0.1:8082", "/x?a=b"},
		{"http://127.0.0.1:8081/?q=a=b", "bare net/http 302", "http://127.0.0.1:8081", "/?q=a=b"},
	} {
		got, err := baselineTarget(tc.in, loadtestDefaults())
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got.Label != tc.label || got.Config.Target != tc.target || got.Config.Path != tc.path || got.Config.APIKey != "" {
			t.Errorf("%q: got %q %q %q", tc.in, got.Label, got.Config.Target, got.Config.Path)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:8081", "=http://127.0.0.1:8081/", "bare=", "bare=127.0.0.1"} {
		if _, err := baselineTarget(bad, loadtestDefaults()); err == nil || !strings.Contains(err.Error(), "--baseline") {
			t.Errorf("%q: error %v", bad, err)
		}
	}
}

func loadtestDefaults() (c loadtest.Config) {
	c.APIKey, c.Target, c.Path = "key", "http://127.0.0.1:8080", "/c/DEMO"
	return c
}

// TestLoadtestSeveralBaselines: each named baseline is measured in turn and compared with the
// target, and two baselines of one name are refused before any load is sent.
func TestLoadtestSeveralBaselines(t *testing.T) {
	var hits [3]atomic.Int64
	count := func() (c [3]int64) {
		for i := range hits {
			c[i] = hits[i].Load()
		}
		return c
	}
	server := func(i int) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			hits[i].Add(1)
			w.Header().Set("Location", "https://example.com/")
			w.WriteHeader(http.StatusFound)
		}))
	}
	target, a, b := server(0), server(1), server(2)
	defer target.Close()
	defer a.Close()
	defer b.Close()

	args := []string{"--target", target.URL, "--path", "/c/X", "--connections", "2", "--duration", "200ms",
		"--warmup", "-1s", "--rounds", "1", "--quiet"}
	var out, errOut bytes.Buffer
	err := runLoadtest(context.Background(), append(args, "--baseline", "bare="+a.URL+"/,durable log="+b.URL+"/"), &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	for _, want := range []string{"pactum /c/X / bare: req/s x", "pactum /c/X / durable log: req/s x"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if c := count(); c[1] == 0 || c[2] == 0 {
		t.Errorf("requests per server %v", c)
	}

	before := count()
	err = runLoadtest(context.Background(), append(args, "--baseline", a.URL+"/,"+b.URL+"/"), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "NAME=URL") {
		t.Errorf("two unnamed baselines: %v", err)
	}
	if after := count(); after != before {
		t.Errorf("load was sent before the baselines were refused: %v -> %v", before, after)
	}
}
