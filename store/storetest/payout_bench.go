package storetest

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// BenchmarkPayoutRun times one payout run of one program over commissions approved
// commissions of partners partners (the goal: 1,000,000 for 10,000 in under 10 seconds on two
// cores, in under 500 MB). The setup is not timed: it creates the partners (minimum payout 1.00
// EUR) and reports the commissions through ApplyEvents and InsertConversion, batch to a
// transaction, as the event processor does. The run must make one payout per partner that
// links every commission. It reports the run's seconds, payouts and commissions, and the peak
// resident memory of the process during the run (VmHWM, reset just before it: for SQLite it
// includes the page cache, which lives in the process; a PostgreSQL server's memory is not
// counted). Run it with -benchtime 1x: every further iteration would need the setup again.
func BenchmarkPayoutRun(b *testing.B, s pactum.Store, partners, commissions, batch int) {
	b.StopTimer()
	if b.N > 1 {
		b.Skip("run with -benchtime 1x: each run needs its own commissions")
	}
	a := pactum.Advertiser{Name: "Shop", Currency: "EUR", PayoutSchedule: pactum.PayoutManual}
	benchMust(b, s.CreateAdvertiser(ctx, &a))
	o := pactum.Offer{AdvertiserID: a.ID, Name: "Offer", Status: pactum.OfferActive,
		DestinationURL: "https://shop.example/?c={click_id}", Currency: "EUR",
		AttributionWindowDays: pactum.DefaultAttributionWindowDays, AttributionModel: pactum.LastClick,
		HoldDays: pactum.DefaultHoldDays, Visibility: pactum.VisibilityPublic}
	benchMust(b, s.CreateOffer(ctx, &o))

	start := time.Now()
	ids := make([]int64, partners)
	for i := range ids {
		p := pactum.Partner{Name: fmt.Sprintf("partner %d", i), Email: fmt.Sprintf("p%d@example.com", i),
			Kind: pactum.KindAffiliate, Status: pactum.PartnerActive, Currency: "EUR",
			MinPayout: dec("1.00"), PayoutMethod: "sepa"}
		benchMust(b, s.CreatePartner(ctx, &p))
		ids[i] = p.ID
	}
	b.Logf("setup: %d partners in %v", partners, time.Since(start).Round(time.Millisecond))

	start = time.Now()
	at := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	var want int64 // the sum of the commissions, in cents
	c := pactum.Conversion{OfferID: o.ID, AdvertiserID: a.ID, Event: "purchase", Currency: "EUR",
		Attribution: pactum.AttributionClick, Status: pactum.ConversionApproved, Source: pactum.SourceAPI,
		Revenue: dec("0"), RefundedAmount: dec("0"), LedgerCurrency: "EUR"}
	var pos uint64
	for done := 0; done < commissions; {
		n := min(batch, commissions-done)
		pos++
		_, err := s.ApplyEvents(ctx, "bench-payouts", pos, func(tx pactum.EventTx) error {
			for i := done; i < done+n; i++ {
				cents := int64(100 + i*7919%900) // 1.00 to 9.99
				conv := c
				conv.PartnerID = ids[i%partners]
				conv.Time = at.Add(time.Duration(i) * time.Second)
				conv.ApproveAt, conv.ApprovedAt = conv.Time, conv.Time
				conv.Amount = pactum.FromMinor(cents*10, "EUR")
				conv.Payout = pactum.FromMinor(cents, "EUR")
				if _, _, err := tx.InsertConversion(ctx, &conv); err != nil {
					return err
				}
			}
			return nil
		})
		benchMust(b, err)
		for i := done; i < done+n; i++ {
			want += int64(100 + i*7919%900)
		}
		done += n
	}
	b.Logf("setup: %d approved commissions in %v (batches of %d)", commissions, time.Since(start).Round(time.Millisecond), batch)

	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rs := pactum.RunSettings{AdvertiserID: a.ID, Date: day, Cutoff: day, Now: day}
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS(b)
	rssBefore := procStatus(b, "VmRSS")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	b.StartTimer()
	run, created, err := s.RunPayouts(ctx, rs)
	b.StopTimer()
	benchMust(b, err)
	elapsed := b.Elapsed()
	runtime.ReadMemStats(&after)
	peak := procStatus(b, "VmHWM")

	var payouts, linked, sum int64
	var page pactum.Page
	for {
		ps, err := s.ListPayouts(ctx, pactum.PayoutFilter{RunID: run.ID}, pactum.Page{Limit: 1000, After: page.After})
		benchMust(b, err)
		for _, p := range ps {
			payouts++
			linked += p.Commissions
			sum += pactum.ToMinor(p.Amount, p.Currency)
			page.After = p.ID
		}
		if len(ps) < 1000 {
			break
		}
	}
	if !created || run.Payouts != partners || payouts != int64(partners) || linked != int64(commissions) || sum != want {
		b.Fatalf("run %+v (created %v): %d payouts of %d commissions worth %d cents, want %d payouts of %d commissions worth %d",
			run, created, payouts, linked, sum, partners, commissions, want)
	}
	b.ReportMetric(elapsed.Seconds(), "s/run")
	b.ReportMetric(float64(payouts), "payouts")
	b.ReportMetric(float64(linked), "commissions")
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MB")
	b.Logf("run: %v, %d payouts, %d commissions linked, %.2f EUR; peak RSS %d MB (%d MB before the run), Go heap in use %d MB after, allocated %d MB during",
		elapsed.Round(time.Millisecond), payouts, linked, float64(sum)/100, peak/1024, rssBefore/1024,
		after.HeapInuse>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
}

// resetPeakRSS resets the process's peak resident memory (VmHWM) to its current size, so that
// what is read after measures what came after (Linux: /proc/self/clear_refs, 5).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("cannot reset the peak RSS (%v): it includes the setup", err)
	}
}

// procStatus returns a figure of /proc/self/status in kB (0 where there is none).
func procStatus(b *testing.B, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Logf("no /proc/self/status: %v", err)
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func benchMust(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
