package program

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/pactum/pactum"
)

// checkName checks a required name: free text that is not blank.
func checkName(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return pactum.FieldError(field, "is required")
	}
	return checkText(field, s)
}

// checkText checks free text: names, sub ids, sources, reasons, references.
func checkText(field, s string) error {
	return pactum.CheckText(field, s, pactum.MaxText)
}

// CheckOneOf refuses a value not among allowed, naming the field and what it may be.
func CheckOneOf(field, value string, allowed ...string) error {
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

// CheckEmail accepts a bare address such as "anna@example.com", not a display-name form, so
// that what is stored is what payouts and logins use.
func CheckEmail(field, s string) error {
	if s == "" {
		return pactum.FieldError(field, "is required")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > pactum.MaxText {
		return pactum.FieldError(field, "%q is not an email address such as \"anna@example.com\"", s)
	}
	return nil
}

// set copies *from into *to when it was sent, through clean if given.
func set(to *string, from *string, clean func(string) string) {
	if from == nil {
		return
	}
	*to = *from
	if clean != nil {
		*to = clean(*to)
	}
}

// setInt copies *from into *to when it was sent.
func setInt(to *int, from *int) {
	if from != nil {
		*to = *from
	}
}
