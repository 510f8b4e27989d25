package bus_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/pactum/pactum/bus"
)

// openVisitors opens a visitor bucket of its own on nc, deleted when the test ends.
func openVisitors(tb testing.TB, nc *nats.Conn, name string, window time.Duration) *bus.VisitorBucket {
	tb.Helper()
	b, err := bus.OpenVisitorBucket(context.Background(), bus.VisitorBucketConfig{
		Conn: nc, Bucket: name, Window: window, Secret: []byte("0123456789abcdef-visitors"),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		admin := dialNATS(tb)
		defer admin.Close()
		js, err := jetstream.New(admin)
		if err != nil {
			tb.Fatal(err)
		}
		// Both test edges open the same bucket: the first cleanup deletes it.
		if err := js.DeleteKeyValue(context.Background(), name); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
			tb.Errorf("delete bucket %s: %v", name, err)
		}
	})
	return b
}

// TestVisitorBucketAcrossEdges plays two edges on connections of their own: a visitor is unique
// on the first edge that sees it, and not on the other; another offer, partner, address or user
// agent is another visitor; a forgotten click makes the next one unique again.
func TestVisitorBucketAcrossEdges(t *testing.T) {
	ctx := context.Background()
	name := fmt.Sprintf("TV%016x", rand.Uint64())
	edge1 := openVisitors(t, natsConn(t), name, time.Hour)
	edge2 := openVisitors(t, natsConn(t), name, time.Hour)

	first := func(b *bus.VisitorBucket, ip, ua string, offer, partner int64) bool {
		t.Helper()
		ok, err := b.First(ctx, ip, ua, offer, partner)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !first(edge1, "203.0.113.7", "Firefox", 1, 2) {
		t.Fatal("a new visitor is not unique")
	}
	if first(edge2, "203.0.113.7", "Firefox", 1, 2) || first(edge1, "203.0.113.7", "Firefox", 1, 2) {
		t.Fatal("the same visitor is unique again within the window")
	}
	for _, v := range []struct {
		ip, ua         string
		offer, partner int64
	}{
		{"203.0.113.8", "Firefox", 1, 2}, {"203.0.113.7", "Safari", 1, 2},
		{"203.0.113.7", "Firefox", 3, 2}, {"203.0.113.7", "Firefox", 1, 4},
		// Address and user agent are kept apart: not the same as ("203.0.113.", "7Firefox").
		{"203.0.113.", "7Firefox", 1, 2},
	} {
		if !first(edge2, v.ip, v.ua, v.offer, v.partner) {
			t.Errorf("%+v is taken for the visitor of 203.0.113.7, Firefox, offer 1, partner 2", v)
		}
	}
	if err := edge2.Forget(ctx, "203.0.113.8", "Firefox", 1, 2); err != nil {
		t.Fatal(err)
	}
	if !first(edge1, "203.0.113.8", "Firefox", 1, 2) {
		t.Error("a forgotten click does not make the retry unique")
	}
}

// TestVisitorBucketOnceUnderConcurrency: many edges seeing one visitor at once make exactly one
// unique click.
func TestVisitorBucketOnceUnderConcurrency(t *testing.T) {
	name := fmt.Sprintf("TV%016x", rand.Uint64())
	edges := []*bus.VisitorBucket{openVisitors(t, natsConn(t), name, time.Hour), openVisitors(t, natsConn(t), name, time.Hour)}
	var unique atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			ok, err := edges[i%2].First(context.Background(), "198.51.100.1", "Chrome", 5, 6)
			if err != nil {
				t.Error(err)
			}
			if ok {
				unique.Add(1)
			}
		})
	}
	wg.Wait()
	if n := unique.Load(); n != 1 {
		t.Fatalf("%d unique clicks of one visitor, want 1", n)
	}
}

// TestVisitorBucketWindow: once the window has passed, the visitor is unique again.
func TestVisitorBucketWindow(t *testing.T) {
	ctx := context.Background()
	b := openVisitors(t, natsConn(t), fmt.Sprintf("TV%016x", rand.Uint64()), time.Second)
	if ok, err := b.First(ctx, "192.0.2.1", "Edge", 1, 1); err != nil || !ok {
		t.Fatalf("first click: %v, %v", ok, err)
	}
	if ok, _ := b.First(ctx, "192.0.2.1", "Edge", 1, 1); ok {
		t.Fatal("unique again within the window")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		time.Sleep(250 * time.Millisecond)
		ok, err := b.First(ctx, "192.0.2.1", "Edge", 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("not unique again 10 s after a 1 s window")
		}
	}
}
