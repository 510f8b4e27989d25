package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Charts are drawn on the server as SVG: no script, no build step, nothing the
// Content-Security-Policy has to allow, and the same picture with JavaScript off. A line chart
// shows a series over time (two series of different scales get an axis each); a bar chart
// compares the rows of a report. Values are the report service's exact figures (counts, and
// decimal strings for money and rates): they are summed, compared and written as decimals, and
// turned into a float only to place a point in pixels. Each chart is an image with a title and a
// description for screen readers, and its figures follow as a table behind a disclosure.

// chart is one chart and its figures.
type chart struct {
	ID     string // unique on its page: the ids of its title and description derive from it
	Title  string
	Kind   string   // "line" or "bar"
	Labels []string // a line chart's periods, a bar chart's rows
	Series []chartSeries
	// Wide charts (a page's full width) are drawn 800 units wide, others 480, so that their
	// text is of a size to read wherever they are shown.
	Wide bool
}

// chartSeries is one line (or the bars) of a chart.
type chartSeries struct {
	Name string
	// Unit follows a value: a currency's code for money, "%" for a rate, "" for a count.
	Unit string
	// Values are the figures as the report service gives them: int64, a decimal string, or nil
	// where there is none (a rate over nothing).
	Values []any
	// Right puts the series on the right-hand axis (a line chart of two scales).
	Right bool
}

// Geometry of a chart, in the SVG's own units (it scales to its box).
const (
	chartW      = 480
	chartWideW  = 800
	chartLineH  = 260
	chartTop    = 16
	chartBottom = 36
	chartSide   = 70 // the width of an axis with its labels
	chartBarRow = 26
	chartBarPad = 190 // a bar chart's labels
	chartTicks  = 4   // at most this many steps up an axis
)

// value reads a figure as a decimal; nil when there is none.
func value(v any) *decimal.Decimal {
	switch v := v.(type) {
	case int64:
		d := decimal.NewFromInt(v)
		return &d
	case int:
		d := decimal.NewFromInt(int64(v))
		return &d
	case string:
		d, err := decimal.NewFromString(v)
		if err != nil {
			return nil
		}
		return &d
	}
	return nil
}

// figure writes a figure as the report gives it, with its unit: "1204", "33.00 EUR", "2.50%".
func figure(v any, unit string) string {
	var s string
	switch v := v.(type) {
	case nil:
		return "—"
	case int64:
		s = groupDigits(fmt.Sprint(v))
	case string:
		s = groupDigits(v)
	default:
		s = fmt.Sprint(v)
	}
	switch unit {
	case "":
		return s
	case "%":
		return s + "%"
	}
	return s + " " + unit
}

// groupDigits puts thin separators into a number's whole part: "12,840.00".
func groupDigits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if len(whole) <= 3 || strings.Trim(whole, "0123456789") != "" {
		return sign + s
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// Empty tells whether a chart has nothing to show: every figure is zero or none.
func (c *chart) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if d := value(v); d != nil && !d.IsZero() {
				return false
			}
		}
	}
	return true
}

// scale is an axis: from lo to hi in steps of step, each a round number (1, 2 or 5 times a
// power of ten), so that its ticks read well.
type scale struct {
	lo, hi, step decimal.Decimal
}

// niceScale returns the axis of values: from zero (or below, for a loss) to at least the
// largest, in at most chartTicks round steps.
func niceScale(values ...[]any) scale {
	lo, hi := decimal.Zero, decimal.Zero
	for _, vs := range values {
		for _, v := range vs {
			if d := value(v); d != nil {
				lo, hi = decimal.Min(lo, *d), decimal.Max(hi, *d)
			}
		}
	}
	whole := true // counts: steps of whole numbers
	for _, vs := range values {
		for _, v := range vs {
			if _, ok := v.(string); ok {
				whole = false
			}
		}
	}
	if lo.Equal(hi) {
		hi = decimal.New(1, 0)
	}
	span := hi.Sub(lo)
	exp := int32(-2)
	if whole {
		exp = 0
	}
	for ; ; exp++ {
		for _, m := range []int64{1, 2, 5} {
			step := decimal.New(m, exp)
			if span.Div(step).Ceil().LessThanOrEqual(decimal.New(chartTicks, 0)) {
				return scale{lo: lo.Div(step).Floor().Mul(step), hi: hi.Div(step).Ceil().Mul(step), step: step}
			}
		}
	}
}

// at places v between y0 (lo) and y1 (hi): the one place a float is used.
func (s scale) at(v decimal.Decimal, y0, y1 float64) float64 {
	f := v.Sub(s.lo).Div(s.hi.Sub(s.lo)).InexactFloat64()
	return y0 + (y1-y0)*f
}

// ticks are the axis's round values, lo first.
func (s scale) ticks() []decimal.Decimal {
	var out []decimal.Decimal
	for t := s.lo; t.LessThanOrEqual(s.hi); t = t.Add(s.step) {
		out = append(out, t)
	}
	return out
}

// tickText writes a tick with as many decimals as its step has.
func (s scale) tickText(t decimal.Decimal) string {
	places := int32(0)
	if e := s.step.Exponent(); e < 0 {
		places = -e
	}
	return groupDigits(t.StringFixed(places))
}

// shortLabel writes a period briefly for an axis: "20 Nov" for a day, "15:00" for an hour,
// "Nov 2026" for a month; anything else as it is, cut to 24 characters.
func shortLabel(s string) string {
	if t, err := time.Parse(pactum.DateLayout, s); err == nil {
		return t.Format("2 Jan")
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format("2 Jan 15:04")
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.Format("Jan 2006")
	}
	if r := []rune(s); len(r) > 24 {
		return string(r[:23]) + "…"
	}
	return s
}

// HTML writes the chart as a figure: the SVG, its legend, and its figures as a table.
func (c *chart) HTML() template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	fmt.Fprintf(&b, `<figure class="chart" aria-labelledby="%s-cap">`, c.ID)
	fmt.Fprintf(&b, `<figcaption id="%s-cap">%s</figcaption>`, c.ID, esc(c.Title))
	if len(c.Series) > 1 || c.Kind == "line" {
		b.WriteString(`<ul class="legend">`)
		for i, s := range c.Series {
			axis := ""
			if c.hasRight() {
				axis = " (left axis)"
				if s.Right {
					axis = " (right axis)"
				}
			}
			fmt.Fprintf(&b, `<li><span class="swatch s%d" aria-hidden="true"></span>%s%s</li>`, i, esc(s.Name), axis)
		}
		b.WriteString(`</ul>`)
	}
	if c.Kind == "bar" {
		c.bars(&b)
	} else {
		c.lines(&b)
	}
	c.table(&b)
	b.WriteString(`</figure>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

func (c *chart) width() int {
	if c.Wide {
		return chartWideW
	}
	return chartW
}

func (c *chart) hasRight() bool {
	for _, s := range c.Series {
		if s.Right {
			return true
		}
	}
	return false
}

// open starts the SVG with its title and description.
func (c *chart) open(b *strings.Builder, h int) {
	esc := template.HTMLEscapeString
	class := "plot"
	if c.Wide {
		class += " wide"
	}
	fmt.Fprintf(b, `<svg class="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" preserveAspectRatio="xMidYMid meet">`, class, c.width(), h, c.ID, c.ID)
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.describe()))
}

// describe says in words what the chart shows: each series' range and its highest figure.
func (c *chart) describe() string {
	if len(c.Labels) == 0 {
		return "No figures."
	}
	var parts []string
	if c.Kind == "line" {
		parts = append(parts, fmt.Sprintf("From %s to %s.", c.Labels[0], c.Labels[len(c.Labels)-1]))
	} else {
		parts = append(parts, fmt.Sprintf("%d rows.", len(c.Labels)))
	}
	for _, s := range c.Series {
		best := -1
		var top decimal.Decimal
		for i, v := range s.Values {
			if d := value(v); d != nil && (best < 0 || d.GreaterThan(top)) {
				best, top = i, *d
			}
		}
		if best >= 0 {
			parts = append(parts, fmt.Sprintf("%s: highest %s, at %s.", s.Name, figure(s.Values[best], s.Unit), c.Labels[best]))
		}
	}
	return strings.Join(parts, " ")
}

// lines draws a line chart: periods along, one or two axes up.
func (c *chart) lines(b *strings.Builder) {
	left, right := float64(chartSide), float64(c.width()-16)
	var leftVals, rightVals [][]any
	for _, s := range c.Series {
		if s.Right {
			rightVals = append(rightVals, s.Values)
		} else {
			leftVals = append(leftVals, s.Values)
		}
	}
	if len(rightVals) > 0 {
		right = float64(c.width() - chartSide)
	}
	top, bottom := float64(chartTop), float64(chartLineH-chartBottom)
	ls, rs := niceScale(leftVals...), niceScale(rightVals...)
	c.open(b, chartLineH)
	b.WriteString(`<g class="axis">`)
	for _, t := range ls.ticks() {
		y := ls.at(t, bottom, top)
		fmt.Fprintf(b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, right, y, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, ls.tickText(t))
	}
	if len(rightVals) > 0 {
		for _, t := range rs.ticks() {
			y := rs.at(t, bottom, top)
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="start">%s</text>`, right+6, y+4, rs.tickText(t))
		}
	}
	n := len(c.Labels)
	x := func(i int) float64 {
		if n < 2 {
			return (left + right) / 2
		}
		return left + (right-left)*float64(i)/float64(n-1)
	}
	every := max(1, (n+4)/5) // five labels at most: they must not touch on a phone
	for i := 0; i < n; i += every {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x(i), bottom+20, template.HTMLEscapeString(shortLabel(c.Labels[i])))
	}
	fmt.Fprintf(b, `<line class="base" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, right, bottom, bottom)
	b.WriteString(`</g>`)
	for si, s := range c.Series {
		sc := ls
		if s.Right {
			sc = rs
		}
		var path strings.Builder
		pen := false
		for i, v := range s.Values {
			d := value(v)
			if d == nil {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f", cmd, x(i), sc.at(*d, bottom, top))
			pen = true
		}
		fmt.Fprintf(b, `<path class="line s%d" d="%s"/>`, si, path.String())
		if n <= 92 {
			for i, v := range s.Values {
				if d := value(v); d != nil {
					fmt.Fprintf(b, `<circle class="dot s%d" cx="%.1f" cy="%.1f" r="3"><title>%s: %s</title></circle>`,
						si, x(i), sc.at(*d, bottom, top), template.HTMLEscapeString(c.Labels[i]), template.HTMLEscapeString(s.Name+" "+figure(v, s.Unit)))
				}
			}
		}
	}
	b.WriteString(`</svg>`)
}

// bars draws a bar chart of the first series: a bar per row, its figure at its end.
func (c *chart) bars(b *strings.Builder) {
	if len(c.Series) == 0 {
		return
	}
	s := c.Series[0]
	n := len(c.Labels)
	h := chartTop + n*chartBarRow + chartBottom
	left, right := float64(chartBarPad), float64(c.width()-90)
	sc := niceScale(s.Values)
	c.open(b, h)
	zero := sc.at(decimal.Zero, left, right)
	bottom := float64(chartTop + n*chartBarRow)
	b.WriteString(`<g class="axis">`)
	for _, t := range sc.ticks() {
		x := sc.at(t, left, right)
		fmt.Fprintf(b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%d" y2="%.1f"/>`, x, x, chartTop, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, bottom+18, sc.tickText(t))
	}
	b.WriteString(`</g>`)
	for i, label := range c.Labels {
		y := float64(chartTop + i*chartBarRow)
		fmt.Fprintf(b, `<text class="bar-label" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-8, y+chartBarRow/2+4, template.HTMLEscapeString(shortLabel(label)))
		d := value(s.Values[i])
		if d == nil {
			continue
		}
		x := sc.at(*d, left, right)
		x0, w := min(zero, x), max(zero, x)-min(zero, x)
		fmt.Fprintf(b, `<rect class="bar s0" x="%.1f" y="%.1f" width="%.1f" height="%d"><title>%s: %s</title></rect>`,
			x0, y+4, max(w, 1), chartBarRow-8, template.HTMLEscapeString(label), template.HTMLEscapeString(figure(s.Values[i], s.Unit)))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`, max(zero, x)+6, y+chartBarRow/2+4, template.HTMLEscapeString(figure(s.Values[i], s.Unit)))
	}
	b.WriteString(`</svg>`)
}

// table writes the chart's figures as a table behind a disclosure: the chart for those who
// cannot see it, and the exact figures for anyone.
func (c *chart) table(b *strings.Builder) {
	esc := template.HTMLEscapeString
	fmt.Fprintf(b, `<details class="figures"><summary>The figures of “%s”</summary>`, esc(c.Title))
	fmt.Fprintf(b, `<div class="table-wrap" role="region" aria-label="Figures of %s" tabindex="0"><table><caption>%s</caption><thead><tr><th scope="col">%s</th>`,
		esc(c.Title), esc(c.Title), map[bool]string{true: "Period", false: "Row"}[c.Kind == "line"])
	for _, s := range c.Series {
		fmt.Fprintf(b, `<th scope="col" class="num">%s</th>`, esc(s.Name))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for i, label := range c.Labels {
		fmt.Fprintf(b, `<tr><th scope="row">%s</th>`, esc(label))
		for _, s := range c.Series {
			fmt.Fprintf(b, `<td class="num">%s</td>`, esc(figure(s.Values[i], s.Unit)))
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></div></details>`)
}
