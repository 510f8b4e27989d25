package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// Partner postbacks (pactum.PostbackStore): the postbacks, the deliveries the change feed's
// consumer records for them (changeTx.InsertDeliveries), and the log of each attempt.

const (
	postbackFields = `id, partner_id, offer_id, url, method, events, secret, previous_secret, previous_until,
		enabled, disabled_reason, disabled_at, failures_since, created_at, updated_at`
	postbackColumns = `SELECT ` + postbackFields + ` FROM postbacks`
	insertPostback  = `INSERT INTO postbacks (partner_id, offer_id, url, method, events, secret, previous_secret,
		previous_until, enabled, disabled_reason, disabled_at, failures_since, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updatePostback = `UPDATE postbacks SET offer_id = ?, url = ?, method = ?, events = ?, enabled = ?,
		disabled_reason = ?, disabled_at = ?, failures_since = ?, updated_at = ? WHERE id = ?`
	// The secret it replaces is read from the row as it is, so that two rotations at once
	// keep the later one's predecessor, never a secret nobody was shown.
	rotatePostbackSecret = `UPDATE postbacks SET previous_secret = secret, previous_until = ?, secret = ?,
		updated_at = ? WHERE id = ? RETURNING ` + postbackFields
	disablePostback = `UPDATE postbacks SET enabled = ?, disabled_reason = ?, disabled_at = ?, updated_at = ?
		WHERE id = ? AND enabled = ?`
	enabledPostbacks = postbackColumns + ` WHERE partner_id = ? AND enabled = ? ORDER BY id`

	deliveryFields = `id, postback_id, partner_id, conversion_id, position, event, method, url, body,
		idempotency_key, test, status, attempts, next_at, created_at, finished_at`
	insertDelivery = `INSERT INTO postback_deliveries (postback_id, partner_id, conversion_id, position, event,
		method, url, body, idempotency_key, test, status, attempts, next_at, lease_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`
	// The claim: deliveries due, of enabled postbacks, not leased to a worker whose lease runs
	// on. The chosen ids are a materialized CTE, so that the LIMIT holds (PostgreSQL may run a
	// subquery in IN once per row). The update repeats the conditions: in PostgreSQL a worker
	// that chose the same rows as another waits for the other's update, then finds them leased
	// and skips them (with SKIP LOCKED, below, it usually never chooses them); SQLite runs one
	// writer at a time.
	claimDeliveries = `WITH chosen AS MATERIALIZED (
		SELECT d.id FROM postback_deliveries d JOIN postbacks p ON p.id = d.postback_id
		WHERE d.status = 'pending' AND d.next_at <= ? AND d.lease_until < ? AND p.enabled = ?
		ORDER BY d.next_at LIMIT ?%s)
		UPDATE postback_deliveries SET lease_until = ? WHERE id IN (SELECT id FROM chosen)
		AND status = 'pending' AND lease_until < ? RETURNING ` + deliveryFields
	anyDue        = `SELECT 1 FROM postback_deliveries WHERE status = 'pending' AND next_at <= ? AND lease_until < ? LIMIT 1`
	insertAttempt = `INSERT INTO postback_attempts (delivery_id, postback_id, time, url, status_code, error,
		latency_us, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	finishAttempt = `UPDATE postback_deliveries SET status = ?, attempts = attempts + 1, next_at = ?,
		lease_until = 0, finished_at = ? WHERE id = ? AND status = 'pending'`
	recentFailures = `SELECT COUNT(*) FROM postback_deliveries WHERE postback_id = ? AND test = ? AND status = 'failed'
		AND finished_at >= ? AND finished_at > COALESCE((SELECT MAX(finished_at) FROM postback_deliveries
			WHERE postback_id = ? AND test = ? AND status = 'delivered'), 0)`
	attemptColumns = `SELECT id, delivery_id, postback_id, time, url, status_code, error, latency_us, answer
		FROM postback_attempts`
)

// CreatePostback stores p and sets its ID. Its partner and offer (if any) must exist.
func (s *Store) CreatePostback(ctx context.Context, p *pactum.Postback) error {
	events, err := jsonList(p.Events)
	if err != nil {
		return fmt.Errorf("create postback: %w", err)
	}
	p.CreatedAt, p.UpdatedAt = stamp(p.CreatedAt), stamp(p.UpdatedAt)
	p.FailuresSince = stamp(p.FailuresSince)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.exists(ctx, tx, "partners", "partner_id", p.PartnerID); err != nil {
			return err
		}
		if p.OfferID != 0 {
			if err := s.exists(ctx, tx, "offers", "offer_id", p.OfferID); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, s.q(insertPostback), p.PartnerID, nullID(p.OfferID), p.URL, p.Method, events,
			p.Secret, p.PreviousSecret, nullMicros(p.PreviousUntil), p.Enabled, p.DisabledReason,
			nullMicros(p.DisabledAt), micros(p.FailuresSince), micros(p.CreatedAt), micros(p.UpdatedAt)).Scan(&p.ID)
	})
	if err != nil {
		return fmt.Errorf("create postback: %w", s.writeError(err, "id", "a postback"))
	}
	return nil
}

// Postback returns the postback with id.
func (s *Store) Postback(ctx context.Context, id int64) (pactum.Postback, error) {
	p, err := scanPostback(s.r.QueryRowContext(ctx, s.q(postbackColumns+` WHERE id = ?`), id))
	if err != nil {
		return pactum.Postback{}, fmt.Errorf("postback: %w", notFound(err, "postback %d not found", id))
	}
	return p, nil
}

// ListPostbacks returns a page of a partner's postbacks (everyone's with partnerID 0), by id.
func (s *Store) ListPostbacks(ctx context.Context, partnerID int64, p pactum.Page) ([]pactum.Postback, error) {
	var w where
	if partnerID != 0 {
		w.add("partner_id = ?", partnerID)
	}
	query, args := w.page(postbackColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanPostback)
	if err != nil {
		return nil, fmt.Errorf("list postbacks: %w", err)
	}
	return out, nil
}

// UpdatePostback stores p's URL, method, events, offer, enabled state and UpdatedAt.
func (s *Store) UpdatePostback(ctx context.Context, p *pactum.Postback) error {
	events, err := jsonList(p.Events)
	if err != nil {
		return fmt.Errorf("update postback: %w", err)
	}
	p.UpdatedAt = stamp(p.UpdatedAt)
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if p.OfferID != 0 {
			if err := s.exists(ctx, tx, "offers", "offer_id", p.OfferID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.q(updatePostback), nullID(p.OfferID), p.URL, p.Method, events, p.Enabled,
			p.DisabledReason, nullMicros(p.DisabledAt), micros(p.FailuresSince), micros(p.UpdatedAt), p.ID)
		if err != nil {
			return err
		}
		return deleted(res, "postback %d not found", p.ID)
	})
	if err != nil {
		return fmt.Errorf("update postback: %w", s.writeError(err, "id", "a postback"))
	}
	return nil
}

// RotatePostbackSecret replaces the postback's secret, keeping the one it replaces valid until
// previousUntil.
func (s *Store) RotatePostbackSecret(ctx context.Context, id int64, secret string, previousUntil, at time.Time) (pactum.Postback, error) {
	var p pactum.Postback
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = scanPostback(tx.QueryRowContext(ctx, s.q(rotatePostbackSecret), micros(previousUntil), secret, micros(stamp(at)), id))
		return err
	})
	if err != nil {
		return pactum.Postback{}, fmt.Errorf("rotate postback secret: %w", notFound(err, "postback %d not found", id))
	}
	return p, nil
}

// DisablePostback turns an enabled postback off, saying why.
func (s *Store) DisablePostback(ctx context.Context, id int64, reason string, at time.Time) error {
	at = stamp(at)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(disablePostback), false, reason, micros(at), micros(at), id, true)
		return err
	})
	if err != nil {
		return fmt.Errorf("disable postback %d: %w", id, err)
	}
	return nil
}

// DeletePostback deletes a postback, its deliveries and their log.
func (s *Store) DeletePostback(ctx context.Context, id int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM postback_attempts WHERE postback_id = ?`, `DELETE FROM postback_deliveries WHERE postback_id = ?`} {
			if _, err := tx.ExecContext(ctx, s.q(q), id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM postbacks WHERE id = ?`), id)
		if err != nil {
			return err
		}
		return deleted(res, "postback %d not found", id)
	})
	if err != nil {
		return fmt.Errorf("delete postback: %w", err)
	}
	return nil
}

func scanPostback(row scanner) (pactum.Postback, error) {
	var p pactum.Postback
	var offer, previousUntil, disabledAt sql.NullInt64
	var events string
	var since, created, updated int64
	if err := row.Scan(&p.ID, &p.PartnerID, &offer, &p.URL, &p.Method, &events, &p.Secret, &p.PreviousSecret,
		&previousUntil, &p.Enabled, &p.DisabledReason, &disabledAt, &since, &created, &updated); err != nil {
		return p, err
	}
	p.OfferID, p.PreviousUntil, p.DisabledAt = offer.Int64, fromNullMicros(previousUntil), fromNullMicros(disabledAt)
	p.FailuresSince, p.CreatedAt, p.UpdatedAt = fromMicros(since), fromMicros(created), fromMicros(updated)
	if err := readJSONList(events, &p.Events); err != nil {
		return p, fmt.Errorf("postback %d: decode events: %w", p.ID, err)
	}
	return p, nil
}

// insertDeliveries stores deliveries through tx and sets their IDs (0 for one whose idempotency
// key is stored already). leasedUntil is their lease (zero: none).
func (s *Store) insertDeliveries(ctx context.Context, tx *sql.Tx, deliveries []pactum.PostbackDelivery, leasedUntil time.Time) error {
	if len(deliveries) == 0 {
		return nil
	}
	ins, err := tx.PrepareContext(ctx, s.q(insertDelivery))
	if err != nil {
		return fmt.Errorf("insert postback delivery: %w", err)
	}
	defer ins.Close()
	for i := range deliveries {
		d := &deliveries[i]
		d.CreatedAt, d.NextAt = stamp(d.CreatedAt), stamp(d.NextAt)
		if d.Status == "" {
			d.Status = pactum.DeliveryPending
		}
		err := ins.QueryRowContext(ctx, d.PostbackID, d.PartnerID, d.ConversionID, d.Position,
			d.Event, d.Method, d.URL, d.Body, d.IdempotencyKey, d.Test, d.Status, d.Attempts, micros(d.NextAt),
			leaseMicros(leasedUntil), micros(d.CreatedAt)).Scan(&d.ID)
		if errors.Is(err, sql.ErrNoRows) {
			d.ID = 0
			continue
		} else if err != nil {
			return fmt.Errorf("insert postback delivery: %w", err)
		}
	}
	return nil
}

// leaseMicros stores a lease's end; no lease is 0, before any claim's now.
func leaseMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// AddDelivery stores d, leased until leasedUntil, and sets its ID.
func (s *Store) AddDelivery(ctx context.Context, d *pactum.PostbackDelivery, leasedUntil time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		batch := []pactum.PostbackDelivery{*d}
		if err := s.insertDeliveries(ctx, tx, batch, leasedUntil); err != nil {
			return err
		}
		if batch[0].ID == 0 {
			return pactum.Errorf(pactum.ECONFLICT, "a delivery with idempotency key %q exists already", d.IdempotencyKey)
		}
		*d = batch[0]
		return nil
	})
	if err != nil {
		return fmt.Errorf("add postback delivery: %w", err)
	}
	return nil
}

// ClaimDeliveries leases up to limit due deliveries until until.
func (s *Store) ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]pactum.PostbackDelivery, error) {
	lock := ""
	if s.d.ForUpdate {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	query := fmt.Sprintf(claimDeliveries, lock)
	n := micros(now)
	// The reader answers first whether anything is due, so that an idle worker polling for
	// work takes no write lock.
	var one int
	err := s.r.QueryRowContext(ctx, s.q(anyDue), n, n).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("claim postback deliveries: %w", err)
	}
	var out []pactum.PostbackDelivery
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, s.q(query), n, n, true, max(1, limit), micros(until), n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim postback deliveries: %w", err)
	}
	slices.SortFunc(out, func(a, b pactum.PostbackDelivery) int { return a.NextAt.Compare(b.NextAt) })
	return out, nil
}

// RecordAttempts records the outcomes of attempts in one transaction.
func (s *Store) RecordAttempts(ctx context.Context, outcomes []pactum.DeliveryOutcome) error {
	if len(outcomes) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Prepared once a batch: parsing the two statements for every attempt was most of a
		// batch's time in SQLite.
		ins, err := tx.PrepareContext(ctx, s.q(insertAttempt))
		if err != nil {
			return err
		}
		defer ins.Close()
		fin, err := tx.PrepareContext(ctx, s.q(finishAttempt))
		if err != nil {
			return err
		}
		defer fin.Close()
		for _, o := range outcomes {
			a := o.Attempt
			if _, err := ins.ExecContext(ctx, a.DeliveryID, a.PostbackID, micros(stamp(a.Time)), a.URL,
				a.StatusCode, a.Error, a.Latency.Microseconds(), a.Answer); err != nil {
				return err
			}
			var finished sql.NullInt64
			if o.Status != pactum.DeliveryPending {
				finished = nullMicros(stamp(a.Time))
			}
			if _, err := fin.ExecContext(ctx, o.Status, micros(o.NextAt), finished, a.DeliveryID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record postback attempts: %w", err)
	}
	return nil
}

// ReleaseDeliveries ends the leases of deliveries that were claimed and not tried.
func (s *Store) ReleaseDeliveries(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	query, args := inList(`UPDATE postback_deliveries SET lease_until = 0 WHERE status = 'pending' AND id IN `, ids)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.rebind(query), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("release postback deliveries: %w", err)
	}
	return nil
}

// RecentFailures counts the postback's current run of failed deliveries since since.
func (s *Store) RecentFailures(ctx context.Context, postbackID int64, since time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.q(recentFailures), postbackID, false, micros(since), postbackID, false).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("recent failures of postback %d: %w", postbackID, err)
	}
	return n, nil
}

// ListDeliveries returns a page of deliveries matching f, by id, with their logs.
func (s *Store) ListDeliveries(ctx context.Context, f pactum.DeliveryFilter, p pactum.Page) ([]pactum.PostbackDelivery, error) {
	var w where
	w.add("postback_id = ?", f.PostbackID)
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	query, args := w.page(`SELECT `+deliveryFields+` FROM postback_deliveries`, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanDelivery)
	if err != nil {
		return nil, fmt.Errorf("list postback deliveries: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	byID := make(map[int64]*pactum.PostbackDelivery, len(out))
	ids := make([]int64, len(out))
	for i := range out {
		byID[out[i].ID], ids[i] = &out[i], out[i].ID
	}
	query, args = inList(attemptColumns+` WHERE delivery_id IN `, ids)
	attempts, err := list(ctx, s.r, s.rebind(query+` ORDER BY id`), args, scanAttempt)
	if err != nil {
		return nil, fmt.Errorf("list postback attempts: %w", err)
	}
	for _, a := range attempts {
		d := byID[a.DeliveryID]
		d.Log = append(d.Log, a)
	}
	return out, nil
}

// PruneDeliveries deletes deliveries that finished before before, with their logs.
func (s *Store) PruneDeliveries(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM postback_attempts WHERE delivery_id IN
			(SELECT id FROM postback_deliveries WHERE finished_at < ?)`), micros(before)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM postback_deliveries WHERE finished_at < ?`), micros(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune postback deliveries: %w", err)
	}
	return n, nil
}

func scanDelivery(row scanner) (pactum.PostbackDelivery, error) {
	var d pactum.PostbackDelivery
	var next, created int64
	var finished sql.NullInt64
	err := row.Scan(&d.ID, &d.PostbackID, &d.PartnerID, &d.ConversionID, &d.Position, &d.Event, &d.Method, &d.URL,
		&d.Body, &d.IdempotencyKey, &d.Test, &d.Status, &d.Attempts, &next, &created, &finished)
	d.NextAt, d.CreatedAt, d.FinishedAt = fromMicros(next), fromMicros(created), fromNullMicros(finished)
	return d, err
}

func scanAttempt(row scanner) (pactum.PostbackAttempt, error) {
	var a pactum.PostbackAttempt
	var at, latency int64
	err := row.Scan(&a.ID, &a.DeliveryID, &a.PostbackID, &at, &a.URL, &a.StatusCode, &a.Error, &latency, &a.Answer)
	a.Time, a.Latency = fromMicros(at), time.Duration(latency)*time.Microsecond
	return a, err
}

// rebind is q for queries whose text varies with their arguments (inList), which q would
// cache one by one.
func (s *Store) rebind(query string) string {
	if !s.d.Numbered {
		return query
	}
	return Rebind(query)
}

// inList appends "(?, ?, ...)" for ids to prefix and returns the query and its arguments.
func inList(prefix string, ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return prefix + "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}
