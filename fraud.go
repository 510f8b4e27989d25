package pactum

import (
	"strings"
	"time"
)

// Reason codes of the fraud rules (SPEC section 13, docs/fraud.md). A click or a conversion
// stores the codes of every rule that fired, joined by ReasonSep (Visit.Flags,
// Conversion.Flags); ReasonTooFast is the rule of the offer's min_conversion_seconds.
const (
	ReasonBot              = "bot"
	ReasonDuplicateClick   = "duplicate_click"
	ReasonBlockedIP        = "blocked_ip"
	ReasonDataCenter       = "datacenter"
	ReasonTooSlow          = "click_to_conversion_too_slow"
	ReasonVelocity         = "conversion_velocity"
	ReasonRepeatedCustomer = "repeated_customer"
	ReasonRepeatedIP       = "repeated_ip"
	ReasonSelfReferral     = "self_referral"
	ReasonFlaggedClick     = "flagged_click"
)

// ReasonSep joins the reason codes of one click or conversion. Not a comma: a report's
// filter[reason] takes comma-separated values, and a joined value must stay one value there.
const ReasonSep = "+"

// What a fraud rule does when it fires (SPEC section 13).
const (
	// ActionOff: the rule is not checked.
	ActionOff = "off"
	// ActionFlag: counted and paid as usual, marked with the rule's reason.
	ActionFlag = "flag"
	// ActionReview: a conversion is held pending until a person decides (never approved by its
	// hold period); a click is counted as flagged (a click has nothing to hold).
	ActionReview = "review"
	// ActionReject: a conversion is stored rejected and earns nothing; a click is not counted
	// (an invalid click), though the visitor is still sent on.
	ActionReject = "reject"
)

// Levels set every rule's default action (fraud.Defaults); an offer has one, default moderate.
const (
	LevelRelaxed  = "relaxed"
	LevelModerate = "moderate"
	LevelStrict   = "strict"
)

// FraudSettings are a program's (Advertiser.Fraud) or an offer's (Offer.Fraud) fraud rules. An
// offer's level and rule actions win over its program's; both block lists apply. Zero values
// mean the default: level moderate, each rule's action from the level, a duplicate window of
// an hour, no maximum click-to-conversion time. Package fraud resolves and checks them.
type FraudSettings struct {
	Level string `json:"level,omitempty"`
	// Rules overrides actions by reason code: {"datacenter":"reject","repeated_ip":"off"}.
	Rules map[string]string `json:"rules,omitempty"`
	// BlockedIPs are addresses and CIDRs whose clicks are blocked_ip, in canonical form.
	BlockedIPs []string `json:"blocked_ips,omitempty"`
	// DuplicateWindowSeconds: a visitor's clicks on an offer through a partner this soon after
	// the previous one are duplicate_click.
	DuplicateWindowSeconds int `json:"duplicate_window_seconds,omitempty"`
	// MaxConversionSeconds: a conversion this long or longer after its click is
	// click_to_conversion_too_slow (0: no maximum but the attribution window).
	MaxConversionSeconds int `json:"max_conversion_seconds,omitempty"`
}

// IsZero reports whether s sets nothing.
func (s FraudSettings) IsZero() bool {
	return s.Level == "" && len(s.Rules) == 0 && len(s.BlockedIPs) == 0 && s.DuplicateWindowSeconds == 0 &&
		s.MaxConversionSeconds == 0
}

// HasReason reports whether the joined codes list holds code.
func HasReason(list, code string) bool {
	for len(list) > 0 {
		var c string
		c, list, _ = strings.Cut(list, ReasonSep)
		if c == code {
			return true
		}
	}
	return false
}

// Held reports whether a conversion is held for review: pending with no end to its hold
// period, so that the approval job (Store.ApproveDue, which takes those whose approve_at has
// passed) never approves it; a person approves, rejects or releases it.
func (c *Conversion) Held() bool {
	return c.Status == ConversionPending && c.ApproveAt.IsZero()
}

// ReportReason is what a conversion counts under in reports grouped by reason: why it was
// rejected, held or capped (Reason), else the codes of the rules that flagged it.
func (c *Conversion) ReportReason() string {
	if c.Reason != "" {
		return c.Reason
	}
	return c.Flags
}

// FraudScore is a partner's fraud score over a window (the last 45 days): 0 (clean) to 100,
// with the signals it is made of (docs/fraud.md has the formula).
type FraudScore struct {
	PartnerID int64         `json:"partner_id"`
	Score     int           `json:"score"`
	From      time.Time     `json:"from"`
	To        time.Time     `json:"to"`
	Signals   []FraudSignal `json:"signals"`
}

// FraudSignal is one signal of a score: its share (0..1, four decimals, as text), what it
// weighs, the points it gives, and the counts it comes from.
type FraudSignal struct {
	Name   string `json:"name"`
	Share  string `json:"share"`
	Weight int    `json:"weight"`
	Points int    `json:"points"`
	Count  int64  `json:"count"`
	Of     int64  `json:"of"`
}

// FraudCounts are what a partner's fraud score is computed from, over a window.
type FraudCounts struct {
	Clicks          int64 // all clicks, valid or not
	FlaggedClicks   int64 // bots' and clicks any click rule fired on
	DuplicateClicks int64
	DataCenter      int64 // clicks from hosting networks
	Conversions     int64 // all conversions
	TooFast         int64
	Held            int64 // held for review now, or ever flagged review: pending without approve_at
	Rejected        int64 // rejected by a fraud rule (Reason holds a rule's code) or by hand
	Refunded        int64 // conversions with a refund
}

// ClickSource is what the conversion fraud rules read of a conversion's click: its address and
// whether it was flagged (Visit.Flagged); and, read in the same place, its report dimensions,
// which the reports' keeper then takes from the pipeline (report.Keeper.Stored) rather than
// reading the click again.
type ClickSource struct {
	Found   bool
	IP      string
	Flagged bool
	Dims    ClickDims
}

// Flagged reports whether the visit was a bot's or a click rule other than duplicate_click fired
// on it: a person who clicked twice converts on the second click (the cookie holds the latest
// click id), and that is no sign of fraud.
func (v *Visit) Flagged() bool {
	if v.Bot {
		return true
	}
	for list := v.Flags; list != ""; {
		var code string
		code, list, _ = strings.Cut(list, ReasonSep)
		if code != ReasonDuplicateClick {
			return true
		}
	}
	return false
}

// FraudHistoryQuery asks EventTx.FraudHistory about a conversion's click and the partner's
// conversions of an offer before it, in one statement (every statement costs the event
// transaction, which every conversion waits for, a round through the driver). Each part is read
// only when asked (ClickID or Click, SameIP, CustomerID, HourCap above 0, HistoryTo), and each
// count stops at its cap: a rule asks "at least n", and counting further would cost for nothing.
type FraudHistoryQuery struct {
	OfferID, PartnerID int64
	// ClickID: read the stored click's source, unless Click gives it (a click of the same batch,
	// not stored yet).
	ClickID string
	Click   *ClickSource
	// SameIP: count, up to RepeatCap, the conversions since RepeatSince from the click's address;
	// CustomerID likewise those with this customer id.
	SameIP      bool
	CustomerID  string
	RepeatSince time.Time
	RepeatCap   int64
	// HourStart and HourCap: count, up to HourCap, the conversions since HourStart.
	HourStart time.Time
	HourCap   int64
	// HistoryFrom and HistoryTo: sum the conversions of these UTC days (To exclusive) from the
	// report rollups.
	HistoryFrom, HistoryTo time.Time
}

// FraudHistory is what EventTx.FraudHistory read.
type FraudHistory struct {
	Click                                   ClickSource
	SameIP, SameCustomer, LastHour, History int64
}
