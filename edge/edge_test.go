package edge_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/edge"
	"github.com/pactum/pactum/geoip"
)

// catalog is an in-memory CatalogStore and ClickSource that counts its reads.
type fakeStore struct {
	mu       sync.Mutex
	offers   map[int64]pactum.Offer
	partners map[int64]pactum.Partner
	links    map[string]pactum.Link
	clicks   []pactum.Visit
	reads    int
	err      error // returned by every read when set
}

func (c *fakeStore) Offer(_ context.Context, id int64) (pactum.Offer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.err != nil {
		return pactum.Offer{}, c.err
	}
	o, ok := c.offers[id]
	if !ok {
		return o, pactum.Errorf(pactum.ENOTFOUND, "offer %d not found", id)
	}
	return o, nil
}

func (c *fakeStore) Partner(_ context.Context, id int64) (pactum.Partner, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.err != nil {
		return pactum.Partner{}, c.err
	}
	p, ok := c.partners[id]
	if !ok {
		return p, pactum.Errorf(pactum.ENOTFOUND, "partner %d not found", id)
	}
	return p, nil
}

func (c *fakeStore) LinkByCode(_ context.Context, code string) (pactum.Link, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.err != nil {
		return pactum.Link{}, c.err
	}
	l, ok := c.links[code]
	if !ok {
		return l, pactum.Errorf(pactum.ENOTFOUND, "link %q not found", code)
	}
	return l, nil
}

func (c *fakeStore) ClicksSince(_ context.Context, since time.Time, fn func(pactum.Visit) error) error {
	for _, v := range c.clicks {
		if !v.Time.Before(since) {
			if err := fn(v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *fakeStore) readCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// recorder captures what the edge records.
type recorder struct {
	mu          sync.Mutex
	clicks      []pactum.Visit
	impressions []pactum.Visit
	err         error
}

func (r *recorder) RecordClick(_ context.Context, v *pactum.Visit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.clicks = append(r.clicks, *v)
	return nil
}

func (r *recorder) RecordImpression(_ context.Context, v *pactum.Visit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.impressions = append(r.impressions, *v)
	return nil
}

func (r *recorder) lastClick(t *testing.T) pactum.Visit {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.clicks) == 0 {
		t.Fatal("no click recorded")
	}
	return r.clicks[len(r.clicks)-1]
}

func (r *recorder) counts() (clicks, impressions int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.clicks), len(r.impressions)
}

const (
	chromeDesktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	safariIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	safariIPad    = "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
	googlebot     = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
)

// Offers of the test program.
const (
	offerShop     = 12 // active, destination with every macro, fallback
	offerPaused   = 13 // paused, with fallback
	offerNoFall   = 14 // paused, no fallback
	offerFR       = 15 // targets FR and BE, fallback
	offerMobile   = 16 // targets mobile, fallback
	offerArchived = 17 // archived, fallback
	partnerAnna   = 42 // active
	partnerBob    = 43 // active
	partnerSusp   = 44 // suspended
)

const (
	shopDest = "https://shop.example/land?cid={click_id}&o={offer_id}&a={partner_id}&s1={sub1}&s2={sub2}&s3={sub3}&s4={sub4}&s5={sub5}&src={source}&cc={country}&dev={device}&ts={timestamp}"
	fallback = "https://fallback.example/sorry?cid={click_id}&o={offer_id}"
)

var testNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func newCatalog() *fakeStore {
	offer := func(id int64, status, dest, fb string, t pactum.Targeting) pactum.Offer {
		return pactum.Offer{ID: id, AdvertiserID: 1, Name: "offer", Status: status, DestinationURL: dest,
			FallbackURL: fb, Currency: "EUR", AttributionWindowDays: 7, Targeting: t, Visibility: pactum.VisibilityPublic}
	}
	return &fakeStore{
		offers: map[int64]pactum.Offer{
			offerShop:     offer(offerShop, pactum.OfferActive, shopDest, fallback, pactum.Targeting{}),
			offerPaused:   offer(offerPaused, pactum.OfferPaused, "https://paused.example/?c={click_id}", fallback, pactum.Targeting{}),
			offerNoFall:   offer(offerNoFall, pactum.OfferPaused, "https://paused.example/?c={click_id}", "", pactum.Targeting{}),
			offerFR:       offer(offerFR, pactum.OfferActive, "https://fr.example/?c={click_id}&cc={country}", fallback, pactum.Targeting{Countries: []string{"FR", "be"}}),
			offerMobile:   offer(offerMobile, pactum.OfferActive, "https://m.example/?c={click_id}&d={device}", fallback, pactum.Targeting{Devices: []string{"mobile"}}),
			offerArchived: offer(offerArchived, pactum.OfferArchived, "https://old.example/", fallback, pactum.Targeting{}),
		},
		partners: map[int64]pactum.Partner{
			partnerAnna: {ID: partnerAnna, Name: "Anna", Kind: pactum.KindInfluencer, Status: pactum.PartnerActive},
			partnerBob:  {ID: partnerBob, Name: "Bob", Kind: pactum.KindAffiliate, Status: pactum.PartnerActive},
			partnerSusp: {ID: partnerSusp, Name: "Sue", Kind: pactum.KindAffiliate, Status: pactum.PartnerSuspended},
		},
		links: map[string]pactum.Link{
			"anna":   {ID: 7, OfferID: offerShop, PartnerID: partnerAnna, Code: "anna", Sub: [5]string{"ig", "", "", "", "l5"}, Source: "instagram"},
			"paused": {ID: 8, OfferID: offerPaused, PartnerID: partnerAnna, Code: "paused"},
			"nofall": {ID: 9, OfferID: offerNoFall, PartnerID: partnerAnna, Code: "nofall"},
			"susp":   {ID: 10, OfferID: offerShop, PartnerID: partnerSusp, Code: "susp"},
			"ghost":  {ID: 11, OfferID: 999, PartnerID: partnerAnna, Code: "ghost"},
		},
	}
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// harness is an Edge on a test catalog and a capturing recorder.
type harness struct {
	t      testing.TB
	edge   *edge.Edge
	mux    *http.ServeMux
	store  *fakeStore
	cat    *catalog.Catalog
	rec    *recorder
	signer *clickid.Signer
	now    time.Time
	nowMu  sync.Mutex
}

func newHarness(t testing.TB, hook func(*edge.Config)) *harness {
	t.Helper()
	signer, err := clickid.NewSigner(testKey)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: newCatalog(), rec: &recorder{}, signer: signer, now: testNow}
	h.cat = catalog.New(h.store, edge.CompileOffer)
	cfg := edge.Config{
		Catalog:  h.cat,
		Signer:   signer,
		Recorder: h.rec,
		Now:      h.clock,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if hook != nil {
		hook(&cfg)
	}
	h.edge, err = edge.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.mux = http.NewServeMux()
	h.edge.Register(h.mux)
	return h
}

func (h *harness) clock() time.Time {
	h.nowMu.Lock()
	defer h.nowMu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.nowMu.Lock()
	h.now = h.now.Add(d)
	h.nowMu.Unlock()
}

// get sends GET target from remote with the given headers (name, value pairs).
func (h *harness) get(target, remote string, headers ...string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if remote != "" {
		req.RemoteAddr = remote
	}
	req.Header.Set("User-Agent", chromeDesktop)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, req)
	return w
}

// writeMMDB writes a country database in MaxMind's layout mapping each CIDR to a country code.
func writeMMDB(t testing.TB, countries map[string]string) *geoip.DB {
	t.Helper()
	w, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "GeoLite2-Country", IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, cc := range countries {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Insert(n, mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String(cc)}}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := geoip.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestNewRequiresDependencies(t *testing.T) {
	signer, _ := clickid.NewSigner(testKey)
	cat := catalog.New(newCatalog(), edge.CompileOffer)
	for _, cfg := range []edge.Config{
		{Signer: signer, Recorder: &recorder{}},
		{Catalog: cat, Recorder: &recorder{}},
		{Catalog: cat, Signer: signer},
	} {
		if _, err := edge.New(cfg); err == nil {
			t.Errorf("New(%+v): want an error", cfg)
		}
	}
}

var errDisk = errors.New("disk full")

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func httptestRequest(target, ua string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("User-Agent", ua)
	return req
}

func serve(h *harness, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, req)
	return w
}

// blockingRecorder holds the first click until release is closed.
type blockingRecorder struct {
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (b *blockingRecorder) RecordClick(ctx context.Context, _ *pactum.Visit) error {
	first := false
	b.once.Do(func() { first = true })
	if first {
		close(b.entered)
		<-b.release
	}
	return nil
}

func (b *blockingRecorder) RecordImpression(context.Context, *pactum.Visit) error { return nil }
