package edge_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/edge"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// storeRecorder writes each visit straight into the store, standing in for the event log.
type storeRecorder struct {
	mu  sync.Mutex
	s   pactum.Store
	pos uint64
}

func (r *storeRecorder) RecordClick(ctx context.Context, v *pactum.Visit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pos++
	return r.apply(ctx, []pactum.Visit{*v}, nil)
}

func (r *storeRecorder) RecordImpression(ctx context.Context, v *pactum.Visit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pos++
	return r.apply(ctx, nil, []pactum.Visit{*v})
}

func (r *storeRecorder) apply(ctx context.Context, clicks, impressions []pactum.Visit) error {
	_, err := r.s.ApplyEvents(ctx, "edge-test", r.pos, func(tx pactum.EventTx) error {
		return tx.InsertVisits(ctx, clicks, impressions)
	})
	return err
}

// TestWithSQLiteStore runs clicks against the real SQLite store: catalog reads, recorded clicks
// and the unique-visitor memory rebuilt from stored clicks by a restarted edge.
func TestWithSQLiteStore(t *testing.T) {
	ctx := t.Context()
	st := sqlitetest.Open(t)
	adv := pactum.Advertiser{Name: "Shop", Currency: "EUR"}
	must(t, st.CreateAdvertiser(ctx, &adv))
	anna := pactum.Partner{Name: "Anna", Email: "anna@example.com", Kind: pactum.KindInfluencer, Status: pactum.PartnerActive,
		Currency: "EUR", MinPayout: decimal.RequireFromString("50.00"), PayoutMethod: "paypal"}
	must(t, st.CreatePartner(ctx, &anna))
	off := pactum.Offer{AdvertiserID: adv.ID, Name: "Shoes", Status: pactum.OfferActive, Currency: "EUR",
		DestinationURL: "https://shop.example/?cid={click_id}&s1={sub1}&src={source}", AttributionWindowDays: 30,
		AttributionModel: pactum.LastClick, HoldDays: 30, Visibility: pactum.VisibilityPublic}
	must(t, st.CreateOffer(ctx, &off))
	link := pactum.Link{OfferID: off.ID, PartnerID: anna.ID, Code: "anna-shoes", Sub: [5]string{"ig"}, Source: "instagram"}
	must(t, st.CreateLink(ctx, &link))

	signer, err := clickid.NewSigner(testKey)
	must(t, err)
	// One recorder for both edges: the store skips log positions it has applied.
	rec := &storeRecorder{s: st}
	newEdge := func() *http.ServeMux {
		e, err := edge.New(edge.Config{Catalog: catalog.New(st, edge.CompileOffer), Signer: signer, Recorder: rec})
		must(t, err)
		must(t, e.Seed(ctx, st))
		mux := http.NewServeMux()
		e.Register(mux)
		return mux
	}
	click := func(mux *http.ServeMux, target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = "198.51.100.20:1000"
		req.Header.Set("User-Agent", safariIPhone)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w
	}

	mux := newEdge()
	w := click(mux, "/c/anna-shoes?sub1=story")
	if w.Code != http.StatusFound {
		t.Fatalf("status %d, want 302", w.Code)
	}
	loc, _ := url.Parse(w.Header().Get("Location"))
	if loc.Host != "shop.example" || loc.Query().Get("s1") != "story" || loc.Query().Get("src") != "instagram" {
		t.Errorf("Location %s", loc)
	}
	info, err := signer.Parse(loc.Query().Get("cid"))
	if err != nil || info.OfferID != off.ID || info.PartnerID != anna.ID {
		t.Errorf("click id parses to %+v, %v", info, err)
	}
	clicks, err := st.Clicks(ctx, pactum.ClickFilter{OfferID: off.ID}, pactum.Page{Limit: 10})
	must(t, err)
	if len(clicks) != 1 || clicks[0].ClickID != loc.Query().Get("cid") || clicks[0].LinkID != link.ID ||
		clicks[0].Sub[0] != "story" || clicks[0].Device != pactum.DeviceMobile || !clicks[0].Unique {
		t.Fatalf("stored clicks %+v", clicks)
	}
	for _, target := range []string{"/c/unknown", fmt.Sprintf("/click?offer_id=999&partner_id=%d", anna.ID), fmt.Sprintf("/click?offer_id=%d&partner_id=999", off.ID)} {
		if w := click(mux, target); w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", target, w.Code)
		}
	}

	// A restarted edge still knows the visitor.
	mux = newEdge()
	click(mux, fmt.Sprintf("/click?offer_id=%d&partner_id=%d", off.ID, anna.ID))
	clicks, err = st.Clicks(ctx, pactum.ClickFilter{OfferID: off.ID}, pactum.Page{Limit: 10})
	must(t, err)
	if len(clicks) != 2 {
		t.Fatalf("%d stored clicks, want 2", len(clicks))
	}
	for _, c := range clicks {
		if c.ClickID != loc.Query().Get("cid") && c.Unique {
			t.Errorf("second click after restart is unique: %+v", c)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
