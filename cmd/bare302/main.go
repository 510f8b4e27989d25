// Command bare302 answers every request with a redirect to a fixed address
// and does nothing else. It is the floor of the click benchmark: what
// net/http costs per request before any tracking is done, measured on the
// same machine and in the same run as `pactum serve`.
//
// With -log DIR it first appends a click-sized record to Pactum's event log
// (bus.FileLog: group commit and fdatasync; nothing applies the records) and
// answers once the record is durable. That is the floor of any click path
// that must be durable before its 302, without the work of tracking a click
// or of storing it where it can be queried.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pactum/pactum/bus"
)

const location = "https://example.com/landing"

// record is about the size of an encoded click (pactum.Visit.AppendBinary
// with a click id, a sub and a browser's user agent).
var record = make([]byte, 100)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	dir := flag.String("log", "", "append a record per request to an event log in this directory and answer once it is durable")
	delay := flag.Duration("commit-delay", 200*time.Microsecond, "with -log: the log's commit delay (pactum serve's default)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if err := serve(ctx, ln, *dir, *delay); err != nil {
		log.Fatal(err)
	}
}

// serve answers on ln until ctx ends.
func serve(ctx context.Context, ln net.Listener, dir string, delay time.Duration) error {
	durable := func(context.Context) error { return nil }
	if dir != "" {
		l, err := bus.OpenFileLog(ctx, bus.FileLogConfig{
			Dir:         dir,
			CommitDelay: delay,
			Handler:     func(context.Context, []bus.Entry) error { return nil },
		})
		if err != nil {
			return err
		}
		defer l.Close(context.Background())
		durable = func(ctx context.Context) error { return l.Append(ctx, bus.TypeClick, record) }
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := durable(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Location", location)
		w.WriteHeader(http.StatusFound)
	})}
	// Serve returns as soon as Shutdown starts: the log (closed by the defer above) must stay
	// open until the requests in flight have their answers.
	drained := make(chan error, 1)
	go func() {
		<-ctx.Done()
		drained <- srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-drained
}
