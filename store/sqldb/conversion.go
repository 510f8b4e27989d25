package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// readFields is fields as a read selects them: the country through countryRead.
func readFields(fields []string) []string {
	out := slices.Clone(fields)
	out[slices.Index(out, "country")] = countryRead
	return out
}

// conversionFields are the columns of conversions after id, in the order conversionArgs and
// scanConversion use. created_at comes last so that an update can write all the others. The
// payout that took a commission is not among them: payout runs link commissions in
// payout_commissions, and reads add it after them (conversionColumns).
var conversionFields = []string{"offer_id", "advertiser_id", "event", "partner_id", "click_id", "click_time",
	"order_id", "dedup_key", "currency", "amount", "items", "coupon", "customer_id", "new_customer", "country",
	"attribution", "status", "reason", "flags", "ip", "source", "time", "payout", "revenue", "payout_breakdown",
	"revenue_breakdown", "refunded_amount", "refunds", "approve_at", "approved_at",
	"ledger_currency", "ledger_amount", "fx_rate", "updated_at", "created_at"}

// countryRead reads a conversion's country: its own, else its click's. The event transaction
// stores a click's country only when the offer's rules pay by country (every conversion waits
// for that transaction in turn); reads, which are not on that path, show it for all.
const countryRead = `CASE WHEN conversions.country <> '' OR conversions.click_id = '' THEN conversions.country
	ELSE COALESCE((SELECT k.country FROM clicks k WHERE k.click_id = conversions.click_id), '') END`

var (
	conversionColumns = `SELECT id, ` + strings.Join(readFields(conversionFields), ", ") +
		`, (SELECT pc.payout_id FROM payout_commissions pc WHERE pc.conversion_id = conversions.id) FROM conversions`
	conversionByID       = conversionColumns + ` WHERE id = ?`
	conversionByDedupKey = conversionColumns + ` WHERE dedup_key = ?`
	// A conversion whose key another transaction stored first (the SELECT before did not see
	// it) is skipped rather than failing with a unique violation, which in PostgreSQL would
	// abort the whole event transaction; the caller then reads the winner.
	insertConversion = `INSERT INTO conversions (` + strings.Join(conversionFields, ", ") + `)
		VALUES (` + strings.Repeat("?, ", len(conversionFields)-1) + `?)
		ON CONFLICT (dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING`
	updateConversion = `UPDATE conversions SET ` +
		strings.Join(conversionFields[:len(conversionFields)-1], " = ?, ") + ` = ? WHERE id = ?`
)

const (
	// Attribution to a returning customer follows their earlier conversions that had a partner
	// and still stand.
	customerFirstPartner = `SELECT partner_id FROM conversions
		WHERE offer_id = ? AND customer_id = ? AND customer_id <> '' AND partner_id IS NOT NULL AND status NOT IN ('rejected', 'reversed')
		ORDER BY time, id LIMIT 1`
	customerLastPartner = `SELECT partner_id FROM conversions
		WHERE offer_id = ? AND customer_id = ? AND customer_id <> '' AND partner_id IS NOT NULL AND status NOT IN ('rejected', 'reversed')
		ORDER BY time DESC, id DESC LIMIT 1`
	// partnerStats sums per currency, so that each sum of minor units is in one unit. Its
	// parameters: monthStart, dayStart, monthStart, dayStart, monthStart, offer, partner, and the
	// earlier of dayStart and monthStart.
	partnerStats = `SELECT currency,
		CAST(SUM(CASE WHEN status IN ('approved', 'paid') AND time >= ? THEN amount ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN time >= ? THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN time >= ? THEN 1 ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN time >= ? THEN payout ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN time >= ? THEN payout ELSE 0 END) AS BIGINT)
		FROM conversions
		WHERE offer_id = ? AND partner_id = ? AND status IN ('pending', 'approved', 'paid') AND time >= ?
		GROUP BY currency`
)

// InsertConversion stores c and sets its ID, CreatedAt and UpdatedAt (and Time if zero), unless a
// conversion with the same non-empty DedupKey exists: then it returns that one with duplicate
// true and leaves c as it was. The unique index on dedup_key decides, through ON CONFLICT DO
// NOTHING, so that the common case is one statement.
func (e *eventTx) InsertConversion(ctx context.Context, c *pactum.Conversion) (pactum.Conversion, bool, error) {
	n := *c
	n.ID = 0
	n.CreatedAt = stamp(n.CreatedAt)
	n.UpdatedAt = n.CreatedAt
	args, err := conversionArgs(&n)
	if err != nil {
		return pactum.Conversion{}, false, fmt.Errorf("insert conversion: %w", err)
	}
	n.ID, err = e.insert(ctx, insertConversion, args)
	if errors.Is(err, sql.ErrNoRows) || (err != nil && c.DedupKey != "" && e.s.d.UniqueViolation(err)) {
		// The key is taken: ON CONFLICT DO NOTHING returned no row. (A unique violation can
		// only come from SQLite; in PostgreSQL it would have aborted the transaction, and the
		// re-read fails, so that the batch is retried and dedups then.)
		existing, err := e.conversionByDedupKey(ctx, c.DedupKey)
		if err != nil {
			return pactum.Conversion{}, false, fmt.Errorf("insert conversion: read the conversion with dedup key %q: %w", c.DedupKey, err)
		}
		return existing, true, nil
	} else if err != nil {
		return pactum.Conversion{}, false, fmt.Errorf("insert conversion: %w", err)
	}
	for _, le := range pactum.LedgerChanges(nil, &n, n.CreatedAt) {
		if _, err := e.statements().exec(ctx, insertLedgerEntry, ledgerArgs(&le)...); err != nil {
			return pactum.Conversion{}, false, fmt.Errorf("insert conversion %d: ledger: %w", n.ID, err)
		}
	}
	if ch, ok := pactum.ChangeOf(nil, &n, n.CreatedAt); ok {
		e.changes = append(e.changes, ch)
	}
	*c = n
	return n, false, nil
}

func (e *eventTx) conversionByDedupKey(ctx context.Context, key string) (pactum.Conversion, error) {
	return scanConversion(e.statements().queryRow(ctx, conversionByDedupKey, key))
}

// CustomerPartner returns the partner of the customer's first (or latest) conversion in the offer
// that has a partner and is neither rejected nor reversed. A conversion without a customer id
// has no returning customer.
func (e *eventTx) CustomerPartner(ctx context.Context, offerID int64, customerID string, first bool) (int64, error) {
	if customerID == "" {
		return 0, pactum.Errorf(pactum.ENOTFOUND, "no customer id")
	}
	query := customerLastPartner
	if first {
		query = customerFirstPartner
	}
	var partner int64
	err := e.statements().queryRow(ctx, query, offerID, customerID).Scan(&partner)
	if err != nil {
		return 0, fmt.Errorf("customer partner: %w", notFound(err, "customer %q has no attributed conversion in offer %d", customerID, offerID))
	}
	return partner, nil
}

// PartnerStats sums the partner's pending, approved and paid conversions in the offer since
// dayStart and monthStart: approved (and paid) sales for tiers, counts and payouts for caps.
func (e *eventTx) PartnerStats(ctx context.Context, offerID, partnerID int64, dayStart, monthStart time.Time) (pactum.PartnerStats, error) {
	day, month := micros(dayStart), micros(monthStart)
	rows, err := e.statements().query(ctx, partnerStats, month, day, month, day, month,
		offerID, partnerID, min(day, month))
	if err != nil {
		return pactum.PartnerStats{}, fmt.Errorf("partner stats: %w", err)
	}
	defer rows.Close()
	var st pactum.PartnerStats
	for rows.Next() {
		var currency string
		var sales, dayCount, monthCount, dayPayout, monthPayout int64
		if err := rows.Scan(&currency, &sales, &dayCount, &monthCount, &dayPayout, &monthPayout); err != nil {
			return pactum.PartnerStats{}, fmt.Errorf("partner stats: %w", err)
		}
		st.MonthlyApprovedSales = st.MonthlyApprovedSales.Add(pactum.FromMinor(sales, currency))
		st.DailyConversions += dayCount
		st.MonthlyConversions += monthCount
		st.DailyPayout = st.DailyPayout.Add(pactum.FromMinor(dayPayout, currency))
		st.MonthlyPayout = st.MonthlyPayout.Add(pactum.FromMinor(monthPayout, currency))
	}
	if err := rows.Err(); err != nil {
		return pactum.PartnerStats{}, fmt.Errorf("partner stats: %w", err)
	}
	return st, nil
}

// Conversion returns the conversion with id.
func (s *Store) Conversion(ctx context.Context, id int64) (pactum.Conversion, error) {
	c, err := scanConversion(s.r.QueryRowContext(ctx, s.q(conversionByID), id))
	if err != nil {
		return pactum.Conversion{}, fmt.Errorf("conversion: %w", notFound(err, "conversion %d not found", id))
	}
	return c, nil
}

// ListConversions returns a page of the conversions that match f, by id.
func (s *Store) ListConversions(ctx context.Context, f pactum.ConversionFilter, p pactum.Page) ([]pactum.Conversion, error) {
	query, args := conversionFilter(f).page(conversionColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanConversion)
	if err != nil {
		return nil, fmt.Errorf("list conversions: %w", err)
	}
	return out, nil
}

// CountConversions counts the conversions that match f.
func (s *Store) CountConversions(ctx context.Context, f pactum.ConversionFilter) (int64, error) {
	w := conversionFilter(f)
	var n int64
	if err := s.r.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM conversions"+w.String()), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count conversions: %w", err)
	}
	return n, nil
}

// EachConversion calls fn for every conversion that matches f, oldest first (by time, then id),
// and stops at the first error fn returns, which it returns unwrapped.
func (s *Store) EachConversion(ctx context.Context, f pactum.ConversionFilter, fn func(pactum.Conversion) error) error {
	w := conversionFilter(f)
	rows, err := s.r.QueryContext(ctx, s.q(conversionColumns+w.String()+" ORDER BY time, id"), w.args...)
	if err != nil {
		return fmt.Errorf("each conversion: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanConversion(rows)
		if err != nil {
			return fmt.Errorf("each conversion: %w", err)
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("each conversion: %w", err)
	}
	return nil
}

// UpdateConversion reads conversion id, lets fn change it and writes it back (all but its ID and
// CreatedAt), setting UpdatedAt, in one transaction. In PostgreSQL the read locks the row (FOR
// UPDATE), so a concurrent update of the same conversion waits and then reads this one's result;
// in SQLite write transactions run one at a time (OneWriter, BEGIN IMMEDIATE), to the same effect. fn's error is returned unchanged, with nothing written.
func (s *Store) UpdateConversion(ctx context.Context, id int64, fn func(*pactum.Conversion) error) (pactum.Conversion, error) {
	query := conversionByID
	if s.d.ForUpdate {
		query += " FOR UPDATE"
	}
	var out pactum.Conversion
	var fnErr error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := scanConversion(tx.QueryRowContext(ctx, s.q(query), id))
		if err != nil {
			return notFound(err, "conversion %d not found", id)
		}
		created, before := c.CreatedAt, c
		if fnErr = fn(&c); fnErr != nil {
			return fnErr
		}
		c.ID, c.CreatedAt, c.UpdatedAt = id, created, stamp(time.Time{})
		args, err := conversionArgs(&c)
		if err != nil {
			return err
		}
		args = append(args[:len(args)-1], id) // every column but created_at
		if _, err := tx.ExecContext(ctx, s.q(updateConversion), args...); err != nil {
			return err
		}
		if err := s.insertLedger(ctx, tx, pactum.LedgerChanges(&before, &c, c.UpdatedAt)); err != nil {
			return err
		}
		if ch, ok := pactum.ChangeOf(&before, &c, c.UpdatedAt); ok {
			if err := s.txChanges(ctx, tx, []pactum.Change{ch}); err != nil {
				return err
			}
		}
		out = c
		return nil
	})
	if fnErr != nil {
		return pactum.Conversion{}, fnErr
	} else if err != nil {
		return pactum.Conversion{}, fmt.Errorf("update conversion: %w", s.writeError(err, "dedup_key", "a conversion"))
	}
	return out, nil
}

func conversionFilter(f pactum.ConversionFilter) *where {
	w := new(where)
	if f.OfferID != 0 {
		w.add("offer_id = ?", f.OfferID)
	}
	if f.PartnerID != 0 {
		w.add("partner_id = ?", f.PartnerID)
	}
	if f.AdvertiserID != 0 {
		w.add("advertiser_id = ?", f.AdvertiserID)
	}
	if f.Event != "" {
		w.add("event = ?", f.Event)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.DedupKey != "" {
		w.add("dedup_key = ?", f.DedupKey)
	}
	if f.Held {
		w.add("status = ? AND approve_at IS NULL", pactum.ConversionPending)
	}
	if f.Reason != "" {
		// One code of the joined list: the list and the code each between separators
		// (pactum.ReasonSep), with LIKE's wildcards in the code taken literally (codes hold "_").
		code := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Reason)
		w.add(`'+' || reason || '+' LIKE ? ESCAPE '\'`, "%+"+code+"+%")
	}
	if !f.From.IsZero() {
		w.add("time >= ?", micros(f.From))
	}
	if !f.To.IsZero() {
		w.add("time < ?", micros(f.To))
	}
	return w
}

// minorAmount returns amount in minor units of currency and as the store reads it back.
func minorAmount(amount decimal.Decimal, currency, field string) (int64, decimal.Decimal, error) {
	v, err := minor(amount, currency, field)
	if err != nil {
		return 0, amount, err
	} else if amount.Exponent() == -pactum.MinorUnits(currency) {
		return v, amount, nil // as FromMinor would make it: spare the allocation
	}
	return v, pactum.FromMinor(v, currency), nil
}

// conversionArgs validates c and returns the values of conversionFields. It first brings c to
// what reads back from the store: times in UTC to the microsecond (Time now if zero), empty
// lists nil, amounts with the currency's digits. Amounts finer than the currency's minor unit
// are refused, naming the field, rather than rounded.
func conversionArgs(c *pactum.Conversion) ([]any, error) {
	if !pactum.ValidCurrency(c.Currency) {
		return nil, pactum.FieldError("currency", "%q is not a currency Pactum knows", c.Currency)
	}
	// Field by field rather than over a list of pointers to them, with which c would escape
	// to the heap in every caller (a copy of a conversion per insert).
	var money [4]int64
	var err error
	if money[0], c.Amount, err = minorAmount(c.Amount, c.Currency, "amount"); err != nil {
		return nil, err
	}
	if money[1], c.Payout, err = minorAmount(c.Payout, c.Currency, "payout"); err != nil {
		return nil, err
	}
	if money[2], c.Revenue, err = minorAmount(c.Revenue, c.Currency, "revenue"); err != nil {
		return nil, err
	}
	if money[3], c.RefundedAmount, err = minorAmount(c.RefundedAmount, c.Currency, "refunded_amount"); err != nil {
		return nil, err
	}
	if len(c.Items) == 0 {
		c.Items = nil
	}
	items, err := jsonList(c.Items)
	if err != nil {
		return nil, fmt.Errorf("encode items: %w", err)
	}
	if len(c.Refunds) == 0 {
		c.Refunds = nil
	} else {
		refunds := make([]pactum.Refund, len(c.Refunds))
		for i, r := range c.Refunds {
			r.Time = fromMicros(micros(r.Time))
			refunds[i] = r
		}
		c.Refunds = refunds
	}
	refunds, err := jsonList(c.Refunds)
	if err != nil {
		return nil, fmt.Errorf("encode refunds: %w", err)
	}
	if c.LedgerCurrency == "" {
		c.LedgerCurrency, c.FXRate = c.Currency, decimal.Zero
	}
	if !pactum.ValidCurrency(c.LedgerCurrency) {
		return nil, pactum.FieldError("ledger_currency", "%q is not a currency Pactum knows", c.LedgerCurrency)
	}
	if c.FXRate.IsNegative() {
		return nil, pactum.FieldError("fx_rate", "must not be negative")
	}
	ledgerAmount, err := minor(pactum.LedgerAmount(c), c.LedgerCurrency, "ledger_amount")
	if err != nil {
		return nil, err
	}
	fxRate := ""
	if !c.FXRate.IsZero() {
		fxRate = c.FXRate.String()
	}
	approveAt := nullMicros(c.ApproveAt)
	approvedAt := nullMicros(c.ApprovedAt)
	c.ApproveAt, c.ApprovedAt = fromNullMicros(approveAt), fromNullMicros(approvedAt)
	c.Time = stamp(c.Time)
	clickTime := sql.NullInt64{Int64: micros(c.ClickTime), Valid: !c.ClickTime.IsZero()}
	if clickTime.Valid {
		c.ClickTime = fromMicros(clickTime.Int64)
	}
	c.UpdatedAt, c.CreatedAt = fromMicros(micros(c.UpdatedAt)), fromMicros(micros(c.CreatedAt))
	return []any{c.OfferID, c.AdvertiserID, c.Event, nullID(c.PartnerID), c.ClickID, clickTime, c.OrderID,
		nullString(c.DedupKey), c.Currency, money[0], items, c.Coupon, c.CustomerID, c.NewCustomer, c.Country,
		c.Attribution, c.Status, c.Reason, c.Flags, c.IP, c.Source, micros(c.Time), money[1], money[2],
		string(c.PayoutBreakdown), string(c.RevenueBreakdown), money[3], refunds,
		approveAt, approvedAt, c.LedgerCurrency, ledgerAmount, fxRate,
		micros(c.UpdatedAt), micros(c.CreatedAt)}, nil
}

func scanConversion(row scanner) (pactum.Conversion, error) {
	var c pactum.Conversion
	var partner, clickTime, approveAt, approvedAt, payoutID sql.NullInt64
	var dedup sql.NullString
	var amount, payout, revenue, refunded, ledgerAmount, at, updated, created int64
	var items, payoutBreakdown, revenueBreakdown, refunds, fxRate string
	err := row.Scan(&c.ID, &c.OfferID, &c.AdvertiserID, &c.Event, &partner, &c.ClickID, &clickTime, &c.OrderID,
		&dedup, &c.Currency, &amount, &items, &c.Coupon, &c.CustomerID, &c.NewCustomer, &c.Country,
		&c.Attribution, &c.Status, &c.Reason, &c.Flags, &c.IP, &c.Source, &at, &payout, &revenue,
		&payoutBreakdown, &revenueBreakdown, &refunded, &refunds,
		&approveAt, &approvedAt, &c.LedgerCurrency, &ledgerAmount, &fxRate, &updated, &created, &payoutID)
	if err != nil {
		return c, err
	}
	c.ApproveAt, c.ApprovedAt, c.PayoutID = fromNullMicros(approveAt), fromNullMicros(approvedAt), payoutID.Int64
	if fxRate != "" {
		if c.FXRate, err = decimal.NewFromString(fxRate); err != nil {
			return c, fmt.Errorf("conversion %d: fx rate %q: %w", c.ID, fxRate, err)
		}
	}
	c.PartnerID, c.DedupKey = partner.Int64, dedup.String
	if clickTime.Valid {
		c.ClickTime = fromMicros(clickTime.Int64)
	}
	c.Amount = pactum.FromMinor(amount, c.Currency)
	c.Payout = pactum.FromMinor(payout, c.Currency)
	c.Revenue = pactum.FromMinor(revenue, c.Currency)
	c.RefundedAmount = pactum.FromMinor(refunded, c.Currency)
	if payoutBreakdown != "" {
		c.PayoutBreakdown = json.RawMessage(payoutBreakdown)
	}
	if revenueBreakdown != "" {
		c.RevenueBreakdown = json.RawMessage(revenueBreakdown)
	}
	if err := readJSONList(items, &c.Items); err != nil {
		return c, fmt.Errorf("conversion %d: decode items: %w", c.ID, err)
	}
	if err := readJSONList(refunds, &c.Refunds); err != nil {
		return c, fmt.Errorf("conversion %d: decode refunds: %w", c.ID, err)
	}
	c.Time, c.UpdatedAt, c.CreatedAt = fromMicros(at), fromMicros(updated), fromMicros(created)
	return c, nil
}
