package edge

import (
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
)

// The answers of the conversion intakes (the contract's "Answers"): the conversion as JSON,
// 200 when it was created or was a duplicate, 422 when it was stored but rejected, and the SPEC's
// error shape for everything else. The JSON is written by hand: seven fields do not need
// reflection on a path that takes thousands of postbacks a second.

var (
	jsonType        = []string{"application/json"}
	postbackMethods = []string{"GET, POST"}
	pixelMethods    = []string{"GET"}
	bearerChallenge = []string{`Bearer realm="pactum"`}
)

// resultStatus is the HTTP status that tells what happened to a conversion: one that Pactum
// rejected never answers 200, not even when this report was a duplicate of it. A conversion the
// advertiser itself reported as declined was recorded as asked: that is a success.
func resultStatus(c *pactum.Conversion) int {
	if c.Status == pactum.ConversionRejected && c.Reason != pactum.ReasonAdvertiserDenied {
		return http.StatusUnprocessableEntity
	}
	return http.StatusOK
}

func writeResult(w http.ResponseWriter, res pactum.ConversionResult) {
	c := &res.Conversion
	status := resultStatus(c)
	b := make([]byte, 0, 256)
	b = append(b, `{"conversion_id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"status":`...)
	b = pactum.AppendJSONString(b, c.Status)
	b = append(b, `,"attribution":`...)
	b = pactum.AppendJSONString(b, c.Attribution)
	b = append(b, `,"partner_id":`...)
	if c.PartnerID == 0 {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, c.PartnerID, 10)
	}
	b = append(b, `,"payout":`...)
	b = pactum.AppendJSONString(b, pactum.FormatAmount(c.Payout, c.Currency))
	b = append(b, `,"currency":`...)
	b = pactum.AppendJSONString(b, c.Currency)
	b = append(b, `,"duplicate":`...)
	b = strconv.AppendBool(b, res.Duplicate)
	if status != http.StatusOK {
		b = append(b, `,"reason":`...)
		b = pactum.AppendJSONString(b, c.Reason)
		b = append(b, `,"error":{"code":"`+pactum.EREJECTED+`","message":`...)
		msg := "the conversion was stored as rejected"
		if c.Reason != "" {
			msg += ": " + c.Reason
		}
		b = pactum.AppendJSONString(b, msg)
		b = append(b, `,"field":""}`...)
	}
	b = append(b, "}\n"...)
	writeJSONBytes(w, status, b)
}

// queuedMessage explains a 202: the conversion is durable, and no processor answered in time.
const queuedMessage = "the conversion is recorded and will be processed shortly; its result will show in the API"

// writeQueued answers a conversion that the log holds but no processor has answered for yet.
func writeQueued(w http.ResponseWriter) {
	b := make([]byte, 0, 160)
	b = append(b, `{"status":"queued","message":`...)
	b = pactum.AppendJSONString(b, queuedMessage)
	b = append(b, "}\n"...)
	writeJSONBytes(w, http.StatusAccepted, b)
}

// writeError answers err, an *pactum.Error or one already made safe to show, in the SPEC's
// shape: {"error":{"code":...,"message":...,"field":...}}.
func writeError(w http.ResponseWriter, status int, err error) {
	b := make([]byte, 0, 160)
	b = append(b, `{"error":{"code":`...)
	b = pactum.AppendJSONString(b, pactum.ErrorCode(err))
	b = append(b, `,"message":`...)
	b = pactum.AppendJSONString(b, pactum.ErrorMessage(err))
	if f := pactum.ErrorField(err); f != "" {
		b = append(b, `,"field":`...)
		b = pactum.AppendJSONString(b, f)
	}
	b = append(b, "}}\n"...)
	h := w.Header()
	switch status {
	case http.StatusUnauthorized:
		h["Www-Authenticate"] = bearerChallenge // the canonical form of WWW-Authenticate
	case http.StatusServiceUnavailable:
		h["Retry-After"] = retryAfter
	}
	writeJSONBytes(w, status, b)
}

func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = jsonType
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck // the caller has gone; nothing to do
}

// writeGIFStatus answers a pixel: the 1x1 GIF whatever happened, so that a page never shows a
// broken image, with the status saying what happened and, for an error, its code and field in a
// header (never its message, which may quote the request).
func writeGIFStatus(w http.ResponseWriter, status int, err error) {
	h := w.Header()
	h["Content-Type"] = gifType
	h["Content-Length"] = gifLength
	h["Cache-Control"] = noStore
	if err != nil {
		v := pactum.ErrorCode(err)
		if f := pactum.ErrorField(err); f != "" {
			v += "; field=" + f
		}
		h["X-Pactum-Error"] = []string{cleanText(v, maxParamLen)}
		if status == http.StatusServiceUnavailable {
			h["Retry-After"] = retryAfter
		}
	}
	w.WriteHeader(status)
	w.Write(pixelGIF) //nolint:errcheck // the visitor has gone; nothing to do
}
