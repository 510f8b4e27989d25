package api

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pactum/pactum"
)

// maxText bounds free-text fields (names, sub-ids, sources) so that one row cannot grow without
// limit.
const maxText = 255

func checkName(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return pactum.FieldError(field, "is required")
	}
	return checkText(field, s)
}

func checkText(field, s string) error {
	if !utf8.ValidString(s) {
		return pactum.FieldError(field, "must be valid UTF-8")
	}
	if utf8.RuneCountInString(s) > maxText {
		return pactum.FieldError(field, "must be at most %d characters", maxText)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return pactum.FieldError(field, "must not contain control characters")
		}
	}
	return nil
}

func checkOneOf(field, value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return pactum.FieldError(field, "must be one of %s, not %q", strings.Join(allowed, ", "), value)
}

func checkCurrency(field, code string) error {
	if !pactum.ValidCurrency(code) {
		return pactum.FieldError(field, "%q is not a supported ISO 4217 currency code such as \"EUR\"", code)
	}
	return nil
}

func checkPattern(field, value string, re *regexp.Regexp, want string) error {
	if !re.MatchString(value) {
		return pactum.FieldError(field, "must be %s, not %q", want, value)
	}
	return nil
}

// checkIBAN validates an optional IBAN and returns it in the compact form that is stored; ""
// clears it. The IBAN is not quoted back: it is personal data, and the caller has it.
func checkIBAN(field, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	n, ok := pactum.ValidIBAN(s)
	if !ok {
		return "", pactum.FieldError(field, "is not a valid IBAN: it needs a country code, two check digits that match "+
			"the rest and the length of that country, such as \"DE89 3704 0044 0532 0130 00\"")
	}
	return n, nil
}

// checkBIC validates an optional BIC and returns it compact and upper-case; "" clears it.
func checkBIC(field, s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	n, ok := pactum.ValidBIC(s)
	if !ok {
		return "", pactum.FieldError(field, "is not a BIC (ISO 9362): 8 or 11 letters and digits such as \"DEUTDEFF\" or \"DEUTDEFF500\"")
	}
	return n, nil
}

// pathID parses the {id} of a path. An id that is not a positive integer cannot exist, so it
// answers 404 like any other missing one.
func pathID(r *http.Request, kind string) (int64, error) {
	s := r.PathValue("id")
	id, err := strconv.ParseInt(s, 10, 64)
	// Only the id's own spelling names it: "+1" or "01" would let one resource have many
	// paths (and a DELETE hit what its caller did not write).
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != s {
		return 0, notFound(kind, strconv.Quote(s))
	}
	return id, nil
}

// queryID parses an optional id filter such as ?offer_id=12; absent is 0.
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, pactum.FieldError(name, "must be a positive integer id, not %q", s)
	}
	return id, nil
}

// queryTime parses an optional RFC 3339 time filter such as ?from=2025-01-01T00:00:00Z.
func queryTime(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	// An unencoded "+02:00" offset arrives as " 02:00"; take it as the client meant it.
	t, err := time.Parse(time.RFC3339, strings.ReplaceAll(s, " ", "+"))
	if err != nil {
		return time.Time{}, pactum.FieldError(name, "must be an RFC 3339 time such as \"2025-01-31T00:00:00Z\", not %q", s)
	}
	return t.UTC(), nil
}

// idOrNull renders an optional id: 0 (none) becomes JSON null.
func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
