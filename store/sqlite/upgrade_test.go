package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/store/sqldb"
)

// migratedBefore returns the path of a new database with the migrations before number n
// applied, as a binary of that time left it, and a connection to it.
func migratedBefore(t *testing.T, n int) (string, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pactum.db")
	db, err := sql.Open("sqlite", path+"?"+writerPragmas)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	old := fstest.MapFS{}
	for _, name := range names {
		if num, err := strconv.Atoi(filepath.Base(name)[:4]); err != nil || num >= n {
			continue
		}
		b, err := fs.ReadFile(migrations, name)
		if err != nil {
			t.Fatal(err)
		}
		old[filepath.Base(name)] = &fstest.MapFile{Data: b}
	}
	if len(old) != n-1 {
		t.Fatalf("%d migrations before %04d, want %d", len(old), n, n-1)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := sqldb.Migrate(ctx, conn, Dialect, old); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// execAll runs each statement on db.
func execAll(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// upgrade closes db and opens the database at path as the binary does, with every migration.
func upgrade(t *testing.T, path string, db *sql.DB) *sqldb.Store {
	t.Helper()
	db.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestUpgradeMovesPayoutLinks opens a database written before migration 0007, when a payout
// run linked a commission through conversions.payout_id: the link must survive the upgrade in
// payout_commissions, and the unlinked commission must stay payable.
func TestUpgradeMovesPayoutLinks(t *testing.T) {
	ctx := context.Background()
	path, db := migratedBefore(t, 7)
	const day = 86400000000
	execAll(t, db,
		`INSERT INTO advertisers (id, name, currency, created_at) VALUES (1, 'Northwind', 'EUR', 0)`,
		`INSERT INTO payout_runs (id, advertiser_id, date, payouts, created_at) VALUES (1, 1, '2026-01-01', 1, 0)`,
		`INSERT INTO payouts (id, run_id, advertiser_id, partner_id, currency, amount, commissions, status, method, reference, reason, created_at, updated_at)
			VALUES (7, 1, 1, 3, 'EUR', 500, 1, 'pending', 'sepa', '', '', 0, 0)`,
	)
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
	s := upgrade(t, path, db)
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

// TestUpgradeKeepsCouponsAndKeys opens a database written before migration 0008, which rebuilt
// coupons and api_keys with AUTOINCREMENT: their rows and ids survive, and the id of a key
// deleted afterwards is not given out again.
func TestUpgradeKeepsCouponsAndKeys(t *testing.T) {
	ctx := context.Background()
	path, db := migratedBefore(t, 8)
	execAll(t, db,
		`INSERT INTO advertisers (id, name, currency, created_at) VALUES (1, 'Northwind', 'EUR', 0)`,
		`INSERT INTO partners (id, name, email, kind, status, currency, min_payout, payout_method, created_at)
			VALUES (3, 'Anna', 'anna@example.com', 'influencer', 'active', 'EUR', 5000, 'sepa', 0)`,
		`INSERT INTO coupons (id, code, partner_id, offer_id, created_at) VALUES (4, 'ANNA10', 3, NULL, 0)`,
		`INSERT INTO api_keys (id, name, role, partner_id, advertiser_id, hash, created_at)
			VALUES (6, 'anna portal', 'partner', 3, NULL, X'0102', 0)`,
	)
	s := upgrade(t, path, db)
	c, err := s.Coupon(ctx, "anna10")
	if err != nil || c.ID != 4 || c.PartnerID != 3 || c.OfferID != 0 {
		t.Errorf("coupon after the upgrade: %+v, %v", c, err)
	}
	k, err := s.APIKey(ctx, 6)
	if err != nil || k.Name != "anna portal" || k.PartnerID != 3 || string(k.Hash) != "\x01\x02" {
		t.Errorf("API key after the upgrade: %+v, %v", k, err)
	}
	if err := s.DeleteAPIKey(ctx, 6); err != nil {
		t.Fatal(err)
	}
	next := pactum.APIKey{Name: "next", Role: pactum.RoleAdmin, Hash: []byte{3}}
	if err := s.CreateAPIKey(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if next.ID != 7 {
		t.Errorf("the key after deleting key 6 got id %d, want 7", next.ID)
	}
}

// TestUpgradeKeepsSettingsAndPositions opens a database written before migration 0009, which
// rebuilt settings and log_positions with NOT NULL keys: the click-id key and the event log's
// position survive, and a key without a name is refused afterwards.
func TestUpgradeKeepsSettingsAndPositions(t *testing.T) {
	ctx := context.Background()
	path, db := migratedBefore(t, 9)
	execAll(t, db,
		`INSERT INTO settings (name, value) VALUES ('click_id_key', 'k1')`,
		`INSERT INTO log_positions (stream, pos) VALUES ('events', 4096)`,
	)
	s := upgrade(t, path, db)
	if v, err := s.SetSettingIfAbsent(ctx, "click_id_key", "k2"); err != nil || v != "k1" {
		t.Errorf("click_id_key after the upgrade: %q, %v", v, err)
	}
	if pos, err := s.AppliedPosition(ctx, "events"); err != nil || pos != 4096 {
		t.Errorf("position after the upgrade: %d, %v", pos, err)
	}
	db, err := sql.Open("sqlite", path+"?"+writerPragmas)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`INSERT INTO settings (name, value) VALUES (NULL, 'x')`,
		`INSERT INTO log_positions (stream, pos) VALUES (NULL, 1)`,
	} {
		if _, err := db.ExecContext(ctx, q); err == nil {
			t.Errorf("%s was accepted", q)
		}
	}
}
