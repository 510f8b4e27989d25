package edge

import (
	"strings"
	"unicode/utf8"
)

// Limits on request text kept in a visit, in bytes. Values come from anyone, every click stores
// them, and partners' sub ids and sources are short: longer values are cut.
const (
	maxParamLen     = 255
	maxUserAgentLen = 512
	maxRefererLen   = 1024
)

// cleanText returns s cut to at most limit bytes, without control characters and as valid UTF-8,
// so that every store takes it (PostgreSQL text refuses NUL and invalid UTF-8) and logs and
// CSV exports stay intact. Plain ASCII of an allowed length, the common case, is returned as is.
func cleanText(s string, limit int) string {
	if len(s) <= limit && isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(min(len(s), limit))
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || (0x7f <= r && r < 0xa0) {
			// Invalid bytes and control characters are dropped rather than replaced: neither
			// carries meaning in a URL parameter, a user agent or a referer.
			continue
		}
		if b.Len()+utf8.RuneLen(r) > limit {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
