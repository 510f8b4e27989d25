package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/pactum/pactum/api"
	"github.com/pactum/pactum/api/apitest"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// TestOpenAPIRoutes: every route the API mounts is described in its OpenAPI document, and
// every operation described is mounted, with the same method and path. A new route fails here
// until it is described (see api/openapi.go).
func TestOpenAPIRoutes(t *testing.T) {
	a := api.New(api.Config{Program: program.New(program.Config{Store: sqlitetest.Open(t)})})
	a.Register(http.NewServeMux())
	mounted := a.Routes()
	if len(mounted) == 0 {
		t.Fatal("Routes lists nothing")
	}
	var described []string
	for path, item := range apitest.Document(t).Paths.Map() {
		for method := range item.Operations() {
			described = append(described, method+" "+path)
		}
	}
	for _, r := range mounted {
		if !slices.Contains(described, r) {
			t.Errorf("%s is mounted but not described in api/openapi.json", r)
		}
	}
	for _, d := range described {
		if !slices.Contains(mounted, d) {
			t.Errorf("%s is described in api/openapi.json but not mounted", d)
		}
	}
	if slices.Sort(mounted); len(slices.Compact(mounted)) != len(a.Routes()) {
		t.Errorf("Routes lists a pattern twice: %v", a.Routes())
	}
}

// TestOpenAPIDocument: each operation that needs a key describes the answers that any of them
// can give (401 without a valid key, 500 on a bug, 503 when its client hung up), so that
// clients see every status.
func TestOpenAPIDocument(t *testing.T) {
	for path, item := range apitest.Document(t).Paths.Map() {
		for method, op := range item.Operations() {
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public
			}
			for _, status := range []int{401, 500, 503} {
				if op.Responses.Status(status) == nil {
					t.Errorf("%s %s (%s) does not describe its %d answer", method, path, op.OperationID, status)
				}
			}
		}
	}
}

// TestOpenAPIServed: the document is served as JSON without a key, and can be cached and
// revalidated.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/openapi.json: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if !bytes.Equal(rec.Body.Bytes(), api.OpenAPI()) || !bytes.HasPrefix(rec.Body.Bytes(), []byte("{")) {
		t.Errorf("the answer is not the embedded document: %.80s...", rec.Body.String())
	}
	etag := rec.Header().Get("ETag")
	if !strings.HasPrefix(etag, `"`) || !strings.Contains(rec.Header().Get("Cache-Control"), "max-age=") {
		t.Errorf("ETag %q, Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
	}

	req := httptest.NewRequest("GET", "/api/v1/openapi.json", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("revalidation with the ETag: %d, %d bytes", rec.Code, rec.Body.Len())
	}

	if status, body := e.doRaw("POST", "/api/v1/openapi.json", "", "{}"); status != http.StatusNotFound {
		t.Errorf("POST /api/v1/openapi.json: %d %s", status, body)
	}
}

// TestOpenAPIReads exercises what the other scenario tests leave out, so that the document's
// answers for it are checked too: the reads of runs and payouts, and money in currencies with
// zero and three minor digits.
func TestOpenAPIReads(t *testing.T) {
	e := newEnv(t)
	approvedSale(t, e, 1, 1, 1, "60.00")
	status, run := e.do("POST", "/api/v1/payouts/runs", adminKey, `{"advertiser_id":1,"date":"2025-03-01"}`)
	if status != http.StatusCreated {
		t.Fatalf("run: %d %v", status, run)
	}
	items, _ := run["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("run %v, want one payout", run)
	}
	runSteps(t, e, []step{
		{name: "list runs", method: "GET", path: "/api/v1/payouts/runs", key: e.adv1, status: 200, want: map[string]any{"#data": 1}},
		{name: "read the run", method: "GET", path: fmt.Sprintf("/api/v1/payouts/runs/%v", run["id"]), key: adminKey, status: 200,
			want: map[string]any{"#items": 1}},
		{name: "read its payout", method: "GET", path: fmt.Sprintf("/api/v1/payouts/%v", items[0].(map[string]any)["id"]), key: e.p1, status: 200,
			want: map[string]any{"amount": "60.00"}},
		{name: "the ledger", method: "GET", path: "/api/v1/ledger?partner_id=1", key: adminKey, status: 200},
		{name: "a partner in JPY", method: "POST", path: "/api/v1/partners", key: adminKey, status: 201, wantChange: true,
			body: `{"name":"Kenji","email":"kenji@example.com","currency":"JPY","min_payout":"5000"}`, want: map[string]any{"min_payout": "5000"}},
		{name: "a partner in KWD", method: "POST", path: "/api/v1/partners", key: adminKey, status: 201, wantChange: true,
			body: `{"name":"Fahad","email":"fahad@example.com","currency":"KWD"}`, want: map[string]any{"min_payout": "50.000"}},
	})
}
