package web

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
)

// The rule editor: a payout rule set (SPEC section 5) as form inputs, one row per rule, bonus
// and tier, so that an error the program names by its JSON path
// (events[0].payout.rules[1].rate.percent) is shown at the input of that rule. Inputs of event
// e are named e{e}.default.kind, e{e}.rules.{row}.when and so on; each list's row count is in
// e{e}.rules.n. Conditions are written as "sku: SHOE-9, SHOE-10; new_customer: yes". The form
// only turns inputs into the rule set's JSON: what is valid is the program's to say.

// rateKinds are the choices of a rate: a percentage, a fixed amount per order, or per unit.
var rateKinds = []struct{ Value, Label string }{
	{"percent", "% of the sale"}, {"fixed", "fixed per order"}, {"unit", "fixed per unit"},
}

// ruleSections are the lists of a rule set the editor shows as rows.
var ruleSections = []string{"rules", "bonuses", "tiers"}

// capNames are the caps of a rule set, in the order the editor shows them.
var capNames = []string{"daily_conversions", "monthly_conversions", "daily_payout", "monthly_payout"}

// ruleSetView is what the partial "ruleset" renders for the rule set of inputs prefixed p.
type ruleSetView struct {
	Form   *form
	P      string // e0
	Legend string
	Rows   map[string][]int // section -> the rows to show
	Kinds  []struct{ Value, Label string }
	Caps   []string
	Lists  []rateList // rules and bonuses
}

// rateList is the rows of a rule set's rules or bonuses, as the partial "raterows" shows them.
type rateList struct {
	Form             *form
	P, Section, Noun string
	Legend, Hint     string
	Rows             []int
	Kinds            []struct{ Value, Label string }
}

func newRuleSetView(f *form, p, legend string) ruleSetView {
	v := ruleSetView{Form: f, P: p, Legend: legend, Rows: map[string][]int{}, Kinds: rateKinds, Caps: capNames}
	for _, sec := range ruleSections {
		n := rowCount(f, p+"."+sec)
		for i := range n {
			v.Rows[sec] = append(v.Rows[sec], i)
		}
	}
	v.Lists = []rateList{
		{Form: f, P: p, Section: "rules", Noun: "Rule", Legend: "Rules", Rows: v.Rows["rules"], Kinds: rateKinds,
			Hint: "The first rule whose conditions all match a line sets its rate. Conditions: sku: SHOE-9, SHOE-10; category: shoes; partner_id: 42; country: DE; new_customer: yes; order_amount_gte: 200.00. Clear a row to remove it."},
		{Form: f, P: p, Section: "bonuses", Noun: "Bonus", Legend: "Bonuses", Rows: v.Rows["bonuses"], Kinds: rateKinds,
			Hint: "Every bonus whose conditions match is added: a percentage of the order (or of the lines its sku, category or unit price conditions match), or a fixed amount."},
	}
	return v
}

// rowCount is how many rows list (e0.rules) shows: those sent, or at least one empty row to
// fill in, so that adding a rule needs no script.
func rowCount(f *form, list string) int {
	n, _ := strconv.Atoi(f.Get(list + ".n"))
	if n < 1 {
		n = 1
	}
	return min(n, maxRows)
}

// maxRows bounds a list's rows in a form: what a person edits, not what a script sends.
const maxRows = 200

// setRuleSet fills the inputs prefixed p from a stored rule set, with one empty row more in each
// list for the next rule.
func setRuleSet(f *form, p string, raw json.RawMessage) {
	var rs map[string]json.RawMessage
	_ = json.Unmarshal(raw, &rs) // stored rule sets are valid; a nil one leaves the inputs empty
	setRate(f, p+".default", rs["default"])
	for _, sec := range ruleSections {
		var rows []map[string]json.RawMessage
		_ = json.Unmarshal(rs[sec], &rows)
		for i, row := range rows {
			q := fmt.Sprintf("%s.%s.%d", p, sec, i)
			f.Values.Set(q+".id", jsonText(row["id"]))
			switch sec {
			case "tiers":
				f.Values.Set(q+".sales", jsonText(row["monthly_sales_gte"]))
				f.Values.Set(q+".multiplier", jsonText(row["multiplier"]))
			case "rules":
				f.Values.Set(q+".when", whenText(row["when"]))
				setRate(f, q, row["rate"])
			case "bonuses":
				f.Values.Set(q+".when", whenText(row["when"]))
				setRate(f, q, row["add"])
			}
		}
		f.Values.Set(fmt.Sprintf("%s.%s.n", p, sec), strconv.Itoa(len(rows)+1))
	}
	var caps map[string]json.RawMessage
	_ = json.Unmarshal(rs["caps"], &caps)
	for _, c := range capNames {
		f.Values.Set(p+".caps."+c, jsonText(caps[c]))
	}
}

// setRate fills inputs q.kind and q.value from a rate's JSON.
func setRate(f *form, q string, raw json.RawMessage) {
	var r struct {
		Percent *string `json:"percent"`
		Fixed   *string `json:"fixed"`
		Per     string  `json:"per"`
	}
	_ = json.Unmarshal(raw, &r)
	switch {
	case r.Percent != nil:
		f.Values.Set(q+".kind", "percent")
		f.Values.Set(q+".value", *r.Percent)
	case r.Fixed != nil && r.Per == "unit":
		f.Values.Set(q+".kind", "unit")
		f.Values.Set(q+".value", *r.Fixed)
	case r.Fixed != nil:
		f.Values.Set(q+".kind", "fixed")
		f.Values.Set(q+".value", *r.Fixed)
	}
}

// jsonText is a JSON scalar as a person types it: a string without quotes, a number as written.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// whenText writes a condition object as "key: a, b; key: c", keys in order.
func whenText(raw json.RawMessage) string {
	var when map[string]json.RawMessage
	if json.Unmarshal(raw, &when) != nil {
		return ""
	}
	keys := make([]string, 0, len(when))
	for k := range when {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		var list []json.RawMessage
		var b bool
		switch {
		case json.Unmarshal(when[k], &list) == nil:
			vals := make([]string, len(list))
			for i, v := range list {
				vals[i] = jsonText(v)
			}
			parts = append(parts, k+": "+strings.Join(vals, ", "))
		case json.Unmarshal(when[k], &b) == nil:
			parts = append(parts, k+": "+map[bool]string{true: "yes", false: "no"}[b])
		default:
			parts = append(parts, k+": "+jsonText(when[k]))
		}
	}
	return strings.Join(parts, "; ")
}

// ruleSetInput is a rule set read from a form: its JSON, and for each list the form row of each
// element, so that an error on rules[1] is shown at the row the person filled in (empty rows are
// left out of the JSON).
type ruleSetInput struct {
	JSON json.RawMessage // nil when every input was empty
	rows map[string][]int
}

// readRuleSet reads the rule set of inputs prefixed p, whose errors are named under path
// (events[0].payout).
func readRuleSet(f *form, p, path string) (ruleSetInput, error) {
	out := ruleSetInput{rows: map[string][]int{}}
	doc := map[string]any{}
	if r, ok := readRate(f, p+".default"); ok {
		doc["default"] = r
	}
	for _, sec := range ruleSections {
		var list []any
		for row := range rowCount(f, p+"."+sec) {
			q := fmt.Sprintf("%s.%s.%d", p, sec, row)
			id, when := strings.TrimSpace(f.Get(q+".id")), strings.TrimSpace(f.Get(q+".when"))
			elem := map[string]any{}
			if id != "" {
				elem["id"] = id
			}
			field := fmt.Sprintf("%s.%s[%d]", path, sec, len(list))
			if sec == "tiers" {
				sales, mult := strings.TrimSpace(f.Get(q+".sales")), strings.TrimSpace(f.Get(q+".multiplier"))
				if id == "" && sales == "" && mult == "" {
					continue
				}
				if sales != "" {
					elem["monthly_sales_gte"] = sales
				}
				if mult != "" {
					elem["multiplier"] = mult
				}
			} else {
				rate, hasRate := readRate(f, q)
				if id == "" && when == "" && !hasRate {
					continue
				}
				w, err := readWhen(when, field+".when")
				if err != nil {
					out.rows[sec] = append(out.rows[sec], row)
					return out, err
				}
				elem["when"] = w
				if hasRate {
					elem[map[string]string{"rules": "rate", "bonuses": "add"}[sec]] = rate
				}
			}
			list = append(list, elem)
			out.rows[sec] = append(out.rows[sec], row)
		}
		if list != nil {
			doc[sec] = list
		}
	}
	caps := map[string]any{}
	for _, c := range capNames {
		v := strings.TrimSpace(f.Get(p + ".caps." + c))
		if v == "" {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && strings.HasSuffix(c, "conversions") {
			caps[c] = n
		} else {
			caps[c] = v // a number where an amount goes, or a word: the program says what is wrong
		}
	}
	if len(caps) > 0 {
		doc["caps"] = caps
	}
	if len(doc) == 0 {
		return out, nil
	}
	b, err := json.Marshal(doc)
	out.JSON = b
	return out, err
}

// readRate reads inputs q.kind and q.value as a rate's JSON; false when no value was given.
func readRate(f *form, q string) (map[string]string, bool) {
	v := strings.TrimSpace(f.Get(q + ".value"))
	if v == "" {
		return nil, false
	}
	switch f.Get(q + ".kind") {
	case "fixed":
		return map[string]string{"fixed": v}, true
	case "unit":
		return map[string]string{"fixed": v, "per": "unit"}, true
	}
	return map[string]string{"percent": v}, true
}

// readWhen reads conditions written as "key: a, b; key: c" (or one a line) into a when object.
func readWhen(text, field string) (map[string]any, error) {
	w := map[string]any{}
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, vals, ok := strings.Cut(part, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, pactum.FieldError(field, "write each condition as key: values, such as \"sku: SHOE-9, SHOE-10; new_customer: yes\" (%q has no key)", part)
		}
		vals = strings.TrimSpace(vals)
		switch key {
		case "new_customer":
			switch strings.ToLower(vals) {
			case "yes", "true":
				w[key] = true
			case "no", "false":
				w[key] = false
			default:
				w[key] = vals
			}
		case "order_amount_gte", "unit_price_gte":
			w[key] = vals
		default:
			var list []any
			for _, v := range strings.Split(vals, ",") {
				if v = strings.TrimSpace(v); v == "" {
					continue
				}
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && key == "partner_id" {
					list = append(list, n)
				} else {
					list = append(list, v)
				}
			}
			w[key] = list
		}
	}
	return w, nil
}

var (
	// payoutPath is the path of an error inside a payout rule set: an offer's event's, or a
	// simulation's draft (event 0).
	payoutPath = regexp.MustCompile(`^(?:events\[(\d+)\]\.)?payout(?:\.(.*))?$`)
	rowPath    = regexp.MustCompile(`^(rules|bonuses|tiers)\[(\d+)\](?:\.(\w+))?`)
	capPath    = regexp.MustCompile(`^caps(?:\.(\w+))?`)
)

// input returns the input an error on field (inside the payout rule set of event e) is shown at,
// given which form row each element came from.
func (in ruleSetInput) input(e, rest string) string {
	p := "e" + e
	if m := rowPath.FindStringSubmatch(rest); m != nil {
		i, _ := strconv.Atoi(m[2])
		rows := in.rows[m[1]]
		if i >= len(rows) {
			return p + ".payout"
		}
		q := fmt.Sprintf("%s.%s.%d", p, m[1], rows[i])
		switch m[3] {
		case "id", "when":
			return q + "." + m[3]
		case "rate", "add":
			return q + ".value"
		case "monthly_sales_gte":
			return q + ".sales"
		case "multiplier":
			return q + ".multiplier"
		}
		return q + ".id"
	}
	if strings.HasPrefix(rest, "default") {
		return p + ".default.value"
	}
	if m := capPath.FindStringSubmatch(rest); m != nil && slices.Contains(capNames, m[1]) {
		return p + ".caps." + m[1]
	}
	return p + ".payout"
}
