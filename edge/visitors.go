package edge

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/pactum/pactum"
)

const (
	// UniqueWindow is how long a visitor's first click on an offer through a partner keeps later
	// ones from being unique (SPEC section 1: within 24 hours).
	UniqueWindow = 24 * time.Hour
	// DefaultMaxVisitors bounds the memory of recent visitors: at about 40 bytes each, the
	// default takes some 40 MiB when full. Past the bound the oldest are forgotten first, so a
	// visitor forgotten early may be counted unique twice within a day.
	DefaultMaxVisitors = 1 << 20
	visitorShards      = 64
)

// SharedVisitors is a memory of recent visitors that the edges of a deployment share.
type SharedVisitors interface {
	// First records the click and reports whether it is the visitor's first on the offer
	// through the partner within 24 hours on any edge.
	First(ctx context.Context, ip, userAgent string, offerID, partnerID int64) (bool, error)
	// Forget undoes First for a click that was not recorded.
	Forget(ctx context.Context, ip, userAgent string, offerID, partnerID int64) error
}

// sharedWait bounds how long a click waits for the shared memory of visitors; past it (NATS
// unreachable, say) the edge's own memory decides.
const sharedWait = 500 * time.Millisecond

// visitors remembers who clicked what in the last 24 hours, to flag unique clicks. It is
// sharded so that concurrent clicks rarely wait on one another.
type visitors struct {
	seed     maphash.Seed
	perShard int
	shards   [visitorShards]visitorShard
}

type visitorShard struct {
	mu    sync.Mutex
	first map[uint64]visit // visitor key -> its first and latest click in the window
	// order holds keys oldest first from head on, to expire and evict without scanning.
	order []seen
	head  int
	_     [40]byte // keeps neighbouring shards' locks off one cache line
}

type seen struct {
	key uint64
	at  int64
}

// visit is what the memory keeps of a visitor: unix nanoseconds of its first click in the
// window (for unique clicks) and of its latest (for duplicate clicks).
type visit struct {
	first, last int64
}

func newVisitors(limit int) *visitors {
	if limit <= 0 {
		limit = DefaultMaxVisitors
	}
	v := &visitors{seed: maphash.MakeSeed(), perShard: max(1, limit/visitorShards)}
	for i := range v.shards {
		v.shards[i].first = make(map[uint64]visit)
	}
	return v
}

// key identifies a visitor (IP and user agent) on an offer through a partner.
func (vs *visitors) key(ip, ua string, offerID, partnerID int64) uint64 {
	return maphash.Comparable(vs.seed, [4]uint64{
		maphash.String(vs.seed, ip), maphash.String(vs.seed, ua), uint64(offerID), uint64(partnerID),
	})
}

// first reports whether a click of key at t is the first in its 24-hour window, and remembers it.
func (vs *visitors) first(key uint64, t time.Time) bool {
	unique, _ := vs.click(key, t)
	return unique
}

// click records a click of key at t and reports whether it is the first in its 24-hour window,
// and, when it is not, the time of the visitor's previous click (to tell duplicates).
func (vs *visitors) click(key uint64, t time.Time) (unique bool, previous time.Time) {
	s := &vs.shards[key%visitorShards]
	now := t.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now - int64(UniqueWindow))
	if v, ok := s.first[key]; ok && now-v.first < int64(UniqueWindow) {
		s.first[key] = visit{v.first, max(v.last, now)}
		return false, time.Unix(0, v.last)
	}
	if len(s.order)-s.head >= vs.perShard {
		s.pop()
	}
	s.first[key] = visit{now, now}
	s.order = append(s.order, seen{key, now})
	return true, time.Time{}
}

// forget undoes click(key, t) for a click that was not recorded, so that its retry is unique,
// or no duplicate of itself: previous is what click returned.
func (vs *visitors) forget(key uint64, t, previous time.Time) {
	s := &vs.shards[key%visitorShards]
	s.mu.Lock()
	switch v := s.first[key]; {
	case v.first == t.UnixNano():
		delete(s.first, key)
	case v.last == t.UnixNano() && !previous.IsZero():
		s.first[key] = visit{v.first, previous.UnixNano()}
	}
	s.mu.Unlock()
}

func (s *visitorShard) expire(before int64) {
	for s.head < len(s.order) && s.order[s.head].at <= before {
		s.pop()
	}
}

func (s *visitorShard) pop() {
	old := s.order[s.head]
	s.order[s.head] = seen{}
	s.head++
	// A key seen again after its window has a newer entry further on; only its own entry may
	// drop it from the map.
	if s.first[old.key].first == old.at {
		delete(s.first, old.key)
	}
	if s.head > len(s.order)/2 && s.head >= 1024 {
		n := copy(s.order, s.order[s.head:])
		s.order = s.order[:n]
		s.head = 0
	}
}

// sharedFirst asks the edges' shared memory whether v, new to this edge, is new to all of them,
// and says whether this click made the visitor's entry there. If the memory cannot answer in
// time, this edge's own memory has the last word: the click is unique.
func (e *Edge) sharedFirst(ctx context.Context, v *pactum.Visit) (unique, made bool) {
	ctx, cancel := context.WithTimeout(ctx, sharedWait)
	defer cancel()
	first, err := e.cfg.SharedVisitors.First(ctx, v.IP, v.UserAgent, v.OfferID, v.PartnerID)
	if err != nil {
		e.logFailure("edge: asking the other edges about a visitor; this edge's memory decides", err)
		return true, false
	}
	return first, first
}

// forgetVisitor undoes the memory of a click that was not recorded, here and, if this click
// made the visitor's entry in the shared memory (made), there: an entry another edge made stays.
func (e *Edge) forgetVisitor(ctx context.Context, key uint64, v *pactum.Visit, previous time.Time, made bool) {
	e.visitors.forget(key, v.Time, previous)
	if !made {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedWait)
	defer cancel()
	if err := e.cfg.SharedVisitors.Forget(ctx, v.IP, v.UserAgent, v.OfferID, v.PartnerID); err != nil {
		e.logFailure("edge: forgetting a visitor whose click was not recorded", err)
	}
}
