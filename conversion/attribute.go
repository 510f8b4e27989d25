package conversion

import (
	"context"
	"fmt"
	"time"

	"github.com/pactum/pactum"
)

// attribution is who a conversion belongs to and, when it is stored rejected for it, why.
type attribution struct {
	partnerID int64
	how       string
	reason    string
}

// attribute applies SPEC section 4: a valid click id; else a coupon bound to the partner (for
// any offer or this one); else, for offers that pay on returning customers, the customer's
// first or latest attributed partner; else none. A click outside the attribution window still
// attributes, so that the conversion is stored against the click, rejected with the reason (a
// conversion sooner after its click than the offer's minimum is the fraud rules' to judge:
// fraud.go). Errors are store failures only.
func attribute(ctx context.Context, tx pactum.EventTx, o pactum.Offer, r *record) (attribution, error) {
	if r.ClickID != "" {
		a := attribution{partnerID: r.ClickPartnerID, how: pactum.AttributionClick}
		days := o.AttributionWindowDays
		if days <= 0 {
			days = pactum.DefaultAttributionWindowDays
		}
		// A century bounds the window so that the duration cannot overflow.
		window := time.Duration(min(days, 36500)) * 24 * time.Hour
		if r.Time.Sub(r.ClickTime) > window {
			a.reason = pactum.ReasonWindowExpired
		}
		return a, nil
	}
	if r.Coupon != "" {
		c, err := tx.Coupon(ctx, r.Coupon)
		switch {
		case err == nil && (c.OfferID == 0 || c.OfferID == o.ID):
			return attribution{partnerID: c.PartnerID, how: pactum.AttributionCoupon}, nil
		case err != nil && pactum.ErrorCode(err) != pactum.ENOTFOUND:
			return attribution{}, fmt.Errorf("coupon: %w", err)
		}
	}
	if o.ReturningCustomers && r.CustomerID != "" {
		id, err := tx.CustomerPartner(ctx, o.ID, r.CustomerID, o.AttributionModel == pactum.FirstClick)
		switch {
		case err == nil && id != 0:
			return attribution{partnerID: id, how: pactum.AttributionCustomer}, nil
		case err != nil && pactum.ErrorCode(err) != pactum.ENOTFOUND:
			return attribution{}, fmt.Errorf("customer partner: %w", err)
		}
	}
	return attribution{how: pactum.AttributionNone}, nil
}
