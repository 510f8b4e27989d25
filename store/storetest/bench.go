package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// BenchmarkApplyEvents applies batches of batch fresh clicks to s, one ApplyEvents call each, as
// the event log does, and reports rows/s.
func BenchmarkApplyEvents(b *testing.B, s pactum.Store, batch int) {
	clicks := make([]pactum.Visit, batch)
	for i := range clicks {
		clicks[i] = visit("", int64(i%10+1), int64(i%100+1), t0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		for i := range clicks {
			clicks[i].ClickID = fmt.Sprintf("b%d-%d", n, i)
			clicks[i].Time = t0.Add(time.Duration(n*batch+i) * time.Millisecond)
		}
		b.StartTimer()
		if err := applyVisits(s, clicks, nil, "bench", uint64(n+1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
}
