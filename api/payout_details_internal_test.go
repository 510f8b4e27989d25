package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// TestPaymentDetailViews checks the views themselves, since today's routes never hand another
// role's record to them: a route added later must not leak payment details by default.
func TestPaymentDetailViews(t *testing.T) {
	p := pactum.Partner{ID: 7, Name: "Anna", Currency: "EUR", PayoutMethod: program.PayoutSEPA,
		PayPalEmail: "pay@anna.example", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
	adv := pactum.Advertiser{ID: 3, Name: "Shop", Currency: "EUR", PayoutSchedule: pactum.PayoutMonthly,
		LegalName: "Shop GmbH", IBAN: "GB82WEST12345698765432", BIC: "NWBKGB2L"}
	tests := []struct {
		name           string
		c              program.Caller
		partner, owner bool // whether the partner's and the advertiser's details show
	}{
		{"admin", program.Caller{Role: pactum.RoleAdmin}, true, true},
		{"the partner", program.Caller{Role: pactum.RolePartner, PartnerID: 7}, true, false},
		{"another partner", program.Caller{Role: pactum.RolePartner, PartnerID: 8}, false, false},
		{"the advertiser", program.Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 3}, false, true},
		{"another advertiser", program.Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 4}, false, false},
		{"an advertiser with the partner's id", program.Caller{Role: pactum.RoleAdvertiser, AdvertiserID: 7}, false, false},
		{"a partner with the advertiser's id", program.Caller{Role: pactum.RolePartner, PartnerID: 3}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pj, _ := json.Marshal(partnerView(tt.c)(p))
			for _, s := range []string{`"iban"`, `"bic"`, `"paypal_email"`, p.IBAN, p.PayPalEmail, p.BIC} {
				if strings.Contains(string(pj), s) != tt.partner {
					t.Errorf("partner view has %s: %v, want %v: %s", s, !tt.partner, tt.partner, pj)
				}
			}
			aj, _ := json.Marshal(advertiserView(tt.c)(adv))
			for _, s := range []string{`"iban"`, `"bic"`, `"legal_name"`, adv.IBAN, adv.LegalName, adv.BIC} {
				if strings.Contains(string(aj), s) != tt.owner {
					t.Errorf("advertiser view has %s: %v, want %v: %s", s, !tt.owner, tt.owner, aj)
				}
			}
			if !strings.Contains(string(aj), `"payout_schedule":"monthly"`) {
				t.Errorf("advertiser view lacks its schedule: %s", aj)
			}
		})
	}
}
