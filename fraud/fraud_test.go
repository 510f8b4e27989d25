package fraud

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

// What each rule does at each level by default: the table of docs/fraud.md.
func TestRuleActionsByLevel(t *testing.T) {
	want := map[string][3]string{ // relaxed, moderate, strict
		pactum.ReasonBlockedIP:        {"reject", "reject", "reject"},
		pactum.ReasonDuplicateClick:   {"flag", "reject", "reject"},
		pactum.ReasonDataCenter:       {"flag", "flag", "reject"},
		pactum.ReasonTooFast:          {"flag", "reject", "reject"},
		pactum.ReasonTooSlow:          {"flag", "flag", "review"},
		pactum.ReasonSelfReferral:     {"flag", "review", "reject"},
		pactum.ReasonFlaggedClick:     {"flag", "flag", "review"},
		pactum.ReasonRepeatedIP:       {"flag", "flag", "review"},
		pactum.ReasonRepeatedCustomer: {"flag", "flag", "review"},
		pactum.ReasonVelocity:         {"flag", "flag", "review"},
	}
	if len(want) != len(Rules) {
		t.Fatalf("%d rules, the table has %d", len(Rules), len(want))
	}
	for i, level := range Levels {
		p := For(pactum.Offer{Fraud: pactum.FraudSettings{Level: level}})
		for code, actions := range want {
			if got := p.Action(code); got != actions[i] {
				t.Errorf("%s at %s: %s, want %s", code, level, got, actions[i])
			}
		}
	}
	if def := For(pactum.Offer{}); def.Level != pactum.LevelModerate || def.Action(pactum.ReasonDataCenter) != "flag" {
		t.Errorf("default level %s", def.Level)
	}
}

// Each click rule, fired alone, at each level: the codes stored and whether the click counts.
func TestClickRules(t *testing.T) {
	type out struct {
		flags   string
		invalid bool
	}
	for _, tc := range []struct {
		name   string
		s      ClickSignals
		levels [3]out
	}{
		{"clean", ClickSignals{}, [3]out{{"", false}, {"", false}, {"", false}}},
		{"blocked", ClickSignals{Blocked: true}, [3]out{{"blocked_ip", true}, {"blocked_ip", true}, {"blocked_ip", true}}},
		{"duplicate", ClickSignals{Duplicate: true}, [3]out{{"duplicate_click", false}, {"duplicate_click", true}, {"duplicate_click", true}}},
		{"datacenter", ClickSignals{DataCenter: true}, [3]out{{"datacenter", false}, {"datacenter", false}, {"datacenter", true}}},
		{"all", ClickSignals{true, true, true}, [3]out{
			{"blocked_ip+duplicate_click+datacenter", true}, {"blocked_ip+duplicate_click+datacenter", true},
			{"blocked_ip+duplicate_click+datacenter", true}}},
	} {
		for i, level := range Levels {
			p := For(pactum.Offer{Fraud: pactum.FraudSettings{Level: level}})
			flags, invalid := p.Click(tc.s)
			if (out{flags, invalid}) != tc.levels[i] {
				t.Errorf("%s at %s: %q invalid %v, want %+v", tc.name, level, flags, invalid, tc.levels[i])
			}
		}
	}
	// A rule that is off leaves no code; an override of the program is overridden by the offer's.
	p := For(pactum.Offer{
		ProgramFraud: pactum.FraudSettings{Rules: map[string]string{"datacenter": "reject", "duplicate_click": "off"}},
		Fraud:        pactum.FraudSettings{Rules: map[string]string{"datacenter": "flag"}},
	})
	if flags, invalid := p.Click(ClickSignals{Duplicate: true, DataCenter: true}); flags != "datacenter" || invalid {
		t.Errorf("overrides: %q %v", flags, invalid)
	}
}

// Each conversion rule, from facts that set it off and facts just short of it, and what it
// decides at each level.
func TestConversionRules(t *testing.T) {
	base := Facts{HasClick: true, ClickAge: time.Hour, MinConversion: 10 * time.Second, CustomerID: "c-1",
		PartnerEmails: []string{"anna@example.com", ""}}
	for _, tc := range []struct {
		code     string
		fires    func(*Facts)
		short    func(*Facts)
		settings pactum.FraudSettings
		levels   [3]string // what the rule alone makes of the conversion: flag, review or reject
	}{
		{pactum.ReasonTooFast, func(f *Facts) { f.ClickAge = 2 * time.Second }, func(f *Facts) { f.ClickAge = 10 * time.Second },
			pactum.FraudSettings{}, [3]string{"flag", "reject", "reject"}},
		{pactum.ReasonTooSlow, func(f *Facts) { f.ClickAge = 48 * time.Hour }, func(f *Facts) { f.ClickAge = 48*time.Hour - time.Second },
			pactum.FraudSettings{MaxConversionSeconds: 48 * 3600}, [3]string{"flag", "flag", "review"}},
		{pactum.ReasonSelfReferral, func(f *Facts) { f.CustomerID = " Anna@Example.com" }, func(f *Facts) { f.CustomerID = "anna@example.org" },
			pactum.FraudSettings{}, [3]string{"flag", "review", "reject"}},
		{pactum.ReasonFlaggedClick, func(f *Facts) { f.ClickFlagged = true }, func(f *Facts) { f.ClickFlagged, f.HasClick = true, false },
			pactum.FraudSettings{}, [3]string{"flag", "flag", "review"}},
		{pactum.ReasonRepeatedIP, func(f *Facts) { f.SameIP = 2 }, func(f *Facts) { f.SameIP = 1 },
			pactum.FraudSettings{}, [3]string{"flag", "flag", "review"}},
		{pactum.ReasonRepeatedCustomer, func(f *Facts) { f.SameCustomer = 2 }, func(f *Facts) { f.SameCustomer = 1 },
			pactum.FraudSettings{}, [3]string{"flag", "flag", "review"}},
		// 7 days of 168 conversions is one an hour: 10 in the last hour is above 5 times that.
		{pactum.ReasonVelocity, func(f *Facts) { f.LastHour, f.History = 10, 168 }, func(f *Facts) { f.LastHour, f.History = 10, 336 },
			pactum.FraudSettings{}, [3]string{"flag", "flag", "review"}},
	} {
		for i, level := range Levels {
			s := tc.settings
			s.Level = level
			p := For(pactum.Offer{Fraud: s})
			f := base
			tc.fires(&f)
			d := p.Conversion(p.Fired(f))
			got := "flag"
			switch {
			case d.Reject:
				got = "reject"
			case d.Review:
				got = "review"
			}
			if d.Flags != tc.code || got != tc.levels[i] {
				t.Errorf("%s at %s: flags %q, %s; want %s", tc.code, level, d.Flags, got, tc.levels[i])
			}
			if got != "flag" && d.Reason != tc.code {
				t.Errorf("%s at %s: reason %q", tc.code, level, d.Reason)
			}
			f = base
			tc.short(&f)
			if d := p.Conversion(p.Fired(f)); d.Flags != "" {
				t.Errorf("%s at %s: just short of it fired %q", tc.code, level, d.Flags)
			}
			off := s
			off.Rules = map[string]string{tc.code: "off"}
			p = For(pactum.Offer{Fraud: off})
			f = base
			tc.fires(&f)
			if d := p.Conversion(p.Fired(f)); d.Flags != "" {
				t.Errorf("%s off at %s: fired %q", tc.code, level, d.Flags)
			}
		}
	}
}

// A conversion several rules fired on: rejection wins over review, and every code is kept.
func TestConversionSeveralRules(t *testing.T) {
	p := For(pactum.Offer{})
	d := p.Conversion([]string{pactum.ReasonRepeatedIP, pactum.ReasonSelfReferral, pactum.ReasonTooFast})
	if d.Flags != "click_to_conversion_too_fast+self_referral+repeated_ip" || !d.Reject || d.Review ||
		d.Reason != "click_to_conversion_too_fast" {
		t.Errorf("%+v", d)
	}
	d = p.Conversion([]string{pactum.ReasonRepeatedIP, pactum.ReasonSelfReferral, pactum.ReasonFlaggedClick})
	if !d.Review || d.Reason != "self_referral" || d.Flags != "self_referral+flagged_click+repeated_ip" {
		t.Errorf("%+v", d)
	}
	if !pactum.HasReason(d.Flags, pactum.ReasonRepeatedIP) || pactum.HasReason(d.Flags, "repeated") {
		t.Error("HasReason")
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		json, field string
	}{
		{`{"level":"paranoid"}`, "fraud.level"},
		{`{"rules":{"nope":"flag"}}`, "fraud.rules.nope"},
		{`{"rules":{"datacenter":"block"}}`, "fraud.rules.datacenter"},
		{`{"rules":{"duplicate_click":"review"}}`, "fraud.rules.duplicate_click"},
		{`{"blocked_ips":["10.1.2.3/8"]}`, "fraud.blocked_ips[0]"},
		{`{"blocked_ips":["203.0.113.7","203.0.113.7"]}`, "fraud.blocked_ips[1]"},
		{`{"duplicate_window_seconds":86401}`, "fraud.duplicate_window_seconds"},
		{`{"max_conversion_seconds":-1}`, "fraud.max_conversion_seconds"},
	} {
		var s pactum.FraudSettings
		if err := json.Unmarshal([]byte(tc.json), &s); err != nil {
			t.Fatal(err)
		}
		_, err := Check("fraud", s)
		var e *pactum.Error
		if !asError(err, &e) || e.Field != tc.field || e.Code != pactum.EINVALID {
			t.Errorf("%s: %v, want an error on %s", tc.json, err, tc.field)
		}
	}
	s, err := Check("fraud", pactum.FraudSettings{Level: "strict", Rules: map[string]string{"datacenter": "off"},
		BlockedIPs: []string{" ::ffff:198.51.100.1", "2001:DB8::/32"}, DuplicateWindowSeconds: 600})
	if err != nil || strings.Join(s.BlockedIPs, " ") != "198.51.100.1 2001:db8::/32" {
		t.Fatalf("%+v %v", s, err)
	}
}

func asError(err error, e **pactum.Error) bool {
	x, ok := err.(*pactum.Error)
	*e = x
	return ok
}

func TestBlocklist(t *testing.T) {
	b := NewBlocklist([]string{"203.0.113.7", "198.51.100.0/24", "2001:db8::/32", "junk"})
	for ip, want := range map[string]bool{
		"203.0.113.7": true, "203.0.113.8": false, "198.51.100.200": true, "::ffff:198.51.100.9": true,
		"2001:db8::1": true, "2001:db9::1": false,
	} {
		if got := b.Contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: %v", ip, got)
		}
	}
	if (Blocklist{}).Contains(netip.MustParseAddr("203.0.113.7")) || b.Contains(netip.Addr{}) {
		t.Error("empty list or invalid address blocked")
	}
}

func TestScore(t *testing.T) {
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 0, ScoreDays)
	if s := Score(3, pactum.FraudCounts{Clicks: 100, Conversions: 10}, from, to); s.Score != 0 || len(s.Signals) != 6 {
		t.Errorf("clean partner: %+v", s)
	}
	if s := Score(3, pactum.FraudCounts{}, from, to); s.Score != 0 {
		t.Errorf("no traffic: %+v", s)
	}
	// Half the clicks flagged and duplicates (saturated: 20 + 15), a quarter from data centres
	// (7.5), a tenth of conversions too fast (3), a fifth held or rejected (8), none refunded.
	s := Score(3, pactum.FraudCounts{Clicks: 100, FlaggedClicks: 50, DuplicateClicks: 60, DataCenter: 25,
		Conversions: 10, TooFast: 1, Held: 1, Rejected: 1}, from, to)
	if s.Score != 54 || s.Signals[2].Points != 8 || s.Signals[2].Share != "0.2500" {
		t.Errorf("%+v", s)
	}
	if s := Score(3, pactum.FraudCounts{Clicks: 1, FlaggedClicks: 1, DuplicateClicks: 1, DataCenter: 1,
		Conversions: 1, TooFast: 1, Held: 1, Rejected: 1, Refunded: 1}, from, to); s.Score != 100 {
		t.Errorf("worst: %d", s.Score)
	}
}

// Counting the last hour no further than VelocityCap decides velocity as the full count would.
func TestVelocityCap(t *testing.T) {
	for history := int64(0); history < 5000; history += 7 {
		c := VelocityCap(history)
		for earlier := int64(0); earlier < 3*c+50; earlier++ {
			if got, want := velocity(min(earlier, c)+1, history), velocity(earlier+1, history); got != want {
				t.Fatalf("history %d, %d earlier: capped at %d says %v, counted %v", history, earlier, c, got, want)
			}
		}
	}
}

// A duplicate is no flagged source: a person who clicked twice converts on the second click.
func TestFlaggedSource(t *testing.T) {
	for _, tc := range []struct {
		v    pactum.Visit
		want bool
	}{
		{pactum.Visit{}, false},
		{pactum.Visit{Flags: "duplicate_click"}, false},
		{pactum.Visit{Bot: true}, true},
		{pactum.Visit{Flags: "datacenter"}, true},
		{pactum.Visit{Flags: "blocked_ip+duplicate_click"}, true},
		{pactum.Visit{Flags: "duplicate_click+datacenter"}, true},
	} {
		if got := tc.v.Flagged(); got != tc.want {
			t.Errorf("%+v: %v", tc.v, got)
		}
	}
}
