// Package fraud holds Pactum's fraud and traffic-quality rules (SPEC section 13) as pure
// functions, like package rules holds the commission rules: which rules there are and what each
// does at each level, the settings of programs and offers and how they resolve into a Policy,
// what a click's or a conversion's signals decide, and a partner's fraud score. The edge and the
// conversion pipeline gather the signals (docs/architecture.md says where each rule runs);
// this package decides.
package fraud

import (
	"strings"

	"github.com/pactum/pactum"
)

// Rule is one fraud rule: its reason code, whether it judges clicks or conversions, and its
// action at each level.
type Rule struct {
	Code  string
	Click bool
	// Relaxed, Moderate and Strict are the rule's default actions at each level.
	Relaxed, Moderate, Strict string
}

// Rules are every configurable rule, in the order their codes are joined. Bot user agents are no
// rule of this table: a crawler's click is never counted, at any level (SPEC section 13).
var Rules = []Rule{
	{pactum.ReasonBlockedIP, true, pactum.ActionReject, pactum.ActionReject, pactum.ActionReject},
	{pactum.ReasonDuplicateClick, true, pactum.ActionFlag, pactum.ActionReject, pactum.ActionReject},
	{pactum.ReasonDataCenter, true, pactum.ActionFlag, pactum.ActionFlag, pactum.ActionReject},
	{pactum.ReasonTooFast, false, pactum.ActionFlag, pactum.ActionReject, pactum.ActionReject},
	{pactum.ReasonTooSlow, false, pactum.ActionFlag, pactum.ActionFlag, pactum.ActionReview},
	{pactum.ReasonSelfReferral, false, pactum.ActionFlag, pactum.ActionReview, pactum.ActionReject},
	// A click of a server (an S2S click integration) or a VPN's can lead to a real sale: held
	// only at strict.
	{pactum.ReasonFlaggedClick, false, pactum.ActionFlag, pactum.ActionFlag, pactum.ActionReview},
	{pactum.ReasonRepeatedIP, false, pactum.ActionFlag, pactum.ActionFlag, pactum.ActionReview},
	{pactum.ReasonRepeatedCustomer, false, pactum.ActionFlag, pactum.ActionFlag, pactum.ActionReview},
	{pactum.ReasonVelocity, false, pactum.ActionFlag, pactum.ActionFlag, pactum.ActionReview},
}

// Indexes of Rules, for the policy's array.
const (
	iBlockedIP = iota
	iDuplicate
	iDataCenter
	iTooFast
	iTooSlow
	iSelfReferral
	iFlaggedClick
	iRepeatedIP
	iRepeatedCustomer
	iVelocity
	nRules
)

// Levels are the levels an offer or a program may set.
var Levels = []string{pactum.LevelRelaxed, pactum.LevelModerate, pactum.LevelStrict}

// Actions are the actions a rule may be given.
var Actions = []string{pactum.ActionOff, pactum.ActionFlag, pactum.ActionReview, pactum.ActionReject}

// Constants of the rules whose thresholds are not settings (docs/fraud.md).
const (
	// DefaultDuplicateWindow is the duplicate_click window without a setting (SPEC: 1 h).
	DefaultDuplicateWindow = 3600
	// MaxDuplicateWindow is the longest: the edge's memory of visitors keeps 24 hours.
	MaxDuplicateWindow = 86400
	// RepeatWindowDays is how far back repeated_ip and repeated_customer look.
	RepeatWindowDays = 30
	// RepeatedIPs: a conversion whose click came from an address that this many of the
	// partner's earlier conversions of the offer came from is repeated_ip (households and
	// carriers share addresses, so one repeat is no signal).
	RepeatedIPs = 2
	// RepeatedCustomers: a customer id on this many of the partner's earlier conversions of the
	// offer makes repeated_customer.
	RepeatedCustomers = 2
	// VelocityMin and VelocityFactor: a partner's conversions of an offer in the last hour are
	// conversion_velocity when at least VelocityMin and more than VelocityFactor times its
	// hourly average over the VelocityDays days before.
	VelocityMin    = 10
	VelocityFactor = 5
	VelocityDays   = 7
)

// ruleIndex returns the place of code in Rules, or -1.
func ruleIndex(code string) int {
	for i, r := range Rules {
		if r.Code == code {
			return i
		}
	}
	return -1
}

// Codes lists the reason codes of Rules, for messages.
func Codes() string {
	out := make([]string, len(Rules))
	for i, r := range Rules {
		out[i] = r.Code
	}
	return strings.Join(out, ", ")
}

// ConversionCodes lists the reason codes of the conversion rules, in the order of Rules: the
// codes a conversion can be held or rejected for.
func ConversionCodes() []string {
	var out []string
	for _, r := range Rules {
		if !r.Click {
			out = append(out, r.Code)
		}
	}
	return out
}

// Describe says in words what a reason code means, for a conversion's or a click's detail; a
// code it does not know (a cap, a rejection by hand) is returned as it is.
func Describe(code string) string {
	switch code {
	case pactum.ReasonBot:
		return "the click came from a crawler or automation tool's user agent"
	case pactum.ReasonBlockedIP:
		return "the click came from an address on the program's or offer's block list"
	case pactum.ReasonDuplicateClick:
		return "the same visitor clicked the same offer through the same partner shortly before"
	case pactum.ReasonDataCenter:
		return "the click came from a data-centre or hosting network, not a home or mobile connection"
	case pactum.ReasonTooFast:
		return "the conversion came sooner after its click than the offer's minimum time"
	case pactum.ReasonTooSlow:
		return "the conversion came later after its click than the offer's maximum time"
	case pactum.ReasonSelfReferral:
		return "the customer is the partner: the customer id is the partner's own email address"
	case pactum.ReasonFlaggedClick:
		return "the conversion's click was a bot's, or a click rule other than duplicate_click flagged it"
	case pactum.ReasonRepeatedIP:
		return "several of the partner's earlier conversions of this offer came from the same address"
	case pactum.ReasonRepeatedCustomer:
		return "the same customer id is on several of the partner's earlier conversions of this offer"
	case pactum.ReasonVelocity:
		return "the partner's conversions of this offer in the last hour are far above its own hourly average"
	case pactum.ReasonWindowExpired:
		return "the conversion came after the offer's attribution window"
	case pactum.ReasonPartnerInactive:
		return "the click's partner is not active"
	case pactum.ReasonAdvertiserDenied:
		return "the advertiser reported it rejected"
	}
	return code
}
