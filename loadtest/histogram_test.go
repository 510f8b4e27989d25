package loadtest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsAreContiguous(t *testing.T) {
	for i := 1; i < numBuckets; i++ {
		lo := bucketUpper(i-1) + 1
		if bucketOf(lo) != i || bucketOf(bucketUpper(i)) != i {
			t.Fatalf("bucket %d: [%d, %d] maps to %d and %d", i, lo, bucketUpper(i), bucketOf(lo), bucketOf(bucketUpper(i)))
		}
	}
	if bucketOf(math.MaxUint64) != numBuckets-1 {
		t.Fatal("huge values must land in the last bucket")
	}
}

func TestQuantileIsCloseToExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var h histogram
	samples := make([]time.Duration, 100_000)
	for i := range samples {
		// Log-normal around half a millisecond, with a long tail.
		samples[i] = time.Duration(math.Exp(rng.NormFloat64()*1.2) * 500_000)
		h.record(samples[i])
	}
	slices.Sort(samples)
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999, 1} {
		exact := samples[int(math.Ceil(q*float64(len(samples))))-1]
		got := h.quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/subCount {
			t.Errorf("q%.3f = %s, exact %s", q, got, exact)
		}
	}
	if h.max != samples[len(samples)-1] || h.quantile(1) != h.max {
		t.Errorf("max %s, q1 %s, exact %s", h.max, h.quantile(1), samples[len(samples)-1])
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h histogram
	if n := testing.AllocsPerRun(100, func() { h.record(1234567) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
