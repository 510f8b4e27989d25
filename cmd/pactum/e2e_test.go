package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const testAdminKey = "test-admin-key-0123456789"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pactum-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "pactum")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pactum for end-to-end tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running `pactum serve`.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs the real binary and waits until it answers /healthz.
func startServer(t *testing.T, addr string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr, "--admin-api-key", testAdminKey}, args...)...)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, base: "http://" + addr, logs: logs}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("server output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become ready: %v\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// api calls the REST API as the admin, with the exchange checked against the OpenAPI document
// (apiClient), and decodes the answer into out.
func (p *process) api(method, path string, body any, out any) int {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := apiClient(p.t).Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			p.t.Fatalf("%s %s: decoding %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// advertiser is an advertiser made through the API, with the postback token it showed once.
type advertiser struct {
	ID    int64
	Token string `json:"postback_token"`
}

// createAdvertiser creates an advertiser with fields through the API as the admin.
func (p *process) createAdvertiser(fields map[string]any) advertiser {
	p.t.Helper()
	var adv advertiser
	if code := p.api("POST", "/api/v1/advertisers", fields, &adv); code != http.StatusCreated || adv.Token == "" {
		p.t.Fatalf("create advertiser %v: %d, token %q", fields["name"], code, adv.Token)
	}
	return adv
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Transport:     &http.Transport{MaxIdleConnsPerHost: 64},
	Timeout:       10 * time.Second,
}

// TestREADMEFlow is what the README walks a new user through: set up a program with the API,
// click the link, land on the destination with the click id and subs, see the click.
func TestREADMEFlow(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, freeAddr(t), "--db", filepath.Join(dir, "pactum.db"), "--country-header", "CF-IPCountry")

	var adv struct{ ID int64 }
	if code := p.api("POST", "/api/v1/advertisers", map[string]any{"name": "Northwind", "currency": "EUR"}, &adv); code != 201 {
		t.Fatalf("create advertiser: %d", code)
	}
	var offer struct{ ID int64 }
	if code := p.api("POST", "/api/v1/offers", map[string]any{
		"advertiser_id": adv.ID, "name": "Spring", "destination_url": "https://shop.example/landing?cid={click_id}&s1={sub1}&aff={aff_id}",
		"events": []any{map[string]any{"name": "purchase", "payout": map[string]any{"default": map[string]any{"percent": "8"}}}},
	}, &offer); code != 201 {
		t.Fatalf("create offer: %d", code)
	}
	var partner struct{ ID int64 }
	if code := p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna", "email": "anna@example.com", "kind": "influencer"}, &partner); code != 201 {
		t.Fatalf("create partner: %d", code)
	}
	var link struct {
		Code string
		URL  string
	}
	if code := p.api("POST", "/api/v1/links", map[string]any{"offer_id": offer.ID, "partner_id": partner.ID, "sub1": "insta story"}, &link); code != 201 {
		t.Fatalf("create link: %d", code)
	}
	if !strings.HasPrefix(link.URL, "http") || link.Code == "" {
		t.Fatalf("link has no tracking URL: %+v", link)
	}

	req, _ := http.NewRequest("GET", p.base+"/c/"+link.Code, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
	req.Header.Set("CF-IPCountry", "DE")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("click answered %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Host != "shop.example" {
		t.Fatalf("click redirected to %q", resp.Header.Get("Location"))
	}
	cid := loc.Query().Get("cid")
	if cid == "" || len(cid) > 32 || loc.Query().Get("s1") != "insta story" || loc.Query().Get("aff") != fmt.Sprint(partner.ID) {
		t.Fatalf("destination macros not filled: %s", loc)
	}

	var clicks struct {
		Data []struct {
			ClickID string `json:"click_id"`
			Country string
			Device  string
			Bot     bool
			Unique  bool
			Sub1    string
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(clicks.Data) == 0 && time.Now().Before(deadline) {
		p.api("GET", fmt.Sprintf("/api/v1/clicks?offer_id=%d", offer.ID), nil, &clicks)
		time.Sleep(20 * time.Millisecond)
	}
	if len(clicks.Data) != 1 {
		t.Fatalf("want the one click through the API, got %+v", clicks)
	}
	c := clicks.Data[0]
	if c.ClickID != cid || c.Country != "DE" || c.Device != "mobile" || c.Bot || !c.Unique || c.Sub1 != "insta story" {
		t.Fatalf("stored click %+v does not match the visit (click id %s, DE, mobile, unique, not a bot)", c, cid)
	}

	resp, err = http.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, name := range []string{"pactum_eventlog_written_bytes", "pactum_eventlog_applied_bytes", "pactum_eventlog_syncs_total", "pactum_conversions_waiting", "pactum_fx_rate_missing_total"} {
		if !strings.Contains(string(metrics), name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// TestAcknowledgedClicksSurviveSIGKILL kills the server while clicks are in flight, restarts it
// and checks that every click that got a 302 is stored.
func TestAcknowledgedClicksSurviveSIGKILL(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	args := []string{"--db", filepath.Join(dir, "pactum.db"), "--demo", "--demo-weeks", "0"}
	p := startServer(t, addr, args...)

	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := noRedirect.Get(fmt.Sprintf("%s/c/DEMO?sub3=%d-%d", p.base, w, i))
				if err != nil {
					continue // the server is gone: this click was never acknowledged
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusFound {
					continue
				}
				loc, _ := url.Parse(resp.Header.Get("Location"))
				mu.Lock()
				acked[loc.Query().Get("click_id")] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(acked) < 100 {
		t.Fatalf("only %d clicks acknowledged before the kill; the test needs traffic in flight", len(acked))
	}

	p = startServer(t, addr, args...)
	stored := map[string]bool{}
	cursor := ""
	for {
		var page struct {
			Data []struct {
				ClickID string `json:"click_id"`
			}
			NextCursor string `json:"next_cursor"`
		}
		if code := p.api("GET", "/api/v1/clicks?limit=1000&cursor="+cursor, nil, &page); code != 200 {
			t.Fatalf("list clicks: %d", code)
		}
		for _, c := range page.Data {
			if stored[c.ClickID] {
				t.Fatalf("click %s stored twice", c.ClickID)
			}
			stored[c.ClickID] = true
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	missing := 0
	for id := range acked {
		if !stored[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged clicks are missing after SIGKILL and restart", missing, len(acked))
	}
	var count struct{ Count int64 }
	p.api("GET", "/api/v1/clicks/count", nil, &count)
	if count.Count != int64(len(stored)) {
		t.Fatalf("count says %d, list has %d", count.Count, len(stored))
	}
	t.Logf("%d clicks acknowledged before SIGKILL, all stored (%d stored in all)", len(acked), len(stored))
}

// TestGracefulShutdownDrains stops the server with SIGTERM under load and checks that every
// acknowledged click is in the store when it has exited, with nothing left to replay.
func TestGracefulShutdownDrains(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	args := []string{"--db", filepath.Join(dir, "pactum.db"), "--demo", "--demo-weeks", "0"}
	p := startServer(t, addr, args...)
	var acked sync.WaitGroup
	var n int64
	var mu sync.Mutex
	for w := 0; w < 8; w++ {
		acked.Add(1)
		go func() {
			defer acked.Done()
			for i := 0; i < 200; i++ {
				resp, err := noRedirect.Get(p.base + "/c/DEMO")
				if err != nil {
					return
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusFound {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGTERM)
	acked.Wait()
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("server exited with %v after SIGTERM", err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "pactum.db.events", "*.log"))
	p = startServer(t, addr, args...)
	var count struct{ Count int64 }
	p.api("GET", "/api/v1/clicks/count", nil, &count)
	if count.Count < n {
		t.Fatalf("%d clicks acknowledged, %d stored", n, count.Count)
	}
	if len(segs) != 1 {
		t.Errorf("%d event log segments after a clean shutdown, want 1", len(segs))
	}
}
