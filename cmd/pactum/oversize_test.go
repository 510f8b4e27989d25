package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// sendRaw writes a request of its own making to addr, however large, and reads the answer.
func sendRaw(t *testing.T, addr, request string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	// The server answers before it has read everything: write on while reading.
	go io.WriteString(c, request) //nolint:errcheck // the server may close before the end
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// TestOversizedRequestAnsweredInJSON: a request whose line and headers are larger than the
// server takes (a 2 MB postback URL, a 2 MB cookie) is answered 431 in the SPEC's JSON error
// shape, not net/http's plain text, by the real server.
func TestOversizedRequestAnsweredInJSON(t *testing.T) {
	addr := freeAddr(t)
	startServer(t, addr, "--db", filepath.Join(t.TempDir(), "pactum.db"))
	for name, request := range map[string]string{
		"2 MB postback URL": "GET /postback?click_id=x&token=t&order_id=" + strings.Repeat("A", 2<<20) + " HTTP/1.1\r\nHost: pactum\r\n\r\n",
		"2 MB click URL":    "GET /c/anna?sub1=" + strings.Repeat("%41", 700<<10) + " HTTP/1.1\r\nHost: pactum\r\n\r\n",
		"2 MB header":       "GET /api/v1/offers HTTP/1.1\r\nHost: pactum\r\nCookie: " + strings.Repeat("a", 2<<20) + "\r\n\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := sendRaw(t, addr, request)
			if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, Content-Type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var answer struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(body, &answer); err != nil || answer.Error.Code != "invalid_argument" || answer.Error.Message == "" {
				t.Fatalf("body %q: %v", body, err)
			}
		})
	}
	// Requests under the limit are served as before, on a connection of the same listener.
	resp, body := sendRaw(t, addr, "GET /postback?click_id=x&order_id="+strings.Repeat("A", 900<<10)+" HTTP/1.1\r\nHost: pactum\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusUnauthorized || !json.Valid(body) {
		t.Fatalf("900 KB postback: status %d: %s", resp.StatusCode, body)
	}
}

// TestHandlerAnswersUntouched: the listener changes only net/http's own 431, not a handler's.
func TestHandlerAnswersUntouched(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{MaxHeaderBytes: 4 << 10, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "431 Request Header Fields Too Large", http.StatusRequestHeaderFieldsTooLarge)
	})}
	go srv.Serve(jsonErrorListener{ln}) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	resp, body := sendRaw(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") || string(body) != "431 Request Header Fields Too Large\n" {
		t.Fatalf("status %d %q: %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	resp, body = sendRaw(t, ln.Addr().String(), "GET /"+strings.Repeat("a", 16<<10)+" HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("Content-Type") != "application/json" || !json.Valid(body) {
		t.Fatalf("oversized: status %d %q: %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
