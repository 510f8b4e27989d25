package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// heldSite is the test site with sales held for review by the self_referral rule (the customer
// is Anna's own email; moderate, the default level, holds them): H-1, H-2 and H-3 on offer 1 (the
// Shoe Shop's, advertiser 1), and H-9 on offer 2 of another program, the Bike Shop's. It returns
// the conversions' ids by order.
func heldSite(t *testing.T) (*site, map[string]int64) {
	t.Helper()
	s := newSite(t)
	a := program.Admin
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	adv, _, err := s.program.CreateAdvertiser(ctx, a, program.AdvertiserInput{Name: ptr("Bike Shop"), Currency: ptr("EUR")})
	must(err)
	events := []program.OfferEventInput{{Name: "purchase", Payout: json.RawMessage(`{"default":{"percent":"10"}}`)}}
	bikes, err := s.program.CreateOffer(ctx, a, program.OfferInput{AdvertiserID: &adv.ID, Name: ptr("City bikes"), HoldDays: ptr(30),
		DestinationURL: ptr("https://bikes.example/?c={click_id}"), Events: &events})
	must(err)
	ids := map[string]int64{}
	for _, h := range []struct {
		order string
		offer int64
	}{{"H-1", 1}, {"H-2", 1}, {"H-3", 1}, {"H-9", bikes.ID}} {
		res, err := s.program.ReportConversion(ctx, a, pactum.ConversionInput{OfferID: h.offer, Event: "purchase", OrderID: h.order,
			Coupon: "ANNA10", CustomerID: "Anna@Example.com", Amount: decimal.RequireFromString("80.00"), AmountGiven: true,
			Source: pactum.SourceAPI})
		must(err)
		if !res.Conversion.Held() || res.Conversion.Reason != pactum.ReasonSelfReferral {
			t.Fatalf("%s is not held for self_referral: %+v", h.order, res.Conversion)
		}
		ids[h.order] = res.Conversion.ID
	}
	return s, ids
}

// conversion reads a conversion from the store.
func (s *site) conversion(id int64) *pactum.Conversion {
	s.t.Helper()
	cv, err := s.store.Conversion(ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return &cv
}

// ledgerKinds are the kinds of the ledger entries of a conversion, as the program lists them.
func (s *site) ledgerKinds(id int64) []string {
	s.t.Helper()
	page, err := s.program.Ledger(ctx, program.Admin, program.Owners{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		s.t.Fatal(err)
	}
	var kinds []string
	for _, e := range page.Items {
		if e.ConversionID == id {
			kinds = append(kinds, e.Kind)
		}
	}
	return kinds
}

// The fraud pages join the pages every check of every page runs on (pagesOf, web_test.go).
func init() {
	pagesOf["admin@example.com"] = append(pagesOf["admin@example.com"], "/console/review", "/console/partners/1/fraud",
		"/console/offers/1/fraud", "/console/settings/fraud", "/console/settings/fraud/1")
	pagesOf["shop@example.com"] = append(pagesOf["shop@example.com"], "/console/review", "/console/offers/1/fraud", "/console/settings/fraud")
}

var rowRe = regexp.MustCompile(`name="id" value="(\d+)"`)

// queueIDs are the conversions a queue page offers to decide.
func queueIDs(body string) []string {
	var out []string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func ids(v ...int64) []string {
	out := make([]string, len(v))
	for i, id := range v {
		out[i] = fmt.Sprint(id)
	}
	return out
}

// TestReviewQueue: the queue lists the held conversions with their reasons in words, the
// partner, amount, payout and the time from click to sale, filtered by offer, partner and
// reason; a filter's mistake is shown at its input; without held sales it says what to do.
func TestReviewQueue(t *testing.T) {
	s, held := heldSite(t)
	admin := s.login("admin@example.com")
	resp, body := admin.get("/console/review")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `aria-current="page">Review</a>`) {
		t.Fatalf("the queue: %d", resp.StatusCode)
	}
	// Each row's partner has its fraud score, the report service's, out of 100.
	score, err := s.reports.FraudScore(ctx, program.Admin, 1)
	if err != nil {
		t.Fatal(err)
	}
	shown := fmt.Sprintf(`(%d<span class="skip-label"> out of 100, `, score.Score)
	if n := strings.Count(body, shown); n != len(queueIDs(body)) || n == 0 {
		t.Errorf("Anna's fraud score %s is on %d of the queue's %d rows", shown, n, len(queueIDs(body)))
	}
	if got, want := queueIDs(body), ids(held["H-1"], held["H-2"], held["H-3"], held["H-9"]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the admin's queue lists %v, want %v", got, want)
	}
	for _, want := range []string{"<strong>Self-referral</strong>: the customer is the partner", ">Anna</a>", "/console/partners/1/fraud",
		"80.00 EUR", "Spring shoes", "City bikes", "no click (coupon)", "order H-1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the queue lacks %q", want)
		}
	}
	for query, want := range map[string][]string{
		"offer_id=1":                            ids(held["H-1"], held["H-2"], held["H-3"]),
		"partner_id=2":                          nil,
		"reason=self_referral&partner_id=1":     ids(held["H-1"], held["H-2"], held["H-3"], held["H-9"]),
		"reason=repeated_ip":                    nil,
		fmt.Sprintf("offer_id=%d", 2):           ids(held["H-9"]),
		fmt.Sprintf("after=%d", held["H-2"]):    ids(held["H-3"], held["H-9"]),
		"offer_id=1&reason=conversion_velocity": nil,
	} {
		resp, body := admin.get("/console/review?" + query)
		if got := queueIDs(body); resp.StatusCode != http.StatusOK || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("?%s: %d, lists %v, want %v", query, resp.StatusCode, got, want)
		}
		if want == nil && !strings.Contains(body, "No held conversion matches these filters") {
			t.Errorf("?%s: no empty state", query)
		}
	}
	resp, body = admin.get("/console/review?reason=datacenter")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-reason-error"`) {
		t.Errorf("a click rule's reason: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, body = admin.get("/console/review?partner_id=anna")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-partner_id-error"`) {
		t.Errorf("a partner id that is none: %d\n%s", resp.StatusCode, errorsOf(body))
	}

	// Without held sales: what to do next.
	admin.post("/console/review/decisions", url.Values{"id": ids(held["H-1"], held["H-2"], held["H-3"], held["H-9"]), "decision": {"release"}})
	_, body = admin.get("/console/review")
	if !strings.Contains(body, "Nothing is waiting for review.</strong></p><p>Conversions a fraud rule holds appear here; rules are set per offer under") ||
		len(queueIDs(body)) != 0 {
		t.Errorf("the empty queue:\n%s", body)
	}
}

// TestReviewDecisions: ticked conversions are approved, rejected (with a reason) or released
// in one request, through the program (the ledger follows), and the page says what was done;
// one no longer held is named, not decided twice; a request the program refuses as a whole is
// shown at its input and decides nothing.
func TestReviewDecisions(t *testing.T) {
	s, held := heldSite(t)
	admin := s.login("admin@example.com")
	admin.get("/console/review?offer_id=1")
	back := "offer_id=1"

	resp, _ := admin.post("/console/review/decisions", url.Values{"id": ids(held["H-1"], held["H-2"]), "decision": {"approve"}, "back": {back}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/review?offer_id=1" {
		t.Fatalf("approve: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := admin.get(resp.Header.Get("Location"))
	if want := fmt.Sprintf("Approved 2 conversions: #%d, #%d.", held["H-1"], held["H-2"]); !strings.Contains(body, want) {
		t.Errorf("the summary lacks %q", want)
	}
	if got := queueIDs(body); fmt.Sprint(got) != fmt.Sprint(ids(held["H-3"])) {
		t.Errorf("after approving, the queue lists %v", got)
	}
	for _, id := range []int64{held["H-1"], held["H-2"]} {
		if cv := s.conversion(id); cv.Status != pactum.ConversionApproved {
			t.Errorf("#%d is %s after approval", id, cv.Status)
		}
		if kinds := s.ledgerKinds(id); fmt.Sprint(kinds) != "[accrued approved]" {
			t.Errorf("#%d's ledger: %v", id, kinds)
		}
	}

	// A reason longer than the program takes: at the reason's input, nothing decided, ticks kept.
	resp, body = admin.post("/console/review/decisions", url.Values{"id": ids(held["H-3"], held["H-9"]), "decision": {"reject"},
		"reason": {strings.Repeat("x", 5000)}, "back": {back}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-reason-error"`) ||
		!strings.Contains(body, fmt.Sprintf(`value="%d" id="pick-%d" aria-label="Select conversion #%d" checked`, held["H-3"], held["H-3"], held["H-3"])) {
		t.Fatalf("a reason too long: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if !s.conversion(held["H-3"]).Held() {
		t.Fatal("a refused request decided H-3")
	}
	// Nothing ticked.
	resp, body = admin.post("/console/review/decisions", url.Values{"decision": {"approve"}, "back": {back}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-decisions-error"`) {
		t.Fatalf("nothing ticked: %d\n%s", resp.StatusCode, errorsOf(body))
	}

	// Rejected with a reason; one of them was decided meanwhile and is named, not decided again.
	resp, _ = admin.post("/console/review/decisions", url.Values{"id": ids(held["H-3"], held["H-1"]), "decision": {"reject"},
		"reason": {"the customer is the partner's brother"}})
	_, body = admin.get(resp.Header.Get("Location"))
	for _, want := range []string{fmt.Sprintf("Rejected 1 conversion: #%d; they earn nothing.", held["H-3"]),
		fmt.Sprintf("Not decided: #%d (conversion %d is approved and not held for review).", held["H-1"], held["H-1"])} {
		if !strings.Contains(body, want) {
			t.Errorf("the summary lacks %q:\n%s", want, regexp.MustCompile(`(?s)<p class="notice".*?</p>`).FindString(body))
		}
	}
	if cv := s.conversion(held["H-3"]); cv.Status != pactum.ConversionRejected || cv.Reason != "the customer is the partner's brother" {
		t.Errorf("H-3 after rejection: %s %q", cv.Status, cv.Reason)
	}
	if kinds := s.ledgerKinds(held["H-3"]); fmt.Sprint(kinds) != "[accrued reversed]" {
		t.Errorf("H-3's ledger: %v", kinds)
	}
	if cv := s.conversion(held["H-1"]); cv.Status != pactum.ConversionApproved {
		t.Errorf("H-1 was decided again: %s", cv.Status)
	}

	// Released: back in its hold period (30 days from the sale), no longer held.
	resp, _ = admin.post("/console/review/decisions", url.Values{"id": ids(held["H-9"]), "decision": {"release"}})
	_, body = admin.get(resp.Header.Get("Location"))
	if !strings.Contains(body, fmt.Sprintf("Released 1 conversion to their hold period: #%d.", held["H-9"])) {
		t.Error("no summary of the release")
	}
	if cv := s.conversion(held["H-9"]); cv.Held() || cv.Status != pactum.ConversionPending || !cv.ApproveAt.Equal(cv.Time.AddDate(0, 0, 30)) {
		t.Errorf("H-9 after release: %s, approve at %v", cv.Status, cv.ApproveAt)
	}
}

// TestReviewScope: an advertiser sees and decides only its program's held sales; a partner has
// no queue, no fraud pages and no decisions; forged and cross-site decisions are refused.
func TestReviewScope(t *testing.T) {
	s, held := heldSite(t)
	shop := s.login("shop@example.com")
	_, body := shop.get("/console/review")
	if got, want := queueIDs(body), ids(held["H-1"], held["H-2"], held["H-3"]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the Shoe Shop's queue lists %v, want %v", got, want)
	}
	if strings.Contains(body, "City bikes") || strings.Contains(body, "H-9") {
		t.Fatal("the Shoe Shop's queue shows the Bike Shop's offer or sale")
	}
	if !strings.Contains(body, ">Partner 1</a>") {
		t.Error("an advertiser sees the partner by its id")
	}
	_, body = shop.get("/console/review?offer_id=2")
	if len(queueIDs(body)) != 0 {
		t.Fatal("?offer_id= of another program's offer lists its sales")
	}
	resp, _ := shop.post("/console/review/decisions", url.Values{"id": ids(held["H-9"], held["H-1"]), "decision": {"approve"}})
	_, body = shop.get(resp.Header.Get("Location"))
	if want := fmt.Sprintf("Not decided: #%d (there is no such conversion, or it is not yours to decide).", held["H-9"]); !strings.Contains(body, want) {
		t.Errorf("deciding another program's sale: the summary lacks %q", want)
	}
	if !s.conversion(held["H-9"]).Held() || s.conversion(held["H-1"]).Status != pactum.ConversionApproved {
		t.Fatal("the advertiser decided another program's sale, or not its own")
	}
	for _, p := range []string{fmt.Sprintf("/console/conversions/%d", held["H-9"]), "/console/partners/99/fraud", "/console/offers/2/fraud", "/console/settings/fraud/2"} {
		if resp, _ := shop.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the Shoe Shop GET %s: %d", p, resp.StatusCode)
		}
	}
	if resp, _ := shop.post("/console/settings/fraud/2", url.Values{"fraud.level": {"relaxed"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the Shoe Shop saves the Bike Shop's fraud rules: %d", resp.StatusCode)
	}

	// A partner: the console's pages send it home; its forms change nothing.
	anna := s.login("anna@example.com")
	for _, p := range []string{"/console/review", "/console/partners/1/fraud", "/console/offers/1/fraud", "/console/settings/fraud", "/console/settings/fraud/1"} {
		resp, body := anna.get(p)
		if resp.Request.URL.Path != "/portal/dashboard" || strings.Contains(body, "Self-referral") {
			t.Errorf("Anna GET %s ends at %s", p, resp.Request.URL.Path)
		}
	}
	anna.get("/portal/dashboard")
	if resp, _ := anna.post("/console/review/decisions", url.Values{"id": ids(held["H-2"]), "decision": {"approve"}}); resp.StatusCode != http.StatusSeeOther ||
		!s.conversion(held["H-2"]).Held() {
		t.Errorf("Anna decides her own held sale: %d", resp.StatusCode)
	}

	// Forged and cross-site.
	admin := s.login("admin@example.com")
	admin.get("/console/review")
	decide := url.Values{"id": ids(held["H-2"]), "decision": {"approve"}}
	admin.header.Set("Sec-Fetch-Site", "cross-site")
	if resp, body := admin.post("/console/review/decisions", decide); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "from another site") {
		t.Errorf("a cross-site decision: %d", resp.StatusCode)
	}
	admin.header = http.Header{}
	if resp, _ := admin.post("/console/review/decisions", url.Values{"id": ids(held["H-2"]), "decision": {"approve"}, "csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a decision with a forged form token: %d", resp.StatusCode)
	}
	if resp, _ := admin.post("/console/offers/1/fraud", url.Values{"fraud.level": {"relaxed"}, "csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("fraud rules with a forged form token: %d", resp.StatusCode)
	}
	if !s.conversion(held["H-2"]).Held() {
		t.Fatal("a refused decision decided H-2")
	}
	if o, _ := s.store.Offer(ctx, 1); o.Fraud.Level != "" {
		t.Fatalf("a refused form set the level %q", o.Fraud.Level)
	}
}

// TestHeldConversionPage: a held conversion's page says why in words and decides it through
// the review decisions, back to the page.
func TestHeldConversionPage(t *testing.T) {
	s, held := heldSite(t)
	admin := s.login("admin@example.com")
	path := fmt.Sprintf("/console/conversions/%d", held["H-1"])
	_, body := admin.get(path)
	for _, want := range []string{"<dt>Held for</dt>", "<strong>Self-referral</strong>: the customer is the partner", "never: a person decides",
		`name="decision" value="release"`, `name="decision" value="approve"`, `name="decision" value="reject"`,
		`(<a href="/console/partners/1/fraud">its fraud score</a>)`} {
		if !strings.Contains(body, want) {
			t.Errorf("the held conversion's page lacks %q", want)
		}
	}
	if strings.Contains(body, fmt.Sprintf(`action="/console/conversions/%d/approve"`, held["H-1"])) {
		t.Error("a held conversion offers the hold period's approval")
	}
	resp, body := admin.post("/console/review/decisions", url.Values{"id": ids(held["H-1"]), "decision": {"reject"}, "return": {"conversion"},
		"reason": {strings.Repeat("x", 5000)}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-reason-error"`) || !strings.Contains(body, "<dt>Held for</dt>") {
		t.Fatalf("a reason too long, from the conversion's page: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, _ = admin.post("/console/review/decisions", url.Values{"id": ids(held["H-1"]), "decision": {"release"}, "return": {"conversion"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("release from the conversion's page: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = admin.get(path)
	for _, want := range []string{"is released: it is approved at the end of its hold period", "<dt>Reason</dt>",
		fmt.Sprintf(`action="/console/conversions/%d/approve"`, held["H-1"])} {
		if !strings.Contains(body, want) {
			t.Errorf("after the release, the page lacks %q", want)
		}
	}
	// Again: no longer held, said on the page.
	resp, body = admin.post("/console/review/decisions", url.Values{"id": ids(held["H-1"]), "decision": {"approve"}, "return": {"conversion"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "not held for review") {
		t.Fatalf("deciding a released conversion: %d\n%s", resp.StatusCode, errorsOf(body))
	}
}

// TestFraudSettingsForms: the offer's and the program's fraud rules are saved through the
// program, and each mistake is shown at its input, under the service's field name.
func TestFraudSettingsForms(t *testing.T) {
	s, _ := heldSite(t)
	shop := s.login("shop@example.com")
	_, body := shop.get("/console/offers/1/fraud")
	for _, want := range []string{"The program&#39;s: moderate", `name="fraud.rules.self_referral"`, "Self-referral", "In effect now"} {
		if !strings.Contains(body, want) {
			t.Errorf("the offer's fraud rules lack %q", want)
		}
	}
	if strings.Contains(body, `<select id="f-fraud-rules-datacenter" name="fraud.rules.datacenter"><option value="">as the level says</option><option>off</option><option>flag</option><option>review</option>`) {
		t.Error("a click rule offers review")
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		input  string
		phrase string
	}{
		{"level", url.Values{"fraud.level": {"paranoid"}}, "fraud.level", "relaxed, moderate or strict"},
		{"a click rule held", url.Values{"fraud.rules.datacenter": {"review"}}, "fraud.rules.datacenter", "a click cannot be held"},
		{"a block list entry", url.Values{"fraud.blocked_ips": {"203.0.113.7\n\n10.0.0.1/8\n"}}, "fraud.blocked_ips", "Line 3: &#34;10.0.0.1/8&#34; has bits set"},
		{"window", url.Values{"fraud.duplicate_window_seconds": {"90000"}}, "fraud.duplicate_window_seconds", "from 1 to 86400"},
		{"not a number", url.Values{"fraud.max_conversion_seconds": {"a day"}}, "fraud.max_conversion_seconds", "whole number"},
	} {
		resp, body := shop.post("/console/offers/1/fraud", c.form)
		id := strings.NewReplacer(".", "-").Replace("f-" + c.input)
		if resp.StatusCode != http.StatusBadRequest || !regexp.MustCompile(`id="`+regexp.QuoteMeta(id)+`-error">[^<]*`+regexp.QuoteMeta(c.phrase)).MatchString(body) ||
			!strings.Contains(body, `href="#`+id+`"`) {
			t.Errorf("%s: %d, want the error at %s\n%s", c.name, resp.StatusCode, id, errorsOf(body))
		}
		for k, v := range c.form {
			if !strings.Contains(body, v[0]) && k != "fraud.blocked_ips" {
				t.Errorf("%s: the form lost what was sent in %s", c.name, k)
			}
		}
	}
	if o, _ := s.store.Offer(ctx, 1); !o.Fraud.IsZero() {
		t.Fatalf("refused forms changed the offer's fraud rules: %+v", o.Fraud)
	}
	resp, _ := shop.post("/console/offers/1/fraud", url.Values{"fraud.level": {"strict"}, "fraud.rules.self_referral": {"review"},
		"fraud.blocked_ips": {"203.0.113.7\r\n2001:DB8::/32"}, "fraud.duplicate_window_seconds": {"600"}, "fraud.max_conversion_seconds": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the offer's fraud rules: %d", resp.StatusCode)
	}
	o, _ := s.store.Offer(ctx, 1)
	if o.Fraud.Level != "strict" || o.Fraud.Rules["self_referral"] != "review" || fmt.Sprint(o.Fraud.BlockedIPs) != "[203.0.113.7 2001:db8::/32]" ||
		o.Fraud.DuplicateWindowSeconds != 600 || o.Fraud.MaxConversionSeconds != 0 || len(o.Fraud.Rules) != 1 {
		t.Fatalf("the offer's fraud rules: %+v", o.Fraud)
	}
	_, body = shop.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "are saved") || !strings.Contains(body, "2001:db8::/32") || !regexp.MustCompile(`<option selected>strict</option>`).MatchString(body) {
		t.Error("the saved rules are not shown")
	}

	// The program's: an advertiser goes straight to its own.
	resp, _ = shop.get("/console/settings/fraud")
	if resp.Request.URL.Path != "/console/settings/fraud/1" {
		t.Fatalf("the advertiser's fraud settings at %s", resp.Request.URL.Path)
	}
	resp, body = shop.post("/console/settings/fraud/1", url.Values{"fraud.blocked_ips": {"198.51.100.7", "junk"}, "fraud.rules.repeated_ip": {"sometimes"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-fraud-rules-repeated_ip-error"`) {
		t.Fatalf("a program's rule: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, body = shop.post("/console/settings/fraud/1", url.Values{"fraud.blocked_ips": {"198.51.100.7\nnot an address"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-fraud-blocked_ips-error">Line 2: `) {
		t.Fatalf("a program's block list: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := shop.post("/console/settings/fraud/1", url.Values{"fraud.level": {"relaxed"}, "fraud.rules.repeated_customer": {"off"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the program's fraud rules: %d", resp.StatusCode)
	}
	if adv, _ := s.store.Advertiser(ctx, 1); adv.Fraud.Level != "relaxed" || adv.Fraud.Rules["repeated_customer"] != "off" {
		t.Fatalf("the program's fraud rules: %+v", adv.Fraud)
	}
	// The offer inherits what it does not set: repeated_customer now off there too.
	_, body = shop.get("/console/offers/1/fraud")
	if !regexp.MustCompile(`Repeated customer</strong>(?s:.*?)In effect now"><strong>off</strong>`).MatchString(body) {
		t.Error("the offer does not show the program's rule in effect")
	}

	// An admin picks a program.
	_, body = s.login("admin@example.com").get("/console/settings/fraud")
	for _, want := range []string{`href="/console/settings/fraud/1">Shoe Shop</a>`, `href="/console/settings/fraud/2">Bike Shop</a>`, "repeated_customer: off"} {
		if !strings.Contains(body, want) {
			t.Errorf("the admin's list of programs lacks %q", want)
		}
	}
}

// TestFraudScorePage: a partner's score with each signal in words and a bar drawn without
// inline styles; an advertiser's over its own offers; unknown partners are not found.
func TestFraudScorePage(t *testing.T) {
	s, _ := heldSite(t)
	// A minute on: the score's window ends now, without it, and the sales were made at the
	// test's now.
	was := now
	now = now.Add(time.Minute)
	t.Cleanup(func() { now = was })
	if _, err := report.NewKeeper(s.store, slog.New(slog.NewTextHandler(io.Discard, nil))).Consume(ctx); err != nil {
		t.Fatal(err)
	}
	admin := s.login("admin@example.com")
	resp, body := admin.get("/console/partners/1/fraud")
	// Anna: 6 sales, 4 of them held: held_or_rejected 4/6 gives its 20 points, and nothing else.
	for _, want := range []string{"Fraud score: Anna", "Score 20 of 100: low", "Sales held or rejected: 20 of 20 points", "4 of 6 sales (67%)",
		`<rect class="fill" width="100"`, "Flagged clicks: 0 of 20 points", "0 of 32 clicks (0%)", `href="/console/review?partner_id=1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("Anna's score lacks %q", want)
		}
	}
	if resp.StatusCode != http.StatusOK || inlineStyle.MatchString(body) || inlineScript.MatchString(body) {
		t.Errorf("the score page: %d, or inline style", resp.StatusCode)
	}
	shop := s.login("shop@example.com")
	_, body = shop.get("/console/partners/1/fraud")
	if !strings.Contains(body, "Fraud score: Partner 1") || !strings.Contains(body, "3 of 5 sales (60%)") || !strings.Contains(body, "on your offers") {
		t.Errorf("the Shoe Shop's view of Anna's score:\n%s", body)
	}
	for _, p := range []string{"/console/partners/99/fraud", "/console/partners/x/fraud"} {
		if resp, _ := admin.get(p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
}
