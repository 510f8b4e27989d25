package postback

import (
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		jitter   float64
		want     time.Duration
	}{
		{1, 0, 15 * time.Second}, {1, 0.999999, 30 * time.Second}, {2, 0, 30 * time.Second}, {3, 1, 2 * time.Minute},
		{8, 0.5, 48 * time.Minute}, {9, 0, time.Hour}, {9, 1, 2 * time.Hour}, {30, 1, 2 * time.Hour}, {1000, 0, time.Hour},
	}
	for _, tt := range tests {
		if got := Backoff(tt.attempts, tt.jitter).Round(time.Millisecond); got != tt.want {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tt.attempts, tt.jitter, got, tt.want)
		}
	}
}

func TestOutcome(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := pactum.PostbackDelivery{CreatedAt: created}
	retry := Result{Retry: true, Attempt: pactum.PostbackAttempt{Error: "HTTP 503"}}
	tests := []struct {
		name   string
		d      pactum.PostbackDelivery
		res    Result
		now    time.Time
		status string
		next   time.Time
	}{
		{"delivered", d, Result{Delivered: true}, created, pactum.DeliveryDelivered, created},
		{"retried", d, retry, created, pactum.DeliveryPending, created.Add(15 * time.Second)},
		{"last retry at the deadline", d, retry, created.Add(RetryFor - 10*time.Second), pactum.DeliveryPending, created.Add(RetryFor)},
		{"given up", d, retry, created.Add(RetryFor), pactum.DeliveryFailed, created.Add(RetryFor)},
		{"not retryable", d, Result{}, created, pactum.DeliveryFailed, created},
		{"a test is not retried", pactum.PostbackDelivery{CreatedAt: created, Test: true}, retry, created, pactum.DeliveryFailed, created},
	}
	for _, tt := range tests {
		o := Outcome(tt.d, tt.res, 1, tt.now, 0)
		if o.Status != tt.status || !o.NextAt.Equal(tt.next) {
			t.Errorf("%s: %s at %v, want %s at %v", tt.name, o.Status, o.NextAt, tt.status, tt.next)
		}
	}
	if o := Outcome(d, retry, 20, created.Add(RetryFor), 0); !strings.Contains(o.Attempt.Error, "HTTP 503; given up after 20 attempts") {
		t.Errorf("give-up error %q", o.Attempt.Error)
	}
}

func TestEventsOf(t *testing.T) {
	tests := []struct {
		kind, status string
		want         string
	}{
		{pactum.ChangeCreated, pactum.ConversionPending, "conversion.created"},
		{pactum.ChangeCreated, pactum.ConversionCapped, "conversion.created"},
		{pactum.ChangeCreated, pactum.ConversionApproved, "conversion.created conversion.approved"},
		{pactum.ChangeCreated, pactum.ConversionRejected, "conversion.rejected"},
		{pactum.ChangeApproved, pactum.ConversionApproved, "conversion.approved"},
		{pactum.ChangeRejected, pactum.ConversionRejected, "conversion.rejected"},
		{pactum.ChangeReversed, pactum.ConversionReversed, "conversion.reversed"},
		{pactum.ChangeRefunded, pactum.ConversionPending, ""},
		{pactum.ChangePaid, pactum.ConversionPaid, ""},
	}
	for _, tt := range tests {
		if got := strings.Join(EventsOf(pactum.Change{Kind: tt.kind, Status: tt.status}), " "); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.kind, tt.status, got, tt.want)
		}
	}
}

// TestSignature is the example of docs/postbacks.md: a receiver computing the HMAC by hand gets
// the same hex.
func TestSignature(t *testing.T) {
	at := time.Unix(1764000000, 0)
	// printf '1764000000.https://t.example/pb?cid=abc' | openssl dgst -sha256 -hmac ps_example
	got := Signature(at, "https://t.example/pb?cid=abc", "ps_example")
	if want := "t=1764000000,v1=f6282f23f8c7b69898ec06127c3c15e1d2792f2b0aa85d1212eed7e38b481b03"; got != want {
		t.Fatalf("Signature = %q, want %q", got, want)
	}
	two := Signature(at, "body", "new", "old")
	if !Verify(two, "body", "new", at, time.Minute) || !Verify(two, "body", "old", at, time.Minute) || Verify(two, "body", "other", at, time.Minute) {
		t.Fatal("two signatures")
	}
	if Verify(two, "body", "new", at.Add(10*time.Minute), 5*time.Minute) {
		t.Fatal("an old signature verified past the tolerance")
	}
	if Verify("v1=abc", "body", "new", at, time.Minute) || Verify("", "", "", at, time.Minute) {
		t.Fatal("a header without a time verified")
	}
}

func TestMaskURL(t *testing.T) {
	tests := map[string]string{
		"https://t.example/pb?cid=1&token=abc&security_token=x&api_key=k#f": "https://t.example/pb?cid=1&token=***&security_token=***&api_key=***#f",
		"https://t.example/pb?Secret=1&pass=2&sig=3&s=4":                    "https://t.example/pb?Secret=***&pass=***&sig=***&s=4",
		"https://t.example/pb":                "https://t.example/pb",
		"https://t.example/pb?tok%65n=a&flag": "https://t.example/pb?tok%65n=***&flag",
	}
	for in, want := range tests {
		if got := MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q, want %q", in, got, want)
		}
	}
}
