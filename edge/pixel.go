package edge

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
)

// servePixel answers a conversion pixel on the shop's thank-you page: the native /pixel, TUNE's
// /aff_l and /aff_goal?a=l. It carries no token: its proof is the signed click id, from the
// first-party click cookie the click set (pc_{offer_id}) or from a click_id parameter that
// sdk.js sends for direct links. It answers the 1x1 GIF, with the status saying what happened.
func (e *Edge) servePixel(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// GET patterns match HEAD too, and a HEAD (a link checker) must not report a conversion.
		w.Header()["Allow"] = pixelMethods
		writeGIFStatus(w, http.StatusMethodNotAllowed, pactum.Errorf(pactum.EINVALID, "use GET"))
		return
	}
	if e.inFlight.Add(1) > e.maxInFlight {
		e.inFlight.Add(-1)
		writeGIFStatus(w, http.StatusServiceUnavailable, pactum.Errorf(pactum.EUNAVAILABLE, "busy"))
		return
	}
	defer e.inFlight.Add(-1)

	// Only the query: a pixel is an image, fetched with GET.
	var f form
	f.parse(r.URL.RawQuery)
	in, err := readConversion(&f, true)
	if err != nil {
		writeGIFStatus(w, http.StatusBadRequest, err)
		return
	}
	if in.ClickID == "" && in.OfferID != 0 {
		if c, err := r.Cookie(CookieName(in.OfferID)); err == nil {
			// Taken as it is: the signature check below refuses anything the click did not set.
			in.ClickID = c.Value
		}
	}
	if in.ClickID == "" {
		// Without a click id a pixel proves nothing: anyone could report sales for any offer.
		writeGIFStatus(w, http.StatusBadRequest, pactum.FieldError("click_id", "no click id: neither a click_id parameter nor a click cookie for the offer"))
		return
	}
	if _, err := e.cfg.Signer.Parse(in.ClickID); err != nil {
		// Checked here too so that forged ids cost the pipeline nothing.
		writeGIFStatus(w, http.StatusBadRequest, err)
		return
	}
	in.Source = pactum.SourcePixel
	in.Time = e.cfg.Now()
	res, err := e.cfg.Conversions.Submit(r.Context(), in)
	if err != nil {
		status, err := e.conversionError(r.Context(), err)
		writeGIFStatus(w, status, err)
		return
	}
	status := answer.ConversionStatus(res, http.StatusOK)
	if status != http.StatusOK {
		w.Header()["X-Pactum-Reason"] = []string{cleanText(res.Conversion.Reason, maxParamLen)}
		writeGIFStatus(w, status, pactum.Errorf(pactum.EREJECTED, "rejected"))
		return
	}
	writeGIFStatus(w, status, nil)
}
