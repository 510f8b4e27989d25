package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pactum/pactum"
)

// TestPaymentDetailViews checks the views themselves, since today's routes never hand another
// role's record to them: a route added later must not leak payment details by default.
func TestPaymentDetailViews(t *testing.T) {
	p := pactum.Partner{ID: 7, Name: "Anna", Currency: "EUR", PayoutMethod: PayoutSEPA,
		PayPalEmail: "pay@anna.example", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}
	adv := pactum.Advertiser{ID: 3, Name: "Shop", Currency: "EUR", PayoutSchedule: pactum.PayoutMonthly,
		LegalName: "Shop GmbH", IBAN: "GB82WEST12345698765432", BIC: "NWBKGB2L"}
	tests := []struct {
		name           string
		c              caller
		partner, owner bool // whether the partner's and the advertiser's details show
	}{
		{"admin", caller{role: pactum.RoleAdmin}, true, true},
		{"the partner", caller{role: pactum.RolePartner, partnerID: 7}, true, false},
		{"another partner", caller{role: pactum.RolePartner, partnerID: 8}, false, false},
		{"the advertiser", caller{role: pactum.RoleAdvertiser, advertiserID: 3}, false, true},
		{"another advertiser", caller{role: pactum.RoleAdvertiser, advertiserID: 4}, false, false},
		{"an advertiser with the partner's id", caller{role: pactum.RoleAdvertiser, advertiserID: 7}, false, false},
		{"a partner with the advertiser's id", caller{role: pactum.RolePartner, partnerID: 3}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pj, _ := json.Marshal(partnerViewFor(tt.c)(p))
			for _, s := range []string{`"iban"`, `"bic"`, `"paypal_email"`, p.IBAN, p.PayPalEmail, p.BIC} {
				if strings.Contains(string(pj), s) != tt.partner {
					t.Errorf("partner view has %s: %v, want %v: %s", s, !tt.partner, tt.partner, pj)
				}
			}
			aj, _ := json.Marshal(advertiserViewFor(tt.c)(adv))
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
