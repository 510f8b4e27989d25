package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pactum/pactum/buildinfo"
)

var releaseInfo = buildinfo.Info{
	Version: "v1.2.0", Revision: "4772cb44e632db5f3c98be64aab13e8d8b09d5ea", Time: "2026-12-03T10:50:28Z",
	Go: "go1.26.8", Platform: "linux/amd64",
}

func TestHealthzShowsTheBuild(t *testing.T) {
	rec := httptest.NewRecorder()
	healthz(releaseInfo)(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	want := `{"status":"ok","version":{"version":"v1.2.0","revision":"4772cb44e632db5f3c98be64aab13e8d8b09d5ea",` +
		`"time":"2026-12-03T10:50:28Z","modified":false,"go":"go1.26.8","platform":"linux/amd64"}}` + "\n"
	if got := rec.Body.String(); got != want {
		t.Errorf("body\n%s\nwant\n%s", got, want)
	}
}

func TestBuildInfoMetric(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(buildInfoMetric(releaseInfo))
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	want := `pactum_build_info{goversion="go1.26.8",modified="false",revision="4772cb44e632db5f3c98be64aab13e8d8b09d5ea",time="2026-12-03T10:50:28Z",version="v1.2.0"} 1` + "\n"
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks\n%s\ngot\n%s", want, rec.Body.String())
	}
}

func TestVersionCommand(t *testing.T) {
	info := buildinfo.Read()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	if first != "pactum "+info.Version || !strings.Contains(stdout.String(), "\ngo        "+info.Go+" "+info.Platform+"\n") {
		t.Errorf("pactum version printed\n%s", stdout.String())
	}
	if info.Revision != "" && !strings.Contains(stdout.String(), "\nrevision  "+info.Revision+"\n") {
		t.Errorf("pactum version does not print the revision %s:\n%s", info.Revision, stdout.String())
	}

	stdout.Reset()
	if err := run(context.Background(), []string{"version", "--json"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var got buildinfo.Info
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil || got != info {
		t.Errorf("pactum version --json = %s (%v), want %+v", stdout.String(), err, info)
	}

	stderr.Reset()
	if err := run(context.Background(), []string{"version", "--help"}, io.Discard, &stderr); !errors.Is(err, flag.ErrHelp) ||
		!strings.Contains(stderr.String(), "-buildvcs=true") || !strings.Contains(stderr.String(), "--json") {
		t.Errorf("pactum version --help: %v\n%s", err, stderr.String())
	}
	if err := run(context.Background(), []string{"version", "extra"}, io.Discard, io.Discard); err == nil {
		t.Error("pactum version extra: want an error")
	}
}

// TestServerShowsItsBuild runs the real binary: `pactum version --json`, /healthz and /metrics
// tell the same build.
func TestServerShowsItsBuild(t *testing.T) {
	out, err := exec.Command(binary, "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var want buildinfo.Info
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("pactum version --json: %v\n%s", err, out)
	}

	p := startServer(t, freeAddr(t), "--db", t.TempDir()+"/pactum.db")
	resp, err := http.Get(p.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health struct {
		Status  string
		Version buildinfo.Info
	}
	err = json.NewDecoder(resp.Body).Decode(&health)
	resp.Body.Close()
	if err != nil || health.Status != "ok" || health.Version != want {
		t.Errorf("/healthz = %+v (%v), want status ok and %+v", health, err, want)
	}

	resp, err = http.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if line := `revision="` + want.Revision + `",time="` + want.Time + `",version="` + want.Version + `"} 1`; !strings.Contains(string(metrics), "pactum_build_info{") ||
		!strings.Contains(string(metrics), line) {
		t.Errorf("/metrics lacks pactum_build_info with %s", line)
	}
}
