package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The conversion log with its filters, for admins and advertisers; partners see theirs in the
// portal's commissions.

type conversionsData struct {
	Form        *form
	Conversions []pactum.Conversion
	Next        string
	Statuses    []string
	Filtered    bool
}

// conversionsPage lists conversions, newest ids last as the API does, filtered by the query.
func (s *Server) conversionsPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, q, page, err := s.listConversions(r, v)
	if err != nil {
		return err
	}
	d := conversionsData{Form: f, Conversions: page.Items, Next: nextURL(r, page.Next), Statuses: program.ConversionStatuses,
		Filtered: q != (program.ConversionQuery{})}
	s.render(w, r, v, f.Status, "conversions", "Conversions", d)
	return nil
}

// listConversions lists the conversions the viewer may see that r's filters ask for (the
// program narrows them to a partner's own); a filter's mistake is the form's to show.
func (s *Server) listConversions(r *http.Request, v *viewer) (*form, program.ConversionQuery, program.Page[pactum.Conversion], error) {
	f := newForm(r.URL.Query())
	q, err := conversionQuery(f)
	var page program.Page[pactum.Conversion]
	if err == nil {
		page, err = s.program.ListConversions(r.Context(), v.Caller, q, listPage(r))
	}
	if err != nil {
		err = f.fail(err, nil)
	}
	return f, q, page, err
}

// conversionQuery reads the list's filters: ids, status, event and days (to included).
func conversionQuery(f *form) (program.ConversionQuery, error) {
	var q program.ConversionQuery
	var err error
	if q.OfferID, err = f.id("offer_id"); err != nil {
		return q, err
	}
	if q.PartnerID, err = f.id("partner_id"); err != nil {
		return q, err
	}
	q.Status, q.Event = strings.TrimSpace(f.Get("status")), strings.TrimSpace(f.Get("event"))
	if v := f.Get("from"); v != "" {
		if q.From, err = time.Parse(time.DateOnly, v); err != nil {
			return q, pactum.FieldError("from", "must be a day such as 2026-11-01")
		}
	}
	if v := f.Get("to"); v != "" {
		to, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return q, pactum.FieldError("to", "must be a day such as 2026-11-30")
		}
		q.To = to.AddDate(0, 0, 1)
	}
	return q, nil
}
