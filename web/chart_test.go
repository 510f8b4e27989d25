package web

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestNiceScale: axes run in round steps from zero (or below) past the largest figure, computed
// in decimals.
func TestNiceScale(t *testing.T) {
	for _, c := range []struct {
		values []any
		want   string // lo hi step
	}{
		{[]any{int64(0), int64(7), int64(3)}, "0 8 2"},
		{[]any{"1204.50", "99.10"}, "0 1500 500"},
		{[]any{"0.03", nil, "0.01"}, "0 0.03 0.01"},
		{[]any{"-5.00", "12.00"}, "-5 15 5"},
		{[]any{nil, int64(0)}, "0 1 1"},
		{[]any{"0.00", "0.00"}, "0 1 0.5"},
		{[]any{int64(10000000)}, "0 10000000 5000000"},
	} {
		s := niceScale(c.values)
		if got := s.lo.String() + " " + s.hi.String() + " " + s.step.String(); got != c.want {
			t.Errorf("niceScale(%v) = %s, want %s", c.values, got, c.want)
		}
	}
}

// TestChartHTML: a chart is well-formed markup with a title and a description for screen
// readers, its figures exact in its table, and nothing a strict policy refuses (no style
// attribute, no script).
func TestChartHTML(t *testing.T) {
	for _, c := range []chart{
		{ID: "c1", Title: "Daily sales & payout", Kind: "line", Labels: []string{"2026-11-18", "2026-11-19", "2026-11-20"},
			Series: []chartSeries{{Name: "Sales", Unit: "EUR", Values: []any{"0.00", "1204.50", "349.60"}},
				{Name: "Conversions", Values: []any{int64(0), int64(12), nil}, Right: true}}},
		{ID: "c2", Title: "Payout by partner", Kind: "bar", Labels: []string{"Anna <Runs>", "Ben"},
			Series: []chartSeries{{Name: "Payout", Unit: "EUR", Values: []any{"61.00", "-3.10"}}}},
		{ID: "c3", Title: "Nothing", Kind: "line"},
	} {
		html := string(c.HTML())
		dec := xml.NewDecoder(strings.NewReader(html))
		dec.Strict, dec.AutoClose, dec.Entity = true, nil, xml.HTMLEntity
		for {
			if _, err := dec.Token(); err != nil {
				if err.Error() != "EOF" {
					t.Errorf("%s: not well-formed: %v\n%s", c.ID, err, html)
				}
				break
			}
		}
		for _, want := range []string{`role="img"`, `aria-labelledby="` + c.ID + `-t ` + c.ID + `-d"`, `<title id="` + c.ID + `-t">`, `<desc id="` + c.ID + `-d">`, "<caption>"} {
			if !strings.Contains(html, want) {
				t.Errorf("%s lacks %s", c.ID, want)
			}
		}
		if strings.Contains(html, "style=") || strings.Contains(html, "<script") || strings.Contains(html, "<Runs>") {
			t.Errorf("%s: a style attribute, a script or unescaped text:\n%s", c.ID, html)
		}
	}
	line := chart{ID: "x", Kind: "line", Title: "t", Labels: []string{"2026-11-19", "2026-11-20"},
		Series: []chartSeries{{Name: "Sales", Unit: "EUR", Values: []any{"1204.50", "0.10"}}}}
	html := string(line.HTML())
	for _, want := range []string{"<td class=\"num\">1,204.50 EUR</td>", "Sales: highest 1,204.50 EUR, at 2026-11-19.", ">19 Nov<"} {
		if !strings.Contains(html, want) {
			t.Errorf("the line chart lacks %q", want)
		}
	}
	if line.Empty() || !(&chart{Series: []chartSeries{{Values: []any{int64(0), nil, "0.00"}}}}).Empty() {
		t.Error("Empty")
	}
}

func TestGroupDigits(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "999": "999", "1000": "1,000", "-1234567.89": "-1,234,567.89", "12.5": "12.5", "n/a": "n/a"} {
		if got := groupDigits(in); got != want {
			t.Errorf("groupDigits(%s) = %s, want %s", in, got, want)
		}
	}
}
