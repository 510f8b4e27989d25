package payout_test

import (
	"context"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/payout"
)

// runStore records the runs asked for; a run exists once asked for.
type runStore struct {
	adv   pactum.Advertiser
	asked []string
	exist map[string]bool
}

func (s *runStore) ApproveDue(context.Context, time.Time, int) (int, error) { return 0, nil }
func (s *runStore) Advertiser(context.Context, int64) (pactum.Advertiser, error) {
	return s.adv, nil
}
func (s *runStore) ListAdvertisers(_ context.Context, p pactum.Page) ([]pactum.Advertiser, error) {
	if p.After >= s.adv.ID {
		return nil, nil
	}
	return []pactum.Advertiser{s.adv}, nil
}
func (s *runStore) RunPayouts(_ context.Context, rs pactum.RunSettings) (pactum.PayoutRun, bool, error) {
	d := rs.Date.Format(time.DateOnly)
	s.asked = append(s.asked, d)
	created := !s.exist[d]
	s.exist[d] = true
	return pactum.PayoutRun{AdvertiserID: rs.AdvertiserID, Date: d}, created, nil
}

// TestScheduleCatchesUpOnce: the first pass makes every scheduled run the process missed in
// the last 35 days; later passes ask the store for nothing until a new run is due; a restarted
// process asks again and creates nothing.
func TestScheduleCatchesUpOnce(t *testing.T) {
	st := &runStore{adv: pactum.Advertiser{ID: 1, PayoutSchedule: pactum.PayoutWeekly, PayoutWeekday: 5,
		CreatedAt: day("2026-10-01")}, exist: map[string]bool{}}
	now := day("2026-11-24").Add(9 * time.Hour) // a Tuesday
	j := &payout.Jobs{Store: st, Now: func() time.Time { return now }}
	made, err := j.Schedule(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-10-23", "2026-10-30", "2026-11-06", "2026-11-13", "2026-11-20"}
	if len(made) != len(want) || len(st.asked) != len(want) {
		t.Fatalf("made %v, asked %v; want the Fridays %v", made, st.asked, want)
	}
	for i, r := range made {
		if r.Date != want[i] {
			t.Errorf("run %d on %s, want %s", i, r.Date, want[i])
		}
	}
	if made, _ := j.Schedule(context.Background()); len(made) != 0 || len(st.asked) != len(want) {
		t.Fatalf("second pass: made %v, asked the store %d times in all", made, len(st.asked))
	}
	now = day("2026-11-27").Add(time.Hour) // Friday
	if made, _ := j.Schedule(context.Background()); len(made) != 1 || made[0].Date != "2026-11-27" {
		t.Fatalf("on the next Friday: %v", made)
	}
	restarted := &payout.Jobs{Store: st, Now: func() time.Time { return now }}
	if made, _ := restarted.Schedule(context.Background()); len(made) != 0 {
		t.Fatalf("after a restart: %v created again", made)
	}
}
