package fx

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Cache is the stored rates of one process, read whole from the store and swapped whole on
// Reload: the conversion pipeline converts commissions with it and the API answers the rate
// endpoints from it, so that a process reads its (some 200,000 with the ECB's history) rates
// once, not once per user.
type Cache struct {
	load func(context.Context) ([]pactum.FXRate, error)
	mu   sync.Mutex // one read of the store at a time, so that a burst of Reloads reads once
	snap atomic.Pointer[Snapshot]
}

// Snapshot is the rates as they were at one Reload.
type Snapshot struct {
	// Newest is every rate, newest date first, then by currency.
	Newest []pactum.FXRate
	Table  *Table
}

// NewCache returns a cache that reads the rates with load (Store.FXRates); it is empty until
// the first Reload or Snapshot.
func NewCache(load func(context.Context) ([]pactum.FXRate, error)) *Cache {
	return &Cache{load: load}
}

// Reload reads the rates again.
func (c *Cache) Reload(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	rates, err := c.load(ctx)
	if err != nil {
		return fmt.Errorf("read fx rates: %w", err)
	}
	s := &Snapshot{Table: NewTable(rates), Newest: rates}
	slices.SortStableFunc(s.Newest, func(a, b pactum.FXRate) int { return b.Date.Compare(a.Date) })
	c.snap.Store(s)
	return nil
}

// Snapshot returns the rates, reading them first if nothing was read yet.
func (c *Cache) Snapshot(ctx context.Context) (*Snapshot, error) {
	if s := c.snap.Load(); s != nil {
		return s, nil
	}
	if err := c.Reload(ctx); err != nil {
		return nil, err
	}
	return c.snap.Load(), nil
}

// Rate is Table.Rate on the rates read last (conversion.Rates); before the first read it finds
// none.
func (c *Cache) Rate(from, to string, day time.Time) (decimal.Decimal, time.Time, error) {
	s := c.snap.Load()
	if s == nil {
		return NewTable(nil).Rate(from, to, day)
	}
	return s.Table.Rate(from, to, day)
}
