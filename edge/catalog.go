package edge

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pactum/pactum"
)

// CatalogStore is what the catalog reads on a miss. pactum.ProgramStore satisfies it. Lookups of
// something that does not exist return an error with code pactum.ENOTFOUND.
type CatalogStore interface {
	Offer(ctx context.Context, id int64) (pactum.Offer, error)
	Partner(ctx context.Context, id int64) (pactum.Partner, error)
	LinkByCode(ctx context.Context, code string) (pactum.Link, error)
}

const (
	// maxNegative bounds the memory of ids and codes that do not exist: requests choose them,
	// so without a bound a scan of random codes would grow memory for ever.
	maxNegative = 1 << 16
	// maxCodeLen is the longest code the API accepts (api/links.go): longer ones are answered
	// without a store query.
	maxCodeLen = 64
)

// Catalog caches what the click path needs to know about offers, partners and links, loading
// each on first use. Readers take no lock: the cache is a generation behind an atomic pointer,
// and Invalidate swaps in an empty one.
type Catalog struct {
	store CatalogStore
	gen   atomic.Pointer[generation]
}

type generation struct {
	offers   sync.Map // int64 -> *entry[*offer]
	partners sync.Map // int64 -> *entry[*partner]
	links    sync.Map // string -> *entry[*pactum.Link]
	// missing remembers lookups that found nothing, apart from the maps above so that it can be
	// bounded without dropping what exists.
	missing *boundedMap[missKey, struct{}]
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

type partner struct {
	pactum.Partner
	id string
}

// NewCatalog returns an empty catalog that loads from s.
func NewCatalog(s CatalogStore) *Catalog {
	c := &Catalog{store: s}
	c.Invalidate()
	return c
}

// Invalidate forgets everything cached, so that the next lookups see the store as it is now.
// Call it after any change to offers, partners or links. Lookups already running may still
// answer from the old generation.
func (c *Catalog) Invalidate() {
	c.gen.Store(&generation{missing: newBoundedMap[missKey, struct{}](maxNegative)})
}

// Offer returns offer id through the cache, so that the conversion pipeline reads offers as
// cheaply as the click path. The result shares its slices with the cache: do not change them.
func (c *Catalog) Offer(ctx context.Context, id int64) (pactum.Offer, error) {
	o, err := c.offer(ctx, id)
	if err != nil {
		return pactum.Offer{}, err
	}
	return o.Offer, nil
}

// Partner returns partner id through the cache.
func (c *Catalog) Partner(ctx context.Context, id int64) (pactum.Partner, error) {
	p, err := c.partner(ctx, id)
	if err != nil {
		return pactum.Partner{}, err
	}
	return p.Partner, nil
}

func (c *Catalog) offer(ctx context.Context, id int64) (*offer, error) {
	if id <= 0 {
		return nil, errNotFound
	}
	g := c.gen.Load()
	return lookup(ctx, &g.offers, g.missing, id, missKey{kind: 'o', id: id}, func(ctx context.Context) (*offer, error) {
		o, err := c.store.Offer(ctx, id)
		if err != nil {
			return nil, err
		}
		return compileOffer(o), nil
	})
}

func (c *Catalog) partner(ctx context.Context, id int64) (*partner, error) {
	if id <= 0 {
		return nil, errNotFound
	}
	g := c.gen.Load()
	return lookup(ctx, &g.partners, g.missing, id, missKey{kind: 'p', id: id}, func(ctx context.Context) (*partner, error) {
		p, err := c.store.Partner(ctx, id)
		if err != nil {
			return nil, err
		}
		return &partner{Partner: p, id: strconv.FormatInt(p.ID, 10)}, nil
	})
}

func (c *Catalog) link(ctx context.Context, code string) (*pactum.Link, error) {
	if code == "" || len(code) > maxCodeLen {
		return nil, errNotFound
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

var errNotFound = pactum.Errorf(pactum.ENOTFOUND, "not found")

// lookup answers key from m, else from missing, else loads it once.
func lookup[K comparable, T any](ctx context.Context, m *sync.Map, missing *boundedMap[missKey, struct{}], key K, mk missKey, load func(context.Context) (T, error)) (T, error) {
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
		return zero, errNotFound
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
