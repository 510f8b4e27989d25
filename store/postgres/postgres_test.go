package postgres_test

import (
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pactum.Store { return pgtest.Open(t) })
}

func BenchmarkApplyEvents(b *testing.B) {
	storetest.BenchmarkApplyEvents(b, pgtest.Open(b), 1000)
}
