package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/program"
)

type conversionJSON struct {
	ID           int64  `json:"id"`
	OfferID      int64  `json:"offer_id"`
	AdvertiserID int64  `json:"advertiser_id"`
	Event        string `json:"event"`
	// PartnerID is null for an unattributed conversion.
	PartnerID   *int64         `json:"partner_id"`
	ClickID     string         `json:"click_id"`
	OrderID     string         `json:"order_id"`
	Currency    string         `json:"currency"`
	Amount      string         `json:"amount"`
	Items       []lineItemJSON `json:"items"`
	Coupon      string         `json:"coupon"`
	CustomerID  string         `json:"customer_id"`
	NewCustomer bool           `json:"new_customer"`
	Country     string         `json:"country"`
	Attribution string         `json:"attribution"`
	Status      string         `json:"status"`
	Reason      string         `json:"reason"`
	// Held: pending for review, approved only by a person. Flags are the codes of every fraud
	// rule that fired; Reasons say each of them, and the decision's, in words.
	Held           bool           `json:"held"`
	Flags          []string       `json:"flags"`
	Reasons        []reasonJSON   `json:"reasons"`
	Source         string         `json:"source"`
	Time           time.Time      `json:"time"`
	Commission     commissionJSON `json:"commission"`
	RefundedAmount string         `json:"refunded_amount"`
	Refunds        []refundJSON   `json:"refunds"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	// Duplicate is only in the answer to a POST; Error only when Pactum rejected it.
	Duplicate *bool      `json:"duplicate,omitempty"`
	Error     *errorJSON `json:"error,omitempty"`
}

// reasonJSON is one reason code of a conversion or a click, in words.
type reasonJSON struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// reasons lists the codes of joined reason texts (pactum.ReasonSep), each once, in words.
func reasons(texts ...string) []reasonJSON {
	out := []reasonJSON{}
	seen := map[string]bool{}
	for _, text := range texts {
		for _, code := range splitCodes(text) {
			if !seen[code] {
				seen[code] = true
				out = append(out, reasonJSON{Code: code, Description: fraud.Describe(code)})
			}
		}
	}
	return out
}

// splitCodes splits joined reason codes; an empty text has none.
func splitCodes(text string) []string {
	if text == "" {
		return []string{}
	}
	return strings.Split(text, pactum.ReasonSep)
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type lineItemJSON struct {
	SKU              string `json:"sku"`
	Category         string `json:"category"`
	Quantity         int64  `json:"quantity"`
	UnitPrice        string `json:"unit_price"`
	Discount         string `json:"discount"`
	RefundedQuantity int64  `json:"refunded_quantity"`
}

// commissionJSON: the revenue fields are pointers so that a view without revenue leaves them out
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
	ApproveAt       *time.Time `json:"approve_at"`
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

// conversionView renders a conversion for c, without revenue for callers who may not see it.
func conversionView(c program.Caller) func(pactum.Conversion) conversionJSON {
	return func(cv pactum.Conversion) conversionJSON {
		cur := cv.Currency
		money := func(d decimal.Decimal) string { return pactum.FormatAmount(d, cur) }
		secret := func(d decimal.Decimal) *string {
			if !c.SeesRevenue() {
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
			Held: cv.Held(), Flags: splitCodes(cv.Flags), Reasons: reasons(cv.Reason, cv.Flags),
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
		if !c.SeesRevenue() {
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

// createConversion reports a conversion through the intake, as a shop's server would with a
// postback, but with line items. It answers as every intake does (answer.ConversionStatus): 201
// created, 200 a duplicate, 422 rejected (a duplicate of a rejected one too).
func (a *API) createConversion(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var body program.ConversionReport
	if err := decode(r, &body); err != nil {
		return err
	}
	in, err := body.Input()
	if err != nil {
		return err
	}
	res, err := a.program.ReportConversion(r.Context(), c, in)
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
	status := answer.ConversionStatus(res, http.StatusCreated)
	switch status {
	case http.StatusUnprocessableEntity:
		// Stored, so that the advertiser and the partner can see what was refused and why, but
		// not accepted: a client must not take it for a sale that will be paid.
		out.Error = &errorJSON{Code: pactum.EREJECTED, Message: answer.RejectedMessage(res.Conversion.Reason)}
	case http.StatusCreated:
		w.Header().Set("Location", "/api/v1/conversions/"+strconv.FormatInt(res.Conversion.ID, 10))
	}
	writeJSON(w, status, &out)
	return nil
}

// queuedBody is the answer when the conversion is durable but no processor answered in time.
type queuedBody struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// conversionQuery reads the filters of /conversions and /conversions/count.
func conversionQuery(r *http.Request) (q program.ConversionQuery, err error) {
	if q.Owners, err = queryOwners(r); err != nil {
		return q, err
	}
	q.Event, q.Status = r.URL.Query().Get("event"), r.URL.Query().Get("status")
	q.From, q.To, err = timeRange(r)
	return q, err
}

func (a *API) listConversions(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	q, err := conversionQuery(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListConversions(r.Context(), c, q, p)
	return answerList(w, page, err, conversionView(c))
}

type countJSON struct {
	Count int64 `json:"count"`
}

func (a *API) countConversions(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	q, err := conversionQuery(r)
	if err != nil {
		return err
	}
	n, err := a.program.CountConversions(r.Context(), c, q)
	return ok(w, countJSON{n}, err)
}

func (a *API) getConversion(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "conversion")
	if err != nil {
		return err
	}
	cv, err := a.program.Conversion(r.Context(), c, id)
	return ok(w, conversionView(c)(cv), err)
}

// changeConversion decodes the optional body of a refund, approval or rejection into body once
// the conversion is found, and answers what change makes of it.
func (a *API) changeConversion(w http.ResponseWriter, r *http.Request, c program.Caller, body any,
	change func(id int64) (pactum.Conversion, error)) error {
	id, err := pathID(r, "conversion")
	if err != nil {
		return err
	}
	if _, err := a.program.Conversion(r.Context(), c, id); err != nil {
		return err
	}
	if err := decodeOptional(r, body); err != nil {
		return err
	}
	cv, err := change(id)
	return ok(w, conversionView(c)(cv), err)
}

func (a *API) refundConversion(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.RefundInput
	return a.changeConversion(w, r, c, &in, func(id int64) (pactum.Conversion, error) {
		return a.program.RefundConversion(r.Context(), c, id, in)
	})
}

func (a *API) approveConversion(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in struct{}
	return a.changeConversion(w, r, c, &in, func(id int64) (pactum.Conversion, error) {
		return a.program.ApproveConversion(r.Context(), c, id)
	})
}

type rejectInput struct {
	Reason string `json:"reason"`
}

func (a *API) rejectConversion(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in rejectInput
	return a.changeConversion(w, r, c, &in, func(id int64) (pactum.Conversion, error) {
		return a.program.RejectConversion(r.Context(), c, id, in.Reason)
	})
}

// decodeOptional is decode for bodies that may be left out (approve): no body is an empty one.
func decodeOptional(r *http.Request, v any) error {
	body, err := readAll(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	return decodeBytes(body, v)
}
