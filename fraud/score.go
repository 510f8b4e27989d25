package fraud

import (
	"math"
	"strconv"
	"time"

	"github.com/pactum/pactum"
)

// ScoreDays is the window of a partner's fraud score (SPEC section 13).
const ScoreDays = 45

// saturation is the share at which a signal gives all its weight: half of a partner's clicks
// from data centres is as bad as all of them.
const saturation = 0.5

// signals name each share of a score and its weight; the weights add up to 100.
var signals = []struct {
	name   string
	weight int
	count  func(pactum.FraudCounts) (n, of int64)
}{
	{"flagged_clicks", 20, func(c pactum.FraudCounts) (int64, int64) { return c.FlaggedClicks, c.Clicks }},
	{"duplicate_clicks", 15, func(c pactum.FraudCounts) (int64, int64) { return c.DuplicateClicks, c.Clicks }},
	{"datacenter_clicks", 15, func(c pactum.FraudCounts) (int64, int64) { return c.DataCenter, c.Clicks }},
	{"too_fast_conversions", 15, func(c pactum.FraudCounts) (int64, int64) { return c.TooFast, c.Conversions }},
	{"held_or_rejected_conversions", 20, func(c pactum.FraudCounts) (int64, int64) { return c.Held + c.Rejected, c.Conversions }},
	{"refunded_conversions", 15, func(c pactum.FraudCounts) (int64, int64) { return c.Refunded, c.Conversions }},
}

// Score computes a partner's fraud score from its counts over [from, to): each signal's share
// (count / of, 0 without any) gives weight × min(1, share / 0.5) points, and the score is their
// sum, rounded half up, 0 to 100.
func Score(partnerID int64, c pactum.FraudCounts, from, to time.Time) pactum.FraudScore {
	out := pactum.FraudScore{PartnerID: partnerID, From: from.UTC(), To: to.UTC(), Signals: []pactum.FraudSignal{}}
	total := 0.0
	for _, s := range signals {
		n, of := s.count(c)
		share := 0.0
		if of > 0 {
			share = min(1, float64(n)/float64(of))
		}
		points := float64(s.weight) * min(1, share/saturation)
		total += points
		out.Signals = append(out.Signals, pactum.FraudSignal{Name: s.name, Share: strconv.FormatFloat(share, 'f', 4, 64),
			Weight: s.weight, Points: int(math.Round(points)), Count: n, Of: of})
	}
	out.Score = int(math.Round(total))
	return out
}
