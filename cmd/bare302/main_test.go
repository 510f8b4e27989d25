package main

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pactum/pactum/bus"
)

// TestDurableBaseline: with -log, every 302 stands for a record that is in the log when it is
// opened again.
func TestDurableBaseline(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, dir, 0) }()

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	const clicks = 25
	for range clicks {
		resp, err := client.Get("http://" + ln.Addr().String() + "/c/X")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != location {
			t.Fatalf("answer %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	var logged atomic.Int64
	l, err := bus.OpenFileLog(context.Background(), bus.FileLogConfig{
		Dir: dir,
		Handler: func(_ context.Context, entries []bus.Entry) error {
			for _, e := range entries {
				if e.Type == bus.TypeClick && len(e.Data) == len(record) {
					logged.Add(1)
				}
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := logged.Load(); n != clicks {
		t.Errorf("%d records in the log for %d redirects", n, clicks)
	}
}
