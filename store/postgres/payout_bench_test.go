package postgres_test

import (
	"testing"

	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/storetest"
)

// BenchmarkPayoutRun1M: one payout run over 1,000,000 approved commissions of 10,000 partners
// (scripts/bench-payouts.sh), against the test server (PACTUM_TEST_POSTGRES). Run it alone,
// with -benchtime 1x:
//
//	go test ./store/postgres -run '^$' -bench PayoutRun1M -benchtime 1x -timeout 60m
func BenchmarkPayoutRun1M(b *testing.B) {
	storetest.BenchmarkPayoutRun(b, pgtest.Open(b), 10_000, 1_000_000, 50_000)
}
