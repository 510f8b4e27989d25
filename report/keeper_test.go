package report

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// rebuildBetween runs a rebuild after the keeper read a batch and before it writes it: the
// rebuild rewrites the memos the keeper read, so the keeper must compute the batch again in its
// transaction rather than take away what the rebuild no longer counts.
type rebuildBetween struct{ *sqldb.Store }

func (s rebuildBetween) ConsumeChangesRead(ctx context.Context, consumer string, limit int,
	read func(pactum.ChangeReader, []pactum.Change) (func(pactum.ChangeTx) error, error)) (int, error) {
	return s.Store.ConsumeChangesRead(ctx, consumer, limit, func(r pactum.ChangeReader, changes []pactum.Change) (func(pactum.ChangeTx) error, error) {
		write, err := read(r, changes)
		if err == nil {
			err = Rebuild(ctx, s.Store, nil)
		}
		return write, err
	})
}

func TestKeeperRacingRebuild(t *testing.T) {
	m := newModel(t, sqlitetest.Open(t), uint64(time.Now().UnixNano()))
	m.generate()
	// Refunds the keeper has not consumed yet.
	var ids []int64
	m.must(m.st.EachConversion(ctx, pactum.ConversionFilter{}, func(c pactum.Conversion) error {
		if c.Status != pactum.ConversionRejected && c.Amount.GreaterThan(c.RefundedAmount) && len(ids) < 10 {
			ids = append(ids, c.ID)
		}
		return nil
	}))
	if len(ids) == 0 {
		t.Fatal("no conversion to refund")
	}
	for _, id := range ids {
		_, err := m.st.UpdateConversion(ctx, id, func(c *pactum.Conversion) error {
			return commission.Refund(c, nil, pactum.Round(c.Amount.Sub(c.RefundedAmount).Div(decimal.New(2, 0)), "EUR"), true, m.start.Add(time.Hour))
		})
		m.must(err)
	}
	n, err := NewKeeper(rebuildBetween{m.st}, nil).Consume(ctx)
	m.must(err)
	if n == 0 {
		t.Fatal("the keeper took no change")
	}
	m.check("keeper raced by a rebuild", 40)
}
