package fraud

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// Policy is an offer's fraud rules resolved: each rule's action (its level's default, then the
// program's override, then the offer's), the thresholds, and the block list of both. Compile
// it once per offer (the catalog's compile hook) where it is used per click.
type Policy struct {
	Level           string
	actions         [nRules]string
	DuplicateWindow time.Duration
	MaxConversion   time.Duration // 0: none
	blocked         Blocklist
}

// For resolves offer o's policy, with its program's settings (o.ProgramFraud). A value, so that
// resolving one per conversion (the conversion path does) allocates nothing.
func For(o pactum.Offer) Policy {
	p := Policy{Level: pactum.LevelModerate}
	for _, s := range []pactum.FraudSettings{o.ProgramFraud, o.Fraud} {
		if s.Level != "" {
			p.Level = s.Level
		}
	}
	for i, r := range Rules {
		p.actions[i] = r.defaultAt(p.Level)
		for _, s := range []pactum.FraudSettings{o.ProgramFraud, o.Fraud} {
			if a, ok := s.Rules[r.Code]; ok {
				p.actions[i] = a
			}
		}
	}
	window := DefaultDuplicateWindow
	for _, s := range []pactum.FraudSettings{o.ProgramFraud, o.Fraud} {
		if s.DuplicateWindowSeconds > 0 {
			window = s.DuplicateWindowSeconds
		}
		if s.MaxConversionSeconds > 0 {
			p.MaxConversion = time.Duration(s.MaxConversionSeconds) * time.Second
		}
	}
	p.DuplicateWindow = time.Duration(window) * time.Second
	p.blocked = NewBlocklist(append(append([]string(nil), o.ProgramFraud.BlockedIPs...), o.Fraud.BlockedIPs...))
	return p
}

func (r Rule) defaultAt(level string) string {
	switch level {
	case pactum.LevelRelaxed:
		return r.Relaxed
	case pactum.LevelStrict:
		return r.Strict
	}
	return r.Moderate
}

// Action returns what the rule with code does under p (ActionOff for a code that is no rule).
func (p *Policy) Action(code string) string {
	if i := ruleIndex(code); i >= 0 {
		return p.actions[i]
	}
	return pactum.ActionOff
}

// ChecksDataCenter reports whether the datacenter rule is on, so that the edge looks up the
// address's network only then.
func (p *Policy) ChecksDataCenter() bool { return p.actions[iDataCenter] != pactum.ActionOff }

// Blocked reports whether ip is on the block list.
func (p *Policy) Blocked(ip netip.Addr) bool { return p.blocked.Contains(ip) }

// ClickSignals are what the edge found about a click.
type ClickSignals struct {
	Blocked, Duplicate, DataCenter bool
}

// clickCodes are the joined codes of every combination of the three click rules (bit 0 blocked,
// 1 duplicate, 2 data centre), made once so that a flagged click allocates nothing.
var clickCodes = func() [8]string {
	var out [8]string
	for m := range out {
		var codes []string
		for bit, i := range []int{iBlockedIP, iDuplicate, iDataCenter} {
			if m&(1<<bit) != 0 {
				codes = append(codes, Rules[i].Code)
			}
		}
		out[m] = strings.Join(codes, pactum.ReasonSep)
	}
	return out
}()

// Click decides a click: the codes of the rules that fired and are not off, and whether one of
// them rejects it (an invalid click: not counted). A click cannot be held, so review counts it
// as flagged.
func (p *Policy) Click(s ClickSignals) (flags string, invalid bool) {
	m := 0
	for bit, fired := range [3]bool{s.Blocked, s.Duplicate, s.DataCenter} {
		i := [3]int{iBlockedIP, iDuplicate, iDataCenter}[bit]
		if !fired || p.actions[i] == pactum.ActionOff {
			continue
		}
		m |= 1 << bit
		invalid = invalid || p.actions[i] == pactum.ActionReject
	}
	return clickCodes[m], invalid
}

// Decision is what the conversion rules decide: the codes of every rule that fired (Flags), and
// of those that reject it or, if none does, hold it for review (Reason), all joined by
// pactum.ReasonSep in the order of Rules.
type Decision struct {
	Flags  string
	Reject bool
	Review bool
	Reason string
}

// Conversion decides a conversion whose rules with these codes fired.
func (p *Policy) Conversion(fired []string) Decision {
	var d Decision
	var all, rejects, reviews []string
	for i, r := range Rules {
		if r.Click || p.actions[i] == pactum.ActionOff || !slices.Contains(fired, r.Code) {
			continue
		}
		all = append(all, r.Code)
		switch p.actions[i] {
		case pactum.ActionReject:
			rejects = append(rejects, r.Code)
		case pactum.ActionReview:
			reviews = append(reviews, r.Code)
		}
	}
	d.Flags = strings.Join(all, pactum.ReasonSep)
	switch {
	case len(rejects) > 0:
		d.Reject, d.Reason = true, strings.Join(rejects, pactum.ReasonSep)
	case len(reviews) > 0:
		d.Review, d.Reason = true, strings.Join(reviews, pactum.ReasonSep)
	}
	return d
}
