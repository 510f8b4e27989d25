package storetest

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// Fraud settings of a program and an offer round-trip, and an offer reads its program's.
func testFraudSettings(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	adv.Fraud = pactum.FraudSettings{Level: pactum.LevelStrict, BlockedIPs: []string{"192.0.2.0/24"}}
	must(t, s.UpdateAdvertiser(ctx, &adv))
	o := newOffer(t, s, adv.ID, "Offer")
	o.Fraud = pactum.FraudSettings{Rules: map[string]string{"datacenter": "off"}, DuplicateWindowSeconds: 60, MaxConversionSeconds: 86400}
	must(t, s.UpdateOffer(ctx, &o))
	got, err := s.Offer(ctx, o.ID)
	must(t, err)
	if got.Fraud.Rules["datacenter"] != "off" || got.Fraud.DuplicateWindowSeconds != 60 || got.Fraud.MaxConversionSeconds != 86400 ||
		got.ProgramFraud.Level != pactum.LevelStrict || len(got.ProgramFraud.BlockedIPs) != 1 {
		t.Errorf("offer's fraud %+v, program's %+v", got.Fraud, got.ProgramFraud)
	}
	a, err := s.Advertiser(ctx, adv.ID)
	must(t, err)
	if a.Fraud.Level != pactum.LevelStrict {
		t.Errorf("advertiser's fraud %+v", a.Fraud)
	}
	list, err := s.ListOffers(ctx, pactum.OfferFilter{AdvertiserID: adv.ID}, pactum.Page{})
	must(t, err)
	if len(list) != 1 || list[0].ProgramFraud.Level != pactum.LevelStrict {
		t.Errorf("listed offers %+v", list)
	}
}

// A click's fraud codes and validity, a conversion's codes and address, and what the event
// transaction reads for the conversion rules: the click, and the partner's history.
func testFraudEvents(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	o := newOffer(t, s, adv.ID, "Offer")
	anna := newPartner(t, s, "anna")
	click := visit("dup", o.ID, anna.ID, t0)
	click.Flags, click.Invalid = "duplicate_click+datacenter", true
	must(t, applyVisits(s, []pactum.Visit{click}, nil, "edge", 1))
	stored, err := s.Clicks(ctx, pactum.ClickFilter{OfferID: o.ID}, pactum.Page{})
	must(t, err)
	if len(stored) != 1 || stored[0].Flags != click.Flags || !stored[0].Invalid {
		t.Fatalf("stored click %+v", stored)
	}

	at := t0.Add(time.Hour)
	for i, ip := range []string{"198.51.100.1", "198.51.100.1", "198.51.100.2"} {
		c := fullConversion(o, anna.ID, "EUR")
		c.ClickID, c.OrderID, c.DedupKey, c.Time, c.IP = "", "o"+ip+string(rune('a'+i)), "", at.Add(time.Duration(i)*time.Minute), ip
		c.CustomerID, c.Flags, c.Refunds, c.RefundedAmount = "cust-1", "repeated_ip", nil, dec("0")
		c.Items[0].RefundedQuantity = 0
		c.Status, c.ApprovedAt = pactum.ConversionPending, time.Time{}
		if i == 2 {
			c.Status, c.ApproveAt, c.ApprovedAt, c.Reason = pactum.ConversionPending, time.Time{}, time.Time{}, "self_referral"
		}
		_, err := s.ApplyEvents(ctx, "conv", uint64(i+1), func(tx pactum.EventTx) error {
			_, _, err := tx.InsertConversion(ctx, c)
			return err
		})
		must(t, err)
	}
	held, err := s.ListConversions(ctx, pactum.ConversionFilter{AdvertiserID: adv.ID, Held: true}, pactum.Page{})
	must(t, err)
	if len(held) != 1 || !held[0].Held() || held[0].IP != "198.51.100.2" || held[0].Flags != "repeated_ip" || held[0].ReportReason() != "self_referral" {
		t.Fatalf("held conversions %+v", held)
	}
	// By one code of the reason; "_" in a code is no wildcard.
	for code, want := range map[string]int{"self_referral": 1, "self": 0, "referral": 0, "self%": 0, "self_referra_": 0, "repeated_ip": 0} {
		got, err := s.ListConversions(ctx, pactum.ConversionFilter{AdvertiserID: adv.ID, Held: true, Reason: code}, pactum.Page{})
		must(t, err)
		if len(got) != want {
			t.Errorf("held conversions for reason %q: %d, want %d", code, len(got), want)
		}
	}
	if n, err := s.CountConversions(ctx, pactum.ConversionFilter{OfferID: o.ID, Reason: "self_referral"}); err != nil || n != 1 {
		t.Errorf("conversions counted for reason self_referral: %d (%v), want 1", n, err)
	}
	// Held conversions are not the approval job's.
	if n, err := s.ApproveDue(ctx, at.AddDate(1, 0, 0), 100); err != nil || n != 2 {
		t.Errorf("ApproveDue approved %d (%v), want the 2 that are not held", n, err)
	}

	_, err = s.ApplyEvents(ctx, "conv", 10, func(tx pactum.EventTx) error {
		// The history is the daily rollups' of the days asked: two of the three days here.
		day := at.Truncate(24 * time.Hour)
		var rows []pactum.RollupRow
		for i, n := range []int64{5, 7, 11} {
			rows = append(rows, pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupPartner, Grain: pactum.GrainDay,
				Bucket: day.AddDate(0, 0, i-2).Unix(), OfferID: o.ID, PartnerID: anna.ID}, Metrics: pactum.Metrics{Conversions: n}})
		}
		must(t, tx.AddRollups(ctx, rows))
		// The click's source and report dimensions, and the conversions from its address: those
		// from 198.51.100.1.
		h, err := tx.FraudHistory(ctx, pactum.FraudHistoryQuery{OfferID: o.ID, PartnerID: anna.ID, ClickID: "dup", SameIP: true,
			CustomerID: "cust-1", RepeatSince: at, RepeatCap: 10, HourStart: at.Add(90 * time.Second), HourCap: 10,
			HistoryFrom: day.AddDate(0, 0, -7), HistoryTo: day})
		want := pactum.FraudHistory{Click: pactum.ClickSource{Found: true, IP: click.IP, Flagged: true, Dims: click.Dims()}, SameIP: 0,
			SameCustomer: 3, LastHour: 1, History: 12}
		if err != nil || h != want {
			t.Errorf("FraudHistory: %+v %v, want %+v", h, err, want)
		}
		// A click of the same batch, given rather than read; counts stop at the cap.
		h, err = tx.FraudHistory(ctx, pactum.FraudHistoryQuery{OfferID: o.ID, PartnerID: anna.ID, ClickID: "nope",
			Click: &pactum.ClickSource{Found: true, IP: "198.51.100.1"}, SameIP: true, CustomerID: "cust-1",
			RepeatSince: at, RepeatCap: 2, HourStart: at, HourCap: 1})
		if err != nil || h.SameIP != 2 || h.SameCustomer != 2 || h.LastHour != 1 || h.Click.IP != "198.51.100.1" {
			t.Errorf("FraudHistory with caps: %+v %v", h, err)
		}
		h, err = tx.FraudHistory(ctx, pactum.FraudHistoryQuery{OfferID: o.ID, PartnerID: anna.ID, ClickID: "nope", SameIP: true, RepeatCap: 5})
		if err != nil || h.Click.Found || h.SameIP != 0 {
			t.Errorf("FraudHistory of a click not stored: %+v %v", h, err)
		}
		h, err = tx.FraudHistory(ctx, pactum.FraudHistoryQuery{OfferID: o.ID, PartnerID: anna.ID})
		if err != nil || h != (pactum.FraudHistory{}) {
			t.Errorf("FraudHistory asking nothing: %+v %v", h, err)
		}
		return nil
	})
	must(t, err)
}
