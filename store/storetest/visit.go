package storetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// t0 is a fixed time with sub-microsecond digits, which the store drops.
var t0 = time.Date(2025, 6, 1, 12, 0, 0, 999, time.UTC)

// visit returns a click (or, with an empty id, an impression) with every field set.
func visit(id string, offer, partner int64, at time.Time) pactum.Visit {
	return pactum.Visit{
		ClickID: id, Time: at, OfferID: offer, PartnerID: partner, LinkID: 7,
		Sub: [5]string{"a", "b", "c", "d", "e"}, Source: "newsletter", IP: "203.0.113.9",
		UserAgent: "Mozilla/5.0 (iPhone)", Referer: "https://blog.example/post", Device: pactum.DeviceMobile,
		OS: "iOS", Browser: "Safari", Country: "DE", Bot: id == "bot", Unique: true, Rejected: "",
	}
}

func stored(v pactum.Visit) pactum.Visit {
	v.Time = v.Time.Truncate(time.Microsecond).UTC()
	return v
}

// applyVisits stores visits through ApplyEvents, as the visit processor does.
func applyVisits(s pactum.Store, clicks, impressions []pactum.Visit, stream string, pos uint64) error {
	_, err := s.ApplyEvents(ctx, stream, pos, func(tx pactum.EventTx) error {
		return tx.InsertVisits(ctx, clicks, impressions)
	})
	return err
}

func counts(t *testing.T, s pactum.Store, f pactum.ClickFilter) (clicks, impressions int64) {
	t.Helper()
	clicks, err := s.CountClicks(ctx, f)
	must(t, err)
	impressions, err = s.CountImpressions(ctx, f)
	must(t, err)
	return clicks, impressions
}

func testInsertVisits(t *testing.T, s pactum.Store) {
	clicks := []pactum.Visit{visit("c1", 1, 2, t0), visit("c2", 1, 2, t0.Add(time.Second)), visit("bot", 3, 4, t0)}
	clicks[1].Rejected, clicks[1].Unique = pactum.RejectCountry, false
	impressions := []pactum.Visit{visit("", 1, 2, t0), visit("", 1, 2, t0)}

	pos, err := s.AppliedPosition(ctx, "edge")
	must(t, err)
	if pos != 0 {
		t.Fatalf("AppliedPosition of a new stream = %d, want 0", pos)
	}

	must(t, applyVisits(s, clicks, impressions, "edge", 10))
	check := func(what string, wantClicks, wantImpressions int64, wantPos uint64) {
		t.Helper()
		c, i := counts(t, s, pactum.ClickFilter{})
		if c != wantClicks || i != wantImpressions {
			t.Fatalf("%s: %d clicks and %d impressions, want %d and %d", what, c, i, wantClicks, wantImpressions)
		}
		pos, err := s.AppliedPosition(ctx, "edge")
		must(t, err)
		if pos != wantPos {
			t.Fatalf("%s: AppliedPosition = %d, want %d", what, pos, wantPos)
		}
	}
	check("first batch", 3, 2, 10)

	got, err := s.Clicks(ctx, pactum.ClickFilter{}, pactum.Page{})
	must(t, err)
	if len(got) != 3 {
		t.Fatalf("Clicks = %d, want 3", len(got))
	}
	for i, c := range got {
		wantEqual(t, fmt.Sprintf("click %d", i), c.Visit, stored(clicks[i]))
		if i > 0 && c.Seq <= got[i-1].Seq {
			t.Fatalf("Seq not ascending: %d after %d", c.Seq, got[i-1].Seq)
		}
	}

	must(t, applyVisits(s, clicks, impressions, "edge", 10))
	check("same batch again", 3, 2, 10)

	late := []pactum.Visit{visit("c9", 1, 2, t0)}
	must(t, applyVisits(s, late, impressions, "edge", 5))
	check("lower position", 3, 2, 10)

	// A click seen again at a later position (the log replayed past a lost position) is kept once.
	must(t, applyVisits(s, append(late, clicks[0], late[0]), nil, "edge", 11))
	check("repeated click ids", 4, 2, 11)

	// Streams are independent.
	must(t, applyVisits(s, []pactum.Visit{visit("other-1", 1, 2, t0)}, nil, "edge-2", 3))
	check("another stream", 5, 2, 11)
	pos, err = s.AppliedPosition(ctx, "edge-2")
	must(t, err)
	if pos != 3 {
		t.Fatalf("AppliedPosition(edge-2) = %d, want 3", pos)
	}

	// An empty batch still moves the position.
	must(t, applyVisits(s, nil, nil, "edge", 12))
	check("empty batch", 5, 2, 12)

	// A click without an id is refused and the batch changes nothing.
	bad := []pactum.Visit{visit("c20", 1, 2, t0), visit("", 1, 2, t0)}
	wantCode(t, applyVisits(s, bad, nil, "edge", 13), pactum.EINVALID, "clicks[1].click_id")
	check("refused batch", 5, 2, 12)
}

// testInsertVisitsChunks applies batches whose sizes do not divide into the statements' chunks.
func testInsertVisitsChunks(t *testing.T, s pactum.Store) {
	var total int64
	next := 0
	for pos, n := range []int{1, 2, 3, 255, 256, 257, 1000, 1537} {
		clicks := make([]pactum.Visit, n)
		impressions := make([]pactum.Visit, n/2)
		for i := range clicks {
			clicks[i] = visit(fmt.Sprintf("k%d", next), int64(n), 1, t0.Add(time.Duration(next)*time.Millisecond))
			next++
		}
		for i := range impressions {
			impressions[i] = visit("", int64(n), 1, t0)
		}
		must(t, applyVisits(s, clicks, impressions, "edge", uint64(pos+1)))
		total += int64(n)
		c, i := counts(t, s, pactum.ClickFilter{OfferID: int64(n)})
		if c != int64(n) || i != int64(n/2) {
			t.Fatalf("batch of %d: %d clicks and %d impressions stored", n, c, i)
		}
	}
	c, _ := counts(t, s, pactum.ClickFilter{})
	if c != total {
		t.Fatalf("%d clicks stored, want %d", c, total)
	}
	// Every click came through whole and in order.
	var last time.Time
	seen := 0
	must(t, s.ClicksSince(ctx, time.Time{}, func(v pactum.Visit) error {
		if want := fmt.Sprintf("k%d", seen); v.ClickID != want || v.Time.Before(last) {
			return fmt.Errorf("click %d is %s at %v, want %s", seen, v.ClickID, v.Time, want)
		}
		last = v.Time
		seen++
		return nil
	}))
}

// traffic is a store with two advertisers, three offers, two partners and a known set of
// clicks and impressions.
type traffic struct {
	adv1, adv2         int64
	offer1, offer2, o3 int64 // offer1 and offer2 belong to adv1, o3 to adv2
	anna, ben          int64
}

func newTraffic(t *testing.T, s pactum.Store) traffic {
	var tr traffic
	tr.adv1, tr.adv2 = newAdvertiser(t, s, "A").ID, newAdvertiser(t, s, "B").ID
	tr.offer1, tr.offer2 = newOffer(t, s, tr.adv1, "1").ID, newOffer(t, s, tr.adv1, "2").ID
	tr.o3 = newOffer(t, s, tr.adv2, "3").ID
	tr.anna, tr.ben = newPartner(t, s, "anna").ID, newPartner(t, s, "ben").ID

	// One click each hour from t0: offer cycles 1,2,3; partner alternates anna, ben.
	offers := []int64{tr.offer1, tr.offer2, tr.o3}
	partners := []int64{tr.anna, tr.ben}
	var clicks, impressions []pactum.Visit
	for i := range 12 {
		v := visit(fmt.Sprintf("t%02d", i), offers[i%3], partners[i%2], t0.Add(time.Duration(i)*time.Hour))
		clicks = append(clicks, v)
		v.ClickID = ""
		impressions = append(impressions, v, v)
	}
	must(t, applyVisits(s, clicks, impressions, "edge", 1))
	return tr
}

func testClickCounts(t *testing.T, s pactum.Store) {
	tr := newTraffic(t, s)
	tests := []struct {
		name   string
		filter pactum.ClickFilter
		want   int64 // clicks; impressions are twice as many
	}{
		{"all", pactum.ClickFilter{}, 12},
		{"offer", pactum.ClickFilter{OfferID: tr.offer1}, 4},
		{"partner", pactum.ClickFilter{PartnerID: tr.anna}, 6},
		{"offer and partner", pactum.ClickFilter{OfferID: tr.offer1, PartnerID: tr.anna}, 2},
		{"advertiser", pactum.ClickFilter{AdvertiserID: tr.adv1}, 8},
		{"advertiser and partner", pactum.ClickFilter{AdvertiserID: tr.adv2, PartnerID: tr.ben}, 2},
		{"advertiser without offers", pactum.ClickFilter{AdvertiserID: tr.adv2 + 100}, 0},
		{"from is inclusive", pactum.ClickFilter{From: t0.Add(10 * time.Hour)}, 2},
		{"to is exclusive", pactum.ClickFilter{To: t0.Add(2 * time.Hour)}, 2},
		{"from and to", pactum.ClickFilter{From: t0.Add(3 * time.Hour), To: t0.Add(6 * time.Hour)}, 3},
		{"to before from", pactum.ClickFilter{From: t0.Add(6 * time.Hour), To: t0.Add(3 * time.Hour)}, 0},
		{"everything", pactum.ClickFilter{OfferID: tr.offer2, PartnerID: tr.ben, AdvertiserID: tr.adv1,
			From: t0, To: t0.Add(12 * time.Hour)}, 2},
		{"other time zone", pactum.ClickFilter{From: t0.Add(3 * time.Hour).In(time.FixedZone("X", -7*3600))}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, i := counts(t, s, tt.filter)
			if c != tt.want || i != 2*tt.want {
				t.Fatalf("%d clicks and %d impressions, want %d and %d", c, i, tt.want, 2*tt.want)
			}
			list, err := s.Clicks(ctx, tt.filter, pactum.Page{})
			must(t, err)
			if int64(len(list)) != tt.want {
				t.Fatalf("Clicks = %d, want %d", len(list), tt.want)
			}
		})
	}
}

func testClickList(t *testing.T, s pactum.Store) {
	tr := newTraffic(t, s)
	all, err := s.Clicks(ctx, pactum.ClickFilter{}, pactum.Page{})
	must(t, err)
	seqs := ids(all, clickSeq)
	wantEqual(t, "Clicks one by one", pageAll(t, func(p pactum.Page) ([]pactum.StoredClick, error) {
		return s.Clicks(ctx, pactum.ClickFilter{}, p)
	}, clickSeq), seqs)

	page, err := s.Clicks(ctx, pactum.ClickFilter{}, pactum.Page{Limit: 5, After: seqs[4]})
	must(t, err)
	wantEqual(t, "second page", ids(page, clickSeq), seqs[5:10])

	f := pactum.ClickFilter{PartnerID: tr.ben}
	page, err = s.Clicks(ctx, f, pactum.Page{Limit: 2, After: seqs[1]})
	must(t, err)
	if len(page) != 2 || page[0].ClickID != "t03" || page[1].ClickID != "t05" {
		t.Fatalf("ben's clicks after the second = %+v, want t03 and t05", page)
	}
}

func testClicksSince(t *testing.T, s pactum.Store) {
	// Batches arrive out of time order: the log is ordered by arrival, not by click time.
	b1 := []pactum.Visit{visit("c3", 1, 1, t0.Add(3*time.Minute)), visit("c1", 1, 1, t0.Add(time.Minute))}
	b2 := []pactum.Visit{visit("c0", 1, 1, t0), visit("c2", 1, 1, t0.Add(2*time.Minute)), visit("c4", 1, 1, t0.Add(4*time.Minute))}
	must(t, applyVisits(s, b1, nil, "edge", 1))
	must(t, applyVisits(s, b2, nil, "edge", 2))

	since := func(from time.Time) []string {
		var got []string
		must(t, s.ClicksSince(ctx, from, func(v pactum.Visit) error {
			got = append(got, v.ClickID)
			return nil
		}))
		return got
	}
	wantEqual(t, "ClicksSince(zero)", since(time.Time{}), []string{"c0", "c1", "c2", "c3", "c4"})
	wantEqual(t, "ClicksSince(t0+2m)", since(t0.Add(2*time.Minute).Truncate(time.Microsecond)), []string{"c2", "c3", "c4"})
	if got := since(t0.Add(time.Hour)); len(got) != 0 {
		t.Fatalf("ClicksSince(after the last) = %v, want none", got)
	}

	stop := errors.New("stop")
	n := 0
	err := s.ClicksSince(ctx, time.Time{}, func(v pactum.Visit) error {
		if n++; n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Fatalf("ClicksSince with fn failing on the 2nd click: err %v after %d calls, want stop after 2", err, n)
	}

	var got pactum.Visit
	must(t, s.ClicksSince(ctx, t0.Add(4*time.Minute), func(v pactum.Visit) error { got = v; return nil }))
	wantEqual(t, "visit from ClicksSince", got, stored(b2[2]))
}

func testSettings(t *testing.T, s pactum.Store) {
	_, err := s.Setting(ctx, "click_key")
	wantCode(t, err, pactum.ENOTFOUND, "")

	v, err := s.SetSettingIfAbsent(ctx, "click_key", "first")
	must(t, err)
	if v != "first" {
		t.Fatalf("SetSettingIfAbsent on an empty store = %q, want first", v)
	}
	v, err = s.SetSettingIfAbsent(ctx, "click_key", "second")
	must(t, err)
	if v != "first" {
		t.Fatalf("SetSettingIfAbsent on a set name = %q, want first", v)
	}
	v, err = s.Setting(ctx, "click_key")
	must(t, err)
	if v != "first" {
		t.Fatalf("Setting = %q, want first", v)
	}

	// Processes starting at once each propose a key; all must leave with the same one.
	const n = 8
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			got[i], errs[i] = s.SetSettingIfAbsent(ctx, "race", fmt.Sprintf("value-%d", i))
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		must(t, errs[i])
	}
	v, err = s.Setting(ctx, "race")
	must(t, err)
	sort.Strings(got)
	if got[0] != got[n-1] || got[0] != v {
		t.Fatalf("concurrent SetSettingIfAbsent returned %v, stored %q; want one value", got, v)
	}
}
