package loadtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"
)

// MaxRounds bounds Alternate for the same reason MaxDuration bounds Run.
const MaxRounds = 100

// Target is one server in a comparison.
type Target struct {
	Label  string
	Config Config
}

// Round is one run of one target in a comparison.
type Round struct {
	Label  string
	Round  int // from 1
	Result Result
}

// Alternate runs the targets in turn, rounds times (A, B, A, B, ...).
// Figures move with the machine's load from minute to minute, so a ratio
// between two servers means something only when both were measured in the
// same stretch of time, interleaved. On error it returns the rounds done so
// far, including the failed one.
func Alternate(ctx context.Context, rounds int, targets ...Target) ([]Round, error) {
	if rounds < 1 || rounds > MaxRounds {
		return nil, fmt.Errorf("loadtest: rounds must be between 1 and %d", MaxRounds)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("loadtest: no target")
	}
	for _, t := range targets {
		if _, err := t.Config.withDefaults(); err != nil {
			return nil, fmt.Errorf("%s: %w", t.Label, err)
		}
	}
	out := make([]Round, 0, rounds*len(targets))
	for i := 1; i <= rounds; i++ {
		for _, t := range targets {
			if t.Config.Progress != nil {
				fmt.Fprintf(t.Config.Progress, "round %d/%d: %s\n", i, rounds, t.Label)
			}
			res, err := Run(ctx, t.Config)
			out = append(out, Round{Label: t.Label, Round: i, Result: res})
			if err != nil {
				return out, fmt.Errorf("%s, round %d: %w", t.Label, i, err)
			}
		}
	}
	return out, nil
}

// Summary condenses one target's rounds. Medians rather than means, so that
// one round disturbed by something else on the machine does not move it.
type Summary struct {
	Label          string
	Rounds         int
	MedianRPS      float64
	MinRPS, MaxRPS float64
	MedianP99      time.Duration
	Errors         int64 // over all rounds
	Checked        int   // rounds whose stored count was checked
	Verified       int   // rounds whose stored count was complete
}

// Summarize groups rounds by label, in the order the labels first appear.
func Summarize(rounds []Round) []Summary {
	var order []string
	byLabel := map[string][]Result{}
	for _, r := range rounds {
		if _, ok := byLabel[r.Label]; !ok {
			order = append(order, r.Label)
		}
		byLabel[r.Label] = append(byLabel[r.Label], r.Result)
	}
	out := make([]Summary, 0, len(order))
	for _, label := range order {
		rs := byLabel[label]
		s := Summary{Label: label, Rounds: len(rs)}
		rps := make([]float64, len(rs))
		p99 := make([]float64, len(rs))
		for i, r := range rs {
			rps[i], p99[i] = r.RPS, float64(r.P99)
			s.Errors += r.Errors
			if r.Checked {
				s.Checked++
			}
			if r.Verified {
				s.Verified++
			}
		}
		s.MedianRPS, s.MedianP99 = median(rps), time.Duration(median(p99))
		s.MinRPS, s.MaxRPS = slices.Min(rps), slices.Max(rps)
		out = append(out, s)
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// PrintSummary writes one line per target and, with two or more, how the
// first compares with each of the others.
func PrintSummary(w io.Writer, sums []Summary) {
	for _, s := range sums {
		fmt.Fprintf(w, "%-12s median %8.0f req/s (min %.0f, max %.0f)  median p99 %s ms  errors %d",
			s.Label, s.MedianRPS, s.MinRPS, s.MaxRPS, ms(s.MedianP99), s.Errors)
		if s.Checked > 0 {
			fmt.Fprintf(w, "  stored complete in %d of %d rounds", s.Verified, s.Checked)
		}
		fmt.Fprintln(w)
	}
	if len(sums) < 2 {
		return
	}
	a := sums[0]
	for _, b := range sums[1:] {
		fmt.Fprintf(w, "%s / %s: req/s x%s, p99 x%s\n", a.Label, b.Label,
			ratio(a.MedianRPS, b.MedianRPS), ratio(float64(a.MedianP99), float64(b.MedianP99)))
	}
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}
