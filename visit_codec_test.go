package pactum_test

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
)

func TestVisitCodecRoundTrip(t *testing.T) {
	v := pactum.Visit{
		ClickID: "abc", Time: time.Date(2026, 11, 24, 10, 0, 0, 123456000, time.UTC),
		OfferID: 12, PartnerID: 42, LinkID: 7, Sub: [5]string{"a", "", "c é", "", "e"}, Source: "ig",
		IP: "203.0.113.9", UserAgent: "Mozilla/5.0", Referer: "https://x.example/", Device: "mobile",
		OS: "iOS", Browser: "Safari", Country: "DE", Bot: true, Unique: true, Rejected: pactum.RejectCountry,
		Flags: "duplicate_click+datacenter", Invalid: true,
	}
	b, err := v.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	var got pactum.Visit
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if got != v {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, v)
	}
	for i := range b {
		var short pactum.Visit
		if err := short.UnmarshalBinary(b[:i]); err == nil {
			t.Fatalf("truncated record of %d bytes decoded without error", i)
		}
	}
}

// A log written before fraud rules (version 1: no flags) replays after an upgrade.
func TestVisitCodecReadsVersion1(t *testing.T) {
	v := pactum.Visit{ClickID: "abc", Time: time.Unix(1700000000, 0).UTC(), OfferID: 1, PartnerID: 2,
		IP: "203.0.113.9", Country: "DE", Unique: true}
	b, err := v.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Version 1 is version 2 without the last text field (Flags, empty here) and its flag bit.
	v1 := append([]byte{1}, b[1:len(b)-1]...)
	var got pactum.Visit
	if err := got.UnmarshalBinary(v1); err != nil || got != v {
		t.Fatalf("version 1: %+v %v", got, err)
	}
}

func FuzzVisitUnmarshal(f *testing.F) {
	v := pactum.Visit{ClickID: "x", OfferID: 1, PartnerID: 2, Time: time.Unix(1, 0)}
	b, _ := v.AppendBinary(nil)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v pactum.Visit
		if v.UnmarshalBinary(data) != nil {
			return
		}
		again, _ := v.AppendBinary(nil)
		var w pactum.Visit
		if err := w.UnmarshalBinary(again); err != nil || w != v {
			t.Fatalf("re-encoded visit does not round trip: %v", err)
		}
	})
}
