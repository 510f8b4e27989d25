package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// otherProgram adds advertiser 2 (Hat Shop) with offer 2, which advertiser 1's people may not
// see or change.
func (s *site) otherProgram() {
	s.t.Helper()
	name, offer, dest := "Hat Shop", "Hats", "https://hats.example/"
	if _, _, err := s.program.CreateAdvertiser(ctx, program.Admin, program.AdvertiserInput{Name: &name}); err != nil {
		s.t.Fatal(err)
	}
	adv := int64(2)
	events := []program.OfferEventInput{{Name: "purchase", Payout: json.RawMessage(`{"default":{"percent":"5"}}`)}}
	if _, err := s.program.CreateOffer(ctx, program.Admin, program.OfferInput{AdvertiserID: &adv, Name: &offer,
		DestinationURL: &dest, Events: &events}); err != nil {
		s.t.Fatal(err)
	}
}

// formCase is a form with a mistake, the status it is answered with, and the input (its id)
// where the error must be shown.
type formCase struct {
	name  string
	form  url.Values
	input string
	code  int
}

// expectFieldErrors posts each case's form to path: its answer must have the status, the
// error at the input, and the summary's link to it.
func (b *browser) expectFieldErrors(path string, cases []formCase) {
	b.t.Helper()
	for _, tt := range cases {
		resp, body := b.post(path, tt.form)
		if resp.StatusCode != tt.code || !strings.Contains(body, `id="`+tt.input+`-error"`) || !strings.Contains(body, `href="#`+tt.input+`"`) {
			b.t.Errorf("%s %s: %d, want %d and the error at %s:\n%s", path, tt.name, resp.StatusCode, tt.code, tt.input, errorsOf(body))
		}
	}
}

// shows gets path and fails the test for each of wants its page lacks; it returns the page.
func (b *browser) shows(path string, wants ...string) string {
	b.t.Helper()
	_, body := b.get(path)
	for _, want := range wants {
		if !strings.Contains(body, want) {
			b.t.Errorf("%s lacks %q", path, want)
		}
	}
	return body
}

// TestConsoleLinks: an admin makes a partner's link and copies its URL; mistakes are shown at
// their field; an advertiser links only to its own offers and sees only their links.
func TestConsoleLinks(t *testing.T) {
	s := newSite(t)
	s.otherProgram()
	admin := s.login("admin@example.com")
	if _, body := admin.get("/console/links"); !strings.Contains(body, "No links yet") || !strings.Contains(body, `href="/console/links/new"`) {
		t.Fatal("no empty state that leads to a new link")
	}
	_, body := admin.get("/console/links/new?offer_id=1&partner_id=1")
	if !strings.Contains(body, `<option value="1" selected>Spring shoes (offer 1)</option>`) || !strings.Contains(body, `<option value="1" selected>Anna (partner 1)</option>`) {
		t.Fatal("the new link's form does not start from ?offer_id= and ?partner_id=")
	}
	admin.expectFieldErrors("/console/links/new", []formCase{
		{"no partner", url.Values{"offer_id": {"1"}, "partner_id": {""}}, "f-partner_id", 400},
		{"no offer", url.Values{"offer_id": {""}, "partner_id": {"1"}}, "f-offer_id", 400},
		{"an unknown offer", url.Values{"offer_id": {"99"}, "partner_id": {"1"}}, "f-offer_id", 400},
		{"a partner id that is no number", url.Values{"offer_id": {"1"}, "partner_id": {"anna"}}, "f-partner_id", 400},
		{"a short code", url.Values{"offer_id": {"1"}, "partner_id": {"1"}, "code": {"x"}}, "f-code", 400},
		{"a control character", url.Values{"offer_id": {"1"}, "partner_id": {"1"}, "sub2": {"a\x01"}}, "f-sub2", 400},
	})
	resp, body := admin.post("/console/links/new", url.Values{"offer_id": {"1"}, "partner_id": {"1"}, "code": {"ANNA-IG"}, "sub1": {"=cmd"}, "source": {"instagram"}})
	if resp.StatusCode != 200 || !strings.Contains(body, `<code id="made-link">http://track.test/c/ANNA-IG</code>`) || !strings.Contains(body, `data-copy="#made-link"`) {
		t.Fatalf("make a link: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if !strings.Contains(body, "ready for Anna") {
		t.Error("the made link does not say whose it is")
	}
	if resp, body := admin.post("/console/links/new", url.Values{"offer_id": {"1"}, "partner_id": {"2"}, "code": {"ANNA-IG"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, `id="f-code-error"`) {
		t.Errorf("a code taken: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	admin.post("/console/links/new", url.Values{"offer_id": {"2"}, "partner_id": {"2"}})
	admin.shows("/console/links", "http://track.test/c/ANNA-IG", `data-copy="#link-1"`, "sub1==cmd", "Anna", "Ben", "Hats")
	if _, body := admin.get("/console/links?partner_id=2&offer_id=1"); !strings.Contains(body, "No link matches these filters") {
		t.Error("a filter that matches nothing has no empty state")
	}
	if resp, body := admin.get("/console/links?partner_id=anna"); resp.StatusCode != 400 || !strings.Contains(body, `id="f-partner_id-error"`) {
		t.Errorf("a filter that is no id: %d", resp.StatusCode)
	}

	// The advertiser: its own offers only, in the list, the filters and the form.
	shop := s.login("shop@example.com")
	_, body = shop.get("/console/links")
	if !strings.Contains(body, "ANNA-IG") || strings.Contains(body, "Hats") || strings.Count(body, `<code id="link-`) != 1 {
		t.Fatalf("the advertiser's links:\n%s", body)
	}
	if !strings.Contains(body, `id="f-partner_id" name="partner_id" type="text"`) || strings.Contains(body, "Anna (partner 1)") {
		t.Error("an advertiser chooses among partners it may not see")
	}
	if _, body := shop.get("/console/links?offer_id=2"); strings.Contains(body, "link-2") {
		t.Error("?offer_id= of another program shows its links")
	}
	shop.get("/console/links/new")
	if resp, body := shop.post("/console/links/new", url.Values{"offer_id": {"2"}, "partner_id": {"1"}}); resp.StatusCode != 400 || !strings.Contains(body, `id="f-offer_id-error"`) {
		t.Errorf("an advertiser linking to another program's offer: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := shop.post("/console/links/new", url.Values{"offer_id": {"1"}, "partner_id": {"2"}}); resp.StatusCode != 200 {
		t.Errorf("an advertiser's link for partner 2: %d", resp.StatusCode)
	}
	if links, _ := s.store.ListLinks(ctx, pactum.LinkFilter{}, pactum.Page{}); len(links) != 3 {
		t.Errorf("%d links stored, want 3", len(links))
	}
	// A partner's console is its portal.
	anna := s.login("anna@example.com")
	if resp, _ := anna.get("/console/links"); resp.Request.URL.Path != "/portal/dashboard" {
		t.Errorf("a partner at /console/links ends at %s", resp.Request.URL.Path)
	}
	anna.post("/console/links/new", url.Values{"offer_id": {"1"}, "partner_id": {"2"}})
	if links, _ := s.store.ListLinks(ctx, pactum.LinkFilter{PartnerID: 2}, pactum.Page{}); len(links) != 2 {
		t.Errorf("partner 2 has %d links after Anna's post, want 2", len(links))
	}
}

// TestConsoleCoupons: make, list, filter and delete coupons; an advertiser's are its offers'.
func TestConsoleCoupons(t *testing.T) {
	s := newSite(t)
	s.otherProgram()
	admin := s.login("admin@example.com")
	_, body := admin.get("/console/coupons")
	if !strings.Contains(body, "ANNA10") || !strings.Contains(body, "BEN10") || !strings.Contains(body, "every offer") {
		t.Fatal("the coupons are not listed")
	}
	if _, body := admin.get("/console/coupons?partner_id=1"); !strings.Contains(body, "ANNA10") || strings.Contains(body, "BEN10") {
		t.Error("?partner_id=1 does not show Anna's coupons only")
	}
	admin.get("/console/coupons/new")
	admin.expectFieldErrors("/console/coupons/new", []formCase{
		{"no code", url.Values{"code": {""}, "partner_id": {"1"}}, "f-code", 400},
		{"a code with a space", url.Values{"code": {"SUMMER 5"}, "partner_id": {"1"}}, "f-code", 400},
		{"no partner", url.Values{"code": {"SUMMER5"}}, "f-partner_id", 400},
		{"a code taken, in another case", url.Values{"code": {"anna10"}, "partner_id": {"2"}}, "f-code", 409},
		{"an unknown offer", url.Values{"code": {"SUMMER5"}, "partner_id": {"2"}, "offer_id": {"99"}}, "f-offer_id", 400},
	})
	resp, _ := admin.post("/console/coupons/new", url.Values{"code": {"summer5"}, "partner_id": {"2"}, "offer_id": {"2"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/coupons?partner_id=2" {
		t.Fatalf("make a coupon: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = admin.get("/console/coupons?partner_id=2")
	if !strings.Contains(body, "Coupon SUMMER5 is ready") || !strings.Contains(body, "Ben") || !strings.Contains(body, "Hats") {
		t.Fatal("the new coupon is not shown with its partner and offer")
	}
	resp, _ = admin.post("/console/coupons/SUMMER5/delete", url.Values{"partner_id": {"2"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/coupons?partner_id=2" {
		t.Fatalf("delete: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := s.store.Coupon(ctx, "SUMMER5"); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("the deleted coupon: %v", err)
	}
	if resp, _ := admin.post("/console/coupons/SUMMER5/delete", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d", resp.StatusCode)
	}
	// Refused without the form token, or from another site: the coupon stays.
	if resp, _ := admin.post("/console/coupons/BEN10/delete", url.Values{"csrf": {"forged"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete with a forged token: %d", resp.StatusCode)
	}
	admin.header.Set("Sec-Fetch-Site", "cross-site")
	if resp, _ := admin.post("/console/coupons/BEN10/delete", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("delete from another site: %d", resp.StatusCode)
	}
	if _, err := s.store.Coupon(ctx, "BEN10"); err != nil {
		t.Fatalf("a refused delete removed BEN10: %v", err)
	}

	// The advertiser: coupons on its own offers only; it must name one.
	shop := s.login("shop@example.com")
	if _, body := shop.get("/console/coupons"); strings.Contains(body, ">ANNA10</code>") || !strings.Contains(body, "No coupons yet") {
		t.Errorf("an advertiser sees coupons of every offer, or no empty state:\n%s", body)
	}
	shop.get("/console/coupons/new")
	if resp, body := shop.post("/console/coupons/new", url.Values{"code": {"SHOE5"}, "partner_id": {"1"}}); resp.StatusCode != 400 || !strings.Contains(body, `id="f-offer_id-error"`) {
		t.Errorf("an advertiser's coupon without an offer: %d\n%s", resp.StatusCode, errorsOf(body))
	}
	if resp, _ := shop.post("/console/coupons/new", url.Values{"code": {"SHOE5"}, "partner_id": {"1"}, "offer_id": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("an advertiser's coupon: %d", resp.StatusCode)
	}
	if resp, _ := shop.post("/console/coupons/ANNA10/delete", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an advertiser deleting a coupon not on its offers: %d", resp.StatusCode)
	}
	if _, err := s.store.Coupon(ctx, "ANNA10"); err != nil {
		t.Fatal("the advertiser deleted ANNA10")
	}
	if _, body := shop.get("/console/coupons"); !strings.Contains(body, "SHOE5") || !strings.Contains(body, "partner 1") {
		t.Error("the advertiser's coupon is not listed by its partner's id")
	}
}
