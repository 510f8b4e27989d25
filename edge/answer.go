package edge

import (
	"net/http"

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
	o := pactum.NewJSONObject(make([]byte, 0, 256))
	o.Int("conversion_id", c.ID)
	o.Str("status", c.Status)
	o.Str("attribution", c.Attribution)
	if c.PartnerID == 0 {
		o.Raw("partner_id", nil)
	} else {
		o.Int("partner_id", c.PartnerID)
	}
	o.Str("payout", pactum.FormatAmount(c.Payout, c.Currency))
	o.Str("currency", c.Currency)
	o.Bool("duplicate", res.Duplicate)
	if status != http.StatusOK {
		o.Str("reason", c.Reason)
		o.Object("error", func(e *pactum.JSONObject) {
			e.Str("code", pactum.EREJECTED)
			e.Str("message", answer.RejectedMessage(c.Reason))
			e.Str("field", "")
		})
	}
	b := append(o.End(), '\n')
	answer.WriteJSON(w, status, b)
}

// queuedMessage explains a 202: the conversion is durable, and no processor answered in time.
const queuedMessage = "the conversion is recorded and will be processed shortly; its result will show in the API"

// writeQueued answers a conversion that the log holds but no processor has answered for yet.
func writeQueued(w http.ResponseWriter) {
	o := pactum.NewJSONObject(make([]byte, 0, 160))
	o.Str("status", "queued")
	o.Str("message", queuedMessage)
	answer.WriteJSON(w, http.StatusAccepted, append(o.End(), '\n'))
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
