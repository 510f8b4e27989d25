package edge

import (
	"sync"
	"sync/atomic"
)

// boundedMap is a concurrent map that holds at most about limit entries: when a store would pass
// the bound it starts over empty. It suits caches whose entries are cheap to recompute and whose
// keys come from the request (user agents, unknown link codes), where an attacker could
// otherwise grow memory without limit; reads take no lock, so the hot path does not contend.
type boundedMap[K comparable, V any] struct {
	limit int64
	cur   atomic.Pointer[boundedGen[K, V]]
}

type boundedGen[K comparable, V any] struct {
	m sync.Map
	n atomic.Int64
}

func newBoundedMap[K comparable, V any](limit int) *boundedMap[K, V] {
	b := &boundedMap[K, V]{limit: int64(limit)}
	b.cur.Store(new(boundedGen[K, V]))
	return b
}

func (b *boundedMap[K, V]) Load(k K) (V, bool) {
	v, ok := b.cur.Load().m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

func (b *boundedMap[K, V]) Store(k K, v V) {
	g := b.cur.Load()
	if _, loaded := g.m.Swap(k, v); loaded {
		return
	}
	if g.n.Add(1) > b.limit {
		// Dropping everything at once costs a burst of misses but keeps the bound without an
		// eviction order to maintain on every hit.
		b.cur.CompareAndSwap(g, new(boundedGen[K, V]))
	}
}

func (b *boundedMap[K, V]) Delete(k K) {
	b.cur.Load().m.Delete(k)
}
