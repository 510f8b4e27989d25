package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pactum/pactum"
)

// TestInvitation: an admin invites a partner's person; the link sets a password once and signs
// them in to the portal.
func TestInvitation(t *testing.T) {
	s := newSite(t)
	admin := s.login("admin@example.com")
	admin.get("/console/settings")
	resp, body := admin.post("/console/settings/invitations", url.Values{"email": {"anna@example.com"}, "role": {"partner"}, "partner_id": {"1"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "exists already") {
		t.Fatalf("inviting an existing user: %d", resp.StatusCode)
	}
	resp, body = admin.post("/console/settings/invitations", url.Values{"email": {"carla@example.com"}, "role": {"partner"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-partner_id-error"`) {
		t.Fatalf("a partner invitation without a partner: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, body = admin.post("/console/settings/invitations", url.Values{"email": {"Carla@Example.com"}, "role": {"partner"}, "partner_id": {"2"}})
	link := regexp.MustCompile(`http://[^<"]+/invitations/[A-Za-z0-9_-]{43}`).FindString(body)
	if resp.StatusCode != http.StatusOK || link == "" {
		t.Fatalf("invite: %d, no link shown", resp.StatusCode)
	}
	path := strings.TrimPrefix(link, s.srv.URL)

	carla := s.browser()
	_, body = carla.get(path)
	if !strings.Contains(body, "carla@example.com") {
		t.Fatal("the invitation page does not say whose it is")
	}
	resp, body = carla.post(path, url.Values{"password": {"short"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-password-error"`) || strings.Contains(body, `value="short"`) {
		t.Fatalf("a short password: %d", resp.StatusCode)
	}
	resp, _ = carla.post(path, url.Values{"password": {"carla's long password"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/portal/dashboard" {
		t.Fatalf("accept: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = carla.get("/portal/commissions")
	if !strings.Contains(body, "/portal/commissions/3") || strings.Contains(body, "/portal/commissions/1") {
		t.Fatal("Carla (partner 2) does not see exactly partner 2's commissions")
	}
	// Opened in a browser where someone else is signed in (the admin trying the link): the
	// form carries that session's token, and accepting signs the new user in instead.
	_, body = admin.post("/console/settings/invitations", url.Values{"email": {"dora@example.com"}, "role": {"admin"}})
	path2 := strings.TrimPrefix(regexp.MustCompile(`http://[^<"]+/invitations/[A-Za-z0-9_-]{43}`).FindString(body), s.srv.URL)
	admin.get(path2)
	if resp, _ := admin.post(path2, url.Values{"password": {"dora's long password"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accepting in a signed-in browser: %d", resp.StatusCode)
	}
	if _, body := admin.get("/console/settings"); !strings.Contains(body, "dora@example.com</span>") {
		t.Fatal("after accepting, the browser is not Dora's")
	}
	// Used once.
	if resp, _ := s.browser().get(path); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the link again: %d", resp.StatusCode)
	}
	if resp, _ := s.browser().post(path, url.Values{"password": {"another long password"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("accepting again: %d", resp.StatusCode)
	}
}

// TestConversionDecisions: approve, reject (the reason is required, at its field) and refund
// from the conversion's page, through the program.
func TestConversionDecisions(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	_, body := b.get("/console/conversions/1")
	for _, want := range []string{"SHOE-9 x2 at 12.00 per unit = 24.00 (rule hero)", "What the advertiser owes", "Approve conversion #1"} {
		if !strings.Contains(body, want) {
			t.Errorf("conversion 1's page lacks %q", want)
		}
	}
	resp, _ := b.post("/console/conversions/1/approve", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", resp.StatusCode)
	}
	if cv, _ := s.store.Conversion(ctx, 1); cv.Status != pactum.ConversionApproved {
		t.Fatalf("conversion 1 is %s", cv.Status)
	}
	_, body = b.get("/console/conversions/1")
	if !strings.Contains(body, "Conversion #1 is approved") {
		t.Error("no notice after the approval")
	}
	if resp, _ := b.post("/console/conversions/1/approve", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("approving twice: %d", resp.StatusCode)
	}
	resp, body = b.post("/console/conversions/2/reject", url.Values{"reason": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-reason-error"`) {
		t.Fatalf("reject without a reason: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := b.post("/console/conversions/2/reject", url.Values{"reason": {"order cancelled"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	resp, body = b.post("/console/conversions/3/refund", url.Values{"sku": {"SHOE-9", "SOCK-1"}, "qty.SHOE-9": {"3"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-items-error"`) {
		t.Fatalf("refunding 3 of 2: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := b.post("/console/conversions/3/refund", url.Values{"sku": {"SHOE-9", "SOCK-1"}, "qty.SHOE-9": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund one shoe: %d", resp.StatusCode)
	}
	if cv, _ := s.store.Conversion(ctx, 3); cv.Payout.String() != "16" {
		t.Fatalf("after refunding one shoe, payout %s, want 16.00 (12 + 4.00)", cv.Payout)
	}
	if resp, _ := b.post("/console/conversions/3/cancel", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown action: %d", resp.StatusCode)
	}
}

// TestPayouts: run a program's payouts, download its SEPA file, mark a payout paid.
func TestPayouts(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	b.get("/console/conversions/1")
	b.post("/console/conversions/1/approve", nil)
	b.get("/console/payouts")
	resp, body := b.post("/console/payouts/runs", url.Values{"advertiser_id": {"1"}, "date": {"2999-01-01"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-date-error"`) {
		t.Fatalf("a run dated ahead: %d", resp.StatusCode)
	}
	resp, _ = b.post("/console/payouts/runs", url.Values{"advertiser_id": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/payouts/runs/1" {
		t.Fatalf("run: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = b.get("/console/payouts/runs/1")
	if !strings.Contains(body, "Anna") || !strings.Contains(body, "33.00 EUR") {
		t.Fatalf("the run's page does not show Anna's payout of 33.00")
	}
	resp, sepa := b.get("/console/payouts/runs/1/export?format=sepa")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "pactum-run-1-sepa.xml") ||
		!strings.Contains(sepa, "pain.001.001.03") || !strings.Contains(sepa, "FR1420041010050500013M02606") {
		t.Fatalf("SEPA export: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	resp, body = b.get("/console/payouts/runs/1/export?format=paypal")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot be made") {
		t.Fatalf("a PayPal file with nobody paid by PayPal: %d", resp.StatusCode)
	}
	resp, body = b.post("/console/payouts/1/settle", url.Values{"status": {"paid"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-reference-1-error"`) {
		t.Fatalf("paid without a reference: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := b.post("/console/payouts/1/settle", url.Values{"status": {"paid"}, "reference.1": {"SEPA-1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", resp.StatusCode)
	}
	if p, _ := s.store.Payout(ctx, 1); p.Status != pactum.PayoutPaid || p.Reference != "SEPA-1" {
		t.Fatalf("payout 1: %+v", p)
	}
	// Anna sees it in her history; her balance shows it paid.
	anna := s.login("anna@example.com")
	_, body = anna.get("/portal/balance")
	if !strings.Contains(body, "SEPA-1") || !strings.Contains(body, "Paid so far</dt><dd>33.00 EUR") {
		t.Fatal("Anna's balance page does not show the payout")
	}
}

// TestSimulator: a draft is replayed and compared; a mistake in it is shown at its rule.
func TestSimulator(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	_, body := b.get("/console/offers/1/simulate")
	if !strings.Contains(body, `value="hero"`) {
		t.Fatal("the simulator does not start from the offer's rules")
	}
	form := url.Values{"event": {"purchase"}, "from": {"2026-11-01"}, "to": {"2026-11-30"},
		"e0.default.kind": {"percent"}, "e0.default.value": {"10"}, "e0.rules.n": {"1"},
		"e0.rules.0.id": {"hero"}, "e0.rules.0.when": {"sku: SHOE-9"}, "e0.rules.0.kind": {"unit"}, "e0.rules.0.value": {"x"}}
	resp, body := b.post("/console/offers/1/simulate", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-e0-rules-0-value-error"`) {
		t.Fatalf("a draft with a mistake: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	form.Set("e0.rules.0.value", "15.00")
	resp, body = b.post("/console/offers/1/simulate", form)
	if resp.StatusCode != 200 || !strings.Contains(body, "What the draft would pay") || !strings.Contains(body, "Anna") {
		t.Fatalf("simulation: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	// Anna's two orders: now 33.00 + 28.00 = 61.00; the draft (no bonus) pays 30.00 + 5.00 (10% of 50) each.
	for _, want := range []string{"61.00 EUR", "70.00 EUR", "9.00 EUR"} {
		if !strings.Contains(body, want) {
			t.Errorf("the simulation lacks %s", want)
		}
	}
}

// TestLinkBuilder: a partner makes a link to an offer it may promote, and not to another.
func TestLinkBuilder(t *testing.T) {
	s := newSite(t)
	anna := s.login("anna@example.com")
	_, body := anna.get("/portal/links?offer_id=1")
	if !strings.Contains(body, "No links yet") {
		t.Fatal("no empty state before the first link")
	}
	resp, body := anna.post("/portal/links", url.Values{"offer_id": {"1"}, "sub1": {"reel-42"}, "source": {"instagram"}})
	if resp.StatusCode != 200 || !regexp.MustCompile(`<code id="made-link">http://track.test/c/[A-Za-z0-9]{8}</code>`).MatchString(body) {
		t.Fatalf("make a link: %d", resp.StatusCode)
	}
	links, _ := s.store.ListLinks(ctx, pactum.LinkFilter{PartnerID: 1}, pactum.Page{})
	if len(links) != 1 || links[0].Sub[0] != "reel-42" {
		t.Fatalf("stored links %+v", links)
	}
	resp, body = anna.post("/portal/links", url.Values{"offer_id": {"99"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "offer 99 does not exist") {
		t.Fatalf("a link to an unknown offer: %d", resp.StatusCode)
	}
	resp, body = anna.post("/portal/links", url.Values{"offer_id": {"1"}, "sub1": {"bad\x01text"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-sub1-error"`) {
		t.Fatalf("a control character in a sub id: %d", resp.StatusCode)
	}
}

// TestSettings: API keys shown once, rates loaded, a schedule's mistake at its field.
func TestSettings(t *testing.T) {
	s := newSite(t)
	b := s.login("admin@example.com")
	b.get("/console/settings")
	resp, body := b.post("/console/settings/api-keys", url.Values{"key.name": {"ops"}, "key.role": {"partner"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-key-partner_id-error"`) {
		t.Fatalf("a partner key without a partner: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	resp, body = b.post("/console/settings/api-keys", url.Values{"key.name": {"ops"}, "key.role": {"admin"}})
	if resp.StatusCode != 200 || !regexp.MustCompile(`<code id="secret-value">pk_`).MatchString(body) {
		t.Fatalf("make a key: %d", resp.StatusCode)
	}
	resp, body = b.post("/console/settings/rates", url.Values{"csv": {"2026-11-20,USD,1.0512\n2026-11-20,XXX,1"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="f-csv-error"`) {
		t.Fatalf("a rate of an unknown currency: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := b.post("/console/settings/rates", url.Values{"csv": {"2026-11-20,USD,1.0512\n2026-11-20,JPY,161.85"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("load rates: %d", resp.StatusCode)
	}
	_, body = b.get("/console/settings")
	if !strings.Contains(body, "161.85") {
		t.Fatal("the loaded rates are not listed")
	}
	resp, body = b.post("/console/settings/schedule", url.Values{"advertiser_id": {"1"}, "payout_schedule": {"monthly"}, "payout_weekday": {"1"}, "payout_day": {"31"}, "net_days": {"0"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "from 1 to 28") {
		t.Fatalf("day 31: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/console/settings/schedule", url.Values{"advertiser_id": {"1"}, "payout_schedule": {"weekly"}, "payout_weekday": {"5"}, "payout_day": {"1"}, "net_days": {"14"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save schedule: %d", resp.StatusCode)
	}
	if a, _ := s.store.Advertiser(ctx, 1); a.PayoutSchedule != "weekly" || a.PayoutWeekday != 5 || a.NetDays != 14 {
		t.Fatalf("schedule stored: %+v", a)
	}
	// The advertiser sets its own schedule only.
	shop := s.login("shop@example.com")
	shop.get("/console/settings")
	if resp, _ := shop.post("/console/settings/schedule", url.Values{"advertiser_id": {"2"}, "payout_schedule": {"manual"}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an advertiser changing another program: %d", resp.StatusCode)
	}
	if resp, _ := shop.post("/console/settings/api-keys", url.Values{"key.role": {"admin"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an advertiser making an admin key: %d", resp.StatusCode)
	}
	// Removing a user ends its sessions at once; an admin cannot remove itself.
	anna := s.login("anna@example.com")
	u, _ := s.store.UserByEmail(ctx, "anna@example.com")
	if resp, _ := b.post("/console/settings/users/"+itoa(u.ID)+"/delete", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove Anna: %d", resp.StatusCode)
	}
	if resp, _ := anna.get("/portal/commissions"); resp.Request.URL.Path != "/login" {
		t.Fatal("a removed user is still signed in")
	}
	me, _ := s.store.UserByEmail(ctx, "admin@example.com")
	if resp, _ := b.post("/console/settings/users/"+itoa(me.ID)+"/delete", nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an admin removing itself: %d", resp.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestAdvertiserConsole: an advertiser's console works on its own program, with no advertiser
// to choose: offers are its own, runs are its program's.
func TestAdvertiserConsole(t *testing.T) {
	s := newSite(t)
	shop := s.login("shop@example.com")
	_, body := shop.get("/console/offers/new")
	if strings.Contains(body, `name="advertiser_id"`) {
		t.Fatal("an advertiser is asked to choose an advertiser")
	}
	resp, _ := shop.post("/console/offers/new", url.Values{"name": {"Autumn"}, "status": {"active"}, "visibility": {"public"},
		"destination_url": {"https://shoes.example/"}, "attribution_model": {"last_click"}, "events.n": {"1"}, "e0.name": {"purchase"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an advertiser's new offer: %d", resp.StatusCode)
	}
	if o, err := s.store.Offer(ctx, 2); err != nil || o.AdvertiserID != 1 {
		t.Fatalf("offer 2: %+v %v", o, err)
	}
	shop.get("/console/conversions/1")
	shop.post("/console/conversions/1/approve", nil)
	shop.get("/console/payouts")
	if resp, _ := shop.post("/console/payouts/runs", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an advertiser's run: %d", resp.StatusCode)
	}
	if resp, _ := shop.get("/console/payouts/runs/1/export?format=csv"); resp.StatusCode != 200 {
		t.Fatalf("the run's CSV: %d", resp.StatusCode)
	}
	if _, body := shop.get("/console/settings"); strings.Contains(body, "API keys") || !strings.Contains(body, "Shoe Shop") {
		t.Fatal("an advertiser's settings: API keys shown, or its schedule missing")
	}
}
