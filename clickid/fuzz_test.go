package clickid

import (
	"testing"
	"time"
)

// FuzzParse feeds Parse arbitrary text, seeded with real ids so that the fuzzer also explores
// near-misses of valid ones: it must never panic, every failure must be the promised error, and
// anything it accepts must be exactly the id that its contents re-sign to.
func FuzzParse(f *testing.F) {
	s := mustSigner(f, testKey)
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, p := range [][2]int64{{1, 1}, {12, 42}, {1<<21 - 1, 1<<21 - 1}, {3, 1<<28 - 1}} {
		id, err := s.New(p[0], p[1], at)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(id)
	}
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, id string) {
		info, counter, err := s.parse(id)
		if err != nil {
			mustInvalid(t, err)
			return
		}
		sc := s.pool.Get().(*scratch)
		defer s.pool.Put(sc)
		again := string(s.encode(sc, uint64(info.OfferID), uint64(info.PartnerID), uint64(info.Time.Unix()-epoch), counter))
		if again != id {
			t.Fatalf("Parse(%q) = %+v, which re-signs to %q", id, info, again)
		}
	})
}
