package postgres_test

import (
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/store/postgres"
	"github.com/pactum/pactum/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) pactum.Store { return postgres.OpenTemp(t) })
}

func BenchmarkApplyEvents(b *testing.B) {
	storetest.BenchmarkApplyEvents(b, postgres.OpenTemp(b), 1000)
}
