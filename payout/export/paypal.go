package export

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/pactum/pactum"
)

// PayPal limits, from the Payouts Web file description.
const (
	paypalMaxReceiver = 127 // the Payouts API's limit on a receiver email
	paypalMaxNote     = 400 // Note to recipient
	paypalWallet      = "PAYPAL"
)

// paypalWholeUnits lists currencies that PayPal refuses decimals for although ISO 4217 gives
// them two (JPY has none anyway).
var paypalWholeUnits = map[string]bool{"HUF": true, "TWD": true, "JPY": true}

// PayPal writes b as a PayPal Payouts Web batch file: CSV with no header row (PayPal reads the
// first row as the first payment), one row per line:
//
//	recipient email, amount, currency, customer id, note to recipient, recipient wallet
//
// e.g. "anna@example.com,12.30,EUR,PACTUM-P12,Pactum payout 12 for Nov 2026,PAYPAL". The
// customer id is PACTUM-P<payout id>, the same reference as the SEPA EndToEndId, so PayPal's
// report matches back to payouts.
//
// A line must have a PayPalEmail: the account email is not used in its place, since money sent
// to an address the partner never named as their PayPal account may be claimed by someone else
// or sit unclaimed. PayPal takes one currency per file (see SplitByCurrency), and no decimals
// for HUF, JPY and TWD.
func PayPal(w io.Writer, b Batch) error {
	if len(b.Lines) == 0 {
		return pactum.PreconditionError("payouts", "run %d has no payouts to send with PayPal", b.RunID)
	}
	if err := checkLines(b.Lines); err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	first := b.Lines[0].Currency
	for i, l := range b.Lines {
		if l.Currency != first {
			return pactum.PreconditionError(lineField(i, "currency"),
				"%s is paid in %s but payouts[0] in %s; PayPal takes one currency per file, so export each currency on its own",
				who(l), l.Currency, first)
		}
		email := strings.TrimSpace(l.PayPalEmail)
		if email == "" {
			return pactum.PreconditionError(lineField(i, "paypal_email"), "%s has no PayPal email", who(l))
		}
		if !plausibleEmail(email) || len(email) > paypalMaxReceiver {
			return pactum.PreconditionError(lineField(i, "paypal_email"), "%s has a PayPal email that is not an email address", who(l))
		}
		amount := pactum.FormatAmount(l.Amount, l.Currency)
		if paypalWholeUnits[l.Currency] {
			if !l.Amount.IsInteger() {
				return pactum.PreconditionError(lineField(i, "amount"), "%s has amount %s but PayPal pays %s in whole units only",
					who(l), amount, l.Currency)
			}
			amount = l.Amount.StringFixed(0)
		}
		row := []string{email, amount, l.Currency, paypalItemID(l.PayoutID), paypalNote(l.Note), paypalWallet}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return writeAll(w, buf.Bytes())
}

// paypalItemID is the payout's reference at PayPal (its Customer ID column): at most 27
// characters for any int64, within PayPal's 30, and without spaces, which PayPal refuses.
func paypalItemID(payoutID int64) string {
	return "PACTUM-P" + strconv.FormatInt(payoutID, 10)
}

// paypalNote puts the note on one line (PayPal shows it in an email and its activity list) and
// within PayPal's length, counted in characters.
func paypalNote(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsControl(c)
	}), " ")
	if r := []rune(s); len(r) > paypalMaxNote {
		s = string(r[:paypalMaxNote])
	}
	return s
}

// plausibleEmail catches what is clearly not an address (no '@', spaces, a comma from a
// pasted list); PayPal does the real check when the file is uploaded.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || !strings.Contains(s[at:], ".") {
		return false
	}
	return !strings.ContainsFunc(s, func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsControl(c) || strings.ContainsRune(",;<>\"", c)
	})
}
