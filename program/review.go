package program

import (
	"context"
	"fmt"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
)

// The decisions a person takes on a conversion held for review.
const (
	DecisionApprove = "approve" // approved now
	DecisionReject  = "reject"  // rejected: earns nothing
	DecisionRelease = "release" // back to its hold period: approved when that ends, as any other
)

// MaxDecisions bounds one bulk request of decisions.
const MaxDecisions = 500

// ReviewQueue lists the conversions held for review (pactum.Conversion.Held) that the caller
// may decide: admins every one, an advertiser its offers'. Partners have no queue.
func (s *Service) ReviewQueue(ctx context.Context, c Caller, q ConversionQuery, p pactum.Page) (Page[pactum.Conversion], error) {
	if err := c.Allow("see the review queue", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return Page[pactum.Conversion]{}, err
	}
	q.Status = ""
	f, ok, err := q.filter(c)
	if err != nil || !ok {
		return Page[pactum.Conversion]{Items: []pactum.Conversion{}}, err
	}
	f.Held = true
	fetch := func(pg pactum.Page) ([]pactum.Conversion, error) { return s.store.ListConversions(ctx, f, pg) }
	return collect(p, fetch, func(cv pactum.Conversion) int64 { return cv.ID }, nil)
}

// ReviewDecision is one decision of a bulk request: a held conversion and what to do with it.
type ReviewDecision struct {
	ID       int64  `json:"id"`
	Decision string `json:"decision"`
	// Reason says why a rejected conversion is rejected; left out, the codes it was held for.
	Reason string `json:"reason"`
}

// ReviewOutcome is what one decision did: the conversion after it, or why it was not taken.
type ReviewOutcome struct {
	ID         int64
	Conversion pactum.Conversion
	Err        error
}

// DecideReview takes decisions on held conversions, each in its own transaction through the
// store's UpdateConversion (so each moves the ledger and the change feed as a decision by hand
// does). The whole request is checked first, naming the field at fault, and nothing is decided if
// any is malformed; after that each conversion succeeds or fails alone (one the caller may not
// see is not found; one no longer held is a conflict).
func (s *Service) DecideReview(ctx context.Context, c Caller, decisions []ReviewDecision) ([]ReviewOutcome, error) {
	if err := c.Allow("decide held conversions", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return nil, err
	}
	switch {
	case len(decisions) == 0:
		return nil, pactum.FieldError("decisions", "must list at least one decision")
	case len(decisions) > MaxDecisions:
		return nil, pactum.FieldError("decisions", "must list at most %d decisions", MaxDecisions)
	}
	seen := map[int64]bool{}
	for i, d := range decisions {
		field := fmt.Sprintf("decisions[%d]", i)
		if d.ID <= 0 {
			return nil, pactum.FieldError(field+".id", "must be a conversion id")
		}
		if seen[d.ID] {
			return nil, pactum.FieldError(field+".id", "conversion %d is decided twice", d.ID)
		}
		seen[d.ID] = true
		if err := CheckOneOf(field+".decision", d.Decision, DecisionApprove, DecisionReject, DecisionRelease); err != nil {
			return nil, err
		}
		if err := pactum.CheckText(field+".reason", d.Reason, pactum.MaxText); err != nil {
			return nil, err
		}
		if d.Reason != "" && d.Decision != DecisionReject {
			return nil, pactum.FieldError(field+".reason", "is for a rejection only")
		}
	}
	out := make([]ReviewOutcome, len(decisions))
	for i, d := range decisions {
		cv, err := s.changeConversion(ctx, c, d.ID, "decide held conversions", func(x *pactum.Conversion, now time.Time) error {
			return s.decide(ctx, x, d, now)
		})
		out[i] = ReviewOutcome{ID: d.ID, Conversion: cv, Err: err}
	}
	return out, nil
}

// decide applies d to x, a conversion that must be held.
func (s *Service) decide(ctx context.Context, x *pactum.Conversion, d ReviewDecision, now time.Time) error {
	if !x.Held() {
		return pactum.Errorf(pactum.ECONFLICT, "conversion %d is %s and not held for review", x.ID, x.Status)
	}
	switch d.Decision {
	case DecisionApprove:
		return commission.Approve(x, now)
	case DecisionReject:
		reason := d.Reason
		if reason == "" {
			reason = x.Reason
		}
		return commission.Reject(x, reason, now)
	}
	o, err := s.store.Offer(ctx, x.OfferID)
	if err != nil {
		return fmt.Errorf("offer %d: %w", x.OfferID, err)
	}
	// Released: approved when its hold period ends, counted from the conversion, as if it had
	// never been held; its reason stays, so that reports still show why it was held.
	x.ApproveAt, x.UpdatedAt = x.Time.AddDate(0, 0, o.HoldDays), now.UTC()
	return nil
}
