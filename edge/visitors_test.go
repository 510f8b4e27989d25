package edge

import (
	"testing"
	"time"
)

func TestVisitorsBound(t *testing.T) {
	vs := newVisitors(visitorShards * 4) // 4 per shard
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	keys := make([]uint64, 0, 2000)
	for i := range 2000 {
		k := vs.key("198.51.100.1", "ua", int64(i), 1)
		keys = append(keys, k)
		if !vs.first(k, t0.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("key %d: not first", i)
		}
	}
	total := 0
	for i := range vs.shards {
		s := &vs.shards[i]
		if n := len(s.order) - s.head; n > 4 || len(s.first) > 4 {
			t.Errorf("shard %d holds %d entries (%d in map), bound is 4", i, n, len(s.first))
		}
		total += len(s.first)
	}
	if total > visitorShards*4 {
		t.Errorf("%d visitors remembered, bound %d", total, visitorShards*4)
	}
	// The newest are remembered, the oldest forgotten.
	if vs.first(keys[1999], t0.Add(time.Hour)) {
		t.Error("newest visitor forgotten")
	}
	if !vs.first(keys[0], t0.Add(time.Hour)) {
		t.Error("oldest visitor still remembered past the bound")
	}
}

func TestVisitorsExpire(t *testing.T) {
	vs := newVisitors(0)
	k := vs.key("198.51.100.1", "ua", 1, 1)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		at    time.Duration
		first bool
	}{
		{0, true}, {time.Hour, false}, {24*time.Hour - time.Nanosecond, false}, {24 * time.Hour, true}, {25 * time.Hour, false}, {48 * time.Hour, true},
	}
	for _, s := range steps {
		if got := vs.first(k, t0.Add(s.at)); got != s.first {
			t.Errorf("at +%s: first %v, want %v", s.at, got, s.first)
		}
	}
	// Expired entries leave memory when their shard is next used.
	other := k
	for i := 0; other == k || other%visitorShards != k%visitorShards; i++ {
		other = vs.key("198.51.100.2", "ua", int64(i), 1)
	}
	vs.first(other, t0.Add(100*time.Hour))
	if s := &vs.shards[k%visitorShards]; len(s.first) != 1 || len(s.order)-s.head != 1 {
		t.Errorf("shard holds %d visitors (%d in order) after expiry, want 1", len(s.first), len(s.order)-s.head)
	}
}
