package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
)

// maxItems bounds the lines of one reported order: a basket, not a catalogue.
const maxItems = 500

var conversionStatuses = []string{
	pactum.ConversionPending, pactum.ConversionApproved, pactum.ConversionRejected,
	pactum.ConversionReversed, pactum.ConversionCapped, pactum.ConversionPaid,
}

type conversionJSON struct {
	ID           int64  `json:"id"`
	OfferID      int64  `json:"offer_id"`
	AdvertiserID int64  `json:"advertiser_id"`
	Event        string `json:"event"`
	// PartnerID is null for an unattributed conversion.
	PartnerID      *int64         `json:"partner_id"`
	ClickID        string         `json:"click_id"`
	OrderID        string         `json:"order_id"`
	Currency       string         `json:"currency"`
	Amount         string         `json:"amount"`
	Items          []lineItemJSON `json:"items"`
	Coupon         string         `json:"coupon"`
	CustomerID     string         `json:"customer_id"`
	NewCustomer    bool           `json:"new_customer"`
	Country        string         `json:"country"`
	Attribution    string         `json:"attribution"`
	Status         string         `json:"status"`
	Reason         string         `json:"reason"`
	Source         string         `json:"source"`
	Time           time.Time      `json:"time"`
	Commission     commissionJSON `json:"commission"`
	RefundedAmount string         `json:"refunded_amount"`
	Refunds        []refundJSON   `json:"refunds"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	// Duplicate is only in the answer to a POST; Error only when it stored a rejected one.
	Duplicate *bool        `json:"duplicate,omitempty"`
	Error     *errorDetail `json:"error,omitempty"`
}

type lineItemJSON struct {
	SKU              string `json:"sku"`
	Category         string `json:"category"`
	Quantity         int64  `json:"quantity"`
	UnitPrice        string `json:"unit_price"`
	Discount         string `json:"discount"`
	RefundedQuantity int64  `json:"refunded_quantity"`
}

// commissionJSON: the revenue fields are pointers so that a partner's view leaves them out
// rather than showing them empty.
type commissionJSON struct {
	Payout           string          `json:"payout"`
	Revenue          *string         `json:"revenue,omitempty"`
	PayoutBreakdown  json.RawMessage `json:"payout_breakdown"`
	RevenueBreakdown json.RawMessage `json:"revenue_breakdown,omitempty"`
	// What the partner is credited: the payout in the partner's currency at the rate of the
	// conversion's day (fx_rate null when no conversion applied), and where it is in its life.
	PartnerCurrency string     `json:"partner_currency"`
	PartnerPayout   string     `json:"partner_payout"`
	FXRate          *string    `json:"fx_rate"`
	ApproveAt       *time.Time `json:"approve_at,omitempty"`
	ApprovedAt      *time.Time `json:"approved_at"`
	PayoutID        *int64     `json:"payout_id"`
}

type refundJSON struct {
	ID            string              `json:"id,omitempty"`
	Time          time.Time           `json:"time"`
	Amount        string              `json:"amount"`
	Items         []pactum.RefundItem `json:"items"`
	PayoutBefore  string              `json:"payout_before"`
	PayoutAfter   string              `json:"payout_after"`
	RevenueBefore *string             `json:"revenue_before,omitempty"`
	RevenueAfter  *string             `json:"revenue_after,omitempty"`
}

var jsonNull = json.RawMessage("null")

// conversionView renders a conversion for c. Partners do not see revenue: what the advertiser
// pays the network is not theirs to know.
func conversionView(c caller) func(pactum.Conversion) conversionJSON {
	return func(cv pactum.Conversion) conversionJSON {
		cur := cv.Currency
		money := func(d decimal.Decimal) string { return pactum.FormatAmount(d, cur) }
		secret := func(d decimal.Decimal) *string {
			if c.partner() {
				return nil
			}
			s := money(d)
			return &s
		}
		out := conversionJSON{
			ID: cv.ID, OfferID: cv.OfferID, AdvertiserID: cv.AdvertiserID, Event: cv.Event, PartnerID: idOrNull(cv.PartnerID),
			ClickID: cv.ClickID, OrderID: cv.OrderID, Currency: cur, Amount: money(cv.Amount),
			Items:  make([]lineItemJSON, 0, len(cv.Items)),
			Coupon: cv.Coupon, CustomerID: cv.CustomerID, NewCustomer: cv.NewCustomer, Country: cv.Country,
			Attribution: cv.Attribution, Status: cv.Status, Reason: cv.Reason, Source: cv.Source, Time: cv.Time.UTC(),
			Commission: commissionJSON{
				Payout: money(cv.Payout), Revenue: secret(cv.Revenue),
				PayoutBreakdown: orNull(cv.PayoutBreakdown), RevenueBreakdown: orNull(cv.RevenueBreakdown),
				PartnerCurrency: ledgerCurrency(cv), PartnerPayout: pactum.FormatAmount(pactum.LedgerAmount(&cv), ledgerCurrency(cv)),
				FXRate: fxRate(cv), ApproveAt: timeOrNull(cv.ApproveAt), ApprovedAt: timeOrNull(cv.ApprovedAt),
				PayoutID: idOrNull(cv.PayoutID),
			},
			RefundedAmount: money(cv.RefundedAmount),
			Refunds:        make([]refundJSON, 0, len(cv.Refunds)),
			CreatedAt:      cv.CreatedAt.UTC(), UpdatedAt: cv.UpdatedAt.UTC(),
		}
		if c.partner() {
			out.Commission.RevenueBreakdown = nil
		}
		for _, it := range cv.Items {
			out.Items = append(out.Items, lineItemJSON{SKU: it.SKU, Category: it.Category, Quantity: it.Quantity,
				UnitPrice: money(it.UnitPrice), Discount: money(it.Discount), RefundedQuantity: it.RefundedQuantity})
		}
		for _, r := range cv.Refunds {
			items := r.Items
			if items == nil {
				items = []pactum.RefundItem{}
			}
			out.Refunds = append(out.Refunds, refundJSON{ID: r.ID, Time: r.Time.UTC(), Amount: money(r.Amount), Items: items,
				PayoutBefore: money(r.PayoutBefore), PayoutAfter: money(r.PayoutAfter),
				RevenueBefore: secret(r.RevenueBefore), RevenueAfter: secret(r.RevenueAfter)})
		}
		return out
	}
}

func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return jsonNull
	}
	return raw
}

// conversionInput is the body of POST /api/v1/conversions (SPEC section 4). Amounts are
// strings, as money is in JSON.
type conversionInput struct {
	OfferID     int64           `json:"offer_id"`
	Event       string          `json:"event"`
	OrderID     string          `json:"order_id"`
	Currency    string          `json:"currency"`
	Amount      *string         `json:"amount"`
	ClickID     string          `json:"click_id"`
	Coupon      string          `json:"coupon"`
	CustomerID  string          `json:"customer_id"`
	NewCustomer bool            `json:"new_customer"`
	Country     string          `json:"country"`
	Status      string          `json:"status"`
	Items       []lineItemInput `json:"items"`
}

type lineItemInput struct {
	SKU       string  `json:"sku"`
	Category  string  `json:"category"`
	Quantity  int64   `json:"quantity"`
	UnitPrice *string `json:"unit_price"`
	Discount  *string `json:"discount"`
}

// toInput checks what the API can check alone (the form of each field) and leaves the rest
// (offer, event, currency, amounts against items, click id) to the pipeline, which names the
// field of anything it refuses.
func (in conversionInput) toInput() (pactum.ConversionInput, error) {
	out := pactum.ConversionInput{
		OfferID: in.OfferID, Event: in.Event, OrderID: in.OrderID, Currency: in.Currency, ClickID: in.ClickID,
		Coupon: in.Coupon, CustomerID: in.CustomerID, NewCustomer: in.NewCustomer, Country: in.Country,
		Source: pactum.SourceAPI,
	}
	if in.OfferID < 0 {
		return out, pactum.FieldError("offer_id", "must be a positive id")
	}
	for _, f := range []struct{ name, value string }{
		{"event", in.Event}, {"order_id", in.OrderID}, {"currency", in.Currency}, {"click_id", in.ClickID},
		{"coupon", in.Coupon}, {"customer_id", in.CustomerID},
	} {
		if err := checkText(f.name, f.value); err != nil {
			return out, err
		}
	}
	switch in.Status {
	case "", pactum.ConversionPending:
	case pactum.ConversionApproved, pactum.ConversionRejected:
		out.Status = in.Status
	default:
		return out, checkOneOf("status", in.Status, pactum.ConversionPending, pactum.ConversionApproved, pactum.ConversionRejected)
	}
	if in.Amount != nil {
		amount, err := pactum.ParseDecimal(*in.Amount, "amount")
		if err != nil {
			return out, err
		}
		out.Amount, out.AmountGiven = amount, true
	}
	if len(in.Items) > maxItems {
		return out, pactum.FieldError("items", "must list at most %d items", maxItems)
	}
	for i, it := range in.Items {
		field := fmt.Sprintf("items[%d]", i)
		li := pactum.LineItem{SKU: it.SKU, Category: it.Category, Quantity: it.Quantity}
		if err := checkText(field+".sku", it.SKU); err != nil {
			return out, err
		}
		if err := checkText(field+".category", it.Category); err != nil {
			return out, err
		}
		if it.UnitPrice == nil {
			return out, pactum.FieldError(field+".unit_price", "is required")
		}
		var err error
		if li.UnitPrice, err = pactum.ParseDecimal(*it.UnitPrice, field+".unit_price"); err != nil {
			return out, err
		}
		if it.Discount != nil {
			if li.Discount, err = pactum.ParseDecimal(*it.Discount, field+".discount"); err != nil {
				return out, err
			}
		}
		out.Items = append(out.Items, li)
	}
	return out, nil
}

// createConversion reports a conversion through the pipeline, as a shop's server would with a
// postback, but with line items. An advertiser key reports for its own offers only: the pipeline
// refuses (403) an offer of another advertiser.
func (a *API) createConversion(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("report conversions", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	if a.conversions == nil {
		return pactum.Errorf(pactum.EUNAVAILABLE, "conversion intake is not running")
	}
	var body conversionInput
	if err := decode(r, &body); err != nil {
		return err
	}
	in, err := body.toInput()
	if err != nil {
		return err
	}
	in.AdvertiserID = c.advertiserID
	in.Time = a.now().UTC()
	res, err := a.conversions.Submit(r.Context(), in)
	if errors.Is(err, pactum.ErrQueued) {
		writeJSON(w, http.StatusAccepted, queuedBody{
			Status:  "queued",
			Message: "the conversion is recorded and will be processed shortly; list conversions to see its result",
		})
		return nil
	} else if err != nil {
		return err
	}
	out := conversionView(c)(res.Conversion)
	out.Duplicate = &res.Duplicate
	status := http.StatusCreated
	switch {
	case res.Duplicate:
		status = http.StatusOK
	case res.Conversion.Status == pactum.ConversionRejected && res.Conversion.Reason != pactum.ReasonAdvertiserDenied:
		// Stored, so that the advertiser and the partner can see what was refused and why, but
		// not accepted: a client must not take it for a sale that will be paid.
		status = http.StatusUnprocessableEntity
		out.Error = &errorDetail{Code: pactum.EREJECTED, Message: rejectedMessage(res.Conversion.Reason)}
	default:
		w.Header().Set("Location", "/api/v1/conversions/"+strconv.FormatInt(res.Conversion.ID, 10))
	}
	writeJSON(w, status, out)
	return nil
}

// queuedBody is the answer when the conversion is durable but no processor answered in time.
type queuedBody struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

func ledgerCurrency(cv pactum.Conversion) string {
	if cv.LedgerCurrency == "" {
		return cv.Currency
	}
	return cv.LedgerCurrency
}

func fxRate(cv pactum.Conversion) *string {
	if cv.FXRate.IsZero() {
		return nil
	}
	s := cv.FXRate.String()
	return &s
}

func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// rejectedMessage says in words why the pipeline rejected a conversion.
func rejectedMessage(reason string) string {
	switch reason {
	case pactum.ReasonTooFast:
		return "rejected as fraud: the conversion came sooner after its click than the offer's min_conversion_seconds"
	case pactum.ReasonWindowExpired:
		return "rejected: the conversion came after the offer's attribution window"
	case pactum.ReasonPartnerInactive:
		return "rejected: the partner of the click is not active"
	}
	return "rejected: " + reason
}

// conversionFilter reads the filters of /conversions and /conversions/count and narrows them to
// what c may see. ok is false when the caller asked for someone else's conversions.
func conversionFilter(r *http.Request, c caller) (f pactum.ConversionFilter, ok bool, err error) {
	q := r.URL.Query()
	o, ok, err := readOwners(r, c)
	if err != nil || !ok {
		return f, ok, err
	}
	f.OfferID, f.PartnerID, f.AdvertiserID = o.offerID, o.partnerID, o.advertiserID
	f.Event = q.Get("event")
	if f.Status = q.Get("status"); f.Status != "" {
		if err := checkOneOf("status", f.Status, conversionStatuses...); err != nil {
			return f, false, err
		}
	}
	if f.From, f.To, err = timeRange(r); err != nil {
		return f, false, err
	}
	return f, true, nil
}

func (a *API) listConversions(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	f, ok, err := conversionFilter(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.Conversion(nil), "", conversionView(c))
	}
	fetch := func(pg pactum.Page) ([]pactum.Conversion, error) { return a.store.ListConversions(r.Context(), f, pg) }
	items, next, err := collect(p, fetch, func(cv pactum.Conversion) int64 { return cv.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, conversionView(c))
}

func (a *API) countConversions(w http.ResponseWriter, r *http.Request, c caller) error {
	f, ok, err := conversionFilter(r, c)
	if err != nil {
		return err
	}
	var n int64
	if ok {
		if n, err = a.store.CountConversions(r.Context(), f); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Count int64 `json:"count"`
	}{n})
	return nil
}

// canSeeConversion reports whether c may read cv: an advertiser those of its offers, a partner
// those attributed to it.
func canSeeConversion(c caller, cv pactum.Conversion) bool {
	switch {
	case c.admin():
		return true
	case c.advertiser():
		return cv.AdvertiserID == c.advertiserID
	case c.partner():
		return cv.PartnerID != 0 && cv.PartnerID == c.partnerID
	}
	return false
}

// conversionFor loads the conversion of the path if c may see it.
func (a *API) conversionFor(r *http.Request, c caller) (pactum.Conversion, error) {
	id, err := pathID(r, "conversion")
	if err != nil {
		return pactum.Conversion{}, err
	}
	cv, err := a.store.Conversion(r.Context(), id)
	if err != nil {
		return cv, orNotFound(err, "conversion", id)
	}
	if !canSeeConversion(c, cv) {
		return pactum.Conversion{}, notFound("conversion", id)
	}
	return cv, nil
}

func (a *API) getConversion(w http.ResponseWriter, r *http.Request, c caller) error {
	cv, err := a.conversionFor(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, conversionView(c)(cv))
	return nil
}

// changeConversion applies change to the conversion of the path, for admins and the offer's
// advertiser, in one store transaction, and answers the conversion as it is after.
func (a *API) changeConversion(w http.ResponseWriter, r *http.Request, c caller, action string, body any, change func(*pactum.Conversion, time.Time) error) error {
	if err := c.allow(action, pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	cv, err := a.conversionFor(r, c)
	if err != nil {
		return err
	}
	if err := decodeOptional(r, body); err != nil {
		return err
	}
	now := a.now().UTC()
	out, err := a.store.UpdateConversion(r.Context(), cv.ID, func(x *pactum.Conversion) error {
		if !canSeeConversion(c, *x) {
			return notFound("conversion", cv.ID)
		}
		return change(x, now)
	})
	if err != nil {
		return orNotFound(err, "conversion", cv.ID)
	}
	writeJSON(w, http.StatusOK, conversionView(c)(out))
	return nil
}

// decodeOptional is decode for bodies that may be left out (approve): no body is an empty one.
func decodeOptional(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return pactum.Errorf(pactum.EINVALID, "request body is larger than %d bytes", tooBig.Limit)
	} else if err != nil {
		return pactum.Errorf(pactum.EINVALID, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return decode(r, v)
}

type refundInput struct {
	Items  *[]pactum.RefundItem `json:"items"`
	Amount *string              `json:"amount"`
	// RefundID names the refund so that sending it again changes nothing.
	RefundID *string `json:"refund_id"`
}

func (a *API) refundConversion(w http.ResponseWriter, r *http.Request, c caller) error {
	var in refundInput
	return a.changeConversion(w, r, c, "refund conversions", &in, func(cv *pactum.Conversion, now time.Time) error {
		if in.RefundID == nil {
			return refund(cv, in, now)
		}
		id := strings.TrimSpace(*in.RefundID)
		if id == "" {
			return pactum.FieldError("refund_id", "must not be empty; leave it out to refund without one")
		}
		if err := checkText("refund_id", id); err != nil {
			return err
		}
		for _, done := range cv.Refunds {
			if done.ID == id {
				return nil // already applied: answer the conversion as it is
			}
		}
		if err := refund(cv, in, now); err != nil {
			return err
		}
		cv.Refunds[len(cv.Refunds)-1].ID = id
		return nil
	})
}

// refund applies the refund in to cv: by items or by amount.
func refund(cv *pactum.Conversion, in refundInput, now time.Time) error {
	switch {
	case in.Items != nil && in.Amount != nil:
		return pactum.FieldError("amount", "send either items or an amount, not both")
	case in.Amount != nil:
		amount, err := pactum.ParseDecimal(strings.TrimSpace(*in.Amount), "amount")
		if err != nil {
			return err
		}
		return commission.Refund(cv, nil, amount, true, now)
	case in.Items != nil:
		return commission.Refund(cv, *in.Items, decimal.Zero, false, now)
	}
	return pactum.FieldError("items", "send the refunded items as [{\"sku\",\"quantity\"}], or an amount")
}

func (a *API) approveConversion(w http.ResponseWriter, r *http.Request, c caller) error {
	var in struct{}
	return a.changeConversion(w, r, c, "approve conversions", &in, commission.Approve)
}

type rejectInput struct {
	Reason string `json:"reason"`
}

func (a *API) rejectConversion(w http.ResponseWriter, r *http.Request, c caller) error {
	var in rejectInput
	return a.changeConversion(w, r, c, "reject conversions", &in, func(cv *pactum.Conversion, now time.Time) error {
		if err := checkText("reason", in.Reason); err != nil {
			return err
		}
		return commission.Reject(cv, in.Reason, now)
	})
}
