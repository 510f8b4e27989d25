package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
)

// A partner's fraud score (SPEC section 13, docs/fraud.md): 0 to 100 over the last 45 days,
// from report.Service.FraudScore in the viewer's scope (an advertiser: over its own offers),
// with each signal in words and a bar of what it adds. The bars are SVG drawn here, their
// lengths attributes, as the Content-Security-Policy allows no inline style.

type fraudScoreData struct {
	PartnerID int64
	Partner   string // its name, where the viewer may see it
	Score     pactum.FraudScore
	Band      scoreBand
	Signals   []signalView
}

// scoreBand words a score for people; the bands are the console's, not the score's.
type scoreBand struct {
	Class, Title, Words string
}

func bandOf(score int) scoreBand {
	switch {
	case score >= 50:
		return scoreBand{"high", "High", "much of its traffic looks like fraud: look at its held and rejected sales before its next payout"}
	case score >= 25:
		return scoreBand{"raised", "Raised", "some of its traffic looks like fraud: look at the signals below and at its held sales"}
	}
	return scoreBand{"low", "Low", "little of its traffic looks like fraud"}
}

// signalView is one signal of a score in words.
type signalView struct {
	pactum.FraudSignal
	Title, Words, Unit string
	Percent            string // its share: "12.5%"
	Fill               int    // the bar: its points out of its weight, 0 to 100
}

// signalWords name the score's signals (fraud.Score) and say what they count, of what.
var signalWords = map[string]struct{ title, words, unit string }{
	"flagged_clicks":               {"Flagged clicks", "clicks a fraud rule or the crawler list marked", "click"},
	"duplicate_clicks":             {"Duplicate clicks", "the same visitor clicking the same offer through it again within the duplicate window", "click"},
	"datacenter_clicks":            {"Clicks from data centres", "clicks from hosting and data-centre networks rather than homes and phones", "click"},
	"too_fast_conversions":         {"Sales too soon after the click", "sales sooner after their click than the offer's minimum time", "sale"},
	"held_or_rejected_conversions": {"Sales held or rejected", "sales held for review now, or rejected by a rule or by hand", "sale"},
	"refunded_conversions":         {"Refunded sales", "sales with a refund, in full or in part", "sale"},
}

// fraudScorePage shows a partner's score and its signals; a partner the viewer may not see (or,
// for an advertiser, one without traffic on its offers) is not found.
func (s *Server) fraudScorePage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	score, err := s.reports.FraudScore(r.Context(), v.Caller, id)
	if err != nil {
		return err
	}
	d := fraudScoreData{PartnerID: id, Partner: s.partnerNames(r, v)(id), Score: score, Band: bandOf(score.Score)}
	for _, sg := range score.Signals {
		sv := signalView{FraudSignal: sg, Title: sg.Name}
		if w, ok := signalWords[sg.Name]; ok {
			sv.Title, sv.Words, sv.Unit = w.title, w.words, w.unit
		}
		share, _ := strconv.ParseFloat(sg.Share, 64)
		digits := 0
		if pct := share * 100; pct > 0 && pct < 10 {
			digits = 1
		}
		sv.Percent = strconv.FormatFloat(share*100, 'f', digits, 64) + "%"
		if sg.Weight > 0 {
			sv.Fill = min(100, max(0, sg.Points*100/sg.Weight))
		}
		d.Signals = append(d.Signals, sv)
	}
	name := d.Partner
	if name == "" {
		name = fmt.Sprintf("Partner %d", id)
	}
	s.render(w, r, v, http.StatusOK, "fraud_score", "Fraud score: "+name, d)
	return nil
}
