package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/pactum/pactum/store/sqldb"
)

// TestUpgradeMovesPayoutLinks opens a database written before migration 0007, when a payout
// run linked a commission through conversions.payout_id: the link must survive the upgrade in
// payout_commissions, and the unlinked commission must stay payable.
func TestUpgradeMovesPayoutLinks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pactum.db")
	db, err := sql.Open("sqlite", path+"?"+writerPragmas)
	if err != nil {
		t.Fatal(err)
	}
	old := fstest.MapFS{}
	names, err := fs.Glob(migrations, "migrations/000[1-6]_*.sql")
	if err != nil || len(names) != 6 {
		t.Fatalf("migrations before 0007: %v, %v", names, err)
	}
	for _, name := range names {
		b, err := fs.ReadFile(migrations, name)
		if err != nil {
			t.Fatal(err)
		}
		old[filepath.Base(name)] = &fstest.MapFile{Data: b}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqldb.Migrate(ctx, conn, Dialect, old); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	const day = 86400000000
	for _, q := range []string{
		`INSERT INTO advertisers (id, name, currency, created_at) VALUES (1, 'Northwind', 'EUR', 0)`,
		`INSERT INTO payout_runs (id, advertiser_id, date, payouts, created_at) VALUES (1, 1, '2026-01-01', 1, 0)`,
		`INSERT INTO payouts (id, run_id, advertiser_id, partner_id, currency, amount, commissions, status, method, reference, reason, created_at, updated_at)
			VALUES (7, 1, 1, 3, 'EUR', 500, 1, 'pending', 'sepa', '', '', 0, 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for id, payout := range map[int]any{10: 7, 11: nil} {
		if _, err := db.ExecContext(ctx, `INSERT INTO conversions (id, offer_id, advertiser_id, event, partner_id, click_id,
			order_id, currency, amount, items, coupon, customer_id, new_customer, country, attribution, status, reason, source,
			time, payout, revenue, payout_breakdown, revenue_breakdown, refunded_amount, refunds, created_at, updated_at,
			approve_at, approved_at, payout_id, ledger_currency, ledger_amount)
			VALUES (?, 1, 1, 'purchase', 3, '', ?, 'EUR', 10000, '[]', '', '', 0, '', 'click', 'approved', '', 'api',
			0, 500, 0, '{}', '{}', 0, '[]', 0, 0, 0, ?, ?, 'EUR', 500)`, id, "A-"+string(rune('0'+id-10)), day, payout); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, want := range map[int64]int64{10: 7, 11: 0} {
		c, err := s.Conversion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.PayoutID != want {
			t.Errorf("conversion %d: payout %d after the upgrade, want %d", id, c.PayoutID, want)
		}
	}
	days, err := s.UnpaidApproved(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 1 || days[0].Amount.String() != "5" {
		t.Errorf("unpaid after the upgrade: %+v, want conversion 11's 5.00 alone", days)
	}
}
