package edge

import (
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
)

// The answers of the conversion intakes (the contract's "Answers"): the conversion as JSON,
// 200 when it was created or was a duplicate, 422 when it was stored but rejected, and the SPEC's
// error shape for everything else. The JSON is written by hand: seven fields do not need
// reflection on a path that takes thousands of postbacks a second.

var (
	postbackMethods = []string{"GET, POST"}
	pixelMethods    = []string{"GET"}
)

func writeResult(w http.ResponseWriter, res pactum.ConversionResult) {
	c := &res.Conversion
	status := answer.ConversionStatus(res, http.StatusOK)
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
		b = pactum.AppendJSONString(b, answer.RejectedMessage(c.Reason))
		b = append(b, `,"field":""}`...)
	}
	b = append(b, "}\n"...)
	answer.WriteJSON(w, status, b)
}

// queuedMessage explains a 202: the conversion is durable, and no processor answered in time.
const queuedMessage = "the conversion is recorded and will be processed shortly; its result will show in the API"

// writeQueued answers a conversion that the log holds but no processor has answered for yet.
func writeQueued(w http.ResponseWriter) {
	b := make([]byte, 0, 160)
	b = append(b, `{"status":"queued","message":`...)
	b = pactum.AppendJSONString(b, queuedMessage)
	b = append(b, "}\n"...)
	answer.WriteJSON(w, http.StatusAccepted, b)
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
