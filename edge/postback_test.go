package edge_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/edge"
)

// submitter is a fake Submitter: it records what it is given and answers result's answer, or
// by default a created conversion built from the input, as the pipeline would.
type submitter struct {
	mu     sync.Mutex
	signer *clickid.Signer
	inputs []pactum.ConversionInput
	n      int
	// discard keeps no inputs, for fuzzing's millions of calls.
	discard bool
	result  func(pactum.ConversionInput) (pactum.ConversionResult, error)
}

func (s *submitter) Submit(_ context.Context, in pactum.ConversionInput) (pactum.ConversionResult, error) {
	s.mu.Lock()
	s.n++
	if !s.discard {
		s.inputs = append(s.inputs, in)
	}
	n := int64(s.n)
	result := s.result
	s.mu.Unlock()
	if result != nil {
		return result(in)
	}
	return s.created(n, in)
}

// created answers what the pipeline answers for a valid conversion: offers belong to
// advertiser 1, the click id names offer and partner, and the advertiser's status is honoured.
func (s *submitter) created(id int64, in pactum.ConversionInput) (pactum.ConversionResult, error) {
	c := pactum.Conversion{ID: id, OfferID: in.OfferID, Event: in.Event, ClickID: in.ClickID, OrderID: in.OrderID,
		Currency: "EUR", Amount: in.Amount, Attribution: pactum.AttributionNone, Status: pactum.ConversionPending,
		Payout: decimal.RequireFromString("12")}
	if in.ClickID != "" {
		info, err := s.signer.Parse(in.ClickID)
		if err != nil {
			return pactum.ConversionResult{}, err
		}
		c.OfferID, c.PartnerID, c.Attribution = info.OfferID, info.PartnerID, pactum.AttributionClick
	}
	if in.AdvertiserID != 0 && in.AdvertiserID != 1 {
		return pactum.ConversionResult{}, pactum.Errorf(pactum.EFORBIDDEN, "offer %d belongs to another advertiser", c.OfferID)
	}
	switch in.Status {
	case pactum.ConversionApproved:
		c.Status = pactum.ConversionApproved
	case pactum.ConversionRejected:
		c.Status, c.Reason = pactum.ConversionRejected, pactum.ReasonAdvertiserDenied
	}
	return pactum.ConversionResult{Conversion: c}, nil
}

func (s *submitter) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *submitter) last(t testing.TB) pactum.ConversionInput {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.inputs) == 0 {
		t.Fatal("Submit was not called")
	}
	return s.inputs[len(s.inputs)-1]
}

func (s *submitter) answer(fn func(pactum.ConversionInput) (pactum.ConversionResult, error)) {
	s.mu.Lock()
	s.result = fn
	s.mu.Unlock()
}

// advertisers is an in-memory AdvertiserSource that counts its reads.
type advertisers struct {
	mu    sync.Mutex
	byID  map[int64]pactum.Advertiser
	reads int
	err   error
}

func (a *advertisers) AdvertiserByPostbackToken(_ context.Context, hash []byte) (pactum.Advertiser, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reads++
	if a.err != nil {
		return pactum.Advertiser{}, a.err
	}
	for _, adv := range a.byID {
		if bytes.Equal(adv.PostbackTokenHash, hash) {
			return adv, nil
		}
	}
	return pactum.Advertiser{}, pactum.Errorf(pactum.ENOTFOUND, "no advertiser with this token")
}

func (a *advertisers) Advertiser(_ context.Context, id int64) (pactum.Advertiser, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reads++
	if a.err != nil {
		return pactum.Advertiser{}, a.err
	}
	adv, ok := a.byID[id]
	if !ok {
		return adv, pactum.Errorf(pactum.ENOTFOUND, "advertiser %d not found", id)
	}
	return adv, nil
}

func (a *advertisers) readCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reads
}

const (
	acmeToken  = "acme-postback-token-7f3a"  // advertiser 1, owner of every test offer
	otherToken = "other-postback-token-91bc" // advertiser 2, owner of none
	acmeIP     = "203.0.113.45:5100"         // in advertiser 1's allow-list
	strangerIP = "192.0.2.99:5100"           // in no allow-list
	visitorIP  = "198.51.100.20:40000"
)

func tokenHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// convHarness is an Edge that takes conversions, with the fakes behind it.
type convHarness struct {
	*harness
	sub  *submitter
	advs *advertisers
}

func newConvHarness(t testing.TB, hook func(*edge.Config)) *convHarness {
	t.Helper()
	c := &convHarness{advs: &advertisers{byID: map[int64]pactum.Advertiser{
		1: {ID: 1, Name: "Acme", Currency: "EUR", PostbackTokenHash: tokenHash(acmeToken),
			PostbackIPs: []string{"203.0.113.0/24", "2001:db8::7", "not an address"}},
		2: {ID: 2, Name: "Other", Currency: "EUR", PostbackTokenHash: tokenHash(otherToken)},
	}}}
	c.harness = newHarness(t, func(cfg *edge.Config) {
		c.sub = &submitter{signer: cfg.Signer}
		cfg.Conversions = c.sub
		cfg.Advertisers = c.advs
		if hook != nil {
			hook(cfg)
		}
	})
	return c
}

// click follows a click URL of the edge and returns the click id it issued.
func (c *convHarness) click(target string) string {
	c.t.Helper()
	w := c.get(target, visitorIP)
	if w.Code != http.StatusFound {
		c.t.Fatalf("GET %s: status %d, want 302", target, w.Code)
	}
	c.rec.mu.Lock()
	id := c.rec.clicks[len(c.rec.clicks)-1].ClickID
	c.rec.mu.Unlock()
	if !strings.Contains(w.Header().Get("Location"), id) {
		c.t.Fatalf("GET %s: Location %q does not carry click id %q", target, w.Header().Get("Location"), id)
	}
	return id
}

// answer is a decoded JSON answer of a postback.
type answer struct {
	ConversionID int64   `json:"conversion_id"`
	Status       string  `json:"status"`
	Attribution  string  `json:"attribution"`
	PartnerID    *int64  `json:"partner_id"`
	Payout       string  `json:"payout"`
	Currency     string  `json:"currency"`
	Duplicate    bool    `json:"duplicate"`
	Reason       *string `json:"reason"`
	Error        *struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Field   *string `json:"field"`
	} `json:"error"`
}

func decodeAnswer(t testing.TB, w *httptest.ResponseRecorder) answer {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json (body %s)", ct, w.Body)
	}
	var a answer
	dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("answer %s: %v", w.Body, err)
	}
	return a
}

func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, code, field string) answer {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d (body %s)", w.Code, status, w.Body)
	}
	a := decodeAnswer(t, w)
	if a.Error == nil || a.Error.Code != code {
		t.Fatalf("answer %s: want error code %q", w.Body, code)
	}
	got := ""
	if a.Error.Field != nil {
		got = *a.Error.Field
	}
	if got != field {
		t.Fatalf("answer %s: field %q, want %q", w.Body, got, field)
	}
	if a.Error.Message == "" {
		t.Fatalf("answer %s: no message", w.Body)
	}
	return a
}

// forge returns id with its last character changed, so that its signature no longer holds.
func forge(id string) string {
	if id[len(id)-1] == 'A' {
		return id[:len(id)-1] + "B"
	}
	return id[:len(id)-1] + "A"
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// TestIncumbentPostbacks sends every postback shape of SPEC section 3 for a click made through
// the matching click shape, and checks what reaches the pipeline and what the caller is told.
func TestIncumbentPostbacks(t *testing.T) {
	type want struct {
		event       string
		eventID     int64
		amount      string // "" when no amount is given
		orderID     string
		currency    string
		coupon      string
		customerID  string
		newCustomer bool
		country     string
		status      string // ConversionInput.Status
		answer      int
		partner     int64
	}
	for _, tc := range []struct {
		name     string
		click    string // click URL; {cid} in the postback is its click id
		method   string
		postback string
		body     string // POST form body
		remote   string
		headers  []string
		want     want
	}{
		{
			name:     "TUNE aff_lsr",
			click:    "/aff_c?offer_id=12&aff_id=42&aff_sub=tune",
			postback: "/aff_lsr?transaction_id={cid}&amount=129.90&adv_sub=ORD-1001&security_token=" + acmeToken,
			want:     want{amount: "129.90", orderID: "ORD-1001", answer: 200, partner: 42},
		},
		{
			name:     "TUNE aff_lsr from an allow-listed address, with offer_id",
			click:    "/aff_c?offer_id=12&aff_id=43",
			postback: "/aff_lsr?offer_id=12&transaction_id={cid}&amount=5&adv_sub=ORD-1002",
			remote:   acmeIP,
			want:     want{amount: "5", orderID: "ORD-1002", answer: 200, partner: 43},
		},
		{
			name:     "TUNE aff_goal with a numeric goal",
			click:    "/aff_c?offer_id=12&aff_id=42",
			postback: "/aff_goal?a=lsr&goal_id=2&transaction_id={cid}&amount=15.00&adv_sub=ORD-1003",
			remote:   acmeIP,
			want:     want{eventID: 2, amount: "15.00", orderID: "ORD-1003", answer: 200, partner: 42},
		},
		{
			name:     "TUNE aff_goal with a goal name",
			click:    "/aff_c?offer_id=12&aff_id=42",
			postback: "/aff_goal?a=lsr&goal_id=signup&transaction_id={cid}&token=" + acmeToken,
			want:     want{event: "signup", answer: 200, partner: 42},
		},
		{
			name:     "Trackier acquisition",
			click:    "/click?campaign_id=12&pub_id=43&p1=trk",
			postback: "/acquisition?click_id={cid}&security_token=" + acmeToken + "&sale_amount=49.5&txn_id=T-9&goal_value=purchase&currency=eur",
			want:     want{event: "purchase", amount: "49.5", orderID: "T-9", currency: "EUR", answer: 200, partner: 43},
		},
		{
			name:     "Trackier acquisition with a goal number",
			click:    "/click?campaign_id=12&pub_id=42",
			postback: "/acquisition?click_id={cid}&security_token=" + acmeToken + "&sale_amount=10&txn_id=T-10&goal_value=3",
			want:     want{eventID: 3, amount: "10", orderID: "T-10", answer: 200, partner: 42},
		},
		{
			name:     "Everflow names on /postback",
			click:    "/click?offer_id=12&partner_id=42&sub1=ef",
			postback: "/postback?transaction_id={cid}&amount=10.00&order_id=EF-1&coupon_code=SPRING&event_id=4&adv1=a&adv2=b&adv3=c&adv4=d&adv5=e&token=" + acmeToken,
			want:     want{eventID: 4, amount: "10.00", orderID: "EF-1", coupon: "SPRING", answer: 200, partner: 42},
		},
		{
			name:     "Affise approved",
			click:    "/click?pid=42&offer_id=12&sub1=af",
			postback: "/postback?clickid={cid}&action_id=AF-1&goal=1&sum=99.99&status=1&secure=" + acmeToken,
			want:     want{eventID: 1, amount: "99.99", orderID: "AF-1", status: pactum.ConversionApproved, answer: 200, partner: 42},
		},
		{
			name:     "Affise pending",
			click:    "/click?pid=43&offer_id=12",
			postback: "/postback?clickid={cid}&action_id=AF-2&goal=purchase&sum=1&status=2&secure=" + acmeToken,
			want:     want{event: "purchase", amount: "1", orderID: "AF-2", answer: 200, partner: 43},
		},
		{
			name:     "Affise declined is recorded as the advertiser asked",
			click:    "/click?pid=42&offer_id=12",
			postback: "/postback?clickid={cid}&action_id=AF-3&goal=1&sum=20&status=3&secure=" + acmeToken,
			want:     want{eventID: 1, amount: "20", orderID: "AF-3", status: pactum.ConversionRejected, answer: 200, partner: 42},
		},
		{
			name:     "Affise hold is pending",
			click:    "/click?pid=42&offer_id=12",
			postback: "/postback?clickid={cid}&action_id=AF-5&goal=1&sum=20&status=5&secure=" + acmeToken,
			want:     want{eventID: 1, amount: "20", orderID: "AF-5", answer: 200, partner: 42},
		},
		{
			name:  "native GET",
			click: "/click?offer_id=12&partner_id=42",
			postback: "/postback?click_id={cid}&event=purchase&amount=20.50&currency=EUR&order_id=N-1&coupon=ANNA10" +
				"&customer_id=cust-7&new_customer=1&country=fr&status=approved&token=" + acmeToken + "&utm_source=ignored",
			want: want{event: "purchase", amount: "20.50", orderID: "N-1", currency: "EUR", coupon: "ANNA10",
				customerID: "cust-7", newCustomer: true, country: "fr", status: pactum.ConversionApproved, answer: 200, partner: 42},
		},
		{
			name:     "native GET through a link code",
			click:    "/c/anna",
			postback: "/postback?click_id={cid}&event=lead&token=" + acmeToken,
			want:     want{event: "lead", answer: 200, partner: 42},
		},
		{
			name:     "native POST form with a bearer token",
			click:    "/click?offer_id=12&partner_id=43",
			method:   http.MethodPost,
			postback: "/postback",
			body:     "click_id={cid}&event=purchase&amount=7&order_id=N-2&new_customer=false&status=pending",
			headers:  []string{"Authorization", "Bearer " + acmeToken},
			want:     want{event: "purchase", amount: "7", orderID: "N-2", answer: 200, partner: 43},
		},
		{
			name:     "native POST form, query and body together",
			click:    "/click?offer_id=12&partner_id=42",
			method:   http.MethodPost,
			postback: "/postback?token=" + acmeToken,
			body:     "click_id={cid}&event=purchase&amount=8&order_id=N-3",
			want:     want{event: "purchase", amount: "8", orderID: "N-3", answer: 200, partner: 42},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newConvHarness(t, nil)
			cid := h.click(tc.click)
			target := strings.ReplaceAll(tc.postback, "{cid}", cid)
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			var req *http.Request
			if tc.body != "" {
				req = httptest.NewRequest(method, target, strings.NewReader(strings.ReplaceAll(tc.body, "{cid}", cid)))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req = httptest.NewRequest(method, target, nil)
			}
			req.RemoteAddr = strangerIP
			if tc.remote != "" {
				req.RemoteAddr = tc.remote
			}
			for i := 0; i+1 < len(tc.headers); i += 2 {
				req.Header.Set(tc.headers[i], tc.headers[i+1])
			}
			w := serve(h.harness, req)

			in := h.sub.last(t)
			if in.ClickID != cid {
				t.Errorf("ClickID %q, want %q", in.ClickID, cid)
			}
			if in.Event != tc.want.event || in.EventID != tc.want.eventID {
				t.Errorf("event %q/%d, want %q/%d", in.Event, in.EventID, tc.want.event, tc.want.eventID)
			}
			if tc.want.amount == "" {
				if in.AmountGiven {
					t.Errorf("amount %s given, want none", in.Amount)
				}
			} else if !in.AmountGiven || !in.Amount.Equal(dec(tc.want.amount)) {
				t.Errorf("amount %s (given %v), want %s", in.Amount, in.AmountGiven, tc.want.amount)
			}
			if in.OrderID != tc.want.orderID || in.Currency != tc.want.currency || in.Coupon != tc.want.coupon {
				t.Errorf("order %q currency %q coupon %q, want %q %q %q", in.OrderID, in.Currency, in.Coupon,
					tc.want.orderID, tc.want.currency, tc.want.coupon)
			}
			if in.CustomerID != tc.want.customerID || in.NewCustomer != tc.want.newCustomer || in.Country != tc.want.country {
				t.Errorf("customer %q new %v country %q, want %q %v %q", in.CustomerID, in.NewCustomer, in.Country,
					tc.want.customerID, tc.want.newCustomer, tc.want.country)
			}
			if in.Status != tc.want.status {
				t.Errorf("Status %q, want %q", in.Status, tc.want.status)
			}
			if in.AdvertiserID != 1 || in.Source != pactum.SourcePostback || !in.Time.Equal(testNow) {
				t.Errorf("advertiser %d source %q time %v, want 1 %q %v", in.AdvertiserID, in.Source, in.Time, pactum.SourcePostback, testNow)
			}

			if w.Code != tc.want.answer {
				t.Fatalf("status %d, want %d (body %s)", w.Code, tc.want.answer, w.Body)
			}
			a := decodeAnswer(t, w)
			if a.ConversionID != 1 || a.PartnerID == nil || *a.PartnerID != tc.want.partner || a.Attribution != pactum.AttributionClick ||
				a.Payout != "12.00" || a.Currency != "EUR" || a.Duplicate {
				t.Errorf("answer %s", w.Body)
			}
			switch tc.want.answer {
			case http.StatusOK:
				wantStatus := pactum.ConversionPending
				if tc.want.status != "" {
					// Approved, or declined by the advertiser itself: recorded as asked.
					wantStatus = tc.want.status
				}
				if a.Status != wantStatus || a.Error != nil || a.Reason != nil {
					t.Errorf("answer %s: want status %s and no error", w.Body, wantStatus)
				}
			case http.StatusUnprocessableEntity:
				if a.Status != pactum.ConversionRejected || a.Reason == nil || *a.Reason != pactum.ReasonAdvertiserDenied ||
					a.Error == nil || a.Error.Code != pactum.EREJECTED {
					t.Errorf("answer %s: want a rejection", w.Body)
				}
			}
		})
	}
}

func TestPostbackAuthentication(t *testing.T) {
	h := newConvHarness(t, func(c *edge.Config) {
		c.TrustedProxies = []netip.Prefix{mustPrefix("10.0.0.0/8")}
	})
	cid := h.click("/click?offer_id=12&partner_id=42")
	base := "/postback?click_id=" + cid + "&event=purchase&amount=10"

	t.Run("no token from an unknown address", func(t *testing.T) {
		w := h.get(base, strangerIP)
		wantError(t, w, http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
		if w.Header().Get("WWW-Authenticate") == "" {
			t.Error("no WWW-Authenticate challenge")
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		wantError(t, h.get(base+"&token=guess", acmeIP), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	t.Run("wrong bearer token", func(t *testing.T) {
		wantError(t, h.get(base, strangerIP, "Authorization", "Bearer guess"), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	t.Run("no token, forged click id, from an allow-listed address", func(t *testing.T) {
		forged := forge(cid)
		wantError(t, h.get("/postback?click_id="+forged+"&event=purchase", acmeIP), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	t.Run("no token, no offer, from an allow-listed address", func(t *testing.T) {
		wantError(t, h.get("/postback?event=purchase&coupon=ANNA10", acmeIP), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	t.Run("no token, unknown offer, from an allow-listed address", func(t *testing.T) {
		wantError(t, h.get("/postback?offer_id=999&event=purchase", acmeIP), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	t.Run("client-chosen X-Forwarded-For is not believed", func(t *testing.T) {
		wantError(t, h.get(base, strangerIP, "X-Forwarded-For", "203.0.113.45"), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	if n := h.sub.calls(); n != 0 {
		t.Fatalf("Submit called %d times for unauthenticated postbacks", n)
	}

	for _, tc := range []struct {
		name, target, remote string
		headers              []string
	}{
		{"allow-listed IPv4 network", base, acmeIP, nil},
		{"allow-listed IPv6 address", base, "[2001:db8::7]:443", nil},
		{"allow-listed through a trusted proxy", base, "10.1.2.3:80", []string{"X-Forwarded-For", "203.0.113.9"}},
		{"allow-listed with offer_id and a coupon", "/postback?offer_id=12&event=purchase&coupon=ANNA10&order_id=C-1", acmeIP, nil},
		{"token of the offer's advertiser", base + "&token=" + acmeToken, strangerIP, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.get(tc.target, tc.remote, tc.headers...)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d, want 200 (body %s)", w.Code, w.Body)
			}
			if in := h.sub.last(t); in.AdvertiserID != 1 {
				t.Fatalf("AdvertiserID %d, want 1", in.AdvertiserID)
			}
		})
	}

	t.Run("token of another advertiser", func(t *testing.T) {
		// Authenticated, so the pipeline decides; it refuses an offer the advertiser does not own.
		w := h.get(base+"&token="+otherToken, acmeIP)
		if in := h.sub.last(t); in.AdvertiserID != 2 {
			t.Fatalf("AdvertiserID %d, want 2", in.AdvertiserID)
		}
		wantError(t, w, http.StatusForbidden, pactum.EFORBIDDEN, "")
	})
}

func TestPostbackBadInput(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?campaign_id=12&pub_id=42")
	for _, tc := range []struct {
		name, target, field string
	}{
		{"Trackier amount", "/acquisition?click_id={cid}&security_token=" + acmeToken + "&sale_amount=12,50", "sale_amount"},
		{"Affise amount", "/postback?clickid={cid}&secure=" + acmeToken + "&sum=1e3", "sum"},
		{"native amount", "/postback?click_id={cid}&token=" + acmeToken + "&amount=abc", "amount"},
		{"negative amount", "/aff_lsr?transaction_id={cid}&token=" + acmeToken + "&amount=-5", "amount"},
		{"status", "/postback?click_id={cid}&token=" + acmeToken + "&status=maybe", "status"},
		{"new customer", "/postback?click_id={cid}&token=" + acmeToken + "&new_customer=perhaps", "new_customer"},
		{"offer id", "/postback?click_id={cid}&token=" + acmeToken + "&offer_id=twelve", "offer_id"},
		{"long order id", "/postback?click_id={cid}&token=" + acmeToken + "&order_id=" + strings.Repeat("x", 300), "order_id"},
		{"long Trackier order id", "/acquisition?click_id={cid}&token=" + acmeToken + "&txn_id=" + strings.Repeat("x", 300), "txn_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.get(strings.ReplaceAll(tc.target, "{cid}", cid), strangerIP)
			wantError(t, w, http.StatusBadRequest, pactum.EINVALID, tc.field)
		})
	}
	t.Run("unauthenticated bad input is told only to authenticate", func(t *testing.T) {
		wantError(t, h.get("/acquisition?click_id="+cid+"&sale_amount=x", strangerIP), http.StatusUnauthorized, pactum.EUNAUTHORIZED, "token")
	})
	t.Run("body over 64 KiB", func(t *testing.T) {
		body := "click_id=" + cid + "&adv1=" + strings.Repeat("a", 70<<10)
		req := httptest.NewRequest(http.MethodPost, "/postback?token="+acmeToken, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wantError(t, serve(h.harness, req), http.StatusBadRequest, pactum.EINVALID, "")
	})
	t.Run("HEAD reports nothing", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodHead, "/postback?click_id="+cid+"&token="+acmeToken, nil)
		if w := serve(h.harness, req); w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("status %d, want 405", w.Code)
		}
	})
	if n := h.sub.calls(); n != 0 {
		t.Fatalf("Submit called %d times for bad input", n)
	}
	t.Run("the pipeline's field error is passed on", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{}, pactum.FieldError("currency", "the offer's currency is EUR")
		})
		wantError(t, h.get("/postback?click_id="+cid+"&currency=USD&token="+acmeToken, strangerIP), http.StatusBadRequest, pactum.EINVALID, "currency")
	})
}

func TestPostbackResults(t *testing.T) {
	var logs bytes.Buffer
	h := newConvHarness(t, func(c *edge.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	cid := h.click("/click?offer_id=12&partner_id=42")
	target := "/postback?click_id=" + cid + "&event=purchase&order_id=R-1&amount=10&token=" + acmeToken
	stored := pactum.Conversion{ID: 77, OfferID: 12, PartnerID: 42, Currency: "EUR", Attribution: pactum.AttributionClick,
		Status: pactum.ConversionPending, Payout: dec("1.5")}

	t.Run("duplicate", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{Conversion: stored, Duplicate: true}, nil
		})
		w := h.get(target, strangerIP)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d, want 200", w.Code)
		}
		if a := decodeAnswer(t, w); a.ConversionID != 77 || !a.Duplicate || a.Payout != "1.50" || a.Status != pactum.ConversionPending {
			t.Fatalf("answer %s", w.Body)
		}
	})
	for _, reason := range []string{pactum.ReasonTooFast, pactum.ReasonWindowExpired, pactum.ReasonPartnerInactive} {
		for _, dup := range []bool{false, true} {
			t.Run("rejected "+reason, func(t *testing.T) {
				h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
					c := stored
					c.Status, c.Reason, c.Payout = pactum.ConversionRejected, reason, decimal.Zero
					return pactum.ConversionResult{Conversion: c, Duplicate: dup}, nil
				})
				w := h.get(target, strangerIP)
				a := wantError(t, w, http.StatusUnprocessableEntity, pactum.EREJECTED, "")
				if a.Reason == nil || *a.Reason != reason || a.ConversionID != 77 || a.Status != pactum.ConversionRejected ||
					a.Duplicate != dup || a.Error.Field == nil || !strings.Contains(a.Error.Message, reason) {
					t.Fatalf("answer %s", w.Body)
				}
			})
		}
	}
	t.Run("unattributed", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{Conversion: pactum.Conversion{ID: 5, Currency: "JPY", Attribution: pactum.AttributionNone,
				Status: pactum.ConversionPending}}, nil
		})
		w := h.get(target, strangerIP)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"partner_id":null`) || !strings.Contains(w.Body.String(), `"payout":"0"`) {
			t.Fatalf("status %d body %s", w.Code, w.Body)
		}
	})
	t.Run("unavailable", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{}, pactum.Errorf(pactum.EUNAVAILABLE, "the event log is full")
		})
		w := h.get(target, strangerIP)
		wantError(t, w, http.StatusServiceUnavailable, pactum.EUNAVAILABLE, "")
		if w.Header().Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
	t.Run("timed out", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{}, context.DeadlineExceeded
		})
		wantError(t, h.get(target, strangerIP), http.StatusServiceUnavailable, pactum.EUNAVAILABLE, "")
	})
	t.Run("queued", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{}, pactum.ErrQueued
		})
		w := h.get(target, strangerIP)
		if w.Code != http.StatusAccepted || w.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("status %d, Content-Type %q; want 202 JSON", w.Code, w.Header().Get("Content-Type"))
		}
		var body struct{ Status, Message string }
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Status != "queued" || body.Message == "" {
			t.Fatalf("answer %s: %v", w.Body, err)
		}
	})
	t.Run("internal error, logged without the token", func(t *testing.T) {
		h.sub.answer(func(pactum.ConversionInput) (pactum.ConversionResult, error) {
			return pactum.ConversionResult{}, errors.New("disk on fire")
		})
		w := h.get(target, strangerIP)
		a := wantError(t, w, http.StatusInternalServerError, pactum.EINTERNAL, "")
		if strings.Contains(w.Body.String(), "disk") || a.Error.Message != "internal error" {
			t.Fatalf("answer %s leaks the error", w.Body)
		}
		if !strings.Contains(logs.String(), "disk on fire") {
			t.Fatalf("error not logged: %s", logs.String())
		}
	})
	t.Run("store failure reading the token", func(t *testing.T) {
		h.advs.mu.Lock()
		h.advs.err = errors.New("database is locked")
		h.advs.mu.Unlock()
		defer func() {
			h.advs.mu.Lock()
			h.advs.err = nil
			h.advs.mu.Unlock()
		}()
		w := h.get(strings.Replace(target, acmeToken, "never-seen-token", 1), strangerIP)
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("status %d, want 500", w.Code)
		}
	})
	if strings.Contains(logs.String(), acmeToken) || strings.Contains(logs.String(), "never-seen-token") {
		t.Fatalf("a token reached the log: %s", logs.String())
	}
}

func TestAdvertiserCache(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	for range 3 {
		if w := h.get("/postback?click_id="+cid+"&token="+acmeToken, strangerIP); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
		if w := h.get("/postback?click_id="+cid+"&token=wrong", strangerIP); w.Code != http.StatusUnauthorized {
			t.Fatalf("status %d", w.Code)
		}
		if w := h.get("/postback?click_id="+cid, acmeIP); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	if n := h.advs.readCount(); n != 3 {
		t.Fatalf("%d advertiser reads, want 3 (token, wrong token, id)", n)
	}

	// A revoked token stops working when the catalog is invalidated...
	h.advs.mu.Lock()
	adv := h.advs.byID[1]
	adv.PostbackTokenHash = tokenHash("rotated")
	adv.PostbackIPs = nil
	h.advs.byID[1] = adv
	h.advs.mu.Unlock()
	h.cat.Invalidate()
	if w := h.get("/postback?click_id="+cid+"&token="+acmeToken, strangerIP); w.Code != http.StatusUnauthorized {
		t.Fatalf("old token after Invalidate: status %d", w.Code)
	}
	if w := h.get("/postback?click_id="+cid, acmeIP); w.Code != http.StatusUnauthorized {
		t.Fatalf("old allow-list after Invalidate: status %d", w.Code)
	}
	if w := h.get("/postback?click_id="+cid+"&token=rotated", strangerIP); w.Code != http.StatusOK {
		t.Fatalf("new token: status %d", w.Code)
	}
	// ...and by itself after a while.
	reads := h.advs.readCount()
	h.advance(time.Minute)
	if w := h.get("/postback?click_id="+cid+"&token=rotated", strangerIP); w.Code != http.StatusOK {
		t.Fatalf("new token: status %d", w.Code)
	}
	if n := h.advs.readCount(); n != reads+1 {
		t.Fatalf("%d reads after the TTL, want %d", n, reads+1)
	}
}

func TestConversionRoutesNeedASubmitter(t *testing.T) {
	h := newHarness(t, nil)
	for _, path := range []string{"/postback?click_id=x", "/pixel?offer_id=12", "/aff_lsr", "/sdk.js"} {
		if w := h.get(path, strangerIP); w.Code != http.StatusNotFound {
			t.Errorf("%s without Conversions: status %d, want 404", path, w.Code)
		}
	}
	signer, _ := clickid.NewSigner(testKey)
	_, err := edge.New(edge.Config{Catalog: catalog.New(newCatalog(), edge.CompileOffer), Signer: signer, Recorder: &recorder{},
		Conversions: &submitter{signer: signer}})
	if err == nil {
		t.Fatal("New with Conversions and without Advertisers: want an error")
	}
}

func TestPostbackQueryEscapes(t *testing.T) {
	h := newConvHarness(t, nil)
	cid := h.click("/click?offer_id=12&partner_id=42")
	q := url.Values{"click_id": {cid}, "token": {acmeToken}, "order_id": {"A&B=C é"}, "coupon": {"x y"}, "bad": {"%zz"}}
	w := h.get("/postback?"+q.Encode()+"&junk=%zz", strangerIP)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	if in := h.sub.last(t); in.OrderID != "A&B=C é" || in.Coupon != "x y" {
		t.Fatalf("order %q coupon %q", in.OrderID, in.Coupon)
	}
	// A NUL is refused, never dropped (TestConversionInputRefusedNotRewritten).
	q.Set("coupon", "x\x00y")
	wantError(t, h.get("/postback?"+q.Encode(), strangerIP), http.StatusBadRequest, pactum.EINVALID, "coupon")
}
