package commission_test

import (
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
)

func TestDecisions(t *testing.T) {
	later := t0.Add(48 * time.Hour)
	tests := []struct {
		name   string
		status string
		reject bool
		reason string
		// want is the status after, or an error code.
		want, code, field string
	}{
		{name: "approve pending", status: "pending", want: "approved"},
		{name: "approve approved", status: "approved", code: pactum.ECONFLICT},
		{name: "approve capped", status: "capped", code: pactum.ECONFLICT},
		{name: "approve rejected", status: "rejected", code: pactum.ECONFLICT},
		{name: "approve reversed", status: "reversed", code: pactum.ECONFLICT},
		{name: "approve paid", status: "paid", code: pactum.ECONFLICT},
		{name: "reject pending", status: "pending", reject: true, reason: "  stolen card ", want: "rejected"},
		{name: "reject approved", status: "approved", reject: true, reason: "returned", want: "rejected"},
		{name: "reject rejected", status: "rejected", reject: true, reason: "again", code: pactum.ECONFLICT},
		{name: "reject paid", status: "paid", reject: true, reason: "late", code: pactum.ECONFLICT},
		{name: "reject reversed", status: "reversed", reject: true, reason: "x", code: pactum.ECONFLICT},
		{name: "reject capped", status: "capped", reject: true, reason: "x", code: pactum.ECONFLICT},
		{name: "reject without reason", status: "pending", reject: true, reason: "  ", code: pactum.EINVALID, field: "reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := specOrder(t)
			c.Status = tc.status
			var err error
			if tc.reject {
				err = commission.Reject(&c, tc.reason, later)
			} else {
				err = commission.Approve(&c, later)
			}
			if tc.code != "" {
				if pactum.ErrorCode(err) != tc.code || pactum.ErrorField(err) != tc.field {
					t.Fatalf("error %v, want %s on %q", err, tc.code, tc.field)
				}
				if c.Status != tc.status || !c.UpdatedAt.Equal(t0) {
					t.Errorf("a refused decision changed the conversion: %s, %s", c.Status, c.UpdatedAt)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.want || !c.UpdatedAt.Equal(later) {
				t.Errorf("status %s updated %s, want %s at %s", c.Status, c.UpdatedAt, tc.want, later)
			}
			if tc.reject {
				if c.Reason != "stolen card" && c.Reason != tc.reason || !c.Payout.IsZero() || !c.Revenue.IsZero() {
					t.Errorf("rejected: reason %q payout %s revenue %s", c.Reason, c.Payout, c.Revenue)
				}
				if got := parts(t, c.PayoutBreakdown); got[len(got)-1] != "total 38.00" {
					t.Errorf("the breakdown should still say what it would have earned: %q", got)
				}
			} else if !c.Payout.Equal(dec("38.00")) {
				t.Errorf("approved payout %s, want 38.00", c.Payout)
			}
		})
	}
}
