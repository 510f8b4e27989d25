package edge_test

import (
	"net/http"
	"net/netip"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/edge"
)

// dataCentres is the edge's view of hosting networks, as geoip.DataCenters gives it.
type dataCentres []netip.Prefix

func (d dataCentres) Contains(ip netip.Addr) bool {
	for _, p := range d {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// The click rules at the edge: a block list of the program and of the offer, duplicates within
// the offer's window, data-centre networks; each recorded with its codes, the visitor always
// sent on, and a rejected click marked invalid (not counted).
func TestClickRules(t *testing.T) {
	h := newHarness(t, func(c *edge.Config) {
		c.DataCenters = dataCentres{netip.MustParsePrefix("198.51.100.0/24")}
	})
	h.store.mu.Lock()
	o := h.store.offers[offerShop]
	o.ProgramFraud = pactum.FraudSettings{BlockedIPs: []string{"192.0.2.66"}}
	o.Fraud = pactum.FraudSettings{BlockedIPs: []string{"203.0.113.0/28"}, DuplicateWindowSeconds: 600}
	h.store.offers[offerShop] = o
	h.store.mu.Unlock()
	h.cat.Invalidate()

	for _, tc := range []struct {
		remote  string
		advance time.Duration
		flags   string
		invalid bool
	}{
		{"192.0.2.10:1", 0, "", false},
		{"192.0.2.10:1", 5 * time.Minute, "duplicate_click", true}, // moderate: duplicates do not count
		{"192.0.2.10:1", 9 * time.Minute, "duplicate_click", true}, // within 10 minutes of the previous one
		{"192.0.2.10:1", 11 * time.Minute, "", false},
		{"192.0.2.66:1", 0, "blocked_ip", true},  // the program's list
		{"203.0.113.9:1", 0, "blocked_ip", true}, // the offer's
		{"198.51.100.7:1", 0, "datacenter", false},
		{"198.51.100.7:1", time.Minute, "duplicate_click+datacenter", true},
	} {
		h.advance(tc.advance)
		w := h.get("/c/anna", tc.remote)
		if w.Code != http.StatusFound {
			t.Fatalf("%s: status %d", tc.remote, w.Code)
		}
		v := h.rec.lastClick(t)
		if v.Flags != tc.flags || v.Invalid != tc.invalid || v.ClickID == "" {
			t.Errorf("%s after %v: flags %q invalid %v, want %q %v", tc.remote, tc.advance, v.Flags, v.Invalid, tc.flags, tc.invalid)
		}
	}
}

// A relaxed offer counts duplicates (flagged), and a rule that is off leaves no trace.
func TestClickRulesRelaxed(t *testing.T) {
	h := newHarness(t, func(c *edge.Config) {
		c.DataCenters = dataCentres{netip.MustParsePrefix("198.51.100.0/24")}
	})
	h.store.mu.Lock()
	o := h.store.offers[offerShop]
	o.Fraud = pactum.FraudSettings{Level: pactum.LevelRelaxed, Rules: map[string]string{"datacenter": "off"}}
	h.store.offers[offerShop] = o
	h.store.mu.Unlock()
	h.cat.Invalidate()
	h.get("/c/anna", "198.51.100.7:1")
	h.advance(time.Second)
	h.get("/c/anna", "198.51.100.7:1")
	if v := h.rec.lastClick(t); v.Flags != "duplicate_click" || v.Invalid {
		t.Errorf("relaxed: %q %v", v.Flags, v.Invalid)
	}
}
