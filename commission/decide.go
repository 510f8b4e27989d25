package commission

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Approve approves a pending conversion by hand, before its hold period ends. Any other status
// is a conflict: a capped conversion stays capped (its partner was over a cap, which approving
// would not change), and rejected, reversed or paid conversions are settled.
func Approve(c *pactum.Conversion, now time.Time) error {
	if c.Status != pactum.ConversionPending {
		return pactum.Errorf(pactum.ECONFLICT, "conversion %d is %s: only a pending conversion can be approved", c.ID, c.Status)
	}
	c.Status, c.UpdatedAt, c.ApprovedAt = pactum.ConversionApproved, now.UTC(), now.UTC()
	return nil
}

// Reject rejects a pending or approved conversion by hand, for reason. It then earns nothing
// and owes nothing; its breakdowns stay as they were, so that anyone can still see what it
// would have earned. Paid, reversed, capped and already rejected conversions are a conflict.
func Reject(c *pactum.Conversion, reason string, now time.Time) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return pactum.FieldError("reason", "is required: say why the conversion is rejected")
	}
	if err := pactum.CheckText("reason", reason, pactum.MaxText); err != nil {
		return err
	}
	if c.Status != pactum.ConversionPending && c.Status != pactum.ConversionApproved {
		return pactum.Errorf(pactum.ECONFLICT, "conversion %d is %s: only a pending or approved conversion can be rejected", c.ID, c.Status)
	}
	c.Status, c.Reason = pactum.ConversionRejected, reason
	c.Payout, c.Revenue = decimal.Zero, decimal.Zero
	c.UpdatedAt = now.UTC()
	return nil
}
