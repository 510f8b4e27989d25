package postback_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/store/postgres/pgtest"
	"github.com/pactum/pactum/store/sqldb"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

// BenchmarkDeliveries: b.N conversions of a partner with a GET postback, recorded before the
// clock starts; measured: the outbox turning their changes into deliveries and the worker
// sending them to a receiver on loopback and recording each answer, until none is left. Every
// delivery must arrive exactly once (by its Idempotency-Key) and be recorded delivered: no loss.
//
//	go test ./postback -run '^$' -bench Deliveries -benchtime 5000x
func BenchmarkDeliveries(b *testing.B) {
	for _, st := range []struct {
		name string
		open func(testing.TB) *sqldb.Store
	}{{"sqlite", sqlitetest.Open}, {"postgres", pgtest.Open}} {
		b.Run(st.name, func(b *testing.B) {
			e := newEnvOn(b, st.open(b))
			var mu sync.Mutex
			seen := make(map[string]int, b.N)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				seen[r.Header.Get("Idempotency-Key")]++
				mu.Unlock()
				w.Write([]byte("ok"))
			}))
			b.Cleanup(srv.Close)
			p := e.postback("GET", srv.URL+"/pb?cid={click_id}&o={order_id}&p={payout}&s={status}&t={timestamp}", pactum.EventConversionCreated)
			for range b.N {
				e.sale(e.partner.ID, "", pactum.ConversionPending, "100.00", "8.00")
			}
			b.ResetTimer()
			start := time.Now()
			e.pump()
			elapsed := time.Since(start)
			b.StopTimer()

			if len(seen) != b.N {
				b.Fatalf("%d of %d postbacks received", len(seen), b.N)
			}
			for k, n := range seen {
				if n != 1 {
					b.Fatalf("%s received %d times", k, n)
				}
			}
			delivered, err := e.store.ListDeliveries(ctx, pactum.DeliveryFilter{PostbackID: p.ID, Status: pactum.DeliveryDelivered}, pactum.Page{Limit: 1000})
			must(b, err)
			if b.N <= 1000 && len(delivered) != b.N {
				b.Fatalf("%d of %d deliveries recorded delivered", len(delivered), b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
		})
	}
}
