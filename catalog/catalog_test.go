package catalog

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/pactum/pactum"
)

type store struct{ reads atomic.Int64 }

func (s *store) Offer(_ context.Context, id int64) (pactum.Offer, error) {
	s.reads.Add(1)
	if id != 1 {
		return pactum.Offer{}, pactum.Errorf(pactum.ENOTFOUND, "no offer %d", id)
	}
	return pactum.Offer{ID: 1, Name: "Spring"}, nil
}

func (s *store) Partner(_ context.Context, id int64) (pactum.Partner, error) {
	s.reads.Add(1)
	return pactum.Partner{ID: id}, nil
}

func (s *store) LinkByCode(_ context.Context, code string) (pactum.Link, error) {
	s.reads.Add(1)
	return pactum.Link{Code: code}, nil
}

func TestCatalogLoadsOnceAndForgets(t *testing.T) {
	st := &store{}
	compiled := 0
	c := New(st, func(o pactum.Offer) any { compiled++; return o.Name })
	ctx := context.Background()
	for range 5 {
		o, err := c.CachedOffer(ctx, 1)
		if err != nil || o.Compiled != "Spring" {
			t.Fatalf("CachedOffer = %+v, %v", o, err)
		}
		if _, err := c.Offer(ctx, 2); pactum.ErrorCode(err) != pactum.ENOTFOUND {
			t.Fatalf("a missing offer: %v", err)
		}
		if p, err := c.CachedPartner(ctx, 7); err != nil || p.IDText != "7" {
			t.Fatalf("CachedPartner = %+v, %v", p, err)
		}
	}
	if n := st.reads.Load(); n != 3 || compiled != 1 {
		t.Fatalf("%d reads and %d compilations for five rounds, want 3 and 1", n, compiled)
	}
	gen := c.Generation()
	c.Invalidate()
	if c.Generation() == gen {
		t.Fatal("Invalidate kept the generation")
	}
	if _, err := c.CachedOffer(ctx, 1); err != nil || st.reads.Load() != 4 {
		t.Fatalf("after Invalidate: %v, %d reads", err, st.reads.Load())
	}
	if _, err := c.Link(ctx, string(make([]byte, MaxCodeLen+1))); err != ErrNotFound || st.reads.Load() != 4 {
		t.Fatalf("an overlong code read the store: %v", err)
	}
}
