package export

import (
	"errors"
	"strings"

	"github.com/pactum/pactum"
)

// compact removes the spaces people group IBANs and BICs with and upper-cases them: the
// electronic form that pain.001 carries.
func compact(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// checkIBAN reports why s is not an IBAN under ISO 13616, or nil. The API checks IBANs with
// the same function when they are saved; this catches what was stored before that check.
func checkIBAN(s string) error {
	if _, ok := pactum.ValidIBAN(s); !ok {
		return errors.New("is not a valid IBAN: country code, that country's length and ISO 13616 check digits (a typing error?)")
	}
	return nil
}

// checkBIC reports why s is not a BIC the pain.001.001.03 schema accepts, or nil.
func checkBIC(s string) error {
	if _, ok := pactum.ValidBIC(s); !ok {
		return errors.New("is not a BIC of 8 or 11 characters such as DEUTDEFF or DEUTDEFF500")
	}
	return nil
}
