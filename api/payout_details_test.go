package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Test IBANs and BICs: valid, with correct check digits.
const (
	ibanDE = "DE89370400440532013000"
	ibanGB = "GB82WEST12345698765432"
	ibanNL = "NL91ABNA0417164300"
)

// TestAdvertiserPayoutSettings: a program's payout schedule, net days and account, with their
// defaults, normal forms and errors.
func TestAdvertiserPayoutSettings(t *testing.T) {
	e := newEnv(t)
	runSteps(t, e, []step{
		{name: "defaults", method: "POST", path: "/api/v1/advertisers", key: adminKey, body: `{"name":"Hat Shop"}`,
			status: 201, wantChange: true,
			want: map[string]any{"id": 3, "payout_schedule": "monthly", "payout_weekday": 1, "payout_day": 1, "net_days": 0,
				"legal_name": "", "iban": "", "bic": ""}},
		{name: "defaults read back", method: "GET", path: "/api/v1/advertisers/3", key: adminKey, status: 200,
			want: map[string]any{"payout_schedule": "monthly", "payout_weekday": 1, "payout_day": 1, "net_days": 0, "iban": ""}},
		{name: "everything, normalised", method: "POST", path: "/api/v1/advertisers", key: adminKey,
			body: `{"name":"Cap Shop","payout_schedule":"weekly","payout_weekday":5,"payout_day":28,"net_days":14,
				"legal_name":"  Cap Shop GmbH ","iban":"de89 3704 0044 0532 0130 00","bic":"coba de ff xxx"}`,
			status: 201, wantChange: true,
			want: map[string]any{"id": 4, "payout_schedule": "weekly", "payout_weekday": 5, "payout_day": 28, "net_days": 14,
				"legal_name": "Cap Shop GmbH", "iban": ibanDE, "bic": "COBADEFFXXX"}},
		{name: "patch changes only what is sent", method: "PATCH", path: "/api/v1/advertisers/4", key: adminKey,
			body: `{"payout_schedule":"manual","net_days":365}`, status: 200, wantChange: true,
			want: map[string]any{"payout_schedule": "manual", "payout_weekday": 5, "payout_day": 28, "net_days": 365,
				"legal_name": "Cap Shop GmbH", "iban": ibanDE, "bic": "COBADEFFXXX"}},
		{name: "patch clears the account", method: "PATCH", path: "/api/v1/advertisers/4", key: adminKey,
			body: `{"iban":"","bic":" "}`, status: 200, wantChange: true,
			want: map[string]any{"iban": "", "bic": "", "legal_name": "Cap Shop GmbH"}},
		{name: "advertiser sets its own account", method: "PATCH", path: "/api/v1/advertisers/1", key: e.adv1,
			body: `{"legal_name":"Shoe Shop AG","iban":"` + ibanGB + `","payout_day":15}`, status: 200, wantChange: true,
			want: map[string]any{"legal_name": "Shoe Shop AG", "iban": ibanGB, "payout_day": 15}},
		{name: "advertiser reads its own account", method: "GET", path: "/api/v1/advertisers", key: e.adv1, status: 200,
			want: map[string]any{"#data": 1, "data.0.iban": ibanGB, "data.0.legal_name": "Shoe Shop AG"}},
		{name: "another advertiser's account is 404", method: "GET", path: "/api/v1/advertisers/1", key: e.adv2, status: 404},
		{name: "a partner cannot read advertisers", method: "GET", path: "/api/v1/advertisers/1", key: e.p1, status: 403},
	})

	bad := []struct{ name, body, field string }{
		{"unknown schedule", `{"payout_schedule":"daily"}`, "payout_schedule"},
		{"empty schedule", `{"payout_schedule":""}`, "payout_schedule"},
		{"weekday 0", `{"payout_weekday":0}`, "payout_weekday"},
		{"weekday 8", `{"payout_weekday":8}`, "payout_weekday"},
		{"day 0", `{"payout_day":0}`, "payout_day"},
		{"day 29", `{"payout_day":29}`, "payout_day"},
		{"day 31", `{"payout_schedule":"monthly","payout_day":31}`, "payout_day"},
		{"net days negative", `{"net_days":-1}`, "net_days"},
		{"net days over a year", `{"net_days":366}`, "net_days"},
		{"net days not whole", `{"net_days":1.5}`, "net_days"},
		{"net days a string", `{"net_days":"30"}`, "net_days"},
		{"legal name control character", `{"legal_name":"Shoe\u0007Shop"}`, "legal_name"},
		{"iban check digits", `{"iban":"DE89370400440532013001"}`, "iban"},
		{"iban length", `{"iban":"DE8937040044053201300"}`, "iban"},
		{"iban country", `{"iban":"XX89370400440532013000"}`, "iban"},
		{"iban punctuation", `{"iban":"DE89-3704-0044-0532-0130-00"}`, "iban"},
		{"bic length", `{"bic":"DEUTDEF"}`, "bic"},
		{"bic pattern", `{"bic":"DEU1DEFF"}`, "bic"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			for _, req := range []struct{ method, path, body string }{
				{"POST", "/api/v1/advertisers", `{"name":"X",` + b.body[1:]},
				{"PATCH", "/api/v1/advertisers/3", b.body},
			} {
				status, body := e.do(req.method, req.path, adminKey, req.body)
				if status != http.StatusBadRequest {
					t.Fatalf("%s %s: status %d, want 400; %v", req.method, req.body, status, body)
				}
				checkFields(t, body, map[string]any{"error.code": "invalid_argument", "error.field": b.field})
			}
		})
	}
	// The IBAN is not quoted back in the error.
	if _, raw := e.doRaw("PATCH", "/api/v1/advertisers/3", adminKey, `{"iban":"DE89370400440532013001"}`); strings.Contains(raw, "DE8937") {
		t.Errorf("IBAN error quotes the IBAN: %s", raw)
	}
	// Nothing bad was stored.
	_, got := e.do("GET", "/api/v1/advertisers/3", adminKey, "")
	checkFields(t, got, map[string]any{"payout_schedule": "monthly", "payout_weekday": 1, "payout_day": 1, "net_days": 0,
		"legal_name": "", "iban": "", "bic": ""})
}

// TestPartnerPayoutDetails: where a partner is paid, with its normal forms and errors; only
// admins change it.
func TestPartnerPayoutDetails(t *testing.T) {
	e := newEnv(t)
	runSteps(t, e, []step{
		{name: "defaults", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"Cleo","email":"cleo@example.com"}`, status: 201, wantChange: true,
			want: map[string]any{"id": 3, "payout_method": "manual", "min_payout": "50.00", "paypal_email": "", "iban": "", "bic": ""}},
		{name: "sepa, normalised", method: "POST", path: "/api/v1/partners", key: adminKey,
			body:   `{"name":"Daan","email":"daan@example.nl","payout_method":"sepa","iban":"nl91 abna 0417 1643 00","bic":"abnanl2a"}`,
			status: 201, wantChange: true,
			want: map[string]any{"id": 4, "payout_method": "sepa", "iban": ibanNL, "bic": "ABNANL2A", "paypal_email": ""}},
		{name: "sepa details may come later", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"Eve","email":"eve@example.com","payout_method":"sepa"}`, status: 201, wantChange: true,
			want: map[string]any{"payout_method": "sepa", "iban": ""}},
		{name: "paypal", method: "PATCH", path: "/api/v1/partners/3", key: adminKey,
			body: `{"payout_method":"paypal","paypal_email":" pay@cleo.example "}`, status: 200, wantChange: true,
			want: map[string]any{"payout_method": "paypal", "paypal_email": "pay@cleo.example", "iban": "", "name": "Cleo"}},
		{name: "patch keeps what is not sent", method: "PATCH", path: "/api/v1/partners/4", key: adminKey,
			body: `{"status":"suspended"}`, status: 200, wantChange: true,
			want: map[string]any{"status": "suspended", "iban": ibanNL, "bic": "ABNANL2A"}},
		{name: "patch clears", method: "PATCH", path: "/api/v1/partners/3", key: adminKey,
			body: `{"paypal_email":""}`, status: 200, wantChange: true, want: map[string]any{"paypal_email": ""}},
		{name: "a partner cannot change its own details", method: "PATCH", path: "/api/v1/partners/1", key: e.p1,
			body: `{"iban":"` + ibanDE + `"}`, status: 403},
		{name: "bad paypal email", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"X","email":"x@example.com","paypal_email":"paypal"}`, status: 400,
			want: map[string]any{"error.field": "paypal_email"}},
		{name: "paypal email with a display name", method: "PATCH", path: "/api/v1/partners/3", key: adminKey,
			body: `{"paypal_email":"Cleo <pay@cleo.example>"}`, status: 400, want: map[string]any{"error.field": "paypal_email"}},
		{name: "bad iban", method: "POST", path: "/api/v1/partners", key: adminKey,
			body: `{"name":"X","email":"x@example.com","iban":"NL91ABNA0417164301"}`, status: 400,
			want: map[string]any{"error.field": "iban"}},
		{name: "bad iban on patch", method: "PATCH", path: "/api/v1/partners/4", key: adminKey,
			body: `{"iban":"NL91"}`, status: 400, want: map[string]any{"error.field": "iban"}},
		{name: "bad bic", method: "PATCH", path: "/api/v1/partners/4", key: adminKey,
			body: `{"bic":"ABNANL2"}`, status: 400, want: map[string]any{"error.field": "bic"}},
		{name: "bad details stored nothing", method: "GET", path: "/api/v1/partners/4", key: adminKey, status: 200,
			want: map[string]any{"iban": ibanNL, "bic": "ABNANL2A"}},
	})
}

// TestPayoutDetailsVisibility: a partner sees its own payment details and no one else's; an
// advertiser sees no partner's, wherever it looks; only an admin and the advertiser itself see
// an advertiser's account.
func TestPayoutDetailsVisibility(t *testing.T) {
	e := newEnv(t)
	const (
		pay1 = "anna.pay@example.com"
		pay2 = "ben.pay@example.com"
	)
	e.do("PATCH", "/api/v1/partners/1", adminKey, `{"payout_method":"sepa","iban":"`+ibanDE+`","bic":"COBADEFFXXX","paypal_email":"`+pay1+`"}`)
	e.do("PATCH", "/api/v1/partners/2", adminKey, `{"payout_method":"paypal","iban":"`+ibanNL+`","paypal_email":"`+pay2+`"}`)
	e.do("PATCH", "/api/v1/advertisers/1", adminKey, `{"legal_name":"Shoe Shop AG","iban":"`+ibanGB+`","bic":"NWBKGB2L"}`)
	e.mustCreate("/api/v1/links", `{"offer_id":1,"partner_id":1,"code":"anna"}`)
	e.mustCreate("/api/v1/links", `{"offer_id":1,"partner_id":2,"code":"ben"}`)
	e.mustCreate("/api/v1/coupons", `{"code":"ANNA10","partner_id":1,"offer_id":1}`)

	runSteps(t, e, []step{
		{name: "admin sees a partner's details", method: "GET", path: "/api/v1/partners/2", key: adminKey, status: 200,
			want: map[string]any{"iban": ibanNL, "paypal_email": pay2, "bic": ""}},
		{name: "admin lists them", method: "GET", path: "/api/v1/partners", key: adminKey, status: 200,
			want: map[string]any{"data.0.iban": ibanDE, "data.1.iban": ibanNL}},
		{name: "a partner sees its own", method: "GET", path: "/api/v1/partners/1", key: e.p1, status: 200,
			want: map[string]any{"iban": ibanDE, "bic": "COBADEFFXXX", "paypal_email": pay1}},
		{name: "and in its list", method: "GET", path: "/api/v1/partners", key: e.p1, status: 200,
			want: map[string]any{"#data": 1, "data.0.iban": ibanDE}},
		{name: "not another partner's", method: "GET", path: "/api/v1/partners/2", key: e.p1, status: 404},
		{name: "an advertiser cannot read partners", method: "GET", path: "/api/v1/partners/1", key: e.adv1, status: 403},
		{name: "nor list them", method: "GET", path: "/api/v1/partners", key: e.adv1, status: 403},
		{name: "admin sees an advertiser's account", method: "GET", path: "/api/v1/advertisers/1", key: adminKey, status: 200,
			want: map[string]any{"iban": ibanGB, "bic": "NWBKGB2L", "legal_name": "Shoe Shop AG"}},
		{name: "another advertiser does not", method: "GET", path: "/api/v1/advertisers/1", key: e.adv2, status: 404},
	})

	// Nothing a key can read carries details that are not its own.
	secrets := map[string][]string{
		"partner 1":    {ibanNL, pay2, ibanGB},
		"partner 2":    {ibanDE, pay1, "COBADEFFXXX", ibanGB},
		"advertiser 1": {ibanDE, ibanNL, pay1, pay2, "COBADEFFXXX"},
		"advertiser 2": {ibanDE, ibanNL, pay1, pay2, "COBADEFFXXX", ibanGB, "NWBKGB2L"},
	}
	keys := map[string]string{"partner 1": e.p1, "partner 2": e.p2, "advertiser 1": e.adv1, "advertiser 2": e.adv2}
	paths := []string{
		"/api/v1/partners", "/api/v1/partners/1", "/api/v1/partners/2",
		"/api/v1/advertisers", "/api/v1/advertisers/1", "/api/v1/advertisers/2",
		"/api/v1/offers", "/api/v1/offers/1", "/api/v1/links", "/api/v1/links/1", "/api/v1/links/2",
		"/api/v1/coupons", "/api/v1/coupons/ANNA10", "/api/v1/clicks", "/api/v1/conversions",
	}
	for who, key := range keys {
		for _, path := range paths {
			_, raw := e.doRaw("GET", path, key, "")
			for _, s := range secrets[who] {
				if strings.Contains(raw, s) {
					t.Errorf("%s GET %s shows %s: %s", who, path, s, raw)
				}
			}
		}
	}
}
