package auth

import (
	"sync"
	"time"
)

// Throttle slows down guessing: after Free failures for a key (an account's email, a client's
// address) each further failure makes the key wait, twice as long each time, up to Max. A key
// with no failure for Forget is forgotten, and so is an account's after a success. It lives in
// memory: each process counts its own failures, which a restart forgets (docs/operations.md).
type Throttle struct {
	Free   int           // failures allowed before the waits start
	Base   time.Duration // the first wait
	Max    time.Duration // the longest wait
	Forget time.Duration // a key without failures for this long starts again from nothing
	// MaxKeys bounds the memory: when it is reached, forgotten keys are swept, then any.
	MaxKeys int

	mu   sync.Mutex
	keys map[string]*strikes
}

type strikes struct {
	n     int
	last  time.Time // the latest failure
	until time.Time // no try before this
}

// Wait returns how long key must wait before its next try: 0 when it may try now.
func (t *Throttle) Wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.keys[key]
	if s == nil {
		return 0
	}
	if now.Sub(s.last) > t.Forget {
		delete(t.keys, key)
		return 0
	}
	if d := s.until.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Fail records a failed try of key at now.
func (t *Throttle) Fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.keys == nil {
		t.keys = make(map[string]*strikes)
	}
	s := t.keys[key]
	if s != nil && now.Sub(s.last) > t.Forget {
		s = nil
	}
	if s == nil {
		t.makeRoom(now)
		s = &strikes{}
		t.keys[key] = s
	}
	s.n++
	s.last = now
	if over := s.n - t.Free; over > 0 {
		wait := t.Max
		if over < 32 && t.Base<<(over-1) < t.Max {
			wait = t.Base << (over - 1)
		}
		s.until = now.Add(wait)
	}
}

// Reset forgets key's failures: an account after a successful login.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// makeRoom keeps the map under MaxKeys: first by sweeping keys whose failures are forgotten,
// then by dropping any (the map's order is random, so an attacker cannot choose which).
func (t *Throttle) makeRoom(now time.Time) {
	if t.MaxKeys <= 0 || len(t.keys) < t.MaxKeys {
		return
	}
	for k, s := range t.keys {
		if now.Sub(s.last) > t.Forget {
			delete(t.keys, k)
		}
	}
	for k := range t.keys {
		if len(t.keys) < t.MaxKeys {
			break
		}
		delete(t.keys, k)
	}
}
