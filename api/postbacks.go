package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type postbackJSON struct {
	ID        int64    `json:"id"`
	PartnerID int64    `json:"partner_id"`
	OfferID   *int64   `json:"offer_id"`
	URL       string   `json:"url"`
	Method    string   `json:"method"`
	Events    []string `json:"events"`
	// Enabled is false once the postback was turned off or failed too often; DisabledReason
	// says which, and what to do.
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabled_reason"`
	DisabledAt     *time.Time `json:"disabled_at"`
	// PreviousSecretUntil is set while a rotated-out secret still signs deliveries.
	PreviousSecretUntil *time.Time `json:"previous_secret_until"`
	// Secret is set only in the answers to the create and to a rotation.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (a *API) postbackView(p pactum.Postback) postbackJSON {
	out := postbackJSON{ID: p.ID, PartnerID: p.PartnerID, OfferID: idOrNull(p.OfferID), URL: p.URL, Method: p.Method,
		Events: nonNil(p.Events), Enabled: p.Enabled, DisabledReason: p.DisabledReason, DisabledAt: timeOrNull(p.DisabledAt),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
	if p.PreviousSecret != "" && p.PreviousUntil.After(a.program.Now()) {
		out.PreviousSecretUntil = timeOrNull(p.PreviousUntil)
	}
	return out
}

type deliveryJSON struct {
	ID           int64         `json:"id"`
	PostbackID   int64         `json:"postback_id"`
	Event        string        `json:"event"`
	ConversionID *int64        `json:"conversion_id"`
	Test         bool          `json:"test"`
	Status       string        `json:"status"`
	Attempts     int           `json:"attempts"`
	NextAttempt  *time.Time    `json:"next_attempt_at"`
	CreatedAt    time.Time     `json:"created_at"`
	FinishedAt   *time.Time    `json:"finished_at"`
	Log          []attemptJSON `json:"log"`
}

type attemptJSON struct {
	Time time.Time `json:"time"`
	// URL is what was called, with the values of secret-looking parameters masked.
	URL        string  `json:"url"`
	StatusCode *int    `json:"status_code"`
	Error      string  `json:"error"`
	LatencyMS  float64 `json:"latency_ms"`
	Answer     string  `json:"answer"`
}

func deliveryView(d pactum.PostbackDelivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, PostbackID: d.PostbackID, Event: d.Event, ConversionID: idOrNull(d.ConversionID), Test: d.Test,
		Status: d.Status, Attempts: d.Attempts, CreatedAt: d.CreatedAt.UTC(), FinishedAt: timeOrNull(d.FinishedAt),
		Log: make([]attemptJSON, 0, len(d.Log))}
	if d.Status == pactum.DeliveryPending {
		out.NextAttempt = timeOrNull(d.NextAt)
	}
	for _, at := range d.Log {
		v := attemptJSON{Time: at.Time.UTC(), URL: at.URL, Error: at.Error, Answer: at.Answer,
			LatencyMS: float64(at.Latency.Microseconds()) / 1000}
		if at.StatusCode != 0 {
			code := at.StatusCode
			v.StatusCode = &code
		}
		out.Log = append(out.Log, v)
	}
	return out
}

func (a *API) createPostback(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	partnerID, err := pathID(r, "partner")
	if err != nil {
		return err
	}
	// Found (and allowed) before the body is read, so that another partner's is a 404
	// whatever the body says.
	if _, err := a.program.Partner(r.Context(), c, partnerID); err != nil {
		return err
	}
	var in program.PostbackInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.program.CreatePostback(r.Context(), c, partnerID, in)
	if err != nil {
		return err
	}
	out := a.postbackView(p)
	out.Secret = p.Secret
	return created(w, "/api/v1/postbacks/"+strconv.FormatInt(p.ID, 10), out)
}

func (a *API) listPostbacks(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	partnerID, err := queryID(r, "partner_id")
	if r.PathValue("id") != "" {
		partnerID, err = pathID(r, "partner")
		if err == nil {
			_, err = a.program.Partner(r.Context(), c, partnerID)
		}
	}
	if err != nil {
		return err
	}
	page, err := a.program.ListPostbacks(r.Context(), c, partnerID, p)
	return answerList(w, page, err, a.postbackView)
}

func (a *API) getPostback(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "postback")
	if err != nil {
		return err
	}
	p, err := a.program.Postback(r.Context(), c, id)
	return ok(w, a.postbackView(p), err)
}

func (a *API) patchPostback(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "postback")
	if err != nil {
		return err
	}
	if _, err := a.program.Postback(r.Context(), c, id); err != nil {
		return err
	}
	var in program.PostbackInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.program.UpdatePostback(r.Context(), c, id, in)
	return ok(w, a.postbackView(p), err)
}

func (a *API) deletePostback(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "postback")
	if err != nil {
		return err
	}
	if err := a.program.DeletePostback(r.Context(), c, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) rotatePostbackSecret(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "postback")
	if err != nil {
		return err
	}
	p, err := a.program.RotatePostbackSecret(r.Context(), c, id)
	if err != nil {
		return err
	}
	out := a.postbackView(p)
	out.Secret = p.Secret
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) testPostback(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "postback")
	if err != nil {
		return err
	}
	d, err := a.program.TestPostback(r.Context(), c, id)
	return ok(w, deliveryView(d), err)
}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "postback")
	if err != nil {
		return err
	}
	p, err := readPage(r)
	if err != nil {
		return err
	}
	page, err := a.program.PostbackDeliveries(r.Context(), c, id, r.URL.Query().Get("status"), p)
	return answerList(w, page, err, deliveryView)
}
