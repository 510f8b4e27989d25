package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/conversion"
	"github.com/pactum/pactum/ingest"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
	"github.com/pactum/pactum/web"
)

var ctx = context.Background()

// cheap keeps logins fast in tests; the parameters are package auth's to test.
var cheap = auth.Hasher{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

// now is the clock of the test program.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// site is the web UI on a fresh SQLite store with a small program, as the server wires it:
// advertiser 1 (Shoe Shop, EUR) with offer 1 and its rules; partners 1 (Anna, active) and 2
// (Ben, pending); a coupon each; conversions 1 and 2 (Anna's) and 3 (Ben's), reported through
// the real conversion pipeline. Logins: admin@example.com, anna@example.com (partner 1),
// ben@example.com (partner 2), shop@example.com (advertiser 1); every password is "password 1234".
type site struct {
	t        testing.TB
	store    *sqldb.Store
	program  *program.Service
	reports  *report.Service
	keeper   *report.Keeper
	recorder *ingest.Recorder
	mux      *http.ServeMux
	srv      *httptest.Server
	clicks   int
}

const password = "password 1234"

const offerRules = `{"default":{"percent":"8"},
  "rules":[{"id":"hero","when":{"sku":["SHOE-9"]},"rate":{"fixed":"12.00","per":"unit"}}],
  "bonuses":[{"id":"new-customer","when":{"new_customer":true},"add":{"fixed":"5.00"}}]}`

// opts change the program's configuration (allowPrivate: postbacks to a loopback receiver).
func newSite(t testing.TB, opts ...func(*program.Config)) *site {
	t.Helper()
	s := wireSite(t, sqlitetest.Open(t), func() time.Time { return now }, opts...)
	st, svc := s.store, s.program
	var err error

	a := program.Admin
	str := func(v string) *string { return &v }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, _, err = svc.CreateAdvertiser(ctx, a, program.AdvertiserInput{Name: str("Shoe Shop"), Currency: str("EUR"),
		LegalName: str("Shoe Shop GmbH"), IBAN: str("DE89370400440532013000"), BIC: str("COBADEFFXXX")})
	must(err)
	_, err = svc.CreatePartner(ctx, a, program.PartnerInput{Name: str("Anna"), Email: str("anna@example.com"), Kind: str("influencer"),
		MinPayout: str("0.00"), PayoutMethod: str("sepa"), IBAN: str("FR1420041010050500013M02606")})
	must(err)
	_, err = svc.CreatePartner(ctx, a, program.PartnerInput{Name: str("Ben"), Email: str("ben@example.com"), Status: str("pending")})
	must(err)
	adv := int64(1)
	events := []program.OfferEventInput{{Name: "purchase", Payout: json.RawMessage(offerRules), Revenue: json.RawMessage(`{"default":{"percent":"12"}}`)}}
	_, err = svc.CreateOffer(ctx, a, program.OfferInput{AdvertiserID: &adv, Name: str("Spring shoes"), HoldDays: ptr(30),
		DestinationURL: str("https://shoes.example/?c={click_id}"), Events: &events})
	must(err)
	for _, c := range []struct {
		code    string
		partner int64
	}{{"ANNA10", 1}, {"BEN10", 2}} {
		_, err = svc.CreateCoupon(ctx, a, program.CouponInput{Code: str(c.code), PartnerID: &c.partner})
		must(err)
	}
	// Ben is pending: his sale is reported while he is active, as it would have been before.
	active := pactum.PartnerActive
	_, err = svc.UpdatePartner(ctx, a, 2, program.PartnerInput{Status: &active})
	must(err)
	for _, o := range []struct {
		order, coupon string
		newCustomer   bool
	}{{"A-1", "ANNA10", true}, {"A-2", "ANNA10", false}, {"B-1", "BEN10", false}} {
		_, err := svc.ReportConversion(ctx, a, pactum.ConversionInput{OfferID: 1, Event: "purchase", OrderID: o.order, Coupon: o.coupon,
			NewCustomer: o.newCustomer, Source: pactum.SourceAPI,
			Items: []pactum.LineItem{{SKU: "SHOE-9", Category: "shoes", Quantity: 2, UnitPrice: decimal.RequireFromString("99.90")},
				{SKU: "SOCK-1", Category: "accessories", Quantity: 1, UnitPrice: decimal.RequireFromString("50.00")}}})
		must(err)
	}
	pending := pactum.PartnerPending
	_, err = svc.UpdatePartner(ctx, a, 2, program.PartnerInput{Status: &pending})
	must(err)
	s.rollup()
	// Clicks: Anna 20 today and 4 ten days ago; Ben 10 today; and 8 of Anna's 40 days ago, in
	// the 30 days before the dashboard's.
	s.click(1, now.Add(-time.Hour), 20)
	s.click(1, now.AddDate(0, 0, -10), 4)
	s.click(2, now.Add(-2*time.Hour), 10)
	s.click(1, now.AddDate(0, 0, -40), 8)
	for _, u := range []program.UserInput{
		{Email: "admin@example.com", Role: pactum.RoleAdmin},
		{Email: "anna@example.com", Role: pactum.RolePartner, PartnerID: 1},
		{Email: "ben@example.com", Role: pactum.RolePartner, PartnerID: 2},
		{Email: "shop@example.com", Role: pactum.RoleAdvertiser, AdvertiserID: 1},
	} {
		_, err := program.CreateUser(ctx, st, u, cheap.Hash(password), now)
		must(err)
	}
	return s
}

// wireSite is the web UI on st with clock, as the server wires it, and no program in it yet.
func wireSite(t testing.TB, st *sqldb.Store, clock func() time.Time, opts ...func(*program.Config)) *site {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	signer, err := clickid.NewSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	var handle bus.Handler
	log, err := bus.OpenFileLog(ctx, bus.FileLogConfig{Dir: t.TempDir(), Urgent: []byte{bus.TypeConversion}, Logger: logger,
		Handler: func(ctx context.Context, entries []bus.Entry) error { return handle(ctx, entries) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close(context.Background()) })
	rules := &commission.Rules{}
	pipe := conversion.New(conversion.Config{Store: st, Signer: signer, Log: log, Rules: rules, Now: clock, Logger: logger})
	handle = ingest.Handler(st, pipe, report.AddVisits, logger)
	cfg := program.Config{Store: st, PublicURL: "http://track.test", Logger: logger, Now: clock, Conversions: pipe, Rules: rules}
	for _, o := range opts {
		o(&cfg)
	}
	svc := program.New(cfg)
	accounts := auth.NewAccounts(auth.Config{Store: st, Hasher: cheap, Now: clock, Logger: logger})
	reports := report.New(st, nil, clock)
	ui, err := web.New(web.Config{Program: svc, Accounts: accounts, Reports: reports, Stream: st, Logger: logger,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, store: st, program: svc, reports: reports, keeper: report.NewKeeper(st, logger),
		recorder: &ingest.Recorder{Log: log}, mux: http.NewServeMux()}
	ui.Register(s.mux)
	s.srv = httptest.NewServer(s.mux)
	t.Cleanup(s.srv.Close)
	return s
}

func ptr[T any](v T) *T { return &v }

// rollup brings the conversions' changes into the reports' rollups, as the keeper does.
func (s *site) rollup() {
	s.t.Helper()
	if _, err := s.keeper.Consume(ctx); err != nil {
		s.t.Fatal(err)
	}
}

// click records n clicks of partner on offer 1 at a time, through the event log as the edge
// does, and waits until they are stored (and so in the reports and the live stream).
func (s *site) click(partner int64, at time.Time, n int) {
	s.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		s.clicks++
		v := pactum.Visit{ClickID: fmt.Sprintf("click-%d", s.clicks), Time: at, OfferID: 1, PartnerID: partner,
			Country: "DE", Device: "mobile", Source: "instagram", Unique: true,
			UserAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}
		wg.Go(func() { errs <- s.recorder.RecordClick(ctx, &v) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			s.t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if n, err := s.store.LastClickSeq(ctx); err == nil && n >= int64(s.clicks) {
			return
		}
	}
	s.t.Fatalf("click %d was not stored", s.clicks)
}

// browser is a client with its own cookies, as one browser.
type browser struct {
	t      testing.TB
	s      *site
	client *http.Client
	token  string // the form token of the last page
	header http.Header
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, s: s, header: http.Header{},
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in as email and fails the test if that does not work.
func (s *site) login(email string) *browser {
	s.t.Helper()
	b := s.browser()
	if resp, _ := b.post("/login", url.Values{"email": {email}, "password": {password}}); resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("login %s: %d", email, resp.StatusCode)
	}
	b.get("/") // a page, for its form token
	return b
}

var tokenRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path, following redirects within the site, and returns the last answer and body.
func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	for range 5 {
		resp, body := b.do("GET", path, nil)
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
			return resp, body
		}
		path = resp.Header.Get("Location")
	}
	b.t.Fatalf("GET %s: too many redirects", path)
	return nil, ""
}

// post sends a form with the last page's form token (unless form has one) and does not follow
// the redirect.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && b.token != "" {
		form.Set("csrf", b.token)
	}
	return b.do("POST", path, strings.NewReader(form.Encode()))
}

func (b *browser) do(method, path string, body io.Reader) (*http.Response, string) {
	b.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = b.s.srv.URL + path
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := tokenRe.FindSubmatch(raw); m != nil {
		b.token = string(m[1])
	}
	return resp, string(raw)
}
