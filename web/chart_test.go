package web

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/pactum/pactum/report"
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

// TestExplorerChartAxes: the explorer's second line has its own right-hand axis when it is of
// another kind, or when its range is much smaller than the first's (conversions beside clicks),
// and shares the first's when the two are alike.
func TestExplorerChartAxes(t *testing.T) {
	for _, c := range []struct {
		metrics   []string
		a, b      []any
		rightAxis bool
		why       string
	}{
		{[]string{"clicks", "conversions"}, []any{int64(640), int64(702), int64(590)}, []any{int64(38), int64(51), int64(29)}, true, "a twentieth of the clicks"},
		{[]string{"clicks", "unique_clicks"}, []any{int64(640), int64(702), int64(590)}, []any{int64(600), int64(650), int64(500)}, false, "of a like range"},
		{[]string{"conversions", "clicks"}, []any{int64(38), int64(51), int64(29)}, []any{int64(640), int64(702), int64(590)}, false, "larger: the left axis fits both"},
		{[]string{"clicks", "sales"}, []any{int64(640), int64(702), int64(590)}, []any{"9000.00", "12000.00", "8000.00"}, true, "money beside a count"},
		{[]string{"clicks", "conversions"}, []any{int64(0), int64(0), int64(0)}, []any{int64(0), int64(0), int64(0)}, false, "nothing at all"},
	} {
		res := &report.Result{Currency: "EUR", Request: report.Request{GroupBy: []string{"day"}, Metrics: c.metrics},
			Columns: []string{"day", c.metrics[0], c.metrics[1]}, Totals: []any{nil, nil}}
		for i, day := range []string{"2026-11-18", "2026-11-19", "2026-11-20"} {
			res.Rows = append(res.Rows, []any{day, c.a[i], c.b[i]})
		}
		ch := explorerChart(res)
		if ch == nil || len(ch.Series) != 2 {
			t.Fatalf("%v: chart %+v", c.metrics, ch)
		}
		if ch.Series[0].Right || ch.Series[1].Right != c.rightAxis {
			t.Errorf("%v (%s): right-hand axis %v, %v; want false, %v", c.metrics, c.why, ch.Series[0].Right, ch.Series[1].Right, c.rightAxis)
		}
	}
}

// TestTileChanges: a change is a percentage, except across zero, from a tiny base, and (for
// sums, not rates) against a previous period the data starts within: then it is a figure, with
// why.
func TestTileChanges(t *testing.T) {
	res := &report.Result{Currency: "EUR",
		Columns: []string{"profit", "profit_previous", "profit_change", "clicks", "clicks_previous", "clicks_change", "cr", "cr_previous", "cr_change", "sales", "sales_previous", "sales_change"},
		Totals:  []any{"-11.64", "3.64", "-419.78", int64(19309), int64(6463), "198.76", "6.09", "6.05", "0.67", "900.00", "4.00", "22400.00"}}
	res.Totals = res.Totals[:len(res.Columns)]
	for _, c := range []struct {
		partial bool
		want    []string
	}{
		{false, []string{"down 15.28 EUR (across zero: no percentage)", "up 198.76%", "up 0.67%", "up 896.00 EUR (from a tiny base: no percentage)"}},
		{true, []string{"down 15.28 EUR (partial previous period)", "up 12,846 (partial previous period)", "up 0.67%",
			"up 896.00 EUR (partial previous period)"}},
	} {
		for i, tl := range tiles(res, []string{"profit", "clicks", "cr", "sales"}, c.partial) {
			got := "up "
			if !tl.Up {
				got = "down "
			}
			if tl.Change != "" {
				got += tl.Change + "%"
			} else {
				got += tl.Diff + " (" + tl.Note + ")"
			}
			if got != c.want[i] {
				t.Errorf("partial %v, %s: %q, want %q", c.partial, tl.Metric, got, c.want[i])
			}
		}
	}
}
