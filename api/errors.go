package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// errorBody is the SPEC's error shape: {"error":{"code":...,"message":...,"field":...}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers err in the SPEC's shape. Errors that are not a *pactum.Error, and internal
// ones, are logged and shown only as "internal error": their text may name tables, files or
// addresses that users have no business seeing.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	d := errorDetail{Code: pactum.ErrorCode(err), Message: pactum.ErrorMessage(err), Field: pactum.ErrorField(err)}
	status, known := statusOf[d.Code]
	switch {
	case (!known || d.Code == pactum.EINTERNAL) && errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client hung up (or half-closed its side), and the store call it started saw its
		// context end: nothing went wrong here. What the call had committed stays, so the
		// answer, if anyone reads it, says it may have been done.
		a.logger.InfoContext(r.Context(), "api: request canceled by the client", "method", r.Method, "path", r.URL.Path)
		status = http.StatusServiceUnavailable
		d = errorDetail{Code: pactum.EUNAVAILABLE, Message: "the request was canceled before it finished; it may have been carried out"}
	case !known || d.Code == pactum.EINTERNAL:
		a.logger.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		d = errorDetail{Code: pactum.EINTERNAL, Message: "internal error"}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="pactum"`)
	}
	writeJSON(w, status, errorBody{Error: d})
}

// writeJSON answers v as JSON. HTML escaping is off because answers are JSON, never HTML, and
// URLs with "&" stay readable.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own view types are encoded here, so this is a programming error.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// notFound is the answer for a missing resource and for one the caller may not see: the same
// message for both, so that the answer does not tell them apart.
func notFound(kind string, id any) error {
	return pactum.Errorf(pactum.ENOTFOUND, "%s %v not found", kind, id)
}

// denied is the answer for an action the caller's role may never take.
func denied(format string, args ...any) error {
	return pactum.Errorf(pactum.EFORBIDDEN, format, args...)
}

// orNotFound turns a store's not-found error into notFound(kind, id), so that its message is the
// one an out-of-scope resource gets.
func orNotFound(err error, kind string, id any) error {
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return notFound(kind, id)
	}
	return err
}

// isNotFound reports whether err is a not-found error.
func isNotFound(err error) bool {
	return pactum.ErrorCode(err) == pactum.ENOTFOUND
}
