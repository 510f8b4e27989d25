package postback

import (
	"fmt"
	"time"

	"github.com/pactum/pactum"
)

// The retry schedule (SPEC section 11): exponential backoff with jitter for a day.
const (
	// RetryFor is how long after its delivery was recorded a failing attempt is retried; the
	// last retry is made at that moment, then the delivery fails.
	RetryFor = 24 * time.Hour
	// FirstRetry is the delay after a first failed attempt; it doubles with each attempt, up
	// to MaxRetryDelay: 30s, 1m, 2m, 4m ... 2h, which makes about 20 attempts in a day.
	FirstRetry    = 30 * time.Second
	MaxRetryDelay = 2 * time.Hour
)

// When a postback is disabled: after DisableAfter deliveries in a row failed for good within
// DisableWindow (a delivered one starts the count again).
const (
	DisableAfter  = 10
	DisableWindow = 72 * time.Hour
)

// Backoff is the delay before the next attempt of a delivery that failed its attempts-th
// attempt, jitter in [0, 1) drawing it between half the full delay and the full delay ("equal
// jitter"): postbacks that failed together, when a receiver went down, do not all come back
// at the same moment.
func Backoff(attempts int, jitter float64) time.Duration {
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetryDelay; i++ {
		d *= 2
	}
	d = min(d, MaxRetryDelay)
	return d/2 + time.Duration(jitter*float64(d/2))
}

// Outcome is what res, the attempts-th attempt of d (counting it), made at now, does to d:
// delivered; retried after Backoff while RetryFor has not run out since d was recorded (the
// last retry falls at that moment); else failed. A test delivery is never retried.
func Outcome(d pactum.PostbackDelivery, res Result, attempts int, now time.Time, jitter float64) pactum.DeliveryOutcome {
	out := pactum.DeliveryOutcome{Attempt: res.Attempt, Status: pactum.DeliveryFailed, NextAt: now}
	deadline := d.CreatedAt.Add(RetryFor)
	switch {
	case res.Delivered:
		out.Status = pactum.DeliveryDelivered
	case res.Retry && !d.Test && now.Before(deadline):
		out.Status = pactum.DeliveryPending
		out.NextAt = now.Add(Backoff(attempts, jitter))
		if out.NextAt.After(deadline) {
			out.NextAt = deadline
		}
	case res.Retry && !d.Test:
		out.Attempt.Error = fmt.Sprintf("%s; given up after %d attempts in %v", out.Attempt.Error, attempts, RetryFor)
	}
	return out
}
