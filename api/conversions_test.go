package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/ingest"
	"github.com/pactum/pactum/program"
)

// apiNow is the env's clock: conversions reported through the API happen then.
var apiNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// shopEvents are offer 1's events in the conversion tests: the program of SPEC sections 4 and 5.
const shopEvents = `{"min_conversion_seconds":60,"events":[
  {"name":"purchase",
   "payout":{"default":{"percent":"8"},
     "rules":[{"id":"electronics","when":{"category":["electronics"]},"rate":{"percent":"3"}},
              {"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}],
     "bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}},
                {"id":"big-basket","when":{"order_amount_gte":"200.00"},"add":{"percent":"2"}}]},
   "revenue":{"default":{"percent":"12"}}},
  {"name":"lead","allow_repeats":true,"payout":{"default":{"fixed":"2.00"}}}]}`

// specOrder is SPEC section 4's order, with clickID's click.
func specOrder(clickID string) string {
	return `{"offer_id":1,"event":"purchase","order_id":"A-1001","currency":"EUR","amount":"249.80",
	 "click_id":"` + clickID + `","customer_id":"c-77","new_customer":true,
	 "items":[{"sku":"SHOE-9","category":"shoes","quantity":2,"unit_price":"99.90"},
	          {"sku":"SOCK-1","category":"accessories","quantity":1,"unit_price":"50.00"}]}`
}

// pipelineEnv is env with the real conversion pipeline behind POST /api/v1/conversions, wired
// as the server wires it: an event log in a temporary directory whose handler (ingest) applies
// conversions to the same SQLite store. Offer 1 runs shopEvents.
func pipelineEnv(t *testing.T) (*env, *clickid.Signer) {
	t.Helper()
	signer, err := clickid.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, func(e *env, cfg *program.Config) {
		logger := slog.New(slog.NewTextHandler(io.Discard, nil))
		// The log's handler needs the pipeline and the pipeline the log: the handler is set
		// before anything is appended, and nothing is replayed from a fresh log.
		var handle bus.Handler
		log, err := bus.OpenFileLog(ctx(), bus.FileLogConfig{
			Dir: t.TempDir(), Urgent: []byte{bus.TypeConversion}, Logger: logger,
			Handler: func(ctx context.Context, entries []bus.Entry) error { return handle(ctx, entries) },
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := log.Close(context.Background()); err != nil {
				t.Errorf("close event log: %v", err)
			}
		})
		rules := &commission.Rules{}
		p := conversion.New(conversion.Config{Store: e.store, Signer: signer, Log: log, Rules: rules, Now: cfg.Now, Logger: logger})
		handle = ingest.Handler(e.store, p, nil, logger)
		cfg.Conversions, cfg.Rules = p, rules
	})
	if status, body := e.do("PATCH", "/api/v1/offers/1", adminKey, shopEvents); status != http.StatusOK {
		t.Fatalf("set offer 1's rules: %d %v", status, body)
	}
	e.mustCreate("/api/v1/coupons", `{"code":"ANNA10","partner_id":1}`)
	e.changes.Store(0)
	return e, signer
}

// click returns a signed click id of partner on offer 1, made ago before apiNow.
func click(t *testing.T, s *clickid.Signer, partner int64, ago time.Duration) string {
	t.Helper()
	id, err := s.New(1, partner, apiNow.Add(-ago))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// runConversionSteps is runSteps for answers that carry a conversion and an error at once (the
// 422 of a stored but rejected conversion), which are not in the plain error shape.
func runConversionSteps(t *testing.T, e *env, steps []step) {
	t.Helper()
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			status, body := e.do(s.method, s.path, s.key, s.body)
			if status != s.status {
				t.Fatalf("%s %s: status %d, want %d; body %v", s.method, s.path, status, s.status, body)
			}
			if status >= 400 && status != http.StatusUnprocessableEntity {
				checkErrorShape(t, body)
			}
			checkFields(t, body, s.want)
			if s.check != nil {
				s.check(t, e, body)
			}
		})
	}
}

func TestConversionIntake(t *testing.T) {
	e, signer := pipelineEnv(t)
	anna := click(t, signer, 1, time.Hour)
	forged := anna[:len(anna)-2] + "xx"
	if forged == anna {
		forged = anna[:len(anna)-2] + "yy"
	}
	post := func(name, key, body string, status int, want map[string]any) step {
		return step{name: name, method: "POST", path: "/api/v1/conversions", key: key, body: body, status: status, want: want}
	}
	runConversionSteps(t, e, []step{
		post("the SPEC's order through a click", adminKey, specOrder(anna), 201, map[string]any{
			"id": 1, "offer_id": 1, "advertiser_id": 1, "event": "purchase", "partner_id": 1, "click_id": anna,
			"order_id": "A-1001", "currency": "EUR", "amount": "249.80", "attribution": "click", "status": "pending",
			"reason": "", "source": "api", "time": "2025-03-01T12:00:00Z", "duplicate": false, "error": absent,
			"customer_id": "c-77", "new_customer": true, "refunded_amount": "0.00", "#refunds": 0,
			"items.0.sku": "SHOE-9", "items.0.unit_price": "99.90", "items.0.discount": "0.00", "items.1.refunded_quantity": 0,
			// hero 2 × 12.00 + 8% of 50.00 + new customer 5.00 + 2% of 249.80 (4.996)
			"commission.payout": "38.00", "commission.revenue": "29.98",
			"commission.payout_breakdown.lines.0.rule_id": "hero", "commission.payout_breakdown.lines.0.commission": "24.00",
			"commission.payout_breakdown.lines.1.rule_id": "default", "commission.payout_breakdown.lines.1.commission": "4.00",
			"commission.payout_breakdown.bonuses.0.rule_id": "new-customer", "commission.payout_breakdown.bonuses.0.amount": "5.00",
			"commission.payout_breakdown.bonuses.1.rule_id": "big-basket", "commission.payout_breakdown.bonuses.1.amount": "5.00",
			"commission.payout_breakdown.total": "38.00", "commission.revenue_breakdown.total": "29.98",
			"commission.approved_at": nil, "commission.payout_id": nil,
		}),
		post("the same order again is a duplicate", adminKey, specOrder(anna), 200, map[string]any{
			"id": 1, "duplicate": true, "commission.payout": "38.00"}),
		post("a coupon sale by the advertiser, without a click", e.adv1,
			`{"offer_id":1,"order_id":"A-1002","coupon":"anna10","items":[{"sku":"TV-1","category":"electronics","quantity":1,"unit_price":"499.00"}]}`,
			201, map[string]any{"id": 2, "attribution": "coupon", "partner_id": 1, "event": "purchase", "amount": "499.00",
				// 3% of 499.00 = 14.97, big basket 2% = 9.98
				"commission.payout": "24.95"}),
		post("an order without items", adminKey, `{"offer_id":1,"order_id":"A-1003","amount":"80.00","click_id":"`+anna+`"}`,
			201, map[string]any{"id": 3, "#items": 0, "commission.payout": "6.40"}),
		post("too soon after its click", adminKey, `{"offer_id":1,"order_id":"A-1004","amount":"10.00","click_id":"`+click(t, signer, 2, 10*time.Second)+`"}`,
			422, map[string]any{"id": 4, "status": "rejected", "reason": pactum.ReasonTooFast, "partner_id": 2, "duplicate": false,
				"error.code": "rejected", "error.field": absent}),
		post("after the attribution window", adminKey, `{"offer_id":1,"order_id":"A-1005","amount":"10.00","click_id":"`+click(t, signer, 1, 31*24*time.Hour)+`"}`,
			422, map[string]any{"status": "rejected", "reason": pactum.ReasonWindowExpired, "error.code": "rejected"}),
		post("rejected by the advertiser, as asked", e.adv1, `{"offer_id":1,"order_id":"A-1006","amount":"10.00","status":"rejected"}`,
			201, map[string]any{"status": "rejected", "reason": pactum.ReasonAdvertiserDenied, "error": absent}),
		post("approved by the advertiser", e.adv1, `{"offer_id":1,"order_id":"A-1007","amount":"10.00","status":"approved","coupon":"ANNA10"}`,
			201, map[string]any{"status": "approved", "commission.payout": "0.80"}),
		post("a lead", adminKey, `{"offer_id":1,"event":"lead","click_id":"`+anna+`"}`,
			201, map[string]any{"event": "lead", "commission.payout": "2.00", "amount": "0.00", "country": ""}),
		post("a lead where the shop says it was placed", adminKey, `{"offer_id":1,"event":"lead","order_id":"L-1","country":"fr"}`,
			201, map[string]any{"event": "lead", "country": "FR"}),

		// Answered as a missing one would be, so that an advertiser learns nothing of another's.
		post("another advertiser's offer", e.adv2, specOrder(anna), 400, map[string]any{"error.field": "click_id"}),
		post("another advertiser's offer by id", e.adv2, `{"offer_id":1,"amount":"10.00"}`, 400,
			map[string]any{"error.field": "offer_id", "error.message": "offer 1 does not exist"}),
		post("a missing offer", e.adv2, `{"offer_id":99,"amount":"10.00"}`, 400,
			map[string]any{"error.field": "offer_id", "error.message": "offer 99 does not exist"}),
		post("partners may not report", e.p1, specOrder(anna), 403, map[string]any{"error.code": "permission_denied"}),
		post("no key", "", specOrder(anna), 401, nil),
		post("amount as a number", adminKey, `{"offer_id":1,"amount":249.8}`, 400, map[string]any{"error.field": "amount"}),
		post("amount with a comma", adminKey, `{"offer_id":1,"amount":"249,80"}`, 400, map[string]any{"error.field": "amount"}),
		post("item without a price", adminKey, `{"offer_id":1,"items":[{"sku":"A","quantity":1,"unit_price":"1.00"},{"sku":"B","quantity":1}]}`,
			400, map[string]any{"error.field": "items[1].unit_price"}),
		post("item with an unknown field", adminKey, `{"offer_id":1,"items":[{"sku":"A","quantity":1,"unit_price":"1.00","colour":"red"}]}`,
			400, map[string]any{"error.field": "items[0].colour"}),
		post("bad discount", adminKey, `{"offer_id":1,"items":[{"sku":"A","quantity":1,"unit_price":"1.00","discount":"x"}]}`,
			400, map[string]any{"error.field": "items[0].discount"}),
		post("amount against items", adminKey, `{"offer_id":1,"order_id":"X-1","amount":"10.00","items":[{"sku":"A","quantity":2,"unit_price":"4.00"}]}`,
			400, map[string]any{"error.field": "amount"}),
		post("country by name", adminKey, `{"offer_id":1,"amount":"1.00","country":"France"}`, 400, map[string]any{"error.field": "country"}),
		post("status paid", adminKey, `{"offer_id":1,"amount":"1.00","status":"paid"}`, 400, map[string]any{"error.field": "status"}),
		post("forged click id", adminKey, `{"offer_id":1,"amount":"1.00","click_id":"`+forged+`"}`, 400, map[string]any{"error.field": "click_id"}),
		post("control characters", adminKey, `{"offer_id":1,"amount":"1.00","order_id":"A\u0000"}`, 400, map[string]any{"error.field": "order_id"}),
		post("not an object", adminKey, `[]`, 400, map[string]any{"error.code": "invalid_argument"}),

		{name: "the duplicate stored nothing", method: "GET", path: "/api/v1/conversions/count?offer_id=1&event=purchase", key: adminKey,
			status: 200, want: map[string]any{"count": 7}},
		{name: "read back", method: "GET", path: "/api/v1/conversions/1", key: adminKey, status: 200,
			want: map[string]any{"commission.payout": "38.00", "duplicate": absent, "commission.payout_breakdown.lines.0.sku": "SHOE-9"}},
	})
}

func TestIntakeUnavailable(t *testing.T) {
	e := newEnv(t)
	status, body := e.do("POST", "/api/v1/conversions", adminKey, `{"offer_id":1,"amount":"1.00"}`)
	if status != http.StatusServiceUnavailable || body["error"].(map[string]any)["code"] != "unavailable" {
		t.Errorf("without a pipeline: %d %v, want 503 unavailable", status, body)
	}
}

// TestRefundsAndDecisions drives a sale through the pipeline, then refunds, approves and
// rejects it through HTTP, checking the commission to the cent at each step.
func TestRefundsAndDecisions(t *testing.T) {
	e, signer := pipelineEnv(t)
	if status, body := e.do("POST", "/api/v1/conversions", adminKey, specOrder(click(t, signer, 1, time.Hour))); status != 201 {
		t.Fatalf("the sale: %d %v", status, body)
	}
	refund := func(name, key, body string, status int, want map[string]any) step {
		return step{name: name, method: "POST", path: "/api/v1/conversions/1/refund", key: key, body: body, status: status, want: want}
	}
	runSteps(t, e, []step{
		refund("partners may not refund", e.p1, `{"amount":"1.00"}`, 403, nil),
		refund("another advertiser cannot see it", e.adv2, `{"amount":"1.00"}`, 404,
			map[string]any{"error.message": "conversion 1 not found"}),
		refund("one of the two hero shoes", e.adv1, `{"items":[{"sku":"SHOE-9","quantity":1}]}`, 200, map[string]any{
			"status": "pending", "amount": "249.80", "refunded_amount": "99.90", "items.0.refunded_quantity": 1,
			// hero 12.00 + default 4.00 + new customer 5.00 + big basket 5.00 × 149.90 / 249.80 = 3.00
			"commission.payout": "24.00", "commission.revenue": "17.99",
			"commission.payout_breakdown.lines.0.quantity": 1, "commission.payout_breakdown.lines.0.amount": "99.90",
			"commission.payout_breakdown.lines.0.commission": "12.00", "commission.payout_breakdown.bonuses.1.amount": "3.00",
			"commission.payout_breakdown.total": "24.00",
			"#refunds":                          1, "refunds.0.amount": "99.90", "refunds.0.items.0.sku": "SHOE-9", "refunds.0.time": "2025-03-01T12:00:00Z",
			"refunds.0.payout_before": "38.00", "refunds.0.payout_after": "24.00",
			"refunds.0.revenue_before": "29.98", "refunds.0.revenue_after": "17.99"}),
		refund("two more shoes than remain", e.adv1, `{"items":[{"sku":"SHOE-9","quantity":2}]}`, 400,
			map[string]any{"error.field": "items[0].quantity"}),
		refund("a sku the order does not have", adminKey, `{"items":[{"sku":"HAT","quantity":1}]}`, 400,
			map[string]any{"error.field": "items[0].sku"}),
		refund("items and an amount", adminKey, `{"items":[{"sku":"SOCK-1","quantity":1}],"amount":"1.00"}`, 400,
			map[string]any{"error.field": "amount"}),
		refund("nothing", adminKey, `{}`, 400, map[string]any{"error.field": "items"}),
		refund("no body", adminKey, ``, 400, map[string]any{"error.field": "items"}),
		refund("more than remains", adminKey, `{"amount":"149.91"}`, 400, map[string]any{"error.field": "amount"}),
		refund("a tenth of a cent", adminKey, `{"amount":"0.001"}`, 400, map[string]any{"error.field": "amount"}),
		refund("50.00 of what remains", adminKey, `{"amount":"50.00","refund_id":"R-7"}`, 200, map[string]any{
			"refunded_amount": "149.90",
			// × 99.90 / 149.90: hero 12.00 -> 8.00, default 4.00 -> 2.67, big basket 3.00 -> 2.00; new customer stays
			"commission.payout": "17.67", "commission.revenue": "11.99", "#refunds": 2, "refunds.1.payout_after": "17.67",
			"refunds.1.id": "R-7"}),
		refund("the same refund again (a retry)", adminKey, `{"amount":"50.00","refund_id":"R-7"}`, 200, map[string]any{
			"refunded_amount": "149.90", "commission.payout": "17.67", "#refunds": 2}),
		refund("an empty refund id", adminKey, `{"amount":"1.00","refund_id":" "}`, 400, map[string]any{"error.field": "refund_id"}),
		{name: "the offer's currency stays while it has conversions", method: "PATCH", path: "/api/v1/offers/1", key: adminKey,
			body: `{"currency":"USD"}`, status: 409, want: map[string]any{"error.code": "conflict", "error.field": "currency"}},
		{name: "approve", method: "POST", path: "/api/v1/conversions/1/approve", key: e.adv1, status: 200,
			want: map[string]any{"status": "approved", "commission.payout": "17.67"}},
		{name: "approve again", method: "POST", path: "/api/v1/conversions/1/approve", key: e.adv1, status: 409,
			want: map[string]any{"error.code": "conflict"}},
		{name: "partners may not approve", method: "POST", path: "/api/v1/conversions/1/approve", key: e.p1, status: 403},
		{name: "approve with an unknown field", method: "POST", path: "/api/v1/conversions/1/approve", key: adminKey,
			body: `{"why":"x"}`, status: 400, want: map[string]any{"error.field": "why"}},
		{name: "reject without a reason", method: "POST", path: "/api/v1/conversions/1/reject", key: e.adv1,
			body: `{"reason":" "}`, status: 400, want: map[string]any{"error.field": "reason"}},
		{name: "reject", method: "POST", path: "/api/v1/conversions/1/reject", key: e.adv1,
			body: `{"reason":"returned to the store"}`, status: 200,
			want: map[string]any{"status": "rejected", "reason": "returned to the store", "commission.payout": "0.00",
				"commission.revenue": "0.00", "commission.payout_breakdown.total": "17.67"}},
		{name: "reject again", method: "POST", path: "/api/v1/conversions/1/reject", key: e.adv1,
			body: `{"reason":"twice"}`, status: 409, want: map[string]any{"error.code": "conflict"}},
		refund("a rejected conversion records the refund only", adminKey, `{"amount":"10.00"}`, 200,
			map[string]any{"status": "rejected", "refunded_amount": "159.90", "commission.payout": "0.00", "#refunds": 3}),
		{name: "a missing conversion", method: "POST", path: "/api/v1/conversions/99/approve", key: adminKey, status: 404},
		{name: "the partner sees its payout, not the revenue", method: "GET", path: "/api/v1/conversions/1", key: e.p1, status: 200,
			want: map[string]any{"commission.payout": "0.00", "commission.revenue": absent, "commission.revenue_breakdown": absent,
				"commission.payout_breakdown.total": "17.67", "refunds.0.payout_before": "38.00",
				"refunds.0.revenue_before": absent, "refunds.0.revenue_after": absent}},
	})
	c, err := e.store.Conversion(ctx(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != pactum.ConversionRejected || len(c.Refunds) != 3 || c.Items[0].RefundedQuantity != 1 || c.RefundedAmount.String() != "159.9" {
		t.Errorf("stored: %s, %d refunds, %d shoes refunded, %s refunded", c.Status, len(c.Refunds), c.Items[0].RefundedQuantity, c.RefundedAmount)
	}
}

// seed stores c through the event transaction, as the pipeline would, with its commission
// computed under its offer's current rules, and returns it with its id.
func (e *env) seed(c pactum.Conversion) pactum.Conversion {
	e.t.Helper()
	o, err := e.store.Offer(ctx(), c.OfferID)
	if err != nil {
		e.t.Fatal(err)
	}
	c.AdvertiserID, c.Currency = o.AdvertiserID, o.Currency
	if c.Event == "" {
		c.Event = "purchase"
	}
	if c.Status == "" {
		c.Status = pactum.ConversionPending
	}
	if c.Source == "" {
		c.Source = pactum.SourceAPI
	}
	if c.Time.IsZero() {
		c.Time = apiNow
	}
	c.CreatedAt, c.UpdatedAt = c.Time, c.Time
	c.Attribution = pactum.AttributionNone
	for _, it := range c.Items {
		c.Amount = c.Amount.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)).Sub(it.Discount))
	}
	if c.PartnerID != 0 {
		c.Attribution = pactum.AttributionCoupon
		p, err := e.store.Partner(ctx(), c.PartnerID)
		if err != nil {
			e.t.Fatal(err)
		}
		status := c.Status
		if _, err := (&commission.Rules{}).Compute(o, p, &c, pactum.PartnerStats{}); err != nil {
			e.t.Fatal(err)
		}
		if status == pactum.ConversionRejected {
			c.Payout, c.Revenue = decimal.Zero, decimal.Zero
		}
	}
	e.inTx(func(tx pactum.EventTx) error {
		_, _, err := tx.InsertConversion(ctx(), &c)
		return err
	})
	return c
}

// inTx runs fn in an event transaction of the store, at the next position of a test stream.
func (e *env) inTx(fn func(tx pactum.EventTx) error) {
	e.t.Helper()
	pos, err := e.store.AppliedPosition(ctx(), "test")
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.store.ApplyEvents(ctx(), "test", pos+1, fn); err != nil {
		e.t.Fatal(err)
	}
}

// applyVisits stores clicks as the event processor would.
func (e *env) applyVisits(clicks []pactum.Visit) {
	e.t.Helper()
	e.inTx(func(tx pactum.EventTx) error { return tx.InsertVisits(ctx(), clicks, nil) })
}

// item is a line of an order.
func item(sku, category string, qty int64, unitPrice string) pactum.LineItem {
	p, err := pactum.ParseDecimal(unitPrice, "unit_price")
	if err != nil {
		panic(err)
	}
	return pactum.LineItem{SKU: sku, Category: category, Quantity: qty, UnitPrice: p}
}

// TestConversionScope: a partner sees only the conversions attributed to it, and never what
// the advertiser pays; an advertiser only those of its offers; anyone else's is 404.
func TestConversionScope(t *testing.T) {
	e := newEnv(t)
	if status, body := e.do("PATCH", "/api/v1/offers/1", adminKey, shopEvents); status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	sock := item("SOCK-1", "accessories", 1, "50.00")
	e.seed(pactum.Conversion{OfferID: 1, PartnerID: 1, OrderID: "p1", Items: []pactum.LineItem{sock}})       // 1
	e.seed(pactum.Conversion{OfferID: 1, PartnerID: 2, OrderID: "p2", Items: []pactum.LineItem{sock}})       // 2
	e.seed(pactum.Conversion{OfferID: 2, PartnerID: 2, OrderID: "p2-books", Items: []pactum.LineItem{sock}}) // 3
	e.seed(pactum.Conversion{OfferID: 1, OrderID: "nobody", Items: []pactum.LineItem{sock}})                 // 4
	e.seed(pactum.Conversion{OfferID: 1, PartnerID: 1, OrderID: "p1-old", Items: []pactum.LineItem{sock},
		Time: apiNow.Add(-48 * time.Hour), Status: pactum.ConversionApproved}) // 5

	get := func(name, path, key string, status int, want map[string]any) step {
		return step{name: name, method: "GET", path: path, key: key, status: status, want: want}
	}
	runSteps(t, e, []step{
		get("p1 lists its own", "/api/v1/conversions", e.p1, 200, map[string]any{"#data": 2, "data.0.id": 1, "data.1.id": 5,
			"data.0.commission.payout": "4.00", "data.0.commission.revenue": absent, "data.0.commission.revenue_breakdown": absent,
			"data.0.commission.payout_breakdown.total": "4.00"}),
		get("p1 asking for p2's gets none", "/api/v1/conversions?partner_id=2", e.p1, 200, map[string]any{"#data": 0}),
		get("p1 counts its own", "/api/v1/conversions/count", e.p1, 200, map[string]any{"count": 2}),
		get("p1 counting p2's gets 0", "/api/v1/conversions/count?partner_id=2", e.p1, 200, map[string]any{"count": 0}),
		get("p1 reads its own", "/api/v1/conversions/1", e.p1, 200, map[string]any{"partner_id": 1, "commission.revenue": absent}),
		get("p1 cannot read p2's", "/api/v1/conversions/2", e.p1, 404, map[string]any{"error.message": "conversion 2 not found"}),
		get("p1 cannot read an unattributed one", "/api/v1/conversions/4", e.p1, 404, nil),
		get("a missing one reads the same", "/api/v1/conversions/99", e.p1, 404, map[string]any{"error.message": "conversion 99 not found"}),
		get("p2 sees both offers' own", "/api/v1/conversions", e.p2, 200, map[string]any{"#data": 2, "data.0.id": 2, "data.1.id": 3}),
		get("adv1 sees its offers'", "/api/v1/conversions", e.adv1, 200, map[string]any{"#data": 4, "data.2.partner_id": nil,
			"data.0.commission.revenue": "6.00"}),
		get("adv1 counts its offers'", "/api/v1/conversions/count", e.adv1, 200, map[string]any{"count": 4}),
		get("adv1 asking for adv2's gets none", "/api/v1/conversions?advertiser_id=2", e.adv1, 200, map[string]any{"#data": 0}),
		get("adv1 cannot read adv2's", "/api/v1/conversions/3", e.adv1, 404, nil),
		get("admin by offer and partner", "/api/v1/conversions?offer_id=1&partner_id=1", adminKey, 200, map[string]any{"#data": 2}),
		get("admin by status", "/api/v1/conversions?status=approved", adminKey, 200, map[string]any{"#data": 1, "data.0.id": 5}),
		get("admin by time", "/api/v1/conversions/count?from=2025-03-01T00:00:00Z&to=2025-03-02T00:00:00Z", adminKey, 200, map[string]any{"count": 4}),
		get("admin by event", "/api/v1/conversions/count?event=lead", adminKey, 200, map[string]any{"count": 0}),
		get("pages", "/api/v1/conversions?limit=2", adminKey, 200, map[string]any{"#data": 2, "next_cursor": "2"}),
		get("next page", "/api/v1/conversions?limit=2&cursor=2", adminKey, 200, map[string]any{"#data": 2, "data.0.id": 3, "next_cursor": "4"}),
		get("last page", "/api/v1/conversions?limit=2&cursor=4", adminKey, 200, map[string]any{"#data": 1, "next_cursor": absent}),
		get("bad status", "/api/v1/conversions?status=done", adminKey, 400, map[string]any{"error.field": "status"}),
		get("to before from", "/api/v1/conversions?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z", adminKey, 400, map[string]any{"error.field": "to"}),
		get("bad offer id", "/api/v1/conversions?offer_id=x", adminKey, 400, map[string]any{"error.field": "offer_id"}),
		{name: "adv2 cannot refund adv1's", method: "POST", path: "/api/v1/conversions/1/refund", key: e.adv2, body: `{"amount":"1.00"}`, status: 404},
		{name: "adv2 cannot approve adv1's", method: "POST", path: "/api/v1/conversions/1/approve", key: e.adv2, status: 404},
		{name: "p1 cannot reject its own", method: "POST", path: "/api/v1/conversions/1/reject", key: e.p1, body: `{"reason":"x"}`, status: 403},
	})
	// A partner's answers never mention revenue, whatever the endpoint.
	for _, path := range []string{"/api/v1/conversions", "/api/v1/conversions/1", "/api/v1/conversions/5"} {
		if _, raw := e.doRaw("GET", path, e.p1, ""); strings.Contains(raw, "revenue") {
			t.Errorf("GET %s as a partner shows revenue: %s", path, raw)
		}
	}
}

// TestSimulate replays November's and December's sales of offer 1 against a draft that raises
// shoes from 8% to 10% and adds a gold tier, for three partners.
func TestSimulate(t *testing.T) {
	e := newEnv(t)
	e.mustCreate("/api/v1/partners", `{"name":"Cleo","email":"cleo@example.com","kind":"b2b"}`) // 3
	current := `{"default":{"percent":"5"},"rules":[{"id":"shoes","when":{"category":["shoes"]},"rate":{"percent":"8"}}]}`
	if status, body := e.do("PATCH", "/api/v1/offers/1", adminKey, `{"events":[{"name":"purchase","payout":`+current+`},{"name":"lead"}]}`); status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	day := func(month time.Month, d int) time.Time { return time.Date(2026, month, d, 12, 0, 0, 0, time.UTC) }
	shoes := func(qty int64, price string) pactum.LineItem { return item("SHOE", "shoes", qty, price) }
	socks := item("SOCK", "socks", 3, "10.00")
	for _, c := range []pactum.Conversion{
		{PartnerID: 1, Time: day(11, 2), Items: []pactum.LineItem{shoes(1, "129.90")}},                                    // 10.39; draft 12.99
		{PartnerID: 1, Time: day(11, 20), Items: []pactum.LineItem{shoes(1, "59.95"), item("SOCK", "socks", 1, "10.00")}}, // 5.30; draft 6.50
		{PartnerID: 2, Time: day(11, 5), Items: []pactum.LineItem{socks}},                                                 // 1.50 either way
		{PartnerID: 3, Time: day(11, 3), Items: []pactum.LineItem{shoes(2, "300.00")}},                                    // 48.00; draft 60.00
		{PartnerID: 3, Time: day(11, 10), Items: []pactum.LineItem{shoes(1, "100.00")}},                                   // 8.00; draft gold 15.00
		{PartnerID: 3, Time: day(12, 2), Items: []pactum.LineItem{shoes(1, "100.00")}},                                    // a new month: 8.00; draft 10.00
		{PartnerID: 3, Time: day(10, 30), Items: []pactum.LineItem{shoes(9, "100.00")}},                                   // before the range
		{PartnerID: 2, Time: day(11, 6), Items: []pactum.LineItem{shoes(1, "100.00")}, Status: pactum.ConversionRejected},
		{Time: day(11, 7), Items: []pactum.LineItem{shoes(1, "100.00")}},                           // no partner
		{PartnerID: 1, Time: day(11, 8), Event: "lead"},                                            // another event
		{OfferID: 3, PartnerID: 1, Time: day(11, 8), Items: []pactum.LineItem{shoes(1, "100.00")}}, // another offer
	} {
		if c.OfferID == 0 {
			c.OfferID = 1
		}
		e.seed(c)
	}
	draft := `{"default":{"percent":"5"},"rules":[{"id":"shoes","when":{"category":["shoes"]},"rate":{"percent":"10"}}],
		"tiers":[{"id":"gold","monthly_sales_gte":"500.00","multiplier":"1.5"}],"caps":{"daily_conversions":1}}`
	body := func(event, payout, from, to string) string {
		return fmt.Sprintf(`{"event":%q,"payout":%s,"from":%q,"to":%q}`, event, payout, from, to)
	}
	nov := body("purchase", draft, "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z")
	_, before := e.doRaw("GET", "/api/v1/conversions?limit=100", adminKey, "")
	_, offerBefore := e.doRaw("GET", "/api/v1/offers/1", adminKey, "")

	sim := func(name, key, body string, status int, want map[string]any) step {
		return step{name: name, method: "POST", path: "/api/v1/offers/1/simulate", key: key, body: body, status: status, want: want}
	}
	runSteps(t, e, []step{
		sim("current against draft per partner", adminKey, nov, 200, map[string]any{
			"currency": "EUR", "event": "purchase", "from": "2026-11-01T00:00:00Z", "to": "2027-01-01T00:00:00Z", "skipped": 0,
			"#partners":             3,
			"partners.0.partner_id": 1, "partners.0.conversions": 2, "partners.0.current": "15.69", "partners.0.draft": "19.49", "partners.0.difference": "3.80",
			"partners.1.partner_id": 2, "partners.1.conversions": 1, "partners.1.current": "1.50", "partners.1.draft": "1.50", "partners.1.difference": "0.00",
			"partners.2.partner_id": 3, "partners.2.conversions": 3, "partners.2.current": "64.00", "partners.2.draft": "85.00", "partners.2.difference": "21.00",
			"total.conversions": 6, "total.current": "81.19", "total.draft": "105.99", "total.difference": "24.80",
		}),
		sim("by the offer's advertiser", e.adv1, nov, 200, map[string]any{"total.draft": "105.99"}),
		sim("a month without sales", adminKey, body("purchase", draft, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"), 200,
			map[string]any{"#partners": 0, "total.conversions": 0, "total.current": "0.00"}),
		sim("partners may not simulate", e.p1, nov, 403, nil),
		sim("another advertiser's offer", e.adv2, nov, 404, nil),
		sim("a bad draft", adminKey, body("purchase", `{"default":{"percent":"lots"}}`, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), 400,
			map[string]any{"error.field": "payout.default.percent"}),
		sim("no draft", adminKey, `{"event":"purchase","from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z"}`, 400,
			map[string]any{"error.field": "payout"}),
		sim("an unknown event", adminKey, body("sale", draft, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"), 400,
			map[string]any{"error.field": "event"}),
		sim("no event on an offer of two", adminKey, `{"payout":{},"from":"2026-11-01T00:00:00Z","to":"2026-12-01T00:00:00Z"}`, 400,
			map[string]any{"error.field": "event"}),
		sim("no from", adminKey, `{"event":"purchase","payout":{},"to":"2026-12-01T00:00:00Z"}`, 400, map[string]any{"error.field": "from"}),
		sim("to before from", adminKey, body("purchase", draft, "2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z"), 400, map[string]any{"error.field": "to"}),
		sim("more than a year", adminKey, body("purchase", draft, "2025-01-01T00:00:00Z", "2026-12-01T00:00:00Z"), 400, map[string]any{"error.field": "to"}),
	})
	if status, _ := e.do("POST", "/api/v1/offers/99/simulate", adminKey, nov); status != 404 {
		t.Errorf("simulating a missing offer: %d, want 404", status)
	}
	if _, after := e.doRaw("GET", "/api/v1/conversions?limit=100", adminKey, ""); after != before {
		t.Errorf("simulating changed the conversions:\n%s\n%s", before, after)
	}
	if _, after := e.doRaw("GET", "/api/v1/offers/1", adminKey, ""); after != offerBefore {
		t.Errorf("simulating changed the offer:\n%s\n%s", offerBefore, after)
	}
}

// TestOfferConversionFields: the offer and advertiser fields conversions need.
func TestOfferConversionFields(t *testing.T) {
	e := newEnv(t)
	runSteps(t, e, []step{
		{name: "a default event has id 1", method: "GET", path: "/api/v1/offers/1", key: adminKey, status: 200,
			want: map[string]any{"events.0.id": 1, "events.0.allow_repeats": false, "min_conversion_seconds": 0, "returning_customers": false, "accept_pixel": false}},
		{name: "events are numbered on create", method: "POST", path: "/api/v1/offers", key: adminKey, status: 201, wantChange: true,
			body: `{"advertiser_id":1,"name":"Leads","destination_url":"https://x.example/","min_conversion_seconds":30,"returning_customers":true,"accept_pixel":true,
				"events":[{"id":7,"name":"purchase"},{"name":"lead","allow_repeats":true}]}`,
			want: map[string]any{"id": 4, "min_conversion_seconds": 30, "returning_customers": true, "accept_pixel": true,
				"events.0.id": 1, "events.1.id": 2, "events.1.allow_repeats": true, "events.0.allow_repeats": false}},
		{name: "a PATCH keeps ids by name and numbers new events after the highest", method: "PATCH", path: "/api/v1/offers/4", key: adminKey,
			body:   `{"events":[{"name":"lead","allow_repeats":false},{"name":"signup"},{"id":1,"name":"purchase"}]}`,
			status: 200, wantChange: true,
			want: map[string]any{"events.0.id": 2, "events.0.allow_repeats": false, "events.1.id": 3, "events.2.id": 1,
				"min_conversion_seconds": 30}},
		{name: "an id that is another event's", method: "PATCH", path: "/api/v1/offers/4", key: adminKey,
			body: `{"events":[{"id":2,"name":"purchase"}]}`, status: 400, want: map[string]any{"error.field": "events[0].id"}},
		{name: "a rename keeping the id", method: "PATCH", path: "/api/v1/offers/4", key: adminKey,
			body: `{"events":[{"id":3,"name":"register"}]}`, status: 400, want: map[string]any{"error.field": "events[0].id"}},
		{name: "an unknown id on a new event is ignored", method: "PATCH", path: "/api/v1/offers/4", key: adminKey,
			body: `{"events":[{"id":1,"name":"purchase"},{"id":50,"name":"register"}]}`, status: 200, wantChange: true,
			want: map[string]any{"events.0.id": 1, "events.1.id": 4}},
		{name: "min_conversion_seconds above a day", method: "PATCH", path: "/api/v1/offers/4", key: adminKey,
			body: `{"min_conversion_seconds":86401}`, status: 400, want: map[string]any{"error.field": "min_conversion_seconds"}},
		{name: "min_conversion_seconds negative", method: "POST", path: "/api/v1/offers", key: adminKey,
			body: `{"advertiser_id":1,"name":"X","destination_url":"https://x.example/","min_conversion_seconds":-1}`, status: 400,
			want: map[string]any{"error.field": "min_conversion_seconds"}},
		{name: "returning_customers not a bool", method: "PATCH", path: "/api/v1/offers/4", key: adminKey,
			body: `{"returning_customers":"yes"}`, status: 400, want: map[string]any{"error.field": "returning_customers"}},

		{name: "advertisers start with no postback IPs", method: "GET", path: "/api/v1/advertisers/1", key: adminKey, status: 200,
			want: map[string]any{"#postback_ips": 0}},
		{name: "postback IPs on create", method: "POST", path: "/api/v1/advertisers", key: adminKey, status: 201, wantChange: true,
			body: `{"name":"Hat Shop","postback_ips":["203.0.113.7"," 2001:DB8::/32","::ffff:198.51.100.1"]}`,
			want: map[string]any{"postback_ips.0": "203.0.113.7", "postback_ips.1": "2001:db8::/32", "postback_ips.2": "198.51.100.1"}},
		{name: "postback IPs read back", method: "GET", path: "/api/v1/advertisers/3", key: adminKey, status: 200,
			want: map[string]any{"#postback_ips": 3}},
		{name: "an advertiser sets its own", method: "PATCH", path: "/api/v1/advertisers/1", key: e.adv1, status: 200, wantChange: true,
			body: `{"postback_ips":["192.0.2.0/24"]}`, want: map[string]any{"postback_ips.0": "192.0.2.0/24", "name": "Shoe Shop"}},
		{name: "a CIDR with host bits", method: "PATCH", path: "/api/v1/advertisers/1", key: adminKey,
			body: `{"postback_ips":["192.0.2.0/24","10.1.2.3/8"]}`, status: 400, want: map[string]any{"error.field": "postback_ips[1]"}},
		{name: "not an address", method: "PATCH", path: "/api/v1/advertisers/1", key: adminKey,
			body: `{"postback_ips":["shop.example"]}`, status: 400, want: map[string]any{"error.field": "postback_ips[0]"}},
		{name: "twice", method: "PATCH", path: "/api/v1/advertisers/1", key: adminKey,
			body: `{"postback_ips":["192.0.2.1","192.0.2.1"]}`, status: 400, want: map[string]any{"error.field": "postback_ips[1]"}},
		{name: "a PATCH without them keeps them", method: "PATCH", path: "/api/v1/advertisers/1", key: adminKey, status: 200, wantChange: true,
			body: `{"name":"Shoe Shop GmbH"}`, want: map[string]any{"postback_ips.0": "192.0.2.0/24"}},
		{name: "cleared", method: "PATCH", path: "/api/v1/advertisers/1", key: adminKey, status: 200, wantChange: true,
			body: `{"postback_ips":[]}`, want: map[string]any{"#postback_ips": 0}},
	})
}

// queuedSubmitter answers every conversion as logged but not processed in time.
type queuedSubmitter struct{}

func (queuedSubmitter) Submit(context.Context, pactum.ConversionInput) (pactum.ConversionResult, error) {
	return pactum.ConversionResult{}, pactum.ErrQueued
}

// TestIntakeQueued: a conversion the log holds but no processor answered for in time is a 202
// that says so, not an error: it is durable and will be processed.
func TestIntakeQueued(t *testing.T) {
	e := newEnvWith(t, func(_ *env, cfg *program.Config) { cfg.Conversions = queuedSubmitter{} })
	status, body := e.do("POST", "/api/v1/conversions", adminKey, `{"offer_id":1,"order_id":"Q-1","amount":"1.00"}`)
	if status != http.StatusAccepted || body["status"] != "queued" || body["message"] == "" {
		t.Errorf("queued conversion: %d %v, want 202 queued", status, body)
	}
}
