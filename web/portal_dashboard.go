package web

import (
	"cmp"
	"net/http"
	"net/url"
	"sync"

	"github.com/pactum/pactum/report"
)

// The portal's home: a partner's clicks, conversions and earnings over the period against the
// days before, its earnings and traffic day by day, its scorecard beside the program (which
// shows the program's totals and the partner's rank, never another partner's row), and its
// live feed. The report service scopes all of it to the partner.

type portalDashboardData struct {
	Form      *form
	Period    period
	Tiles     []tile
	Earnings  *chart
	Traffic   *chart
	Scorecard scorecardView
	Empty     bool
	Live      string
}

func (s *Server) portalDashboardPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(r.URL.Query())
	per := readPeriod(f)
	metrics := []string{"clicks", "conversions", "payout", "cr"}
	// The tiles' report and the scorecard, side by side.
	var trend *report.Result
	var sc *report.Scorecard
	var before *report.Result
	var trendErr, scErr, beforeErr error
	var wg sync.WaitGroup
	wg.Go(func() { before, beforeErr = s.report(r.Context(), v.Caller, per.before(s.reports.Now())) })
	wg.Go(func() {
		trend, trendErr = s.report(r.Context(), v.Caller, per.query(s.reports.Now(), url.Values{
			"group_by": {"day"}, "metrics": {"clicks,conversions,payout,cr,sales"}, "compare": {"previous"}, "limit": {"1000"}}))
	})
	wg.Go(func() { sc, scErr = s.scorecard(r.Context(), v.Caller, v.Caller.PartnerID, per) })
	wg.Wait()
	if err := cmp.Or(trendErr, scErr, beforeErr); err != nil {
		return err
	}
	d := portalDashboardData{Form: f, Period: per, Tiles: tiles(trend, metrics, beforeStarts(before)), Scorecard: viewScorecard(sc, "score", "You"), Live: "/portal/live"}
	d.Tiles[2].Label = "Earnings"
	days := labels(trend, "day")
	earnings := series(trend, "payout", false)
	earnings.Name = "Earnings"
	d.Earnings = &chart{ID: "earnings", Title: "Your earnings a day (" + trend.Currency + ")", Kind: "line", Labels: days, Series: []chartSeries{earnings}}
	d.Traffic = &chart{ID: "traffic", Title: "Your clicks and conversions a day", Kind: "line", Labels: days,
		Series: []chartSeries{series(trend, "clicks", false), series(trend, "conversions", true)}}
	d.Empty = d.Earnings.Empty() && d.Traffic.Empty()
	s.render(w, r, v, f.Status, "portal_dashboard", "Dashboard", d)
	return nil
}
