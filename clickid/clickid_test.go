package clickid

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

func mustSigner(t testing.TB, key string) *Signer {
	t.Helper()
	s, err := NewSigner([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const testKey = "0123456789abcdef-test-key"

func TestNewSignerKeyLength(t *testing.T) {
	if _, err := NewSigner([]byte("short key 15 b.")); err == nil {
		t.Fatal("15-byte key accepted")
	}
	if _, err := NewSigner([]byte("sixteen byte key")); err != nil {
		t.Fatalf("16-byte key: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	s := mustSigner(t, testKey)
	at := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))
	tests := []struct {
		name           string
		offer, partner int64
		at             time.Time
	}{
		{"smallest", 1, 1, time.Unix(epoch, 0)},
		{"typical", 12, 42, at},
		{"limit ids", 1<<21 - 1, 1<<21 - 1, at},
		{"limit ids far future", 1<<21 - 1, 1<<21 - 1, time.Date(2999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"large partner small offer", 3, 1<<28 - 1, at},
		{"large offer small partner", 1<<35 - 1, 7, at},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.New(tt.offer, tt.partner, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(id) != 32 || strings.ContainsAny(id, "+/=") {
				t.Fatalf("id %q is not 32 base64url characters", id)
			}
			info, err := s.Parse(id)
			if err != nil {
				t.Fatal(err)
			}
			want := Info{OfferID: tt.offer, PartnerID: tt.partner, Time: tt.at.Truncate(time.Second).UTC()}
			if info != want {
				t.Fatalf("Parse = %+v, want %+v", info, want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	s := mustSigner(t, testKey)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		offer, partner int64
		at             time.Time
		field          string
	}{
		{"zero offer", 0, 1, at, "offer_id"},
		{"negative partner", 1, -1, at, "partner_id"},
		{"before 2025", 1, 1, time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC), ""},
		{"ids too large", 1 << 21, 1 << 28, at, ""},
		{"max int64", 1<<63 - 1, 1, at, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.New(tt.offer, tt.partner, tt.at)
			if pactum.ErrorCode(err) != pactum.EINVALID || pactum.ErrorField(err) != tt.field {
				t.Fatalf("err = %v, want invalid_argument about %q", err, tt.field)
			}
		})
	}
}

// mustInvalid fails unless err is the click_id error Parse promises.
func mustInvalid(t *testing.T, err error) {
	t.Helper()
	var e *pactum.Error
	if !errors.As(err, &e) || e.Code != pactum.EINVALID || e.Field != "click_id" {
		t.Fatalf("err = %v, want invalid_argument about click_id", err)
	}
}

func TestTamperingDetected(t *testing.T) {
	s := mustSigner(t, testKey)
	id, err := s.New(12, 42, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for _, flip := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(raw)
			bad[i] ^= flip
			_, err := s.Parse(base64.RawURLEncoding.EncodeToString(bad))
			mustInvalid(t, err)
		}
	}
	// Changing one character of the text changes the bytes too.
	for i := range id {
		c := byte('A')
		if id[i] == 'A' {
			c = 'B'
		}
		_, err := s.Parse(id[:i] + string(c) + id[i+1:])
		mustInvalid(t, err)
	}
}

func TestWrongKey(t *testing.T) {
	a := mustSigner(t, testKey)
	b := mustSigner(t, testKey+"-other")
	id, err := a.New(12, 42, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Parse(id)
	mustInvalid(t, err)
	if _, err := a.Parse(id); err != nil {
		t.Fatalf("own key: %v", err)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	s := mustSigner(t, testKey)
	id, err := s.New(12, 42, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"empty":          "",
		"too short":      id[:31],
		"too long":       id + "A",
		"much too long":  strings.Repeat(id, 100),
		"padding":        id[:31] + "=",
		"standard b64":   id[:30] + "+/",
		"line break":     id[:15] + "\n" + id[16:],
		"space":          id[:31] + " ",
		"non-ascii":      id[:30] + "é",
		"all zero bytes": strings.Repeat("A", 32),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.Parse(in)
			mustInvalid(t, err)
		})
	}
}

func TestUnique(t *testing.T) {
	s := mustSigner(t, testKey)
	at := time.Now()
	const n = 100_000
	seen := make(map[string]struct{}, n)
	for range n {
		id, err := s.New(12, 42, at)
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := seen[id]; dup {
			t.Fatalf("duplicate id %q after %d ids", id, len(seen))
		}
		seen[id] = struct{}{}
	}
}

// Two signers with one key stand for two processes: their counters start apart.
func TestUniqueAcrossSigners(t *testing.T) {
	a, b := mustSigner(t, testKey), mustSigner(t, testKey)
	at := time.Now()
	x, _ := a.New(12, 42, at)
	y, _ := b.New(12, 42, at)
	if x == y {
		t.Fatalf("two signers issued %q for the same click second", x)
	}
}

func TestConcurrent(t *testing.T) {
	s := mustSigner(t, testKey)
	at := time.Now()
	const workers, each = 8, 2000
	ids := make(chan string, workers*each)
	done := make(chan struct{})
	for w := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for range each {
				id, err := s.New(int64(w+1), 42, at)
				if err != nil {
					t.Error(err)
					return
				}
				if info, err := s.Parse(id); err != nil || info.OfferID != int64(w+1) {
					t.Errorf("Parse(%q) = %+v, %v", id, info, err)
					return
				}
				ids <- id
			}
		}()
	}
	for range workers {
		<-done
	}
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
}

func TestNewAllocatesOnlyTheID(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	s := mustSigner(t, testKey)
	at := time.Now()
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := s.New(12, 42, at); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("New allocates %v times, want 1", allocs)
	}
	id, _ := s.New(12, 42, at)
	allocs = testing.AllocsPerRun(1000, func() {
		if _, err := s.Parse(id); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Fatalf("Parse allocates %v times, want 0", allocs)
	}
}

func BenchmarkNew(b *testing.B) {
	s := mustSigner(b, testKey)
	at := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.New(1234, 56789, at); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	s := mustSigner(b, testKey)
	id, err := s.New(1234, 56789, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Parse(id); err != nil {
			b.Fatal(err)
		}
	}
}
