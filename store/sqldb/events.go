package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/pactum/pactum"
)

const advancePosition = `INSERT INTO log_positions (stream, pos) VALUES (?, ?)
	ON CONFLICT (stream) DO UPDATE SET pos = excluded.pos WHERE log_positions.pos < excluded.pos
	RETURNING pos`

// eventTx is pactum.EventTx over one write transaction. It is valid only while the fn given to
// ApplyEvents runs.
type eventTx struct {
	s  *Store
	tx *sql.Tx
}

var _ pactum.EventTx = (*eventTx)(nil)

// ApplyEvents runs fn in one transaction with the advance of stream's position to pos. The
// position is advanced first, with an upsert that only moves it forward: if it returns no row the
// stream is already at or past pos, the batch was applied before, and fn is not called. In
// PostgreSQL the upsert also locks the stream's row, so that two workers applying the same stream
// serialise instead of both applying the batch. fn's error is returned unchanged, and rolls back
// everything, the position included.
func (s *Store) ApplyEvents(ctx context.Context, stream string, pos uint64, fn func(pactum.EventTx) error) (bool, error) {
	if pos > math.MaxInt64 {
		return false, fmt.Errorf("apply events: log position %d does not fit the store", pos)
	}
	if err := s.prepareVisitInserts(ctx); err != nil {
		return false, fmt.Errorf("apply events: %w", err)
	}
	applied := false
	var fnErr error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var stored int64
		err := tx.QueryRowContext(ctx, s.q(advancePosition), stream, int64(pos)).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("advance position: %w", err)
		}
		fnErr = fn(&eventTx{s: s, tx: tx})
		if fnErr != nil {
			return fnErr
		}
		applied = true
		return nil
	})
	if fnErr != nil {
		return false, fnErr
	} else if err != nil {
		return false, fmt.Errorf("apply events: %w", err)
	}
	return applied, nil
}

// Coupon returns the coupon with code, in any case, as the transaction sees it.
func (e *eventTx) Coupon(ctx context.Context, code string) (pactum.Coupon, error) {
	c, err := scanCoupon(e.tx.QueryRowContext(ctx, e.s.q(couponByCode), CouponKey(code)))
	if err != nil {
		return pactum.Coupon{}, fmt.Errorf("coupon: %w", notFound(err, "coupon %q not found", code))
	}
	return c, nil
}
