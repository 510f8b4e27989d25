package pactum

import (
	"context"
	"time"
)

// Events a partner postback fires on (SPEC section 11).
const (
	EventConversionCreated  = "conversion.created"
	EventConversionApproved = "conversion.approved"
	EventConversionReversed = "conversion.reversed"
	EventConversionRejected = "conversion.rejected"
)

// Postback is a partner's URL that Pactum calls when one of the partner's conversions changes
// (SPEC section 11): its template (section 3's macros plus {status}, {commission}, {reason}),
// the events it fires on, and the secrets its deliveries are signed with.
type Postback struct {
	ID        int64
	PartnerID int64
	// OfferID limits the postback to one offer's conversions; 0 is every offer.
	OfferID int64
	URL     string
	// Method is GET (the URL alone) or POST (the URL with a JSON body).
	Method string
	Events []string
	// Secret signs every delivery; after a rotation, PreviousSecret signs them too until
	// PreviousUntil, so that a receiver can switch to the new secret without losing one.
	// Unlike API keys, secrets are kept as they are: signing needs them, not their hash.
	Secret         string
	PreviousSecret string
	PreviousUntil  time.Time
	// Enabled is false once the postback failed too often (DisabledReason says so) or its
	// partner turned it off; a disabled postback fires nothing and sends nothing.
	Enabled        bool
	DisabledReason string
	DisabledAt     time.Time
	// FailuresSince is when failures began to count toward disabling: the postback's creation,
	// or its latest re-enabling.
	FailuresSince time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Statuses of a postback delivery.
const (
	DeliveryPending   = "pending"   // to be tried (again) at NextAt
	DeliveryDelivered = "delivered" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // given up: an answer that a retry cannot change, or retried for a day
)

// PostbackDelivery is one postback to send: recorded when its change is consumed from the
// change feed (in the same transaction that moves the feed's consumer), and sent by a worker
// until the receiver takes it or it is given up. Its URL and body are expanded when it is
// recorded, from the conversion as the change left it; its signature is made at each attempt.
type PostbackDelivery struct {
	ID           int64
	PostbackID   int64
	PartnerID    int64
	ConversionID int64
	// Position is the change's position in the feed; 0 for a test delivery.
	Position int64
	Event    string
	Method   string
	URL      string // expanded, as sent
	Body     string // the JSON body of a POST; "" for a GET
	// IdempotencyKey is the same for every attempt of one delivery and different for every
	// delivery, so that a receiver that got a delivery twice (at least once) can tell.
	IdempotencyKey string
	Test           bool
	Status         string
	Attempts       int
	NextAt         time.Time
	CreatedAt      time.Time
	FinishedAt     time.Time
	// Log holds the attempts, oldest first, where a read asks for them.
	Log []PostbackAttempt
}

// PostbackAttempt is one try of a delivery, as the partner's delivery log shows it.
type PostbackAttempt struct {
	ID         int64
	DeliveryID int64
	PostbackID int64
	Time       time.Time
	URL        string // with the values of secret-looking parameters masked
	StatusCode int    // 0 when no answer came
	Error      string // why no answer came, or why it counts as a failure
	Latency    time.Duration
	Answer     string // the first 1 KB of the answer, as valid UTF-8
}

// DeliveryOutcome is what one attempt did to its delivery: delivered, failed for good, or
// pending again until NextAt.
type DeliveryOutcome struct {
	Attempt PostbackAttempt
	Status  string
	NextAt  time.Time
}

// DeliveryFilter selects a postback's deliveries; Status "" is every status.
type DeliveryFilter struct {
	PostbackID int64
	Status     string
}

// PostbackStore keeps partners' postbacks, their deliveries and the log of their attempts.
type PostbackStore interface {
	// CreatePostback stores p and sets its ID.
	CreatePostback(ctx context.Context, p *Postback) error
	Postback(ctx context.Context, id int64) (Postback, error)
	// ListPostbacks lists a partner's postbacks (every partner's with partnerID 0), by id.
	ListPostbacks(ctx context.Context, partnerID int64, p Page) ([]Postback, error)
	// UpdatePostback stores what a partner may change (URL, method, events, offer, enabled
	// and the fields that go with it) and UpdatedAt; not the secrets (RotatePostbackSecret).
	UpdatePostback(ctx context.Context, p *Postback) error
	// RotatePostbackSecret makes secret the postback's secret and keeps the one it replaces
	// valid until previousUntil, in one statement, and returns the postback after.
	RotatePostbackSecret(ctx context.Context, id int64, secret string, previousUntil, at time.Time) (Postback, error)
	// DisablePostback turns an enabled postback off with reason; one already off stays as it is.
	DisablePostback(ctx context.Context, id int64, reason string, at time.Time) error
	// DeletePostback deletes a postback with its deliveries and their log.
	DeletePostback(ctx context.Context, id int64) error

	// AddDelivery stores d (a test delivery), leased until leasedUntil so that no worker
	// sends it while its caller does, and sets its ID.
	AddDelivery(ctx context.Context, d *PostbackDelivery, leasedUntil time.Time) error
	// ClaimDeliveries leases up to limit pending deliveries that are due at now, of enabled
	// postbacks, until until, oldest due first, and returns them. A delivery leased to
	// another caller whose lease has not run out is not claimed: two workers never send one
	// delivery at the same time.
	ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]PostbackDelivery, error)
	// RecordAttempts records each outcome in one transaction: the attempt in the log, and the
	// delivery's status, attempt count, next try and finish time, its lease released.
	RecordAttempts(ctx context.Context, outcomes []DeliveryOutcome) error
	// ReleaseDeliveries gives up the leases of deliveries a worker claimed and did not try.
	ReleaseDeliveries(ctx context.Context, ids []int64) error
	// RecentFailures counts a postback's failed deliveries (not tests) that finished at or
	// after since and after its latest delivered one: its current run of failures.
	RecentFailures(ctx context.Context, postbackID int64, since time.Time) (int, error)
	// ListDeliveries lists the deliveries that match f by id, each with its log.
	ListDeliveries(ctx context.Context, f DeliveryFilter, p Page) ([]PostbackDelivery, error)
	// PruneDeliveries deletes the deliveries, with their logs, that finished before before,
	// and returns how many.
	PruneDeliveries(ctx context.Context, before time.Time) (int64, error)
	// SkipChangesWithoutPostbacks moves consumer's position in the change feed to the newest
	// change when no postback is enabled, in one transaction, and says whether it did: with
	// none enabled, no change up to the newest one has a delivery to make, and the outbox need
	// not read them. A postback enabled meanwhile sees the changes after it.
	SkipChangesWithoutPostbacks(ctx context.Context, consumer string) (bool, error)
}
