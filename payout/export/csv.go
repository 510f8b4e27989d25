package export

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/pactum/pactum"
)

// csvHeader is the plain CSV's first row. New columns go at the end, so that sheets and scripts
// that read columns by position keep working.
var csvHeader = []string{
	"payout_id", "partner_id", "partner_name", "email", "currency", "amount",
	"paypal_email", "iban", "bic", "note",
}

// utf8BOM starts the plain CSV. Without it Excel reads the file as the local 8-bit code page and
// shows "MÃ¼ller" for "Müller"; encoding/csv and most tools skip or tolerate it.
const utf8BOM = "\ufeff"

// CSV writes b as a plain CSV (RFC 4180: comma, double quotes, CRLF) in UTF-8 with a byte order
// mark, one header row then one row per line in the batch's order. Amounts carry exactly their
// currency's minor digits ("0.10", "1500" for JPY), with a dot whatever the locale.
//
// Cells of text that a spreadsheet would run as a formula (starting with = + - @, tab or CR)
// get a leading apostrophe: a partner chooses their own name, and the file is opened by admins.
func CSV(w io.Writer, b Batch) error {
	if err := checkLines(b.Lines); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, l := range b.Lines {
		iban := l.IBAN
		if iban != "" {
			iban = compact(iban)
		}
		row := []string{
			strconv.FormatInt(l.PayoutID, 10),
			strconv.FormatInt(l.PartnerID, 10),
			spreadsheetText(l.PartnerName),
			spreadsheetText(l.Email),
			l.Currency,
			pactum.FormatAmount(l.Amount, l.Currency),
			spreadsheetText(l.PayPalEmail),
			spreadsheetText(iban),
			spreadsheetText(compact(l.BIC)),
			spreadsheetText(l.Note),
		}
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

// spreadsheetText defuses a cell that a spreadsheet would evaluate (CSV injection).
func spreadsheetText(s string) string { return pactum.SpreadsheetText(s) }
