package edge

import (
	"net/url"
	"strconv"
	"strings"
)

// params are the click parameters of a request, whichever incumbent's names they came under
// (SPEC section 3): native offer_id, partner_id, sub1..sub5, source; TUNE aff_id, aff_sub,
// aff_sub2..aff_sub5; Trackier campaign_id, pub_id, p1..p5; Affise pid; also affiliate_id.
type params struct {
	offer, partner string
	sub            [5]string
	source         string
}

// parse reads the parameters of a raw query in one pass, without building url.Values: names
// other than the ones above are skipped without being decoded, and a value is unescaped only
// when it holds an escape. When a parameter appears twice, the first wins, as with
// url.Values.Get.
func (p *params) parse(raw string) {
	for raw != "" {
		var k, v string
		var ok bool
		if k, v, raw, ok = nextParam(raw); !ok {
			continue
		}
		dst := p.field(k)
		if dst == nil || *dst != "" {
			continue
		}
		if needsUnescape(v) {
			// A malformed escape keeps the raw text: it is still what the partner sent, and
			// macros escape it again on the way out.
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
		}
		*dst = cleanText(v, maxParamLen)
	}
}

func (p *params) field(name string) *string {
	switch name {
	case "offer_id", "campaign_id":
		return &p.offer
	case "partner_id", "aff_id", "affiliate_id", "pub_id", "pid":
		return &p.partner
	case "sub1", "aff_sub", "aff_sub1", "p1":
		return &p.sub[0]
	case "sub2", "aff_sub2", "p2":
		return &p.sub[1]
	case "sub3", "aff_sub3", "p3":
		return &p.sub[2]
	case "sub4", "aff_sub4", "p4":
		return &p.sub[3]
	case "sub5", "aff_sub5", "p5":
		return &p.sub[4]
	case "source":
		return &p.source
	}
	return nil
}

// nextParam cuts the first pair off a raw query or form body: its name, unescaped, its value as
// sent, and the rest. ok is false for a pair whose name cannot be unescaped: no name the edge
// reads.
func nextParam(raw string) (name, value, rest string, ok bool) {
	var kv string
	kv, rest, _ = strings.Cut(raw, "&")
	name, value, _ = strings.Cut(kv, "=")
	if needsUnescape(name) {
		var err error
		if name, err = url.QueryUnescape(name); err != nil {
			return "", "", rest, false
		}
	}
	return name, value, rest, true
}

func needsUnescape(s string) bool {
	return strings.ContainsAny(s, "%+")
}

// parseID returns the positive id in s, or 0.
func parseID(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
