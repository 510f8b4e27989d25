package pactum

import (
	"strings"
	"unicode/utf8"
)

// Limits of text fields, in characters (runes). Every intake (the API, postbacks, the pixel, shop
// webhooks, the web UI) checks text with CheckText and these limits, so that one value is
// refused or accepted the same way wherever it comes from.
const (
	// MaxText bounds free text: names, sub ids, sources, reasons, references.
	MaxText = 255
	// MaxID bounds the identifiers a conversion carries: order id, click id, coupon, customer
	// id, SKU, category, event name, refund id. They are kept in every conversion record of the
	// event log, up to MaxItems times, so they are shorter than free text.
	MaxID = 128
	// MaxItems bounds the lines of one order: a basket, not a catalogue.
	MaxItems = 500
)

// CheckText refuses text that Pactum would otherwise have to change to store it: invalid UTF-8,
// control characters (NUL included, which PostgreSQL cannot store), and more than max
// characters. It never rewrites a value: an id that lost a byte could merge two orders.
func CheckText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return FieldError(field, "must be valid UTF-8 text")
	}
	n := 0
	for _, r := range s {
		if r < 0x20 || (0x7f <= r && r < 0xa0) {
			return FieldError(field, "must not contain control characters")
		}
		n++
	}
	if n > max {
		return FieldError(field, "must be at most %d characters", max)
	}
	return nil
}

// SpreadsheetText defuses a CSV cell that a spreadsheet would evaluate as a formula (CSV
// injection): text from partners (sub ids, names) reaches the files program managers open.
func SpreadsheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
