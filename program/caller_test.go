package program

import (
	"testing"

	"github.com/pactum/pactum"
)

// TestCallerRules is the table of who may see and change what, one row per rule and caller.
func TestCallerRules(t *testing.T) {
	admin := Admin
	adv1 := Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 1}
	adv2 := Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 2}
	p7 := Caller{Role: pactum.RolePartner, PartnerID: 7}
	p8 := Caller{Role: pactum.RolePartner, PartnerID: 8}
	callers := []Caller{admin, adv1, adv2, p7, p8}

	public := pactum.Offer{ID: 1, AdvertiserID: 1, Status: pactum.OfferActive, Visibility: pactum.VisibilityPublic}
	private := pactum.Offer{ID: 2, AdvertiserID: 1, Status: pactum.OfferActive, Visibility: pactum.VisibilityPrivate}
	paused := pactum.Offer{ID: 3, AdvertiserID: 1, Status: pactum.OfferPaused, Visibility: pactum.VisibilityPublic}
	conv := pactum.Conversion{ID: 1, AdvertiserID: 1, PartnerID: 7}
	unattributed := pactum.Conversion{ID: 2, AdvertiserID: 1}
	pay := pactum.Payout{ID: 1, AdvertiserID: 1, PartnerID: 7}

	for _, tt := range []struct {
		rule string
		may  func(Caller) bool
		want []bool // admin, adv1, adv2, p7, p8
	}{
		{"see a public offer", func(c Caller) bool { return c.CanSeeOffer(public) }, []bool{true, true, false, true, true}},
		{"see a private offer", func(c Caller) bool { return c.CanSeeOffer(private) }, []bool{true, true, false, false, false}},
		{"see a paused offer", func(c Caller) bool { return c.CanSeeOffer(paused) }, []bool{true, true, false, false, false}},
		{"change an offer", func(c Caller) bool { return c.CanChangeOffer(public) }, []bool{true, true, false, false, false}},
		{"see partner 7", func(c Caller) bool { return c.CanSeePartner(7) }, []bool{true, false, false, true, false}},
		{"see advertiser 1", func(c Caller) bool { return c.CanSeeAdvertiser(1) }, []bool{true, true, false, false, false}},
		{"see a conversion", func(c Caller) bool { return c.CanSeeConversion(conv) }, []bool{true, true, false, true, false}},
		{"see an unattributed conversion", func(c Caller) bool { return c.CanSeeConversion(unattributed) }, []bool{true, true, false, false, false}},
		{"change a conversion", func(c Caller) bool { return c.CanChangeConversion(conv) }, []bool{true, true, false, false, false}},
		{"see a payout", func(c Caller) bool { return c.CanSeePayout(pay) }, []bool{true, true, false, true, false}},
		{"see a payout run", func(c Caller) bool { return c.CanSeeRun(1) }, []bool{true, true, false, false, false}},
		{"see revenue", Caller.SeesRevenue, []bool{true, true, true, false, false}},
		{"see visitors", Caller.SeesVisitors, []bool{true, true, true, false, false}},
		{"see partner 7's account", func(c Caller) bool { return c.SeesPartnerAccount(7) }, []bool{true, false, false, true, false}},
		{"see advertiser 1's account", func(c Caller) bool { return c.SeesAdvertiserAccount(1) }, []bool{true, true, false, false, false}},
	} {
		for i, c := range callers {
			if got := tt.may(c); got != tt.want[i] {
				t.Errorf("%s: %+v may %v, want %v", tt.rule, c, got, tt.want[i])
			}
		}
	}
}

func TestScope(t *testing.T) {
	p7 := Caller{Role: pactum.RolePartner, PartnerID: 7}
	adv1 := Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 1}
	for _, tt := range []struct {
		c    Caller
		in   Owners
		want Owners
		ok   bool
	}{
		{Admin, Owners{OfferID: 3}, Owners{OfferID: 3}, true},
		{p7, Owners{}, Owners{PartnerID: 7}, true},
		{p7, Owners{PartnerID: 7, OfferID: 2}, Owners{PartnerID: 7, OfferID: 2}, true},
		{p7, Owners{PartnerID: 8}, Owners{PartnerID: 8}, false},
		{adv1, Owners{}, Owners{AdvertiserID: 1}, true},
		{adv1, Owners{AdvertiserID: 2}, Owners{AdvertiserID: 2}, false},
		{adv1, Owners{PartnerID: 8}, Owners{PartnerID: 8, AdvertiserID: 1}, true},
	} {
		got, ok := tt.c.Scope(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("%+v.Scope(%+v) = %+v, %v; want %+v, %v", tt.c, tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNewCaller(t *testing.T) {
	for _, tt := range []struct {
		role         string
		partner, adv int64
		ok           bool
	}{
		{pactum.RoleAdmin, 0, 0, true},
		{pactum.RolePartner, 7, 0, true},
		{pactum.RolePartner, 0, 0, false}, // would act unscoped
		{pactum.RoleAdvertiser, 0, 1, true},
		{pactum.RoleAdvertiser, 0, 0, false},
		{"root", 0, 0, false},
	} {
		_, err := NewCaller(tt.role, tt.partner, tt.adv)
		if (err == nil) != tt.ok {
			t.Errorf("NewCaller(%s, %d, %d) = %v", tt.role, tt.partner, tt.adv, err)
		}
		if err != nil && pactum.ErrorCode(err) != pactum.EUNAUTHORIZED {
			t.Errorf("NewCaller(%s): %v, want unauthenticated", tt.role, err)
		}
	}
}
