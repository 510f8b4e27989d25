// Package bounded is a concurrent map that holds at most about a given number of entries,
// for caches whose keys come from requests.
package bounded

import (
	"sync"
	"sync/atomic"
)

// Map is a concurrent map that holds at most about limit entries: when a store would pass
// the bound it starts over empty. It suits caches whose entries are cheap to recompute and whose
// keys come from the request (user agents, unknown link codes), where an attacker could
// otherwise grow memory without limit; reads take no lock, so the hot path does not contend.
type Map[K comparable, V any] struct {
	limit int64
	cur   atomic.Pointer[gen[K, V]]
}

type gen[K comparable, V any] struct {
	m sync.Map
	n atomic.Int64
}

// New returns an empty map of at most about limit entries.
func New[K comparable, V any](limit int) *Map[K, V] {
	b := &Map[K, V]{limit: int64(limit)}
	b.cur.Store(new(gen[K, V]))
	return b
}

// Load returns the value of k.
func (b *Map[K, V]) Load(k K) (V, bool) {
	v, ok := b.cur.Load().m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// Store sets the value of k.
func (b *Map[K, V]) Store(k K, v V) {
	g := b.cur.Load()
	if _, loaded := g.m.Swap(k, v); loaded {
		return
	}
	if g.n.Add(1) > b.limit {
		// Dropping everything at once costs a burst of misses but keeps the bound without an
		// eviction order to maintain on every hit.
		b.cur.CompareAndSwap(g, new(gen[K, V]))
	}
}

// Delete forgets k.
func (b *Map[K, V]) Delete(k K) {
	b.cur.Load().m.Delete(k)
}
