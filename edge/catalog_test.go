package edge_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/pactum/pactum"
)

func TestCatalogCachesAndInvalidates(t *testing.T) {
	h := newHarness(t, nil)
	h.get("/c/anna", "")
	reads := h.store.readCount()
	if reads != 3 {
		t.Errorf("first click read the store %d times, want 3 (link, offer, partner)", reads)
	}
	for range 10 {
		h.get("/c/anna", "")
	}
	if got := h.store.readCount(); got != reads {
		t.Errorf("cached clicks read the store %d more times", got-reads)
	}

	// Pausing the offer shows once the catalog is invalidated.
	h.store.mu.Lock()
	o := h.store.offers[offerShop]
	o.Status = pactum.OfferPaused
	h.store.offers[offerShop] = o
	h.store.mu.Unlock()
	if w := h.get("/c/anna", ""); w.Code != http.StatusFound || h.rec.lastClick(t).Rejected != "" {
		t.Errorf("before Invalidate: status %d rejected %q; want the cached active offer", w.Code, h.rec.lastClick(t).Rejected)
	}
	h.cat.Invalidate()
	if h.get("/c/anna", ""); h.rec.lastClick(t).Rejected != pactum.RejectPaused {
		t.Errorf("after Invalidate: rejected %q, want %q", h.rec.lastClick(t).Rejected, pactum.RejectPaused)
	}
}

func TestCatalogNegativeCache(t *testing.T) {
	h := newHarness(t, nil)
	for range 5 {
		h.get("/c/missing", "")
		h.get("/click?offer_id=12&partner_id=999", "")
	}
	// missing link once; offer 12 and partner 999 once each.
	if got := h.store.readCount(); got != 3 {
		t.Errorf("store read %d times, want 3", got)
	}
	// A link created later is found after Invalidate.
	h.store.mu.Lock()
	h.store.links["missing"] = pactum.Link{ID: 99, OfferID: offerShop, PartnerID: partnerAnna, Code: "missing"}
	h.store.mu.Unlock()
	h.cat.Invalidate()
	if w := h.get("/c/missing", ""); w.Code != http.StatusFound {
		t.Errorf("new link after Invalidate: status %d, want 302", w.Code)
	}
	// Random codes beyond the bound keep working (the bound resets, it does not refuse).
	for i := range 70000 {
		h.get(fmt.Sprintf("/c/r%d", i), "")
	}
	if w := h.get("/c/anna", ""); w.Code != http.StatusFound {
		t.Errorf("after a scan of random codes: status %d", w.Code)
	}
}

func TestCatalogCoalescesLoads(t *testing.T) {
	h := newHarness(t, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if w := h.get("/c/anna", ""); w.Code != http.StatusFound {
				t.Errorf("status %d", w.Code)
			}
		})
	}
	wg.Wait()
	if got := h.store.readCount(); got != 3 {
		t.Errorf("50 concurrent first clicks read the store %d times, want 3", got)
	}
}

// TestCatalogInvalidateUnderLoad runs clicks while the catalog is invalidated over and over (for
// the race detector): every click still gets a valid answer.
func TestCatalogInvalidateUnderLoad(t *testing.T) {
	h := newHarness(t, nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				h.cat.Invalidate()
			}
		}
	})
	var clicks sync.WaitGroup
	for range 4 {
		clicks.Go(func() {
			for _, target := range []string{"/c/anna", "/c/nope", "/click?offer_id=12&partner_id=43", "/i/anna"} {
				for range 50 {
					if w := h.get(target, ""); w.Code != http.StatusFound && w.Code != http.StatusNotFound && w.Code != http.StatusOK {
						t.Errorf("%s: status %d", target, w.Code)
					}
				}
			}
		})
	}
	clicks.Wait()
	close(stop)
	wg.Wait()
}
