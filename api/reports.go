package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/live"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// getReport answers GET /api/v1/reports (SPEC section 7): JSON, or with format=csv the same rows
// as RFC 4180 CSV with a header row.
func (a *API) getReport(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		return pactum.FieldError("format", "must be json or csv, not %q", format)
	}
	req, err := report.ParseQuery(r.URL.Query(), a.reports.Now())
	if err != nil {
		return err
	}
	res, err := a.reports.Run(r.Context(), c, req)
	if err != nil {
		return err
	}
	if format == "csv" {
		f, err := report.CSV(res)
		if err != nil {
			return err
		}
		answer.WriteFile(w, f.ContentType, f.Filename, f.Body)
		return nil
	}
	var b bytes.Buffer
	b.WriteString(`{"currency":`)
	writeValue(&b, res.Currency)
	writeRange(&b, res.Request)
	b.WriteString(`,"columns":`)
	writeValue(&b, res.Columns)
	b.WriteString(`,"data":[`)
	for i, row := range res.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		writeObject(&b, res.Columns, row)
	}
	b.WriteString(`],"totals":`)
	writeObject(&b, res.Columns[len(res.Columns)-len(res.Totals):], res.Totals)
	if res.Next != "" {
		b.WriteString(`,"next_cursor":`)
		writeValue(&b, res.Next)
	}
	b.WriteString("}\n")
	answer.WriteJSON(w, http.StatusOK, b.Bytes())
	return nil
}

// writeRange writes a report's range: days when it was asked in days (to inclusive), else
// RFC 3339 times (to exclusive), and its time zone.
func writeRange(b *bytes.Buffer, req report.Request) {
	from, to := req.From.Format(time.RFC3339), req.To.Format(time.RFC3339)
	if req.Dates {
		from, to = req.From.Format(pactum.DateLayout), req.To.AddDate(0, 0, -1).Format(pactum.DateLayout)
	}
	b.WriteString(`,"from":`)
	writeValue(b, from)
	b.WriteString(`,"to":`)
	writeValue(b, to)
	b.WriteString(`,"tz":`)
	writeValue(b, req.Location.String())
}

// writeObject writes values as a JSON object with keys, in their order.
func writeObject(b *bytes.Buffer, keys []string, values []any) {
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeValue(b, k)
		b.WriteByte(':')
		writeValue(b, values[i])
	}
	b.WriteByte('}')
}

func writeValue(b *bytes.Buffer, v any) {
	enc, err := json.Marshal(v)
	if err != nil {
		enc = []byte("null") // only strings, integers, lists of strings and nil come here
	}
	b.Write(enc)
}

// scorecard answers GET /api/v1/partners/{id}/scorecard: the partner beside its program.
func (a *API) scorecard(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	req, err := report.ParseQuery(r.URL.Query(), a.reports.Now())
	if err != nil {
		return err
	}
	sc, err := a.reports.Scorecard(r.Context(), c, id, req)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(`{"partner_id":`)
	writeValue(&b, sc.PartnerID)
	b.WriteString(`,"currency":`)
	writeValue(&b, sc.Currency)
	writeRange(&b, sc.Request)
	b.WriteString(`,"partners":`)
	writeValue(&b, sc.Partners)
	b.WriteString(`,"metrics":[`)
	for i, f := range sc.Figures {
		if i > 0 {
			b.WriteByte(',')
		}
		writeObject(&b, []string{"metric", "partner", "program", "rank"}, []any{f.Metric, f.Partner, f.Program, f.Rank})
	}
	b.WriteString(`],"trend":[`)
	for i, row := range sc.Trend {
		if i > 0 {
			b.WriteByte(',')
		}
		writeObject(&b, sc.TrendColumns, row)
	}
	b.WriteString("]}\n")
	answer.WriteJSON(w, http.StatusOK, b.Bytes())
	return nil
}

type costJSON struct {
	ID           int64     `json:"id"`
	PartnerID    int64     `json:"partner_id"`
	AdvertiserID int64     `json:"advertiser_id"`
	Currency     string    `json:"currency"`
	Amount       string    `json:"amount"`
	From         string    `json:"from"`
	To           string    `json:"to"`
	Note         string    `json:"note"`
	CreatedAt    time.Time `json:"created_at"`
}

func costView(c pactum.PartnerCost) costJSON {
	return costJSON{ID: c.ID, PartnerID: c.PartnerID, AdvertiserID: c.AdvertiserID, Currency: c.Currency,
		Amount: pactum.FormatAmount(c.Amount, c.Currency), From: c.From.Format(pactum.DateLayout),
		To: c.To.Format(pactum.DateLayout), Note: c.Note, CreatedAt: c.CreatedAt.UTC()}
}

func (a *API) createCost(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	var in program.CostInput
	if err := decode(r, &in); err != nil {
		return err
	}
	cost, err := a.program.AddCost(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, costView(cost))
	return nil
}

func (a *API) listCosts(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	costs, err := a.program.Costs(r.Context(), c, id)
	if err != nil {
		return err
	}
	out := list[costJSON]{Data: []costJSON{}}
	for _, cost := range costs {
		out.Data = append(out.Data, costView(cost))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// liveStream answers GET /api/v1/stream: server-sent events of clicks, conversions and changes
// of commissions as they are stored, scoped to the caller, resumable with Last-Event-ID.
func (a *API) liveStream(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	if a.stream == nil {
		return pactum.Errorf(pactum.EUNAVAILABLE, "the live stream is not served by this process")
	}
	from, resume, err := live.ParseCursor(r.Header.Get("Last-Event-ID"))
	if err != nil {
		return err
	}
	return live.Serve(r.Context(), w, a.stream, c, from, resume)
}
