package commission_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
)

// The program today pays 8% on shoes and 5% on the rest; the draft raises shoes to 10% and
// adds a gold tier from 500.00 of monthly sales. The draft's caps would cap every second
// conversion of a day or month: a simulation ignores them.
const (
	currentShoes = `{"default":{"percent":"5"},"rules":[{"id":"shoes","when":{"category":["shoes"]},"rate":{"percent":"8"}}]}`
	draftShoes   = `{"default":{"percent":"5"},"rules":[{"id":"shoes","when":{"category":["shoes"]},"rate":{"percent":"10"}}],
	  "tiers":[{"id":"gold","monthly_sales_gte":"500.00","multiplier":"1.5"}],"caps":{"daily_conversions":1,"monthly_conversions":1}}`
)

func TestSimulateShoesFrom8To10(t *testing.T) {
	o := offer(currentShoes)
	ben := pactum.Partner{ID: 2, Name: "Ben", Kind: pactum.KindAffiliate}
	cleo := pactum.Partner{ID: 3, Name: "Cleo", Kind: pactum.KindB2B}
	day := func(month time.Month, d int) time.Time { return time.Date(2026, month, d, 12, 0, 0, 0, time.UTC) }
	shoes := func(qty int64, price string) pactum.LineItem { return line("SHOE", "shoes", qty, price) }
	socks := func(qty int64) pactum.LineItem { return line("SOCK", "socks", qty, "10.00") }

	refunded := sale(t, o, cleo, day(11, 12), false, shoes(2, "50.00")) // 8.00, then 4.00
	if err := commission.Refund(&refunded, []pactum.RefundItem{{SKU: "SHOE", Quantity: 1}}, decimal.Zero, false, day(11, 13)); err != nil {
		t.Fatal(err)
	}
	rejected := sale(t, o, ben, day(11, 6), false, shoes(1, "100.00"))
	if err := commission.Reject(&rejected, "fraud", day(11, 7)); err != nil {
		t.Fatal(err)
	}
	unattributed := sale(t, o, pactum.Partner{}, day(11, 8), false, shoes(1, "100.00"))
	unattributed.PartnerID = 0
	lead := sale(t, o, anna, day(11, 9), false, shoes(1, "100.00"))
	lead.Event = "lead"

	// Out of order on purpose: the simulator replays oldest first.
	convs := []pactum.Conversion{
		sale(t, o, cleo, day(11, 10), false, shoes(1, "100.00")),          // 8.00; draft: 600.00 sold before: gold, 15.00
		sale(t, o, anna, day(11, 2), false, shoes(1, "129.90")),           // 10.39; draft 12.99
		sale(t, o, cleo, day(11, 3), false, shoes(2, "300.00")),           // 48.00; draft 60.00
		sale(t, o, anna, day(11, 20), false, shoes(1, "59.95"), socks(1)), // 4.80 + 0.50; draft 6.00 + 0.50
		sale(t, o, ben, day(11, 5), false, socks(3)),                      // 1.50 either way
		refunded, // draft: 700.00 sold before: 15.00, half of it 7.50
		sale(t, o, cleo, day(12, 2), false, shoes(1, "100.00")), // a new month: 8.00; draft 10.00
		rejected, unattributed, lead,
	}
	partners := map[int64]pactum.Partner{1: anna, 2: ben, 3: cleo}
	sim, err := theRules.Simulate(o, "purchase", json.RawMessage(draftShoes), partners, convs)
	if err != nil {
		t.Fatal(err)
	}
	figures := func(f commission.Figures) string {
		return fmt.Sprintf("%d %s %s %s", f.Conversions, pactum.FormatAmount(f.Current, "EUR"),
			pactum.FormatAmount(f.Draft, "EUR"), pactum.FormatAmount(f.Difference, "EUR"))
	}
	want := []string{
		"1: 2 15.69 19.49 3.80",
		"2: 1 1.50 1.50 0.00",
		"3: 4 68.00 92.50 24.50",
	}
	if len(sim.Partners) != len(want) {
		t.Fatalf("%d partners, want %d: %+v", len(sim.Partners), len(want), sim.Partners)
	}
	for i, p := range sim.Partners {
		if got := fmt.Sprintf("%d: %s", p.PartnerID, figures(p.Figures)); got != want[i] {
			t.Errorf("partner %s, want %s", got, want[i])
		}
	}
	if got := figures(sim.Total); got != "7 85.19 113.49 28.30" || sim.Currency != "EUR" || sim.Skipped != 0 {
		t.Errorf("total %s (%s, %d skipped), want 7 85.19 113.49 28.30 in EUR", got, sim.Currency, sim.Skipped)
	}
	if !refunded.Payout.Equal(dec("4.00")) || len(refunded.Refunds) != 1 {
		t.Errorf("the simulation changed a conversion it replayed: %+v", refunded)
	}
}

func TestSimulateInvalid(t *testing.T) {
	o := offer(currentShoes)
	tests := []struct {
		name, event, draft, field string
	}{
		{"unknown event", "refund", `{}`, "event"},
		{"no draft", "purchase", ``, "payout"},
		{"bad percent", "purchase", `{"default":{"percent":"lots"}}`, "payout.default.percent"},
		{"bad rule", "purchase", `{"rules":[{"id":"a","rate":{"fixed":"1.001"}}]}`, "payout.rules[0].rate.fixed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := theRules.Simulate(o, tc.event, json.RawMessage(tc.draft), nil, nil)
			if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tc.field {
				t.Errorf("error %v, want invalid_argument on %s", err, tc.field)
			}
		})
	}
}
