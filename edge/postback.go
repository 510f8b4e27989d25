package edge

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/clickid"
)

// Submitter takes a conversion that an intake read and answers what became of it, once it is
// durable (conversion.Pipeline satisfies it). Problems with the conversion itself are
// *pactum.Errors naming the field; EUNAVAILABLE when it could not be made durable.
type Submitter interface {
	Submit(ctx context.Context, in pactum.ConversionInput) (pactum.ConversionResult, error)
}

// maxPostbackBody bounds a POSTed form: a postback is a handful of short fields.
const maxPostbackBody = 64 << 10

// registerConversions adds the conversion intakes of SPEC section 3 to mux: the native postback
// and pixel, the incumbents' postback URLs and pixel, and the direct-linking script. Postbacks
// are server to server and accept GET and POST; pixels are images, GET only.
func (e *Edge) registerConversions(mux *http.ServeMux) {
	for _, path := range []string{"/postback", "/aff_lsr", "/acquisition"} {
		mux.HandleFunc("GET "+path, e.servePostback)
		mux.HandleFunc("POST "+path, e.servePostback)
	}
	// TUNE's goal URL is a server postback with a=lsr and a pixel with a=l.
	goal := func(w http.ResponseWriter, r *http.Request) {
		switch a := r.URL.Query()["a"]; {
		case len(a) > 1:
			// Pixel or postback: the edge would have to guess which.
			answer.WriteError(w, http.StatusBadRequest, pactum.FieldError("a", "is given more than once: give it once"))
		case len(a) == 1 && a[0] == "l":
			e.servePixel(w, r)
		default:
			e.servePostback(w, r)
		}
	}
	mux.HandleFunc("GET /aff_goal", goal)
	mux.HandleFunc("POST /aff_goal", goal)
	mux.HandleFunc("GET /pixel", e.servePixel)
	mux.HandleFunc("GET /aff_l", e.servePixel)
	mux.HandleFunc("GET /sdk.js", serveSDK)
}

// servePostback answers a server-to-server conversion report under any of the names of SPEC
// section 3: authenticated by the advertiser's token or allow-listed address, then submitted.
func (e *Edge) servePostback(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// GET patterns match HEAD too, and a HEAD must not report a conversion.
		w.Header()["Allow"] = postbackMethods
		answer.WriteError(w, http.StatusMethodNotAllowed, pactum.Errorf(pactum.EINVALID, "use GET or POST"))
		return
	}
	if e.inFlight.Add(1) > e.maxInFlight {
		e.inFlight.Add(-1)
		unavailable(w)
		return
	}
	defer e.inFlight.Add(-1)

	var f form
	f.parse(r.URL.RawQuery)
	if r.Method == http.MethodPost && isFormBody(r.Header.Get("Content-Type")) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPostbackBody))
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			answer.WriteError(w, http.StatusBadRequest, pactum.Errorf(pactum.EINVALID, "the request body is larger than 64 KiB"))
			return
		} else if err != nil {
			answer.WriteError(w, http.StatusBadRequest, pactum.Errorf(pactum.EINVALID, "the request body could not be read"))
			return
		}
		f.parse(string(body))
	}
	in, badInput := readConversion(&f, false)
	in.Source = pactum.SourcePostback
	adv, err := e.authenticate(r, &f, in)
	if err != nil {
		e.answerError(w, r, err)
		return
	}
	if badInput != nil {
		e.answerError(w, r, badInput)
		return
	}
	in.AdvertiserID = adv
	in.Time = e.cfg.Now()
	res, err := e.cfg.Conversions.Submit(r.Context(), in)
	if err != nil {
		e.answerError(w, r, err)
		return
	}
	writeResult(w, res)
}

// Parameter names of each field: the native name, then the incumbents' (SPEC section 3).
// transaction_id is the click id for both TUNE and Everflow. A field given under two of its
// names must have one value (form.value).
var (
	clickIDNames = []string{"click_id", "clickid", "transaction_id"}
	amountNames  = []string{"amount", "sum", "sale_amount"}
	orderIDNames = []string{"order_id", "adv_sub", "action_id", "txn_id"}
	couponNames  = []string{"coupon", "coupon_code"}
	tokenNames   = []string{"token", "security_token", "secure"}
	// eventNames: the event by name, or the incumbents' goal, by number or by name.
	eventNames = []string{"event", "goal_id", "event_id", "goal", "goal_value"}
)

// readConversion reads a conversion from a form under any of the names above. Unknown
// parameters are ignored. A pixel (pixel true) is unauthenticated, so it may not set a status or
// a country, nor name a customer or a coupon. Values are taken as sent, never trimmed, cleaned
// or cut: an order id that lost a byte could merge two orders, so what the edge would have to
// change is refused, naming the parameter (form.value). Identifiers are bounded by
// pactum.MaxID characters, as the API bounds them. The input comes back even with an error,
// the first found, so that the request can be authenticated before it is told what is wrong
// with it.
func readConversion(f *form, pixel bool) (pactum.ConversionInput, error) {
	var in pactum.ConversionInput
	var errs error
	text := func(names ...string) (string, string) {
		name, v, err := f.value(pactum.MaxID, names...)
		if err != nil && errs == nil {
			errs = err
		}
		return name, v
	}
	fail := func(err error) {
		if errs == nil {
			errs = err
		}
	}

	_, in.ClickID = text(clickIDNames...)
	if name, v := text("offer_id"); v != "" {
		if in.OfferID = parseID(v); in.OfferID == 0 {
			fail(pactum.FieldError(name, "must be a positive integer"))
		}
	}
	if name, v := text(eventNames...); name == "event" {
		in.Event = v
	} else if v != "" {
		// The incumbents number their goals; a name is taken too.
		if id := parseID(v); id > 0 {
			in.EventID = id
		} else {
			in.Event = v
		}
	}
	if name, v := text(amountNames...); v != "" {
		d, err := pactum.ParseDecimal(v, name)
		switch {
		case err != nil:
			fail(err)
		case d.IsNegative():
			fail(pactum.FieldError(name, "must not be negative"))
		default:
			in.Amount, in.AmountGiven = d, true
		}
	}
	_, in.Currency = text("currency")
	in.Currency = strings.ToUpper(in.Currency)
	_, in.OrderID = text(orderIDNames...)
	if pixel {
		return in, errs
	}
	_, in.Coupon = text(couponNames...)
	_, in.CustomerID = text("customer_id")
	if name, v := text("country"); v != "" {
		// Checked here as the pipeline checks it, so that the answer is the same either way.
		if pactum.CountryCode(v) == "" && !strings.EqualFold(v, "XX") {
			fail(pactum.FieldError(name, "%q is not a country code such as \"DE\" (ISO 3166-1 alpha-2)", v))
		}
		in.Country = v
	}
	if name, v := text("new_customer"); v != "" {
		switch strings.ToLower(v) {
		case "1", "true", "yes", "y":
			in.NewCustomer = true
		case "0", "false", "no", "n":
		default:
			fail(pactum.FieldError(name, "must be 1 or 0"))
		}
	}
	if name, v := text("status"); v != "" {
		var ok bool
		if in.Status, ok = advertiserStatus(v); !ok {
			fail(pactum.FieldError(name, "must be approved, pending or rejected (or Affise's 1, 2, 3, 5)"))
		}
	}
	return in, errs
}

// advertiserStatus maps the status a postback asks for to ConversionInput.Status: native names
// and Affise's numbers (1 approved, 2 pending, 3 declined, 5 hold).
func advertiserStatus(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "pending", "2", "5", "hold":
		return "", true
	case "approved", "1":
		return pactum.ConversionApproved, true
	case "rejected", "3", "declined":
		return pactum.ConversionRejected, true
	}
	return "", false
}

// authenticate returns the advertiser a postback comes from: the one whose postback token it
// carries, else the one that owns its offer if the request comes from an address on that
// advertiser's allow-list. Whether that advertiser owns the conversion's offer is the
// Submitter's to check (a 403). The token is never logged nor echoed.
func (e *Edge) authenticate(r *http.Request, f *form, in pactum.ConversionInput) (int64, error) {
	ctx := r.Context()
	token := bearer(r.Header.Get("Authorization"))
	if token == "" {
		var err error
		if _, token, err = f.value(pactum.MaxText, tokenNames...); err != nil {
			// A token given twice, or two different ones, is no proof of anything.
			return 0, err
		}
	}
	if token != "" {
		a, err := e.advertisers.byPostbackToken(ctx, token)
		if pactum.ErrorCode(err) == pactum.ENOTFOUND {
			return 0, &pactum.Error{Code: pactum.EUNAUTHORIZED, Field: "token", Message: "the postback token is not valid"}
		} else if err != nil {
			return 0, err
		}
		return a.id, nil
	}

	denied := &pactum.Error{Code: pactum.EUNAUTHORIZED, Field: "token",
		Message: "a postback token is required (parameter token or header Authorization: Bearer), unless the request comes from an address the advertiser allow-listed"}
	ip, _ := e.clientIP(r)
	if !ip.IsValid() {
		return 0, denied
	}
	// The signed click id names the offer best; offer_id is for conversions without a click.
	offerID := in.OfferID
	if id := clickOffer(e.cfg.Signer, in.ClickID); id != 0 {
		offerID = id
	}
	o, err := e.offer(ctx, offerID)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return 0, denied
	} else if err != nil {
		return 0, err
	}
	a, err := e.advertisers.byID(ctx, o.AdvertiserID)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return 0, denied
	} else if err != nil {
		return 0, err
	}
	if !a.allows(ip) {
		return 0, denied
	}
	return a.id, nil
}

// bearer returns the token of an "Authorization: Bearer <token>" header, or "".
func bearer(h string) string {
	const scheme = "bearer "
	if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
		return strings.TrimSpace(h[len(scheme):])
	}
	return ""
}

// conversionError returns the status and the error to show for err (answer.Of): internal errors
// are logged, at most once a second, and shown without their text.
func (e *Edge) conversionError(ctx context.Context, err error) (int, error) {
	f := answer.Of(ctx, err)
	if f.Internal {
		e.logFailure("edge: reporting a conversion", err)
	}
	return f.Status, f.Err
}

// answerError answers a postback that failed with the SPEC's error shape, or with 202 when the
// conversion is recorded but not processed yet.
func (e *Edge) answerError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, pactum.ErrQueued) {
		writeQueued(w)
		return
	}
	status, err := e.conversionError(r.Context(), err)
	answer.WriteError(w, status, err)
}

// clickOffer returns the offer a click id names, or 0 when it is not a valid id.
func clickOffer(s *clickid.Signer, id string) int64 {
	if id == "" {
		return 0
	}
	info, err := s.Parse(id)
	if err != nil {
		return 0
	}
	return info.OfferID
}
