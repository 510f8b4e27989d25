package web

import (
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// A partner's statement: every entry of its ledger (program.Ledger, its own only), oldest first,
// as a CSV that a spreadsheet opens as it is: UTF-8 with a byte order mark (else Excel reads the
// local code page), amounts with their currency's digits and a dot, and text that a spreadsheet
// would run as a formula defused (pactum.SpreadsheetText). Each row says what moved, and the
// partner's pending, approved and paid money with that program in that currency after it, so
// that the last row of each is the balance page's.

// statementHeader is the statement's first row; new columns go at the end.
var statementHeader = []string{"time_utc", "program", "currency", "entry", "description", "amount",
	"pending_after", "approved_after", "paid_after", "conversion_id", "payout_id", "payout_reference"}

// entryWords says what each kind of entry means for the partner.
var entryWords = map[string]string{
	pactum.LedgerAccrued:      "commission earned, waiting for approval",
	pactum.LedgerApproved:     "commission approved: yours, paid in a coming payout",
	pactum.LedgerReversed:     "commission taken back before approval (rejected or refunded)",
	pactum.LedgerClawback:     "approved commission taken back (refunded or rejected after approval), netted from your next payout",
	pactum.LedgerPaid:         "paid out",
	pactum.LedgerPayoutFailed: "payout failed: the money is yours again",
}

// statement sends the partner's whole ledger as a CSV download.
func (s *Server) statement(w http.ResponseWriter, r *http.Request, v *viewer) error {
	page, err := s.program.Ledger(r.Context(), v.Caller, program.Owners{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return err
	}
	names, err := s.programNames(r, v)
	if err != nil {
		return err
	}
	refs := map[int64]string{}
	for after := int64(0); ; {
		payouts, err := s.program.ListPayouts(r.Context(), v.Caller, program.PayoutQuery{}, pactum.Page{Limit: program.MaxPage, After: after})
		if err != nil {
			return err
		}
		for _, p := range payouts.Items {
			refs[p.ID] = p.Reference
		}
		if after = payouts.Next; after == 0 {
			break
		}
	}
	name := fmt.Sprintf("pactum-statement-%s.csv", s.program.Now().UTC().Format("2006-01-02"))
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write([]byte("\ufeff")) //nolint:errcheck // the client has gone
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	cw.Write(statementHeader) //nolint:errcheck // seen at Flush
	type key struct {
		advertiser int64
		currency   string
	}
	balances := map[key]*pactum.Balance{}
	for {
		for _, e := range page.Items {
			k := key{e.AdvertiserID, e.Currency}
			b := balances[k]
			if b == nil {
				b = &pactum.Balance{}
				balances[k] = b
			}
			b.Apply(e)
			prog := names[e.AdvertiserID]
			if prog == "" {
				prog = "program " + strconv.FormatInt(e.AdvertiserID, 10)
			}
			row := []string{e.Time.UTC().Format("2006-01-02 15:04:05"), pactum.SpreadsheetText(prog), e.Currency, e.Kind,
				entryWords[e.Kind], pactum.FormatAmount(e.Amount, e.Currency),
				pactum.FormatAmount(b.Pending, e.Currency), pactum.FormatAmount(b.Approved, e.Currency), pactum.FormatAmount(b.Paid, e.Currency),
				idText(e.ConversionID), idText(e.PayoutID), pactum.SpreadsheetText(refs[e.PayoutID])}
			cw.Write(row) //nolint:errcheck // seen at Flush
		}
		if page.Next == 0 {
			break
		}
		if page, err = s.program.Ledger(r.Context(), v.Caller, program.Owners{}, pactum.Page{Limit: program.MaxPage, After: page.Next}); err != nil {
			// Half a file is sent: cut the connection, so that the download fails rather than
			// looking complete.
			s.logger.ErrorContext(r.Context(), "web: statement failed", "err", err)
			panic(http.ErrAbortHandler)
		}
	}
	cw.Flush()
	return nil
}

// idText writes an id, or nothing for 0.
func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
