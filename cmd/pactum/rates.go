package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/fx"
)

// rates is the exchange-rate table the conversion pipeline credits partners with, loaded from
// the store at start, again when the API announces a change, and every --config-refresh (rates
// loaded with `pactum fx load` reach a running server that way).
type rates struct {
	store pactum.Store
	log   *slog.Logger
	table atomic.Pointer[fx.Table]
}

var errNoRates = errors.New("no exchange rates loaded")

// Rate implements conversion.Rates.
func (r *rates) Rate(from, to string, day time.Time) (decimal.Decimal, time.Time, error) {
	t := r.table.Load()
	if t == nil {
		return decimal.Zero, time.Time{}, errNoRates
	}
	return t.Rate(from, to, day)
}

func (r *rates) reload(ctx context.Context) error {
	all, err := r.store.FXRates(ctx)
	if err != nil {
		return fmt.Errorf("load exchange rates: %w", err)
	}
	r.table.Store(fx.NewTable(all))
	return nil
}

// refresh reloads now and then until ctx ends.
func (r *rates) refresh(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.reload(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("reloading exchange rates failed; keeping the ones loaded", "err", err)
			}
		}
	}
}
