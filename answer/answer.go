// Package answer is the one place that turns what happened into an HTTP answer, for every
// surface that answers over HTTP (the tracking edge's postbacks and pixels, the REST API, the
// web UI, shop webhooks): the status of each error code, the status of a reported conversion's
// result, and the SPEC's error body {"error":{"code":...,"message":...,"field":...}}.
//
// Surfaces differ in how they write a success; they never differ in what an error or a
// conversion's result answers.
package answer

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	pactum.EINVALID:         http.StatusBadRequest,
	pactum.EUNAUTHORIZED:    http.StatusUnauthorized,
	pactum.EFORBIDDEN:       http.StatusForbidden,
	pactum.ENOTFOUND:        http.StatusNotFound,
	pactum.ECONFLICT:        http.StatusConflict,
	pactum.EREJECTED:        http.StatusUnprocessableEntity,
	pactum.EPRECONDITION:    http.StatusUnprocessableEntity,
	pactum.ETOOMANYREQUESTS: http.StatusTooManyRequests,
	pactum.EUNAVAILABLE:     http.StatusServiceUnavailable,
	pactum.EINTERNAL:        http.StatusInternalServerError,
}

// Status returns the HTTP status of an error code; an unknown code is an internal error.
func Status(code string) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Rejected reports whether Pactum stored c as rejected (too fast after its click, outside the
// attribution window, an inactive partner). A conversion the advertiser itself reported as
// declined was recorded as asked: that is not a rejection of the report.
func Rejected(c *pactum.Conversion) bool {
	return c.Status == pactum.ConversionRejected && c.Reason != pactum.ReasonAdvertiserDenied
}

// ConversionStatus is the status of a reported conversion's answer, the same on every intake:
// 422 when Pactum rejected it, whether this report created it or repeated it (a rejected sale
// never answers 2xx, so that no client takes it for one that will be paid); 200 for a
// duplicate of one that stands; created for a new one (201 on the API, 200 on postbacks, whose
// senders expect what the incumbents answer).
func ConversionStatus(res pactum.ConversionResult, created int) int {
	switch {
	case Rejected(&res.Conversion):
		return http.StatusUnprocessableEntity
	case res.Duplicate:
		return http.StatusOK
	}
	return created
}

// RejectedMessage says in words why Pactum rejected a conversion, with the reason's code.
func RejectedMessage(reason string) string {
	switch reason {
	case pactum.ReasonTooFast:
		return "rejected as fraud (" + reason + "): the conversion came sooner after its click than the offer's min_conversion_seconds"
	case pactum.ReasonWindowExpired:
		return "rejected (" + reason + "): the conversion came after the offer's attribution window"
	case pactum.ReasonPartnerInactive:
		return "rejected (" + reason + "): the partner of the click is not active"
	case "":
		return "rejected"
	}
	return "rejected: " + reason
}

// Failure is what to answer for an error.
type Failure struct {
	Status int
	// Err is safe to show: a *pactum.Error, or an internal error reduced to "internal error".
	Err error
	// Internal is set when the error's text was hidden and must be logged.
	Internal bool
}

// Of returns what to answer for err, which a request with context ctx met. Errors that are not a
// *pactum.Error, and internal ones, are shown only as "internal error": their text may name
// tables, files or addresses that users have no business seeing. A request the client gave up
// on (its context ended) or whose work ran out of time answers 503, saying the work may have been
// done; a conversion recorded but not yet processed answers 202.
func Of(ctx context.Context, err error) Failure {
	code := pactum.ErrorCode(err)
	_, known := statusOf[code]
	switch {
	case errors.Is(err, pactum.ErrQueued):
		return Failure{Status: http.StatusAccepted, Err: err}
	case (!known || code == pactum.EINTERNAL) && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) && ctx.Err() != nil):
		return Failure{Status: http.StatusServiceUnavailable,
			Err: pactum.Errorf(pactum.EUNAVAILABLE, "the request ended before it finished; it may have been carried out: a retry with the same order_id or ids is answered as a duplicate")}
	case !known || code == pactum.EINTERNAL:
		return Failure{Status: http.StatusInternalServerError, Err: pactum.Errorf(pactum.EINTERNAL, "internal error"), Internal: true}
	}
	return Failure{Status: Status(code), Err: err}
}

var (
	jsonType        = []string{"application/json"}
	noStore         = []string{"no-store"}
	bearerChallenge = []string{`Bearer realm="pactum"`}
	retryAfter      = []string{"1"}
)

// WriteError answers err, already safe to show (see Of), with status in the SPEC's shape. The
// JSON is written by hand (pactum.JSONObject): it is on the postback path, and five fields need
// no reflection.
func WriteError(w http.ResponseWriter, status int, err error) {
	o := pactum.NewJSONObject(make([]byte, 0, 160))
	o.Object("error", func(e *pactum.JSONObject) {
		e.Str("code", pactum.ErrorCode(err))
		e.Str("message", pactum.ErrorMessage(err))
		if f := pactum.ErrorField(err); f != "" {
			e.Str("field", f)
		}
	})
	b := append(o.End(), '\n')
	h := w.Header()
	switch status {
	case http.StatusUnauthorized:
		h["Www-Authenticate"] = bearerChallenge // the canonical form of WWW-Authenticate
	case http.StatusServiceUnavailable:
		h["Retry-After"] = retryAfter
	}
	WriteJSON(w, status, b)
}

// WriteJSON answers the JSON document b with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck // the client has gone; nothing to do
}

// WriteFile answers a download: body as a file named filename, of contentType. The name is
// quoted, as the API's description gives it (filename="pactum-report.csv").
func WriteFile(w http.ResponseWriter, contentType, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	if disp == "attachment; filename="+filename {
		disp = `attachment; filename="` + filename + `"` // a token: quoting changes nothing but its looks
	}
	h.Set("Content-Disposition", disp)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body) //nolint:errcheck // the client has gone; nothing to do
}
