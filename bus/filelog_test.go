package bus_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pactum/pactum/bus"
)

// recorder is a handler that remembers what it applied, like a store recording its position.
type recorder struct {
	mu      sync.Mutex
	pos     uint64
	got     []uint64 // payloads, decoded as big-endian counters
	failFor int
}

func (r *recorder) handle(_ context.Context, entries []bus.Entry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failFor > 0 {
		r.failFor--
		return errors.New("store unavailable")
	}
	for _, e := range entries {
		if e.Pos <= r.pos {
			continue
		}
		if e.Type != bus.TypeClick {
			return errors.New("unexpected type")
		}
		r.got = append(r.got, binary.BigEndian.Uint64(e.Data))
		r.pos = e.Pos
	}
	return nil
}

func (r *recorder) snapshot() (uint64, []uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pos, append([]uint64(nil), r.got...)
}

func open(t *testing.T, dir string, r *recorder, segment int64) *bus.FileLog {
	t.Helper()
	pos, _ := r.snapshot()
	l, err := bus.OpenFileLog(context.Background(), bus.FileLogConfig{Dir: dir, Start: pos, Handler: r.handle, SegmentBytes: segment})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// appendN appends events from..from+n-1 at once, each carrying its number, to either log.
func appendN(t *testing.T, l bus.Log, from, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := from; i < from+n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b [8]byte
			binary.BigEndian.PutUint64(b[:], uint64(i))
			errs <- l.Append(context.Background(), bus.TypeClick, append(b[:], make([]byte, 100)...))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func checkAll(t *testing.T, got []uint64, n int) {
	t.Helper()
	seen := make(map[uint64]int)
	for _, v := range got {
		seen[v]++
	}
	for i := 0; i < n; i++ {
		if seen[uint64(i)] != 1 {
			t.Fatalf("event %d applied %d times", i, seen[uint64(i)])
		}
	}
	if len(got) != n {
		t.Fatalf("applied %d events, want %d", len(got), n)
	}
}

func TestFileLogAppliesEveryAcknowledgedEventOnce(t *testing.T) {
	dir := t.TempDir()
	r := &recorder{}
	l := open(t, dir, r, 4096) // small segments: rotation and deletion happen
	appendN(t, l, 0, 2000)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got := r.snapshot()
	checkAll(t, got, 2000)
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(segs) != 1 {
		t.Errorf("%d segments left after everything was applied, want 1", len(segs))
	}

	// Reopening replays nothing, and appends continue after the old position.
	l = open(t, dir, r, 4096)
	appendN(t, l, 2000, 500)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got = r.snapshot()
	checkAll(t, got, 2500)
}

func TestFileLogReplaysWhatTheStoreMissed(t *testing.T) {
	dir := t.TempDir()
	r := &recorder{}
	l := open(t, dir, r, 1<<20)
	appendN(t, l, 0, 300)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The store lost its last writes (say it was restored from a backup taken mid-way): it
	// knows only the first 100 events. The log hands it the rest again.
	_, got := r.snapshot()
	r2 := &recorder{}
	r2.got = append(r2.got, got[:100]...)
	r2.pos = uint64(100 * (9 + 108))
	l = open(t, dir, r2, 1<<20)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got2 := r2.snapshot()
	checkAll(t, got2, 300)
}

func TestFileLogTrimsTornTail(t *testing.T) {
	dir := t.TempDir()
	r := &recorder{}
	l := open(t, dir, r, 1<<20)
	appendN(t, l, 0, 50)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	f, err := os.OpenFile(segs[len(segs)-1], os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// A batch torn by a crash: a whole record, then half of one, right after the last
	// acknowledged record (50 records of 9+108 bytes). Neither was acknowledged.
	torn := append(recordBytes(t, 999), 50, 0, 0, 0, 1, 2, 3, 4, 1, 9, 9)
	if _, err := f.WriteAt(torn[9:], 50*117+9); err != nil { // the first header lost
		t.Fatal(err)
	}
	f.Close()

	l = open(t, dir, r, 1<<20)
	l.Close(context.Background())
	b, _ := os.ReadFile(segs[len(segs)-1])
	for i, c := range b[50*117:] {
		if c != 0 {
			t.Fatalf("byte %d after the last record is %d: the torn batch was not cleared", 50*117+i, c)
		}
	}
	l = open(t, dir, r, 1<<20)
	appendN(t, l, 50, 10)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r3 := &recorder{}
	l = open(t, dir, r3, 1<<20) // a store that lost everything replays the whole, intact log
	appendN(t, l, 60, 1)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	r3 = &recorder{}
	l = open(t, dir, r3, 1<<20)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, got := r3.snapshot()
	checkAll(t, got, 61)
}

// recordBytes returns the bytes of one record as the log writes it, with a counter payload.
func recordBytes(t *testing.T, n uint64) []byte {
	dir := t.TempDir()
	l := open(t, dir, &recorder{}, 1<<16)
	appendN(t, l, int(n), 1)
	l.Close(context.Background())
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	b, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	return b[:117]
}

func TestFileLogRetriesAFailingHandler(t *testing.T) {
	r := &recorder{failFor: 3}
	l := open(t, t.TempDir(), r, 1<<20)
	appendN(t, l, 0, 20)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, got := r.snapshot(); len(got) == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("handler never caught up after failing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if l.Applied() != l.Written() {
		t.Errorf("applied %d, written %d", l.Applied(), l.Written())
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestFileLogRefusesDamageInTheMiddle(t *testing.T) {
	dir := t.TempDir()
	r := &recorder{failFor: 1 << 30} // never applies, so no segment is deleted
	l := open(t, dir, r, 2048)
	// Ten rounds, each durable before the next, so that they are ten batches: a batch is never
	// split across segments, and one hundred appends at once may all be one batch.
	for i := range 10 {
		appendN(t, l, i*10, 10)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	l.Close(ctx)
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(segs) < 2 {
		t.Fatalf("want several segments, got %d", len(segs))
	}
	f, _ := os.OpenFile(segs[0], os.O_WRONLY, 0)
	f.WriteAt([]byte{0xff, 0xff}, 20)
	f.Close()
	_, err := bus.OpenFileLog(context.Background(), bus.FileLogConfig{Dir: dir, Handler: (&recorder{}).handle})
	if err == nil {
		t.Fatal("a damaged segment before the last was accepted")
	}
}

func TestFileLogAppendAfterClose(t *testing.T) {
	l := open(t, t.TempDir(), &recorder{}, 0)
	l.Close(context.Background())
	if err := l.Append(context.Background(), bus.TypeClick, []byte("x")); !errors.Is(err, bus.ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
}

func BenchmarkFileLogAppend(b *testing.B) {
	l, err := bus.OpenFileLog(context.Background(), bus.FileLogConfig{Dir: b.TempDir(), Handler: func(context.Context, []bus.Entry) error { return nil }})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 200)
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Append(context.Background(), bus.TypeClick, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	l.Close(context.Background())
}

// TestFileLogReleasesOnlyDurableSegments: segments are deleted only after BeforeRelease made
// the store's writes durable; while it fails they stay, and nothing is lost.
func TestFileLogReleasesOnlyDurableSegments(t *testing.T) {
	dir := t.TempDir()
	r := &recorder{}
	var fail atomic.Bool
	fail.Store(true)
	var calls atomic.Int64
	l, err := bus.OpenFileLog(context.Background(), bus.FileLogConfig{Dir: dir, Handler: r.handle, SegmentBytes: 2048,
		BeforeRelease: func(context.Context) error {
			calls.Add(1)
			if fail.Load() {
				return errors.New("checkpoint failed")
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	// In rounds, so that the events span several batches and so several segments.
	for i := 0; i < 100; i += 10 {
		appendN(t, l, i, 10)
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Applied() != l.Written() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if calls.Load() == 0 || len(segs) < 3 {
		t.Fatalf("%d BeforeRelease calls, %d segments: want calls and every segment kept while it fails", calls.Load(), len(segs))
	}
	fail.Store(false)
	appendN(t, l, 100, 20)
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	segs, _ = filepath.Glob(filepath.Join(dir, "*.log"))
	if len(segs) != 1 {
		t.Fatalf("%d segments left once BeforeRelease succeeded, want 1", len(segs))
	}
	_, got := r.snapshot()
	checkAll(t, got, 120)
}

// TestFileLogGathersWaitingUrgentBatches checks that urgent batches committed while the handler
// was busy are applied together: one store transaction for all of them, not one each, is what
// keeps conversions answered quickly under load.
func TestFileLogGathersWaitingUrgentBatches(t *testing.T) {
	started, gate := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var calls []int
	handler := func(_ context.Context, entries []bus.Entry) error {
		mu.Lock()
		first := len(calls) == 0
		calls = append(calls, len(entries))
		mu.Unlock()
		if first {
			close(started)
			<-gate
		}
		return nil
	}
	l, err := bus.OpenFileLog(context.Background(), bus.FileLogConfig{
		Dir: t.TempDir(), Handler: handler, Urgent: []byte{bus.TypeConversion}, ApplyDelay: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := l.Append(ctx, bus.TypeConversion, []byte("first")); err != nil {
		t.Fatal(err)
	}
	<-started
	// Each Append returns once its own batch is durable: these are five committed batches
	// queued behind the handler, which still holds the first.
	for range 5 {
		if err := l.Append(ctx, bus.TypeConversion, []byte("queued")); err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 || calls[0] != 1 || calls[1] != 5 {
		t.Fatalf("handler calls got %v entries, want [1 5]", calls)
	}
}
