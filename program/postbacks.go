package program

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/macro"
	"github.com/pactum/pactum/postback"
)

// maxPostbacks bounds a partner's postbacks: a few trackers, each with an event or two.
const maxPostbacks = 20

// rotationOverlap is how long a rotated-out secret keeps signing (SPEC section 11: 24 hours),
// so that a receiver can switch to the new one without refusing a delivery.
const rotationOverlap = 24 * time.Hour

// testLease keeps a test delivery from the workers while the API sends it itself.
const testLease = time.Minute

// PostbackInput is the body of a create or a change; nil fields were not sent. An OfferID of 0
// is every offer (on a change: back to every offer).
type PostbackInput struct {
	URL     *string   `json:"url"`
	Method  *string   `json:"method"`
	Events  *[]string `json:"events"`
	OfferID *int64    `json:"offer_id"`
	Enabled *bool     `json:"enabled"`
}

// applyPostback copies what in sent into p and checks the result, for caller c (whose offers
// p may name); now dates a change of Enabled.
func (s *Service) applyPostback(ctx context.Context, c Caller, in PostbackInput, p *pactum.Postback, now time.Time) error {
	set(&p.URL, in.URL, strings.TrimSpace)
	if in.Method != nil {
		p.Method = strings.ToUpper(strings.TrimSpace(*in.Method))
	}
	if in.Events != nil {
		p.Events = *in.Events
	}
	if err := s.checkPostbackURL(p.URL); err != nil {
		return err
	}
	if err := CheckOneOf("method", p.Method, "GET", "POST"); err != nil {
		return err
	}
	if len(p.Events) == 0 {
		return pactum.FieldError("events", "must name at least one of %s", strings.Join(postback.Events, ", "))
	}
	for i, ev := range p.Events {
		field := fmt.Sprintf("events[%d]", i)
		if err := CheckOneOf(field, ev, postback.Events...); err != nil {
			return err
		}
		if slices.Index(p.Events, ev) != i {
			return pactum.FieldError(field, "%q is listed twice", ev)
		}
	}
	if in.OfferID != nil && *in.OfferID != p.OfferID {
		switch id := *in.OfferID; {
		case id < 0:
			return pactum.FieldError("offer_id", "must be an offer's id, or 0 for every offer")
		case id > 0:
			// A partner names only an offer it may promote, as for its links.
			if _, err := s.offerField(ctx, c, "offer_id", id); err != nil {
				return err
			}
		}
		p.OfferID = *in.OfferID
	}
	if in.Enabled != nil && *in.Enabled != p.Enabled {
		p.Enabled = *in.Enabled
		if p.Enabled {
			// Turned on again: failures before now no longer count toward disabling it.
			p.DisabledReason, p.DisabledAt, p.FailuresSince = "", time.Time{}, now
		} else {
			p.DisabledReason, p.DisabledAt = "turned off", now
		}
	}
	return nil
}

// checkPostbackURL checks a postback URL template: section 3's rules for templates (macros only
// after the host), and the address guard's on the URL it makes (http(s), no user name, no
// address outside the public internet unless the operator allows them).
func (s *Service) checkPostbackURL(tmpl string) error {
	if err := macro.ValidateURL(tmpl, "url"); err != nil {
		return err
	}
	var sample macro.Values
	for i := range sample {
		sample[i] = "x"
	}
	if err := s.outbound.CheckURL(string(macro.Compile(tmpl).Expand(nil, &sample))); err != nil {
		return pactum.FieldError("url", "%s", err.Error())
	}
	return nil
}

// partnerOf returns partner id if the caller may manage its postbacks: an admin any partner's,
// a partner its own; another partner's is not found, as a missing one.
func (s *Service) partnerOf(ctx context.Context, c Caller, id int64) (pactum.Partner, error) {
	if err := c.Allow("manage postbacks", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return pactum.Partner{}, err
	}
	return s.Partner(ctx, c, id)
}

// newSecret returns a postback signing secret: "ps_" and 32 random bytes in hex.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return "ps_" + hex.EncodeToString(b)
}

// CreatePostback makes a postback for partner partnerID. The answer carries its signing secret,
// which only this answer and a rotation's show.
func (s *Service) CreatePostback(ctx context.Context, c Caller, partnerID int64, in PostbackInput) (pactum.Postback, error) {
	if _, err := s.partnerOf(ctx, c, partnerID); err != nil {
		return pactum.Postback{}, err
	}
	now := s.now().UTC()
	p := pactum.Postback{PartnerID: partnerID, Method: "GET", Enabled: true, FailuresSince: now, CreatedAt: now, UpdatedAt: now}
	if in.URL == nil {
		return p, pactum.FieldError("url", "is required")
	}
	if in.Events == nil {
		return p, pactum.FieldError("events", "is required: name at least one of %s", strings.Join(postback.Events, ", "))
	}
	in.Enabled = nil // a new postback is on; it is turned off by a change
	if err := s.applyPostback(ctx, c, in, &p, now); err != nil {
		return p, err
	}
	existing, err := s.store.ListPostbacks(ctx, partnerID, pactum.Page{Limit: maxPostbacks})
	if err != nil {
		return p, err
	}
	if len(existing) >= maxPostbacks {
		return p, pactum.Errorf(pactum.EINVALID, "partner %d has %d postbacks, the most it may have; delete one first", partnerID, len(existing))
	}
	p.Secret = newSecret()
	if err := s.store.CreatePostback(ctx, &p); err != nil {
		return p, err
	}
	return p, nil
}

// Postback returns postback id if the caller may see it.
func (s *Service) Postback(ctx context.Context, c Caller, id int64) (pactum.Postback, error) {
	if err := c.Allow("manage postbacks", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return pactum.Postback{}, err
	}
	p, err := s.store.Postback(ctx, id)
	if err != nil {
		return p, orNotFound(err, "postback", id)
	}
	if !c.CanSeePartner(p.PartnerID) {
		return pactum.Postback{}, NotFound("postback", id)
	}
	return p, nil
}

// ListPostbacks lists the postbacks the caller may see: a partner its own, an admin every
// partner's or (partnerID) one partner's.
func (s *Service) ListPostbacks(ctx context.Context, c Caller, partnerID int64, p pactum.Page) (Page[pactum.Postback], error) {
	if err := c.Allow("manage postbacks", pactum.RoleAdmin, pactum.RolePartner); err != nil {
		return Page[pactum.Postback]{}, err
	}
	o, ok := c.Scope(Owners{PartnerID: partnerID})
	if !ok {
		return Page[pactum.Postback]{Items: []pactum.Postback{}}, nil
	}
	fetch := func(pg pactum.Page) ([]pactum.Postback, error) { return s.store.ListPostbacks(ctx, o.PartnerID, pg) }
	return collect(p, fetch, func(pb pactum.Postback) int64 { return pb.ID }, nil)
}

// UpdatePostback changes postback id as in says. Turning a disabled postback on again clears
// why it was disabled and starts its count of failures afresh.
func (s *Service) UpdatePostback(ctx context.Context, c Caller, id int64, in PostbackInput) (pactum.Postback, error) {
	p, err := s.Postback(ctx, c, id)
	if err != nil {
		return p, err
	}
	now := s.now().UTC()
	if err := s.applyPostback(ctx, c, in, &p, now); err != nil {
		return p, err
	}
	p.UpdatedAt = now
	if err := s.store.UpdatePostback(ctx, &p); err != nil {
		return p, orNotFound(err, "postback", id)
	}
	return p, nil
}

// DeletePostback deletes postback id with its deliveries and their log.
func (s *Service) DeletePostback(ctx context.Context, c Caller, id int64) error {
	if _, err := s.Postback(ctx, c, id); err != nil {
		return err
	}
	return orNotFound(s.store.DeletePostback(ctx, id), "postback", id)
}

// RotatePostbackSecret gives postback id a new secret, returned in the postback this once; the
// secret it replaces keeps signing too for 24 hours.
func (s *Service) RotatePostbackSecret(ctx context.Context, c Caller, id int64) (pactum.Postback, error) {
	if _, err := s.Postback(ctx, c, id); err != nil {
		return pactum.Postback{}, err
	}
	now := s.now().UTC()
	p, err := s.store.RotatePostbackSecret(ctx, id, newSecret(), now.Add(rotationOverlap), now)
	return p, orNotFound(err, "postback", id)
}

// PostbackDeliveries lists postback id's deliveries with the log of their attempts, oldest
// first; status ("pending", "delivered", "failed") filters them.
func (s *Service) PostbackDeliveries(ctx context.Context, c Caller, id int64, status string, p pactum.Page) (Page[pactum.PostbackDelivery], error) {
	if _, err := s.Postback(ctx, c, id); err != nil {
		return Page[pactum.PostbackDelivery]{}, err
	}
	if status != "" {
		if err := CheckOneOf("status", status, pactum.DeliveryPending, pactum.DeliveryDelivered, pactum.DeliveryFailed); err != nil {
			return Page[pactum.PostbackDelivery]{}, err
		}
	}
	f := pactum.DeliveryFilter{PostbackID: id, Status: status}
	fetch := func(pg pactum.Page) ([]pactum.PostbackDelivery, error) { return s.store.ListDeliveries(ctx, f, pg) }
	return collect(p, fetch, func(d pactum.PostbackDelivery) int64 { return d.ID }, nil)
}

// TestPostback sends postback id a made-up sale now (postback.Sample), whatever its events and
// even when it is disabled, and returns the delivery with its attempt; it is kept in the log
// like any delivery, marked as a test, and is neither retried nor counted toward disabling.
func (s *Service) TestPostback(ctx context.Context, c Caller, id int64) (pactum.PostbackDelivery, error) {
	p, err := s.Postback(ctx, c, id)
	if err != nil {
		return pactum.PostbackDelivery{}, err
	}
	now := s.now().UTC()
	event := p.Events[0]
	d := postback.Render(p, event, postback.Sample(p, now), now)
	d.Test = true
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	d.IdempotencyKey = "test-" + hex.EncodeToString(b)
	if err := s.store.AddDelivery(ctx, &d, now.Add(testLease)); err != nil {
		return d, err
	}
	sender := postback.Sender{Client: s.outbound, Now: s.now}
	res, err := sender.Send(ctx, p, d)
	if err != nil {
		return d, err // the client went away; the delivery stays in the log, untried
	}
	o := postback.Outcome(d, res, 1, s.now().UTC(), 0)
	if err := s.store.RecordAttempts(ctx, []pactum.DeliveryOutcome{o}); err != nil {
		return d, err
	}
	d.Status, d.Attempts, d.Log = o.Status, 1, []pactum.PostbackAttempt{o.Attempt}
	d.FinishedAt = o.Attempt.Time
	return d, nil
}
