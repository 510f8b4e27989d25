package fraud

import (
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// Facts are what the conversion pipeline read about a conversion for the conversion rules. It
// reads only what a rule that is not off needs (Policy.Needs).
type Facts struct {
	// HasClick: the conversion was attributed by a click, ClickAge after it.
	HasClick bool
	ClickAge time.Duration
	// MinConversion is the offer's min_conversion_seconds as a duration (0: no minimum).
	MinConversion time.Duration
	// ClickFlagged: the click was a bot's, or a click rule fired on it.
	ClickFlagged bool
	// CustomerID is the conversion's; PartnerEmails the partner's addresses.
	CustomerID    string
	PartnerEmails []string
	// SameIP and SameCustomer count the partner's earlier conversions of the offer in the last
	// RepeatWindowDays days from the click's address and with the customer id.
	SameIP, SameCustomer int64
	// LastHour counts the partner's conversions of the offer in the last hour, this one included;
	// History those in the VelocityDays days before that hour.
	LastHour, History int64
}

// Needs reports whether the rule with code is checked under p (its action is not off), so that
// the pipeline reads nothing a rule that is off would use.
func (p *Policy) Needs(code string) bool { return p.Action(code) != pactum.ActionOff }

// Fired returns the codes of the conversion rules that facts f set off, in the order of Rules.
// Whether each is acted on is the policy's (Conversion).
func (p *Policy) Fired(f Facts) []string {
	var out []string
	fire := func(code string, ok bool) {
		if ok && p.Needs(code) {
			out = append(out, code)
		}
	}
	fire(pactum.ReasonTooFast, f.HasClick && f.MinConversion > 0 && f.ClickAge < f.MinConversion)
	fire(pactum.ReasonTooSlow, f.HasClick && p.MaxConversion > 0 && f.ClickAge >= p.MaxConversion)
	fire(pactum.ReasonSelfReferral, selfReferral(f.CustomerID, f.PartnerEmails))
	fire(pactum.ReasonFlaggedClick, f.HasClick && f.ClickFlagged)
	fire(pactum.ReasonRepeatedIP, f.SameIP >= RepeatedIPs)
	fire(pactum.ReasonRepeatedCustomer, f.SameCustomer >= RepeatedCustomers)
	fire(pactum.ReasonVelocity, velocity(f.LastHour, f.History))
	return out
}

// selfReferral: the customer id is one of the partner's own addresses, as shops often use the
// customer's email for the id. Compared without case and surrounding space, as mail is.
func selfReferral(customer string, emails []string) bool {
	customer = strings.TrimSpace(customer)
	if customer == "" {
		return false
	}
	for _, e := range emails {
		if e = strings.TrimSpace(e); e != "" && strings.EqualFold(e, customer) {
			return true
		}
	}
	return false
}

// velocity: at least VelocityMin conversions in the last hour, and more than VelocityFactor
// times the partner's hourly average over the days before.
func velocity(lastHour, history int64) bool {
	return lastHour >= VelocityMin && lastHour*velocityHours > VelocityFactor*history
}

const velocityHours = VelocityDays * 24

// RepeatCap is as far as the counts of repeated_ip and repeated_customer need to go.
const RepeatCap = max(RepeatedIPs, RepeatedCustomers)

// VelocityCap is as far as the count of the last hour's earlier conversions needs to go, given
// the partner's history: to where conversion_velocity fires.
func VelocityCap(history int64) int64 {
	return max(VelocityMin, VelocityFactor*history/velocityHours+1)
}
