package fraud

import (
	"slices"
	"sort"

	"github.com/pactum/pactum"
)

// maxConversionSeconds bounds max_conversion_seconds: a year, beyond any attribution window.
const maxConversionSeconds = 366 * 86400

// Check validates a program's or an offer's settings, sent as the object named field
// ("fraud"), and returns them in canonical form (block list entries as pactum.CheckIPList keeps
// them). Errors name the field at fault: "fraud.rules.datacenter", "fraud.blocked_ips[2]".
func Check(field string, s pactum.FraudSettings) (pactum.FraudSettings, error) {
	if s.Level != "" && !slices.Contains(Levels, s.Level) {
		return s, pactum.FieldError(field+".level", "must be relaxed, moderate or strict, not %q", s.Level)
	}
	codes := make([]string, 0, len(s.Rules))
	for code := range s.Rules {
		codes = append(codes, code)
	}
	sort.Strings(codes) // the first error is the same on every call
	for _, code := range codes {
		f, action := field+".rules."+code, s.Rules[code]
		i := ruleIndex(code)
		switch {
		case i < 0:
			return s, pactum.FieldError(f, "%q is not a fraud rule; the rules are %s", code, Codes())
		case !slices.Contains(Actions, action):
			return s, pactum.FieldError(f, "must be off, flag, review or reject, not %q", action)
		case Rules[i].Click && action == pactum.ActionReview:
			return s, pactum.FieldError(f, "a click cannot be held for review: use flag (counted) or reject (not counted)")
		}
	}
	if len(s.Rules) == 0 {
		s.Rules = nil
	}
	ips, err := pactum.CheckIPList(field+".blocked_ips", s.BlockedIPs, MaxBlockedIPs)
	if err != nil {
		return s, err
	}
	s.BlockedIPs = ips
	if len(ips) == 0 {
		s.BlockedIPs = nil
	}
	if s.DuplicateWindowSeconds < 0 || s.DuplicateWindowSeconds > MaxDuplicateWindow {
		return s, pactum.FieldError(field+".duplicate_window_seconds", "must be from 1 to %d seconds (or 0 for the default, %d), not %d",
			MaxDuplicateWindow, DefaultDuplicateWindow, s.DuplicateWindowSeconds)
	}
	if s.MaxConversionSeconds < 0 || s.MaxConversionSeconds > maxConversionSeconds {
		return s, pactum.FieldError(field+".max_conversion_seconds", "must be from 1 to %d seconds (or 0 for none), not %d",
			maxConversionSeconds, s.MaxConversionSeconds)
	}
	return s, nil
}
