package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

type partnersData struct {
	Partners []partnerRow
	Next     string
	// Head names the scorecard's columns; Problem says why there are none (a program in
	// several currencies).
	Head     []string
	Currency string
	Problem  string
}

type partnerRow struct {
	pactum.Partner
	Figures []string // the scorecard's columns, in Head's order
}

// scoreColumns are the partners list's scorecard: the last 30 days of each partner.
var scoreColumns = []string{"clicks", "conversions", "sales", "epc", "cr", "payout", "refund_rate"}

// partnersPage lists the program's partners with their status, their last 30 days (one report
// grouped by partner, for the page's partners), and approve or suspend buttons.
func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, err := s.program.ListPartners(r.Context(), v.Caller, listPage(r))
	if err != nil {
		return err
	}
	d := partnersData{Next: nextURL(r, page.Next)}
	ids := make([]string, len(page.Items))
	for i, p := range page.Items {
		ids[i] = strconv.FormatInt(p.ID, 10)
	}
	byID := map[int64][]any{}
	if len(ids) > 0 {
		res, err := s.report(r.Context(), v.Caller, period{Days: 30}.query(s.reports.Now(), url.Values{
			"group_by": {"partner"}, "metrics": {strings.Join(scoreColumns, ",")},
			"filter[partner]": {strings.Join(ids, ",")}, "limit": {"1000"}}))
		switch {
		case pactum.ErrorField(err) == "currency":
			d.Problem = "The last 30 days are not shown: " + pactum.ErrorMessage(err) + ". See them in Reports, with a currency."
		case err != nil:
			return err
		default:
			d.Currency = res.Currency
			for _, m := range scoreColumns {
				d.Head = append(d.Head, headLabel(m, res.Currency))
			}
			for _, row := range res.Rows {
				if id, ok := row[0].(int64); ok {
					byID[id] = row[2:]
				}
			}
		}
	}
	for _, p := range page.Items {
		row := partnerRow{Partner: p}
		if d.Head != nil {
			figs := byID[p.ID]
			for i, m := range scoreColumns {
				var v any
				switch {
				case figs != nil:
					v = figs[i]
				case report.Kind(m) == "count":
					v = int64(0) // no row: nothing counted, nothing sold; rates over nothing stay empty
				case report.Kind(m) == "money":
					v = pactum.FormatAmount(decimal.Zero, d.Currency)
				}
				row.Figures = append(row.Figures, metricCell(m, v, d.Currency).Text)
			}
		}
		d.Partners = append(d.Partners, row)
	}
	s.render(w, r, v, http.StatusOK, "partners", "Partners", d)
	return nil
}

// setPartnerStatus approves (active) or suspends a partner, through the same change as the
// API's PATCH.
func (s *Server) setPartnerStatus(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	status := r.PostFormValue("status")
	p, err := s.program.UpdatePartner(r.Context(), v.Caller, id, program.PartnerInput{Status: &status})
	if err != nil {
		return err
	}
	verb := "approved: its links work and it earns commissions"
	if p.Status != pactum.PartnerActive {
		verb = p.Status + ": its links go to the fallback and its sales earn nothing until it is approved again"
	}
	back := "/console/partners"
	if r.PostFormValue("back") == "detail" {
		back += "/" + strconv.FormatInt(p.ID, 10)
	}
	s.redirect(w, r, back, p.Name+" is "+verb+".")
	return nil
}
