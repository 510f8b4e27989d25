package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pactum/pactum"
)

// The console's home: today's and the period's KPIs against the range before, the daily trends,
// the top partners and offers, and the live feed. Four reports, each as the API would answer it
// for the same caller (an advertiser's are its offers'); revenue and profit only for those who
// may see them.

type dashboardData struct {
	Form     *form
	Period   period
	Currency string
	Today    []tile
	Tiles    []tile
	Charts   []*chart
	Partners table
	Offers   table
	Empty    bool
	Live     string
}

// dashboardMetrics are the tiles of a console user.
func dashboardMetrics(seesRevenue bool) []string {
	if seesRevenue {
		return []string{"clicks", "conversions", "sales", "payout", "revenue", "profit", "cr", "epc"}
	}
	return []string{"clicks", "conversions", "sales", "payout", "cr", "epc"}
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(r.URL.Query())
	p := readPeriod(f)
	d := dashboardData{Form: f, Period: p, Live: "/console/live"}
	metrics := dashboardMetrics(v.Caller.SeesRevenue())
	now := s.reports.Now()
	cur := url.Values{}
	if c := strings.TrimSpace(f.Get("currency")); c != "" {
		cur.Set("currency", c)
	}
	all := strings.Join(metrics, ",")
	top := "sales,conversions,clicks,payout"
	res, err := s.reportsOf(r.Context(), v.Caller,
		p.query(now, with(cur, "group_by", "day", "metrics", all, "compare", "previous", "limit", "1000")),
		today(now, with(cur, "metrics", all, "compare", "previous")),
		p.query(now, with(cur, "group_by", "partner", "metrics", top, "sort", "-sales,-clicks", "limit", "5")),
		p.query(now, with(cur, "group_by", "offer", "metrics", top, "sort", "-sales,-clicks", "limit", "5")),
		p.before(now))
	if err != nil {
		// A program in several currencies must name one: the form says so at its input.
		if pactum.ErrorField(err) == "currency" {
			if err := f.fail(err, nil); err != nil {
				return err
			}
			s.render(w, r, v, f.Status, "dashboard", "Dashboard", d)
			return nil
		}
		return err
	}
	trend, day, partners, offers := res[0], res[1], res[2], res[3]
	d.Currency = trend.Currency
	d.Today, d.Tiles = tiles(day, metrics, false), tiles(trend, metrics, beforeStarts(res[4]))
	d.Charts = trendCharts(trend, "trend")
	link := consoleLink(v.Caller)
	d.Partners = tableOf(partners, "Top partners by sales", link, nil)
	d.Offers = tableOf(offers, "Top offers by sales", link, nil)
	d.Empty = d.Charts[0].Empty() && d.Charts[1].Empty()
	s.render(w, r, v, f.Status, "dashboard", "Dashboard", d)
	return nil
}
