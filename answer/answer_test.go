package answer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pactum/pactum"
)

func TestStatus(t *testing.T) {
	for code, want := range map[string]int{
		pactum.EINVALID: 400, pactum.EUNAUTHORIZED: 401, pactum.EFORBIDDEN: 403, pactum.ENOTFOUND: 404,
		pactum.ECONFLICT: 409, pactum.EREJECTED: 422, pactum.EPRECONDITION: 422, pactum.ETOOMANYREQUESTS: 429,
		pactum.EUNAVAILABLE: 503, pactum.EINTERNAL: 500, "no such code": 500,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestConversionStatus(t *testing.T) {
	pending := pactum.Conversion{Status: pactum.ConversionPending}
	tooFast := pactum.Conversion{Status: pactum.ConversionRejected, Reason: pactum.ReasonTooFast}
	declined := pactum.Conversion{Status: pactum.ConversionRejected, Reason: pactum.ReasonAdvertiserDenied}
	for _, tt := range []struct {
		c    pactum.Conversion
		dup  bool
		want int
	}{
		{pending, false, http.StatusCreated},
		{pending, true, http.StatusOK},
		{tooFast, false, http.StatusUnprocessableEntity},
		{tooFast, true, http.StatusUnprocessableEntity}, // a rejected sale never answers 2xx
		{declined, false, http.StatusCreated},           // recorded as the advertiser asked
		{declined, true, http.StatusOK},
	} {
		if got := ConversionStatus(pactum.ConversionResult{Conversion: tt.c, Duplicate: tt.dup}, http.StatusCreated); got != tt.want {
			t.Errorf("%s/%s duplicate %v: %d, want %d", tt.c.Status, tt.c.Reason, tt.dup, got, tt.want)
		}
	}
}

func TestOf(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	live := context.Background()
	for _, tt := range []struct {
		name     string
		ctx      context.Context
		err      error
		status   int
		code     string
		internal bool
	}{
		{"field error", live, pactum.FieldError("amount", "bad"), 400, pactum.EINVALID, false},
		{"wrapped", live, fmt.Errorf("x: %w", pactum.Errorf(pactum.ENOTFOUND, "gone")), 404, pactum.ENOTFOUND, false},
		{"plain error", live, errors.New("disk on fire"), 500, pactum.EINTERNAL, true},
		{"client gone", done, context.Canceled, 503, pactum.EUNAVAILABLE, false},
		{"canceled, client still there", live, context.Canceled, 500, pactum.EINTERNAL, true},
		{"ran out of time", live, fmt.Errorf("submit: %w", context.DeadlineExceeded), 503, pactum.EUNAVAILABLE, false},
		{"queued", live, pactum.ErrQueued, 202, "", false},
	} {
		f := Of(tt.ctx, tt.err)
		if f.Status != tt.status || f.Internal != tt.internal || (tt.code != "" && pactum.ErrorCode(f.Err) != tt.code) {
			t.Errorf("%s: %+v", tt.name, f)
		}
		if f.Internal && pactum.ErrorMessage(f.Err) != "internal error" {
			t.Errorf("%s: shows %q", tt.name, pactum.ErrorMessage(f.Err))
		}
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, 401, &pactum.Error{Code: pactum.EUNAUTHORIZED, Message: `bad "key"`, Field: "token"})
	if got, want := w.Body.String(), `{"error":{"code":"unauthenticated","message":"bad \"key\"","field":"token"}}`+"\n"; got != want {
		t.Fatalf("body %s, want %s", got, want)
	}
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
}

func TestWriteFile(t *testing.T) {
	for name, want := range map[string]string{
		"pactum-report.csv": `attachment; filename="pactum-report.csv"`,
		"run 1 €.csv":       `attachment; filename*=utf-8''run%201%20%E2%82%AC.csv`,
	} {
		w := httptest.NewRecorder()
		WriteFile(w, "text/csv; charset=utf-8", name, []byte("a,b\n"))
		if got := w.Header().Get("Content-Disposition"); got != want || w.Header().Get("Content-Length") != "4" || w.Body.String() != "a,b\n" {
			t.Errorf("%s: Content-Disposition %q, want %q", name, got, want)
		}
	}
}
