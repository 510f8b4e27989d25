package edge

import (
	"mime"
	"net/url"
	"slices"
	"strings"

	"github.com/pactum/pactum"
)

// form holds the parameters of a conversion report (postback or pixel) that the edge reads,
// from the query and, for a POSTed form, the body. Other parameters are skipped unread:
// shops send many. Unlike url.ParseQuery, which drops a pair it cannot decode, form remembers
// which of its parameters could not be decoded, so that a malformed order id is refused rather
// than silently left out (SPEC section 3: a rejected postback never answers 200).
type form struct {
	// params are the pairs read, in order, a name at most twice. A list, not a map: a report
	// has a handful, and a map costs each postback more to make than a scan of them.
	params []param
	// bad lists the names read whose value is not valid percent-encoding or holds a raw ';'
	// (which some proxies take for a separator, so they would not read what the edge reads).
	bad []string
}

type param struct{ name, value string }

// parse adds the pairs of raw, a query string or a form body, to f. A parameter is kept at most
// twice: twice is already an error, and a request of a million repeats must not grow a list.
func (f *form) parse(raw string) {
	for raw != "" {
		var k, v string
		var ok bool
		if k, v, raw, ok = nextParam(raw); !ok || !conversionParam(k) {
			continue
		}
		if strings.IndexByte(v, ';') >= 0 {
			f.bad = append(f.bad, k)
			continue
		}
		if needsUnescape(v) {
			u, err := url.QueryUnescape(v)
			if err != nil {
				f.bad = append(f.bad, k)
				continue
			}
			v = u
		}
		if f.params == nil {
			f.params = make([]param, 0, 8)
		}
		if _, n := f.lookup(k); n < 2 {
			f.params = append(f.params, param{k, v})
		}
	}
}

// lookup returns the first value given for name, and how many times it was given (at most
// twice: parse keeps no more).
func (f *form) lookup(name string) (first string, n int) {
	for _, p := range f.params {
		if p.name == name {
			if n == 0 {
				first = p.value
			}
			n++
		}
	}
	return first, n
}

// isFormBody reports whether a request body of content type ct is a form to read, as
// http.Request.ParseForm decides: application/x-www-form-urlencoded only.
func isFormBody(ct string) bool {
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// value returns the value of the field that names give (a native name and the incumbents'), and
// the name it was given under, as the client spelled it. An empty value counts as not given:
// shops' templates send empty macros. It refuses, naming the parameter, what the edge would
// otherwise have to change or guess: a value that cannot be decoded, a parameter given twice,
// two names of the field given different values, and text that pactum.CheckText refuses (more
// than max characters, control characters, invalid UTF-8). With an error, the value first
// given still comes back, for authentication to go on; the request is refused after.
func (f *form) value(max int, names ...string) (name, v string, err error) {
	for _, n := range names {
		first, count := f.lookup(n)
		if count == 0 {
			if len(f.bad) > 0 && err == nil && slices.Contains(f.bad, n) {
				err = pactum.FieldError(n, "is not valid percent-encoding: encode '%%' as %%25 and ';' as %%3B")
			}
			continue
		}
		if count > 1 && err == nil {
			err = pactum.FieldError(n, "is given more than once: give it once")
		}
		switch {
		case first == "":
		case v == "":
			name, v = n, first
		case first != v && err == nil:
			err = pactum.FieldError(n, "names the same field as %s, with another value: give one of them", name)
		}
	}
	if name == "" {
		name = names[0]
	}
	if err == nil && v != "" {
		err = pactum.CheckText(name, v, max)
	}
	return name, v, err
}

// conversionParam reports whether the edge reads the parameter name from a conversion report.
func conversionParam(name string) bool {
	switch name {
	case "click_id", "clickid", "transaction_id",
		"offer_id",
		"event", "goal_id", "event_id", "goal", "goal_value",
		"amount", "sum", "sale_amount",
		"currency",
		"order_id", "adv_sub", "action_id", "txn_id",
		"coupon", "coupon_code",
		"customer_id", "country", "new_customer", "status",
		"token", "security_token", "secure":
		return true
	}
	return false
}
