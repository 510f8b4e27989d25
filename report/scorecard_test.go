package report

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestRankOf: ties share a rank; when everyone has the same value (a cost nobody has), or there
// is nobody else, there is no rank.
func TestRankOf(t *testing.T) {
	d := func(s string) *decimal.Decimal {
		v := decimal.RequireFromString(s)
		return &v
	}
	for _, c := range []struct {
		name   string
		v      string
		others []*decimal.Decimal
		higher bool
		want   int // 0: no rank
	}{
		{"best", "9", []*decimal.Decimal{d("5"), d("1")}, true, 1},
		{"last", "1", []*decimal.Decimal{d("5"), d("9")}, true, 3},
		{"tied for first", "9", []*decimal.Decimal{d("9"), d("1")}, true, 1},
		{"tied behind one", "5", []*decimal.Decimal{d("9"), d("5"), d("5"), d("1")}, true, 2},
		{"lower is better", "0.50", []*decimal.Decimal{d("1.00"), d("0.25")}, false, 2},
		{"all zero", "0.00", []*decimal.Decimal{d("0"), d("0.00"), d("0")}, false, 0},
		{"all equal", "12", []*decimal.Decimal{d("12"), d("12")}, true, 0},
		{"others without a value", "3", []*decimal.Decimal{nil, nil}, true, 0},
		{"nobody else", "3", nil, true, 0},
	} {
		got := rankOf(*d(c.v), c.others, c.higher)
		if (got == nil) != (c.want == 0) || got != nil && *got != c.want {
			t.Errorf("%s: rank %v, want %d", c.name, got, c.want)
		}
	}
}
