// Package catalog caches what every role reads of the program on its hot paths: offers,
// partners and links, loaded on first use and kept until the program changes (Invalidate).
// The click path reads it for every click, the conversion pipeline for every conversion, the
// postback intake for every postback.
package catalog

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bounded"
)

// Store is what the catalog reads on a miss. pactum.ProgramStore satisfies it. Lookups of
// something that does not exist return an error with code pactum.ENOTFOUND.
type Store interface {
	Offer(ctx context.Context, id int64) (pactum.Offer, error)
	Partner(ctx context.Context, id int64) (pactum.Partner, error)
	LinkByCode(ctx context.Context, code string) (pactum.Link, error)
}

const (
	// maxNegative bounds the memory of ids and codes that do not exist: requests choose them,
	// so without a bound a scan of random codes would grow memory for ever.
	maxNegative = 1 << 16
	// MaxCodeLen is the longest link code there is (program's rule): longer ones are answered
	// without a store query.
	MaxCodeLen = 64
)

// Offer is a cached offer with what its Compile hook derived from it once, when it was loaded
// (the edge's compiled URL templates): work done per offer, not per click.
type Offer struct {
	pactum.Offer
	Compiled any
}

// Partner is a cached partner with its id in decimal, as macros write it.
type Partner struct {
	pactum.Partner
	IDText string
}

// Catalog caches offers, partners and links. Readers take no lock: the cache is a generation
// behind an atomic pointer, and Invalidate swaps in an empty one.
type Catalog struct {
	store   Store
	compile func(pactum.Offer) any
	gen     atomic.Pointer[generation]
}

// Generation identifies what the catalog holds: it changes with each Invalidate, so that caches
// of other things (the edge's advertisers) can be forgotten with it.
type Generation = *generation

type generation struct {
	offers   sync.Map // int64 -> *entry[*Offer]
	partners sync.Map // int64 -> *entry[*Partner]
	links    sync.Map // string -> *entry[*pactum.Link]
	// missing remembers lookups that found nothing, apart from the maps above so that it can be
	// bounded without dropping what exists.
	missing *bounded.Map[missKey, struct{}]
}

type missKey struct {
	kind byte // 'o', 'p' or 'l'
	id   int64
	code string
}

// entry is one cached value. The first request for a key loads it while later ones wait on
// done, so a burst of clicks on a new link costs one store query, not one per click.
type entry[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// New returns an empty catalog that loads from s; compile, if not nil, derives each offer's
// Compiled when it is loaded.
func New(s Store, compile func(pactum.Offer) any) *Catalog {
	c := &Catalog{store: s, compile: compile}
	c.Invalidate()
	return c
}

// Invalidate forgets everything cached, so that the next lookups see the store as it is now.
// Call it after any change to offers, partners or links. Lookups already running may still
// answer from the old generation.
func (c *Catalog) Invalidate() {
	c.gen.Store(&generation{missing: bounded.New[missKey, struct{}](maxNegative)})
}

// Generation returns the catalog's current generation.
func (c *Catalog) Generation() Generation { return c.gen.Load() }

// Offer returns offer id, as the conversion pipeline reads offers. The result shares its
// slices with the cache: do not change them.
func (c *Catalog) Offer(ctx context.Context, id int64) (pactum.Offer, error) {
	o, err := c.CachedOffer(ctx, id)
	if err != nil {
		return pactum.Offer{}, err
	}
	return o.Offer, nil
}

// Partner returns partner id.
func (c *Catalog) Partner(ctx context.Context, id int64) (pactum.Partner, error) {
	p, err := c.CachedPartner(ctx, id)
	if err != nil {
		return pactum.Partner{}, err
	}
	return p.Partner, nil
}

// ErrNotFound is what lookups of something that does not exist return.
var ErrNotFound = pactum.Errorf(pactum.ENOTFOUND, "not found")

// CachedOffer returns the cached offer id.
func (c *Catalog) CachedOffer(ctx context.Context, id int64) (*Offer, error) {
	if id <= 0 {
		return nil, ErrNotFound
	}
	g := c.gen.Load()
	return lookup(ctx, &g.offers, g.missing, id, missKey{kind: 'o', id: id}, func(ctx context.Context) (*Offer, error) {
		o, err := c.store.Offer(ctx, id)
		if err != nil {
			return nil, err
		}
		out := &Offer{Offer: o}
		if c.compile != nil {
			out.Compiled = c.compile(o)
		}
		return out, nil
	})
}

// CachedPartner returns the cached partner id.
func (c *Catalog) CachedPartner(ctx context.Context, id int64) (*Partner, error) {
	if id <= 0 {
		return nil, ErrNotFound
	}
	g := c.gen.Load()
	return lookup(ctx, &g.partners, g.missing, id, missKey{kind: 'p', id: id}, func(ctx context.Context) (*Partner, error) {
		p, err := c.store.Partner(ctx, id)
		if err != nil {
			return nil, err
		}
		return &Partner{Partner: p, IDText: strconv.FormatInt(p.ID, 10)}, nil
	})
}

// Link returns the cached link with code.
func (c *Catalog) Link(ctx context.Context, code string) (*pactum.Link, error) {
	if code == "" || len(code) > MaxCodeLen {
		return nil, ErrNotFound
	}
	g := c.gen.Load()
	return lookup(ctx, &g.links, g.missing, code, missKey{kind: 'l', code: code}, func(ctx context.Context) (*pactum.Link, error) {
		l, err := c.store.LinkByCode(ctx, code)
		if err != nil {
			return nil, err
		}
		return &l, nil
	})
}

// lookup answers key from m, else from missing, else loads it once.
func lookup[K comparable, T any](ctx context.Context, m *sync.Map, missing *bounded.Map[missKey, struct{}], key K, mk missKey, load func(context.Context) (T, error)) (T, error) {
	var zero T
	if v, ok := m.Load(key); ok {
		e := v.(*entry[T])
		select {
		case <-e.done:
			return e.val, e.err
		default:
			return wait(ctx, e)
		}
	}
	if _, ok := missing.Load(mk); ok {
		return zero, ErrNotFound
	}
	e := &entry[T]{done: make(chan struct{})}
	if v, loaded := m.LoadOrStore(key, e); loaded {
		return wait(ctx, v.(*entry[T]))
	}
	// The load must not die with the first request's context: others may be waiting on it.
	e.val, e.err = load(context.WithoutCancel(ctx))
	if e.err != nil {
		// Failures are not kept: a store outage must heal by itself, and what was not found is
		// remembered in the bounded map instead, before the entry goes, so that no request
		// in between queries the store again.
		if pactum.ErrorCode(e.err) == pactum.ENOTFOUND {
			// The code of a miss is a slice of the request's URL; keep it apart from that memory.
			mk.code = strings.Clone(mk.code)
			missing.Store(mk, struct{}{})
		}
		m.CompareAndDelete(key, e)
	}
	close(e.done)
	return e.val, e.err
}

func wait[T any](ctx context.Context, e *entry[T]) (T, error) {
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
