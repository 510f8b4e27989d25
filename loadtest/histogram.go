package loadtest

import (
	"math"
	"math/bits"
	"time"
)

// Latencies go into log-linear buckets rather than a slice of samples so
// that memory stays fixed however long the run and recording costs no
// allocation: values below 128 ns are exact, above that each power of two is
// split into 64 buckets, so a reported percentile is within 1/64 (1.6 %) of
// the true sample.
const (
	subBits    = 6
	subCount   = 1 << subBits
	maxShift   = 34 // covers values up to 2^41 ns, about 36 minutes
	numBuckets = (maxShift + 2) * subCount
	maxValue   = 1<<(maxShift+subBits+1) - 1
)

type histogram struct {
	counts [numBuckets]uint64
	n      uint64
	max    time.Duration
}

func bucketOf(v uint64) int {
	if v < 2*subCount {
		return int(v)
	}
	if v > maxValue {
		v = maxValue
	}
	shift := bits.Len64(v) - subBits - 1
	return (shift+1)*subCount + int(v>>shift) - subCount
}

// bucketUpper is the largest value that falls into bucket i.
func bucketUpper(i int) uint64 {
	if i < 2*subCount {
		return uint64(i)
	}
	shift := uint(i/subCount - 1)
	mantissa := uint64(i%subCount + subCount)
	return mantissa<<shift + 1<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.n++
	if d > h.max {
		h.max = d
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile reports the upper edge of the bucket holding the sample of rank
// ceil(q*n), clamped to the largest sample; rounding up rather than to the
// middle keeps the figure on the pessimistic side, and clamping keeps
// p50 <= p95 <= p99 <= max.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(bucketUpper(i)), h.max)
		}
	}
	return h.max
}
