package edge_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/edge"
)

type nopRecorder struct{}

func (nopRecorder) RecordClick(context.Context, *pactum.Visit) error      { return nil }
func (nopRecorder) RecordImpression(context.Context, *pactum.Visit) error { return nil }

// discardWriter is a ResponseWriter that keeps nothing, so that the benchmark measures the edge
// rather than httptest's recorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

func benchmarkServe(b *testing.B, target string, want int) {
	h := newHarness(b, func(c *edge.Config) { c.Recorder = nopRecorder{} })
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.RemoteAddr = "198.51.100.7:41000"
		req.Header.Set("User-Agent", chromeDesktop)
		req.Header.Set("Referer", "https://blog.example/post")
		w := &discardWriter{h: make(http.Header)}
		for pb.Next() {
			clear(w.h)
			h.mux.ServeHTTP(w, req)
			if w.code != want {
				b.Fatalf("status %d, want %d", w.code, want)
			}
		}
	})
}

// BenchmarkClick is the click hot path through the mux: link lookup, user agent, uniqueness,
// click id, macro expansion, cookie; the recorder does nothing.
func BenchmarkClick(b *testing.B) {
	b.Run("link", func(b *testing.B) { benchmarkServe(b, "/c/anna?sub2=spring", http.StatusFound) })
	b.Run("tune", func(b *testing.B) {
		benchmarkServe(b, "/aff_c?offer_id=12&aff_id=42&aff_sub=a%20b&aff_sub2=x&source=fb", http.StatusFound)
	})
	b.Run("unknown", func(b *testing.B) { benchmarkServe(b, "/c/nope", http.StatusNotFound) })
	b.Run("impression", func(b *testing.B) { benchmarkServe(b, "/i/anna", http.StatusOK) })
}
