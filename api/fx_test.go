package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fxWeek is the ECB's rates of a Thursday and a Friday (2026-11-20).
const fxWeek = `{"rates":[
	{"date":"2026-11-19","currency":"USD","rate_per_eur":"1.0498"},{"date":"2026-11-19","currency":"JPY","rate_per_eur":"161.20"},
	{"date":"2026-11-20","currency":"USD","rate_per_eur":"1.0512"},{"date":"2026-11-20","currency":"JPY","rate_per_eur":"161.85"},
	{"date":"2026-11-20","currency":"GBP","rate_per_eur":"0.8321"}]}`

// postCSV sends body as text/csv to POST /api/v1/fx-rates.
func (e *env) postCSV(key, contentType, body string) (int, map[string]any) {
	e.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/fx-rates", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		e.t.Fatalf("POST /api/v1/fx-rates: answer is not JSON: %v\n%s", err, rec.Body.String())
	}
	return rec.Code, m
}

func TestFXRates(t *testing.T) {
	e := newEnv(t)
	runSteps(t, e, []step{
		{name: "load JSON", method: "POST", path: "/api/v1/fx-rates", key: adminKey, body: fxWeek,
			status: 200, wantChange: true, want: map[string]any{"loaded": 5, "skipped_currencies": absent}},
		{name: "load again replaces", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body:   `{"rates":[{"date":"2026-11-20","currency":"GBP","rate_per_eur":"0.83210"}]}`,
			status: 200, wantChange: true, want: map[string]any{"loaded": 1}},
		{name: "load as a partner", method: "POST", path: "/api/v1/fx-rates", key: e.p1, body: fxWeek,
			status: 403, want: map[string]any{"error.code": "permission_denied"}},
		{name: "load as an advertiser", method: "POST", path: "/api/v1/fx-rates", key: e.adv1, body: fxWeek, status: 403},
		{name: "load without a key", method: "POST", path: "/api/v1/fx-rates", body: fxWeek, status: 401},
		{name: "load nothing", method: "POST", path: "/api/v1/fx-rates", key: adminKey, body: `{"rates":[]}`,
			status: 400, want: map[string]any{"error.field": "rates"}},
		{name: "load an unknown currency", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body:   `{"rates":[{"date":"2026-11-20","currency":"USD","rate_per_eur":"1.05"},{"date":"2026-11-20","currency":"XYZ","rate_per_eur":"1"}]}`,
			status: 400, want: map[string]any{"error.code": "invalid_argument", "error.field": "rates[1].currency"}},
		{name: "load EUR", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body: `{"rates":[{"date":"2026-11-20","currency":"EUR","rate_per_eur":"1"}]}`, status: 400, want: map[string]any{"error.field": "rates[0].currency"}},
		{name: "load the ECB's long date", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body: `{"rates":[{"date":"20 November 2026","currency":"USD","rate_per_eur":"1.05"}]}`, status: 400, want: map[string]any{"error.field": "rates[0].date"}},
		{name: "load a zero rate", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body: `{"rates":[{"date":"2026-11-20","currency":"USD","rate_per_eur":"0"}]}`, status: 400, want: map[string]any{"error.field": "rates[0].rate_per_eur"}},
		{name: "load a rate as a number", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body: `{"rates":[{"date":"2026-11-20","currency":"USD","rate_per_eur":1.05}]}`, status: 400, want: map[string]any{"error.field": "rates[0].rate_per_eur"}},
		{name: "load an unknown field", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body: `{"rates":[{"date":"2026-11-20","currency":"USD","rate":"1.05"}]}`, status: 400, want: map[string]any{"error.field": "rates[0].rate"}},
		{name: "load two rates for a day", method: "POST", path: "/api/v1/fx-rates", key: adminKey,
			body:   `{"rates":[{"date":"2026-11-20","currency":"USD","rate_per_eur":"1.05"},{"date":"2026-11-20","currency":"USD","rate_per_eur":"1.06"}]}`,
			status: 400, want: map[string]any{"error.field": "rates[1].rate_per_eur"}},

		{name: "list newest first", method: "GET", path: "/api/v1/fx-rates", key: e.p1, status: 200,
			want: map[string]any{"#data": 5, "next_cursor": absent,
				"data.0.date": "2026-11-20", "data.0.currency": "GBP", "data.0.rate_per_eur": "0.83210",
				"data.1.currency": "JPY", "data.2.currency": "USD", "data.2.rate_per_eur": "1.0512",
				"data.3.date": "2026-11-19", "data.3.currency": "JPY", "data.3.rate_per_eur": "161.20"}},
		{name: "list one currency", method: "GET", path: "/api/v1/fx-rates?currency=USD", key: e.adv1, status: 200,
			want: map[string]any{"#data": 2, "data.0.date": "2026-11-20", "data.1.date": "2026-11-19"}},
		{name: "list days", method: "GET", path: "/api/v1/fx-rates?from=2026-11-19&to=2026-11-19", key: adminKey, status: 200,
			want: map[string]any{"#data": 2, "data.0.currency": "JPY", "data.1.currency": "USD"}},
		{name: "list from", method: "GET", path: "/api/v1/fx-rates?from=2026-11-20&currency=JPY", key: adminKey, status: 200,
			want: map[string]any{"#data": 1, "data.0.rate_per_eur": "161.85"}},
		{name: "list a page", method: "GET", path: "/api/v1/fx-rates?limit=2", key: adminKey, status: 200,
			want: map[string]any{"#data": 2, "next_cursor": "2026-11-20.JPY"}},
		{name: "list the next page", method: "GET", path: "/api/v1/fx-rates?limit=2&cursor=2026-11-20.JPY", key: adminKey, status: 200,
			want: map[string]any{"#data": 2, "data.0.currency": "USD", "data.1.date": "2026-11-19", "next_cursor": "2026-11-19.JPY"}},
		{name: "list the last page", method: "GET", path: "/api/v1/fx-rates?limit=2&cursor=2026-11-19.JPY", key: adminKey, status: 200,
			want: map[string]any{"#data": 1, "data.0.currency": "USD", "next_cursor": absent}},
		{name: "list a bad currency", method: "GET", path: "/api/v1/fx-rates?currency=usd", key: adminKey, status: 400, want: map[string]any{"error.field": "currency"}},
		{name: "list a bad day", method: "GET", path: "/api/v1/fx-rates?from=2026-11-31", key: adminKey, status: 400, want: map[string]any{"error.field": "from"}},
		{name: "list backwards", method: "GET", path: "/api/v1/fx-rates?from=2026-11-20&to=2026-11-19", key: adminKey, status: 400, want: map[string]any{"error.field": "to"}},
		{name: "list a bad cursor", method: "GET", path: "/api/v1/fx-rates?cursor=12", key: adminKey, status: 400, want: map[string]any{"error.field": "cursor"}},
		{name: "list a bad limit", method: "GET", path: "/api/v1/fx-rates?limit=0", key: adminKey, status: 400, want: map[string]any{"error.field": "limit"}},
		{name: "list without a key", method: "GET", path: "/api/v1/fx-rates", status: 401},

		{name: "convert to EUR", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=EUR&date=2026-11-20&amount=100.00", key: e.p1, status: 200,
			want: map[string]any{"from": "USD", "to": "EUR", "date": "2026-11-20", "rate": "0.9512937595", "as_of": "2026-11-20",
				"amount": "100.00", "converted": "95.13"}},
		{name: "convert on a Sunday", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=JPY&date=2026-11-22&amount=100", key: e.adv1, status: 200,
			want: map[string]any{"rate": "153.9668949772", "as_of": "2026-11-20", "amount": "100.00", "converted": "15397"}},
		{name: "convert the day before", method: "GET", path: "/api/v1/fx-rates/convert?from=EUR&to=USD&date=2026-11-19", key: adminKey, status: 200,
			want: map[string]any{"rate": "1.0498", "as_of": "2026-11-19", "amount": absent, "converted": absent}},
		{name: "convert to itself", method: "GET", path: "/api/v1/fx-rates/convert?from=CHF&to=CHF&date=2026-11-19&amount=12.5", key: adminKey, status: 200,
			want: map[string]any{"rate": "1", "as_of": "2026-11-19", "converted": "12.50"}},
		{name: "convert without rates", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=CHF&date=2026-11-20", key: adminKey, status: 404,
			want: map[string]any{"error.code": "not_found", "error.message": "no CHF rates are loaded, so none for 2026-11-20"}},
		{name: "convert too long after", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=EUR&date=2026-11-28", key: adminKey, status: 404,
			want: map[string]any{"error.message": "no USD rate on 2026-11-28 or in the 7 days before"}},
		{name: "convert today by default", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=EUR", key: adminKey, status: 404,
			want: map[string]any{"error.message": "no USD rate on 2025-03-01 or in the 7 days before"}},
		{name: "convert too many decimals", method: "GET", path: "/api/v1/fx-rates/convert?from=JPY&to=EUR&date=2026-11-20&amount=100.5", key: adminKey, status: 400,
			want: map[string]any{"error.field": "amount"}},
		{name: "convert without from", method: "GET", path: "/api/v1/fx-rates/convert?to=EUR", key: adminKey, status: 400, want: map[string]any{"error.field": "from"}},
		{name: "convert to a bad currency", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=EURO", key: adminKey, status: 400, want: map[string]any{"error.field": "to"}},
		{name: "convert on a bad day", method: "GET", path: "/api/v1/fx-rates/convert?from=USD&to=EUR&date=20.11.2026", key: adminKey, status: 400, want: map[string]any{"error.field": "date"}},
	})
}

func TestFXRatesCSV(t *testing.T) {
	e := newEnv(t)
	ecb := "Date, USD, JPY, CYP, \n20 November 2026, 1.0512, 161.85, N/A, \n"
	status, body := e.postCSV(adminKey, "text/csv; charset=utf-8", ecb)
	if status != 200 {
		t.Fatalf("POST ECB CSV: %d %v", status, body)
	}
	checkFields(t, body, map[string]any{"loaded": 2, "skipped_currencies.0": "CYP"})
	if e.changes.Load() != 1 {
		t.Errorf("OnChange called %d times, want once", e.changes.Load())
	}

	status, body = e.postCSV(adminKey, "text/csv", "date,currency,rate_per_EUR\n2026-11-21,USD,1.0600\n")
	if status != 200 {
		t.Fatalf("POST long CSV: %d %v", status, body)
	}
	checkFields(t, body, map[string]any{"loaded": 1})

	// What `curl -d` sends: the body is read as JSON, as everywhere else.
	status, body = e.postCSV(adminKey, "application/x-www-form-urlencoded",
		`{"rates":[{"date":"2026-11-22","currency":"USD","rate_per_eur":"1.0610"}]}`)
	if status != 200 {
		t.Fatalf("POST JSON as curl -d sends it: %d %v", status, body)
	}
	checkFields(t, body, map[string]any{"loaded": 1})

	for _, tc := range []struct{ name, contentType, body, field string }{
		{"bad value", "text/csv", "Date, USD, JPY, \n20 November 2026, 1.0512, -1, \n", "line 2, JPY"},
		{"bad line", "text/csv", "2026-11-20,USD\n", "line 1"},
		{"empty", "text/csv", "\n", ""},
		{"other type", "application/xml", "<rates/>", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.postCSV(adminKey, tc.contentType, tc.body)
			if status != 400 {
				t.Fatalf("status %d, want 400: %v", status, body)
			}
			checkErrorShape(t, body)
			checkFields(t, body, map[string]any{"error.code": "invalid_argument"})
			if tc.field != "" {
				checkFields(t, body, map[string]any{"error.field": tc.field})
			}
		})
	}
	if status, _ := e.postCSV(e.p1, "text/csv", ecb); status != 403 {
		t.Errorf("a partner loading CSV: %d, want 403", status)
	}
	if status, body := e.postCSV(adminKey, "text/csv", "date,currency,rate_per_EUR\n"+strings.Repeat("2026-11-20,USD,1.0512\n", 50_000)); status != 400 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "pactum fx load") {
		t.Errorf("a body over 1 MiB: %d %v", status, body)
	}
}

// TestFXRatesReload: a load is seen by the next conversion at once, though the rates are cached
// between requests.
func TestFXRatesReload(t *testing.T) {
	e := newEnv(t)
	runSteps(t, e, []step{
		{name: "no rates yet", method: "GET", path: "/api/v1/fx-rates/convert?from=EUR&to=USD&date=2026-11-20", key: adminKey, status: 404},
		{name: "load", method: "POST", path: "/api/v1/fx-rates", key: adminKey, body: fxWeek, status: 200, wantChange: true},
		{name: "loaded", method: "GET", path: "/api/v1/fx-rates/convert?from=EUR&to=USD&date=2026-11-20", key: adminKey, status: 200,
			want: map[string]any{"rate": "1.0512"}},
		{name: "corrected", method: "POST", path: "/api/v1/fx-rates", key: adminKey, status: 200, wantChange: true,
			body: `{"rates":[{"date":"2026-11-20","currency":"USD","rate_per_eur":"1.0513"}]}`},
		{name: "the correction", method: "GET", path: "/api/v1/fx-rates/convert?from=EUR&to=USD&date=2026-11-20", key: adminKey, status: 200,
			want: map[string]any{"rate": "1.0513"}},
		{name: "a failed load changes nothing", method: "POST", path: "/api/v1/fx-rates", key: adminKey, status: 400,
			body: `{"rates":[{"date":"2026-11-20","currency":"USD","rate_per_eur":"-1"}]}`},
	})
	if status, _ := e.do("GET", "/api/v1/fx-rates?currency=USD&limit=1", e.p2, ""); status != http.StatusOK {
		t.Fatalf("list: %d", status)
	}
}
