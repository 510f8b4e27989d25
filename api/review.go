package api

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/program"
)

// listReview answers the review queue: conversions held for review, filtered and paged as
// conversions are (docs/fraud.md).
func (a *API) listReview(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	var q program.ConversionQuery
	if q.Owners, err = queryOwners(r); err != nil {
		return err
	}
	q.Event, q.Reason = r.URL.Query().Get("event"), r.URL.Query().Get("reason")
	if q.From, q.To, err = timeRange(r); err != nil {
		return err
	}
	page, err := a.program.ReviewQueue(r.Context(), c, q, p)
	return answerList(w, page, err, conversionView(c))
}

// decisionResultJSON is what one decision of a bulk request did: the conversion after it, or
// the error that stopped it (as the API answers errors).
type decisionResultJSON struct {
	ID         int64           `json:"id"`
	Status     int             `json:"status"`
	Conversion *conversionJSON `json:"conversion,omitempty"`
	Error      *errorDetail    `json:"error,omitempty"`
}

// errorDetail is an error as the API's error body holds it.
type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// decideReview takes decisions on held conversions in bulk: 200 with one result per decision,
// in order, each with the status its own request would have had.
func (a *API) decideReview(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in struct {
		Decisions []program.ReviewDecision `json:"decisions"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	outcomes, err := a.program.DecideReview(r.Context(), c, in.Decisions)
	if err != nil {
		return err
	}
	view := conversionView(c)
	out := struct {
		Results []decisionResultJSON `json:"results"`
	}{Results: make([]decisionResultJSON, len(outcomes))}
	for i, o := range outcomes {
		res := decisionResultJSON{ID: o.ID, Status: http.StatusOK}
		if o.Err != nil {
			f := answer.Of(r.Context(), o.Err)
			if f.Internal {
				a.logger.ErrorContext(r.Context(), "api: a review decision failed", "conversion", o.ID, "err", o.Err)
			}
			res.Status = f.Status
			res.Error = &errorDetail{Code: pactum.ErrorCode(f.Err), Message: pactum.ErrorMessage(f.Err), Field: pactum.ErrorField(f.Err)}
		} else {
			cv := view(o.Conversion)
			res.Conversion = &cv
		}
		out.Results[i] = res
	}
	return ok(w, out, nil)
}

// fraudScore answers a partner's fraud score over the last 45 days with its signals.
func (a *API) fraudScore(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	score, err := a.reports.FraudScore(r.Context(), c, id)
	return ok(w, score, err)
}
