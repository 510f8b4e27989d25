package bus_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pactum/pactum/bus"
)

// testNATSURL is the server the JetStream tests run against; PACTUM_TEST_NATS overrides it.
// The tests fail rather than skip without it, so that a missing server is not mistaken for a
// passing distributed mode.
const testNATSURL = "nats://127.0.0.1:4222"

func natsConn(tb testing.TB) *nats.Conn {
	tb.Helper()
	nc := dialNATS(tb)
	tb.Cleanup(nc.Close)
	return nc
}

func dialNATS(tb testing.TB) *nats.Conn {
	tb.Helper()
	url := os.Getenv("PACTUM_TEST_NATS")
	if url == "" {
		url = testNATSURL
	}
	nc, err := nats.Connect(url)
	if err != nil {
		tb.Fatalf("connect to NATS at %s (set PACTUM_TEST_NATS): %v", url, err)
	}
	return nc
}

// openJetStream opens a log on a stream of its own, deleted when the test ends.
func openJetStream(tb testing.TB, nc *nats.Conn) (*bus.JetStreamLog, bus.JetStreamConfig) {
	tb.Helper()
	name := fmt.Sprintf("T%016x", rand.Uint64())
	cfg := bus.JetStreamConfig{Conn: nc, Stream: name, Subject: "test." + name}
	l, err := bus.OpenJetStream(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			tb.Error(err)
		}
		// A connection of its own: the test may have closed nc.
		admin := dialNATS(tb)
		defer admin.Close()
		js, err := jetstream.New(admin)
		if err != nil {
			tb.Fatal(err)
		}
		if err := js.DeleteStream(ctx, name); err != nil {
			tb.Errorf("delete stream %s: %v", name, err)
		}
	})
	return l, cfg
}

// tally is a handler that counts how often each event was applied, as a store deduplicating
// by stream sequence would see them.
type tally struct {
	mu      sync.Mutex
	seen    map[uint64]int // payload counter -> times applied
	seqs    map[uint64]uint64
	calls   int
	failFor int
	changed chan struct{}
}

func newTally() *tally {
	return &tally{seen: make(map[uint64]int), seqs: make(map[uint64]uint64), changed: make(chan struct{}, 1)}
}

func (r *tally) handle(_ context.Context, entries []bus.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failFor > 0 {
		r.failFor--
		return errors.New("store unavailable")
	}
	for _, e := range entries {
		if e.Type != bus.TypeClick || len(e.Data) != 108 {
			return fmt.Errorf("unexpected entry type %d of %d bytes", e.Type, len(e.Data))
		}
		v := binary.BigEndian.Uint64(e.Data)
		if seq, ok := r.seqs[v]; ok && seq != e.Pos {
			return fmt.Errorf("event %d came at sequence %d and %d", v, seq, e.Pos)
		}
		r.seqs[v] = e.Pos
		r.seen[v]++
	}
	select {
	case r.changed <- struct{}{}:
	default:
	}
	return nil
}

// waitAll waits until every one of n events was applied at least once.
func (r *tally) waitAll(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		got := len(r.seen)
		r.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-r.changed:
		case <-deadline:
			t.Fatalf("%d of %d events applied within %v", got, n, within)
		}
	}
}

func (r *tally) checkOnce(t *testing.T, n int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range n {
		if r.seen[uint64(i)] != 1 {
			t.Fatalf("event %d applied %d times", i, r.seen[uint64(i)])
		}
	}
	if len(r.seen) != n {
		t.Fatalf("applied %d distinct events, want %d", len(r.seen), n)
	}
}

// consume runs Consume until the test ends and reports its result.
func consume(t *testing.T, l *bus.JetStreamLog, cfg bus.ConsumeConfig) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Consume(ctx, cfg) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(15 * time.Second):
				err = errors.New("Consume did not return after its context ended")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestJetStreamDeliversEveryEventOnce(t *testing.T) {
	nc := natsConn(t)
	l, cfg := openJetStream(t, nc)
	const n = 2000
	appendN(t, l, 0, n/2) // before the consumer exists: it starts from the beginning
	// A message another writer put on the subject is dropped, not handed to the handler.
	if err := nc.Publish(cfg.Subject, nil); err != nil {
		t.Fatal(err)
	}
	r := newTally()
	stop := consume(t, l, bus.ConsumeConfig{Durable: "w", Batch: 64, Handler: r.handle})
	appendN(t, l, n/2, n/2)
	// Longer than AckWait (30 s): on a loaded machine a batch the client dropped comes back
	// only then, and must still arrive, once.
	r.waitAll(t, n, 45*time.Second)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	r.checkOnce(t, n)

	// Acknowledged events leave the work queue, so the first sequence moves past all of them.
	var last uint64
	for _, s := range r.seqs {
		last = max(last, s)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		first, err := l.FirstSeq(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if first > last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("first sequence %d, want above %d once everything is acknowledged", first, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestJetStreamRedeliversAfterHandlerError(t *testing.T) {
	l, _ := openJetStream(t, natsConn(t))
	const n = 500
	appendN(t, l, 0, n)
	r := newTally()
	r.failFor = 3
	consume(t, l, bus.ConsumeConfig{Durable: "w", Batch: 100, Handler: r.handle})
	r.waitAll(t, n, 20*time.Second)
	r.mu.Lock()
	calls := r.calls
	r.mu.Unlock()
	if calls <= 3 {
		t.Fatalf("handler called %d times, want the 3 failures and more", calls)
	}
	// The failed batches were never acknowledged, so no event is applied twice.
	r.checkOnce(t, n)
}

// TestJetStreamStoppedConsumerHandsBack: a worker stopped while its handler is stuck acknowledges
// nothing, and another worker gets the events well before AckWait.
func TestJetStreamStoppedConsumerHandsBack(t *testing.T) {
	l, _ := openJetStream(t, natsConn(t))
	const n = 300
	appendN(t, l, 0, n)
	entered := make(chan struct{})
	var once sync.Once
	stuck := func(ctx context.Context, _ []bus.Entry) error {
		once.Do(func() { close(entered) })
		<-ctx.Done()
		return ctx.Err()
	}
	const ackWait = time.Minute
	stop := consume(t, l, bus.ConsumeConfig{Durable: "w", Batch: 50, AckWait: ackWait, Handler: stuck})
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler was never called")
	}
	if err := stop(); err != nil {
		t.Fatalf("Consume after its context ended: %v", err)
	}

	r := newTally()
	start := time.Now()
	consume(t, l, bus.ConsumeConfig{Durable: "w", Batch: 50, AckWait: ackWait, Handler: r.handle})
	r.waitAll(t, n, ackWait/2)
	r.checkOnce(t, n)
	t.Logf("handed over in %v", time.Since(start))
}

// TestJetStreamWorkersSplitEvents: workers on one durable share the events, each event going
// to one of them once.
func TestJetStreamWorkersSplitEvents(t *testing.T) {
	l, _ := openJetStream(t, natsConn(t))
	const n = 2000
	r := newTally()
	var mu sync.Mutex
	per := map[int]int{}
	for w := range 2 {
		consume(t, l, bus.ConsumeConfig{Durable: "w", Batch: 16, Handler: func(ctx context.Context, entries []bus.Entry) error {
			if err := r.handle(ctx, entries); err != nil {
				return err
			}
			mu.Lock()
			per[w] += len(entries)
			mu.Unlock()
			time.Sleep(time.Millisecond) // a store transaction's worth, so that neither takes all
			return nil
		}})
	}
	appendN(t, l, 0, n)
	r.waitAll(t, n, 20*time.Second)
	r.checkOnce(t, n)
	mu.Lock()
	defer mu.Unlock()
	if per[0] == 0 || per[1] == 0 {
		t.Fatalf("events per worker %v: one worker did all the work", per)
	}
	t.Logf("events per worker: %v", per)
}

func TestJetStreamWithoutServerFails(t *testing.T) {
	nc := natsConn(t)
	l, _ := openJetStream(t, nc)
	r := newTally()
	consumed := make(chan error, 1)
	go func() { consumed <- l.Consume(context.Background(), bus.ConsumeConfig{Handler: r.handle}) }()
	appendN(t, l, 0, 1)
	r.waitAll(t, 1, 10*time.Second) // the consumer is running
	nc.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := l.Append(ctx, bus.TypeClick, []byte("x"))
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("append on a closed connection: %v, want an error at once", err)
	}
	select {
	case err := <-consumed:
		if err == nil {
			t.Fatal("Consume returned nil when its connection closed")
		}
	case <-ctx.Done():
		t.Fatal("Consume still running after its connection closed")
	}
	if err := l.Consume(ctx, bus.ConsumeConfig{Handler: r.handle}); err == nil {
		t.Fatal("consume on a closed connection succeeded")
	}
}

func TestJetStreamAppendAfterClose(t *testing.T) {
	l, _ := openJetStream(t, natsConn(t))
	r := newTally()
	stop := consume(t, l, bus.ConsumeConfig{Handler: r.handle})
	appendN(t, l, 0, 1)
	r.waitAll(t, 1, 10*time.Second) // the consumer is running
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(context.Background(), bus.TypeClick, []byte("x")); !errors.Is(err, bus.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	// Close stopped the consumer, which returns nil as when its context ends.
	if err := stop(); err != nil {
		t.Fatalf("Consume after Close: %v", err)
	}
}

func BenchmarkJetStreamAppend(b *testing.B) {
	l, _ := openJetStream(b, natsConn(b))
	data := make([]byte, 200)
	b.SetParallelism(32)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Append(context.Background(), bus.TypeClick, data); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestJetStreamStreamIDChangesWithTheStream: a stream deleted and created again restarts its
// sequences, and its id must differ so that claims on the old sequences do not match new events.
func TestJetStreamStreamIDChangesWithTheStream(t *testing.T) {
	ctx := context.Background()
	nc := natsConn(t)
	l, cfg := openJetStream(t, nc)
	first, err := l.StreamID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := l.StreamID(ctx); again != first {
		t.Fatalf("stream id changed from %q to %q without a new stream", first, again)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctx, cfg.Stream); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond) // creation times are in nanoseconds, but be sure they differ
	recreated, err := bus.OpenJetStream(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer recreated.Close(ctx)
	second, err := recreated.StreamID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || !strings.HasPrefix(second, cfg.Stream+"@") {
		t.Fatalf("recreated stream id %q, first %q", second, first)
	}
}
