package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum/shop"
)

// shopServer plays a Pactum server in conversions mode: its clicks redirect
// with a click id, POST /api/v1/conversions checks the body and answers 201,
// and the count and list endpoints report what it stored. drop forgets every
// drop-th conversion after answering, noPayout stores every noPayout-th
// without a commission, twice lists every twice-th two times.
type shopServer struct {
	drop, noPayout, twice int
	cookieOnly            bool // the click id only in a pc_ cookie, not in Location
	pageCap               int  // largest page the list answers, to make the client page

	mu       sync.Mutex
	clicks   int
	issued   map[string]bool
	used     map[string]int // click id -> conversions
	received int
	dropped  int
	unpaid   int
	stored   []storedConversion
	bad      []string // why a request was refused, for the test to report
	from     []string
}

type storedConversion struct {
	OrderID string
	Payout  string // "" for none
}

func newShopServer() *shopServer {
	return &shopServer{
		issued:  map[string]bool{},
		used:    map[string]int{},
		pageCap: 37,
		// Conversions of other runs and of real traffic, which the check
		// must pass over.
		stored: []storedConversion{{"ORDER-1", "4.00"}, {"lt-00000000-1", "1.00"}, {"lt-", ""}},
	}
}

type postedConversion struct {
	ClickID     string `json:"click_id"`
	OrderID     string `json:"order_id"`
	Currency    string `json:"currency"`
	Event       string `json:"event"`
	NewCustomer bool   `json:"new_customer"`
	Items       []struct {
		SKU       string `json:"sku"`
		Category  string `json:"category"`
		Quantity  int    `json:"quantity"`
		UnitPrice string `json:"unit_price"`
	} `json:"items"`
}

func (s *shopServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") && r.Header.Get("Authorization") != "Bearer "+testKey {
		http.Error(w, `{"error":{"code":"unauthenticated"}}`, http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/c/DEMO":
		s.clicks++
		id := fmt.Sprintf("ck%06d.sig", s.clicks)
		s.issued[id] = true
		if s.cookieOnly {
			http.SetCookie(w, &http.Cookie{Name: "pc_7", Value: id, Path: "/"})
			w.Header().Set("Location", "https://shop.example/landing?partner=1")
		} else {
			w.Header().Set("Location", "https://shop.example/landing?click_id="+id+"&partner=1&sub1=")
		}
		w.WriteHeader(http.StatusFound)
	case r.Method == http.MethodPost && r.URL.Path == ConversionsPath:
		s.postConversion(w, r)
	case r.Method == http.MethodGet && r.URL.Path == PostbackPath:
		s.postback(w, r)
	case r.Method == http.MethodGet && r.URL.Path == DefaultConversionCountPath:
		fmt.Fprintf(w, `{"count": %d}`, len(s.stored))
	case r.Method == http.MethodGet && r.URL.Path == ConversionsPath:
		s.list(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *shopServer) postConversion(w http.ResponseWriter, r *http.Request) {
	var c postedConversion
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&c)
	switch {
	case err != nil:
	case r.Header.Get("Content-Type") != "application/json":
		err = fmt.Errorf("content type %q", r.Header.Get("Content-Type"))
	case !s.issued[c.ClickID]:
		err = fmt.Errorf("click id %q was never issued", c.ClickID)
	case c.OrderID == "" || c.Currency != "EUR" || c.Event != DefaultEvent || len(c.Items) != 3:
		err = fmt.Errorf("body %+v", c)
	case c.Items[0].SKU != "SHOE-9" || c.Items[1].Quantity != 2 || c.Items[2].UnitPrice != "24.00":
		err = fmt.Errorf("items %+v", c.Items)
	}
	if s.refuse(w, err) {
		return
	}
	s.store(c)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":%d,"order_id":%q,"duplicate":false}`, len(s.stored), c.OrderID)
}

// postback takes a conversion as Pactum's /postback does: the advertiser's
// token, the click id, order id and total in the query; 200 when created.
func (s *shopServer) postback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c := postedConversion{ClickID: q.Get("click_id"), OrderID: q.Get("order_id")}
	var err error
	switch {
	case q.Get("token") != testPostbackToken:
		err = fmt.Errorf("token %q", q.Get("token"))
	case !s.issued[c.ClickID]:
		err = fmt.Errorf("click id %q was never issued", c.ClickID)
	case c.OrderID == "" || q.Get("event") != DefaultEvent || q.Get("currency") != "EUR" || q.Get("amount") != "143.80":
		err = fmt.Errorf("query %q", r.URL.RawQuery)
	}
	if s.refuse(w, err) {
		return
	}
	s.store(c)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"conversion_id":%d,"status":"pending","duplicate":false}`, len(s.stored))
}

// refuse answers 400 and keeps why, for the test to report, when err is not nil.
func (s *shopServer) refuse(w http.ResponseWriter, err error) bool {
	if err == nil {
		return false
	}
	s.bad = append(s.bad, err.Error())
	http.Error(w, `{"error":{"code":"invalid_argument"}}`, http.StatusBadRequest)
	return true
}

// store keeps a conversion the server took, or drops it, as the test set it up.
func (s *shopServer) store(c postedConversion) {
	s.used[c.ClickID]++
	s.received++
	payout := "12.00"
	if c.NewCustomer {
		payout = "17.00"
	}
	switch {
	case s.drop > 0 && s.received%s.drop == 0:
		s.dropped++
	case s.noPayout > 0 && s.received%s.noPayout == 0:
		s.unpaid++
		s.stored = append(s.stored, storedConversion{c.OrderID, ""})
	default:
		s.stored = append(s.stored, storedConversion{c.OrderID, payout})
		if s.twice > 0 && s.received%s.twice == 0 {
			s.stored = append(s.stored, storedConversion{c.OrderID, payout})
		}
	}
}

// list answers pages of at most pageCap conversions; the cursor is the
// index of the next one.
func (s *shopServer) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("limit") != "1000" {
		http.Error(w, "limit "+q.Get("limit"), http.StatusBadRequest)
		return
	}
	if _, err := time.Parse(time.RFC3339, q.Get("from")); err != nil {
		http.Error(w, "from: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.from = append(s.from, q.Get("from"))
	at, _ := strconv.Atoi(q.Get("cursor"))
	end := min(at+s.pageCap, len(s.stored))
	type commission struct {
		Payout    string          `json:"payout"`
		Breakdown json.RawMessage `json:"payout_breakdown"`
	}
	type item struct {
		ID         int         `json:"id"`
		OrderID    string      `json:"order_id"`
		Items      []string    `json:"items"`
		Commission *commission `json:"commission"`
	}
	var page struct {
		Data       []item `json:"data"`
		NextCursor string `json:"next_cursor,omitempty"`
	}
	page.Data = []item{}
	for i := at; i < end; i++ {
		c := s.stored[i]
		it := item{ID: i + 1, OrderID: c.OrderID, Items: []string{"SHOE-9"}}
		// An unpaid one is listed as Pactum's API does (payout 0.00,
		// null breakdown), with an empty payout, or with no commission
		// at all: each is no commission.
		switch {
		case c.Payout != "":
			it.Commission = &commission{c.Payout, json.RawMessage(`{"lines":[{"rule":"hero","amount":"12.00"}]}`)}
		case i%3 == 0:
			it.Commission = &commission{"0.00", json.RawMessage(`null`)}
		case i%3 == 1:
			it.Commission = &commission{"", json.RawMessage(`{}`)}
		}
		page.Data = append(page.Data, it)
	}
	if end < len(s.stored) {
		page.NextCursor = strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(page)
}

func quickConversions(target string) Config {
	cfg := quick(target, "/c/DEMO")
	cfg.Mode = ModeConversions
	cfg.APIKey = testKey
	cfg.ClickIDs = 50
	cfg.Settle = 300 * time.Millisecond
	// Longer than quick's: on a loaded machine a few requests are all
	// that fit in 300 ms, and the checks need some to compare.
	cfg.Duration = 500 * time.Millisecond
	return cfg
}

const testPostbackToken = "pt_test+token/1"

func quickPostbacks(target string) Config {
	cfg := quickConversions(target)
	cfg.Mode = ModePostbacks
	cfg.PostbackToken = testPostbackToken
	return cfg
}

func runShop(t *testing.T, s *shopServer) (Result, string) {
	t.Helper()
	return runShopMode(t, s, quickConversions)
}

func runShopMode(t *testing.T, s *shopServer, config func(string) Config) (Result, string) {
	t.Helper()
	srv := httptest.NewServer(s)
	defer srv.Close()
	res, err := Run(context.Background(), config(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bad) > 0 {
		t.Fatalf("%d bad requests, e.g. %s", len(s.bad), s.bad[0])
	}
	if res.AckedTotal == 0 || res.Errors != 0 || int64(s.received) != res.AckedTotal {
		t.Fatalf("acked %d (total %d), errors %d %q, server received %d",
			res.Acked, res.AckedTotal, res.Errors, res.ErrorSamples, s.received)
	}
	if s.clicks != 50 || res.ClickIDs != 50 || len(s.used) != 50 {
		t.Fatalf("%d clicks, %d click ids, %d used", s.clicks, res.ClickIDs, len(s.used))
	}
	if !res.Listed || len(s.from) == 0 {
		t.Fatalf("listed %v, %d list requests", res.Listed, len(s.from))
	}
	var out bytes.Buffer
	res.Print(&out, "pactum conversions")
	return res, out.String()
}

func TestConversionsVerified(t *testing.T) {
	for _, tc := range []struct {
		name string
		srv  *shopServer
	}{
		{"click id in Location", newShopServer()},
		{"click id in cookie", func() *shopServer { s := newShopServer(); s.cookieOnly = true; return s }()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, out := runShop(t, tc.srv)
			checkVerified(t, tc.srv, res, out, "conversions/s")
		})
	}
}

func TestPostbacksVerified(t *testing.T) {
	s := newShopServer()
	res, out := runShopMode(t, s, quickPostbacks)
	checkVerified(t, s, res, out, "postbacks/s")
}

func TestPostbacksMissing(t *testing.T) {
	s := newShopServer()
	s.drop = 3
	res, out := runShopMode(t, s, quickPostbacks)
	if res.Verified || res.Missing != int64(s.dropped) || res.Found != res.AckedTotal-res.Missing {
		t.Fatalf("verified %v, found %d, missing %d (dropped %d)", res.Verified, res.Found, res.Missing, s.dropped)
	}
	if !strings.Contains(out, fmt.Sprintf("MISSING %d", s.dropped)) {
		t.Errorf("Print:\n%s", out)
	}
}

// checkVerified asserts that a run against s found every acknowledged
// conversion stored once with a commission, and printed so in unit.
func checkVerified(t *testing.T, s *shopServer, res Result, out, unit string) {
	t.Helper()
	if !res.Verified || res.Found != res.AckedTotal || res.Missing+res.NoCommission+res.Duplicates != 0 {
		t.Fatalf("verified %v, found %d of %d, missing %d, no commission %d, duplicates %d",
			res.Verified, res.Found, res.AckedTotal, res.Missing, res.NoCommission, res.Duplicates)
	}
	if res.Stored() != res.AckedTotal {
		t.Errorf("count +%d for %d acknowledged", res.Stored(), res.AckedTotal)
	}
	seen := map[string]bool{}
	for _, c := range s.stored {
		if seen[c.OrderID] {
			t.Fatalf("order id %s sent twice", c.OrderID)
		}
		seen[c.OrderID] = true
	}
	want := fmt.Sprintf("stored: %d of %d acknowledged conversions, all with commissions (ok)", res.AckedTotal, res.AckedTotal)
	for _, w := range []string{unit, "set-up      50 click ids", "p99", want} {
		if !strings.Contains(out, w) {
			t.Errorf("Print lacks %q:\n%s", w, out)
		}
	}
}

func TestConversionsMissing(t *testing.T) {
	s := newShopServer()
	s.drop = 3
	res, out := runShop(t, s)
	if res.Verified || res.Missing != int64(s.dropped) || res.Found != res.AckedTotal-res.Missing || res.NoCommission != 0 {
		t.Fatalf("verified %v, found %d, missing %d (dropped %d), no commission %d",
			res.Verified, res.Found, res.Missing, s.dropped, res.NoCommission)
	}
	want := fmt.Sprintf("stored: %d of %d acknowledged conversions (MISSING %d, COUNT ONLY +%d)",
		res.Found, res.AckedTotal, s.dropped, res.Stored())
	if !strings.Contains(out, want) {
		t.Errorf("Print lacks %q:\n%s", want, out)
	}
}

func TestConversionsWithoutCommission(t *testing.T) {
	s := newShopServer()
	s.noPayout = 3
	res, out := runShop(t, s)
	if res.Verified || res.NoCommission != int64(s.unpaid) || res.Missing != 0 || res.Found != res.AckedTotal {
		t.Fatalf("verified %v, found %d of %d, missing %d, no commission %d (unpaid %d)",
			res.Verified, res.Found, res.AckedTotal, res.Missing, res.NoCommission, s.unpaid)
	}
	want := fmt.Sprintf("(NO COMMISSION %d)", s.unpaid)
	if !strings.Contains(out, want) {
		t.Errorf("Print lacks %q:\n%s", want, out)
	}
}

func TestConversionsListedTwice(t *testing.T) {
	s := newShopServer()
	s.twice = 3
	res, out := runShop(t, s)
	if res.Verified || res.Duplicates == 0 || res.Missing != 0 || res.NoCommission != 0 {
		t.Fatalf("verified %v, duplicates %d, missing %d, no commission %d",
			res.Verified, res.Duplicates, res.Missing, res.NoCommission)
	}
	if !strings.Contains(out, fmt.Sprintf("(DUPLICATE %d)", res.Duplicates)) {
		t.Errorf("Print:\n%s", out)
	}
}

func TestConversionsNeedClickIDs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == DefaultConversionCountPath {
			fmt.Fprint(w, `{"count": 0}`)
			return
		}
		w.Header().Set("Location", "https://shop.example/")
		w.WriteHeader(http.StatusFound)
	}))
	defer srv.Close()
	_, err := Run(context.Background(), quickConversions(srv.URL))
	if err == nil || !strings.Contains(err.Error(), "click_id") {
		t.Fatalf("err = %v, want one about the missing click id", err)
	}
}

func TestConversionsValidate(t *testing.T) {
	for _, cfg := range []Config{
		{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: ModeConversions},
		{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: ModeConversions, APIKey: "k", ClickIDs: MaxClickIDs + 1},
		{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: "impressions"},
		// Postbacks need the advertiser's token, and an API key for the check.
		{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: ModePostbacks, APIKey: "k"},
		{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: ModePostbacks, PostbackToken: "t"},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	cfg, err := Config{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: ModeConversions, APIKey: "k"}.withDefaults()
	if err != nil || cfg.Expect != http.StatusCreated || cfg.CountPath != DefaultConversionCountPath ||
		cfg.ClickIDs != DefaultClickIDs || cfg.Event != DefaultEvent {
		t.Errorf("defaults %+v, %v", cfg, err)
	}
	cfg, err = Config{Target: "http://127.0.0.1:1", Path: "/c/X", Mode: ModePostbacks, APIKey: "k", PostbackToken: "t"}.withDefaults()
	if err != nil || cfg.Expect != http.StatusOK || cfg.CountPath != DefaultConversionCountPath {
		t.Errorf("postbacks defaults %+v, %v", cfg, err)
	}
}

func TestConversionBody(t *testing.T) {
	cfg := Config{APIKey: "k", Connections: 4, Event: `pur"chase`}
	c, err := newConversions(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.clickIDs = []string{`"a"`, `"b\"c"`}
	for n := range int64(4) {
		var v postedConversion
		body := c.appendBody(nil, n)
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		wantClick := []string{"a", `b"c`}[n%2]
		if v.ClickID != wantClick || v.OrderID != c.orderPrefix+strconv.FormatInt(n, 10) ||
			v.NewCustomer != (n%2 == 1) || v.Event != `pur"chase` || len(v.Items) != 3 {
			t.Errorf("%s decodes to %+v", body, v)
		}
		if got, ok := c.orderNumber(v.OrderID); !ok || got != n {
			t.Errorf("order number of %s: %d %v", v.OrderID, got, ok)
		}
	}
}

func TestConversionRequestAllocations(t *testing.T) {
	c, err := newConversions(Config{APIKey: "k", Connections: 4})
	if err != nil {
		t.Fatal(err)
	}
	c.clickIDs = []string{`"abc"`}
	r := &run{ctx: context.Background(), api: endpoint{prefix: "http://127.0.0.1:1/p", basePath: "/p"}, conv: c}
	w := &worker{r: r, nextOrder: 3}
	send := func() {
		req := w.conversion()
		// As the transport does once it has written the body.
		req.Body.Close()
	}
	send()
	if got := testing.AllocsPerRun(100, send); got != 0 {
		t.Errorf("%v allocations per conversion", got)
	}
	req := w.conversion()
	if req.Method != http.MethodPost || req.URL.RequestURI() != "/p"+ConversionsPath ||
		req.Header.Get("Authorization") != "Bearer k" || req.ContentLength != int64(len(w.buf)) {
		t.Errorf("%s %s %v, length %d", req.Method, req.URL.RequestURI(), req.Header, req.ContentLength)
	}
	// A body the transport has not closed must not be written over.
	held := w.body
	w.conversion()
	if w.body == held {
		t.Error("a body still held by the transport was reused")
	}
}

func TestPostbackRequest(t *testing.T) {
	c, err := newConversions(Config{Mode: ModePostbacks, APIKey: "k", PostbackToken: "pt_a+b/c&d", Event: "sale", Connections: 4})
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.encodeClickID("ab+c/d=")
	if err != nil {
		t.Fatal(err)
	}
	c.clickIDs = []string{id}
	ep := endpoint{prefix: "http://127.0.0.1:1/edge", basePath: "/edge"}
	r := &run{ctx: context.Background(), conv: c}
	w := &worker{r: r, ep: &ep, nextOrder: 3}
	req := w.postback()
	if req.Method != http.MethodGet || req.Header.Get("Authorization") != "" {
		t.Fatalf("%s with headers %v", req.Method, req.Header)
	}
	path, query, _ := strings.Cut(req.URL.RequestURI(), "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	if path != "/edge"+PostbackPath || q.Get("token") != "pt_a+b/c&d" || q.Get("click_id") != "ab+c/d=" ||
		q.Get("order_id") != c.orderPrefix+"3" || q.Get("event") != "sale" || q.Get("amount") != "143.80" || q.Get("currency") != "EUR" {
		t.Errorf("postback %s", req.URL.RequestURI())
	}
	if n, ok := c.orderNumber(q.Get("order_id")); !ok || n != 3 || w.order != 3 || w.nextOrder != 7 {
		t.Errorf("order %d (%v), worker at %d, next %d", n, ok, w.order, w.nextOrder)
	}
}

// TestConversionsGoToAPI: with edges as targets and an API process apart,
// click ids are made on both edges and the conversions, the count and the
// listing go to the API.
func TestConversionsGoToAPI(t *testing.T) {
	s := newShopServer()
	var edges []*onlyPaths
	var urls []string
	for range 2 {
		e := &onlyPaths{h: s, prefixes: []string{"/c/"}}
		srv := httptest.NewServer(e)
		defer srv.Close()
		edges = append(edges, e)
		urls = append(urls, srv.URL)
	}
	api := &onlyPaths{h: s, prefixes: []string{"/api/"}}
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()

	cfg := quickConversions(strings.Join(urls, ","))
	cfg.API = apiSrv.URL
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bad) > 0 || res.Errors != 0 || !res.Verified || int64(s.received) != res.AckedTotal {
		t.Fatalf("bad %q, errors %d %q, verified %v, received %d of %d acknowledged",
			s.bad, res.Errors, res.ErrorSamples, res.Verified, s.received, res.AckedTotal)
	}
	if got := edges[0].hits.Load() + edges[1].hits.Load(); got != 50 || edges[0].hits.Load() == 0 || edges[1].hits.Load() == 0 {
		t.Errorf("click ids made on the edges: %d and %d, want 50 on both together", edges[0].hits.Load(), edges[1].hits.Load())
	}
	for i, e := range edges {
		if e.misrouted.Load() != 0 {
			t.Errorf("edge %d got %d requests for the API", i, e.misrouted.Load())
		}
	}
	if api.misrouted.Load() != 0 || api.hits.Load() < res.AckedTotal {
		t.Errorf("API: %d requests for %d conversions, %d misrouted", api.hits.Load(), res.AckedTotal, api.misrouted.Load())
	}
	var out bytes.Buffer
	res.Print(&out, "pactum conversions")
	if !strings.Contains(out.String(), "api         "+apiSrv.URL) || !strings.Contains(out.String(), "(ok)") {
		t.Errorf("Print:\n%s", out.String())
	}
}

// TestShopifyRequest: shopify mode's request is an orders/create webhook as Shopify sends it,
// signed with the secret, whose order Pactum's parser reads as ten lines with the coupon and an
// order id of this run beyond 2^53.
func TestShopifyRequest(t *testing.T) {
	c, err := newConversions(Config{Mode: ModeShopify, APIKey: "k", ShopSecret: "shpss_x", Coupon: "ANNA10", Connections: 4})
	if err != nil {
		t.Fatal(err)
	}
	ep := endpoint{prefix: "http://127.0.0.1:1/base", basePath: "/base"}
	r := &run{ctx: context.Background(), conv: c, parts: []string{"/webhooks/shopify/1?offer_id=2"}}
	w := &worker{r: r, ep: &ep, nextOrder: 5}
	for range 2 {
		req := w.shopifyOrder()
		body := make([]byte, req.ContentLength)
		if _, err := io.ReadFull(req.Body, body); err != nil {
			t.Fatal(err)
		}
		if req.Method != http.MethodPost || req.URL.RequestURI() != "/base/webhooks/shopify/1?offer_id=2" ||
			req.Header.Get("X-Shopify-Topic") != "orders/create" || !shop.Verify(body, "shpss_x", req.Header.Get("X-Shopify-Hmac-Sha256")) {
			t.Fatalf("request %s %s %v", req.Method, req.URL.RequestURI(), req.Header)
		}
		o, test, err := shop.ParseShopifyOrder(body)
		if err != nil || test || len(o.Items) != 10 || o.Coupons[0] != "ANNA10" || len(o.ID) != 18 || len(body) < 12000 {
			t.Fatalf("order %+v (%d bytes), %v", o, len(body), err)
		}
		if n, ok := c.orderNumber(o.ID); !ok || n != w.order || o.NewCustomer != (n%2 == 1) {
			t.Fatalf("order id %s is number %d (%v), sent %d", o.ID, n, ok, w.order)
		}
		req.Body.Close()
	}
}
