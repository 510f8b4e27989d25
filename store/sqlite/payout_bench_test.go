package sqlite_test

import (
	"testing"

	"github.com/pactum/pactum/store/sqlite/sqlitetest"
	"github.com/pactum/pactum/store/storetest"
)

// BenchmarkPayoutRun1M: one payout run over 1,000,000 approved commissions of 10,000 partners
// (scripts/bench-payouts.sh). Run it alone, with -benchtime 1x:
//
//	go test ./store/sqlite -run '^$' -bench PayoutRun1M -benchtime 1x
func BenchmarkPayoutRun1M(b *testing.B) {
	storetest.BenchmarkPayoutRun(b, sqlitetest.Open(b), 10_000, 1_000_000, 50_000)
}
