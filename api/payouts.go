package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/payout"
	"github.com/pactum/pactum/payout/export"
)

// Payout runs, payouts, balances and ledger entries (SPEC section 6). Admins see everything; an
// advertiser key its own program's runs and payouts, and may run and settle them; a partner key
// its own balance, entries and payouts, never another's.

type runView struct {
	ID           int64        `json:"id"`
	AdvertiserID int64        `json:"advertiser_id"`
	Date         string       `json:"date"`
	Payouts      int          `json:"payouts"`
	CreatedAt    time.Time    `json:"created_at"`
	Items        []payoutView `json:"items,omitempty"`
}

type payoutView struct {
	ID           int64     `json:"id"`
	RunID        int64     `json:"run_id"`
	AdvertiserID int64     `json:"advertiser_id"`
	PartnerID    int64     `json:"partner_id"`
	Currency     string    `json:"currency"`
	Amount       string    `json:"amount"`
	Commissions  int64     `json:"commissions"`
	Status       string    `json:"status"`
	Method       string    `json:"method"`
	Reference    string    `json:"reference"`
	Reason       string    `json:"reason"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func viewRun(r pactum.PayoutRun) runView {
	return runView{ID: r.ID, AdvertiserID: r.AdvertiserID, Date: r.Date, Payouts: r.Payouts, CreatedAt: r.CreatedAt}
}

func viewPayout(p pactum.Payout) payoutView {
	return payoutView{ID: p.ID, RunID: p.RunID, AdvertiserID: p.AdvertiserID, PartnerID: p.PartnerID,
		Currency: p.Currency, Amount: pactum.FormatAmount(p.Amount, p.Currency), Commissions: p.Commissions,
		Status: p.Status, Method: p.Method, Reference: p.Reference, Reason: p.Reason,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type runInput struct {
	AdvertiserID int64  `json:"advertiser_id"`
	Date         string `json:"date"`
}

// createRun makes the run of a program for a date (today by default) whatever its schedule: a
// manual program runs this way. The same program and date again answer the existing run with
// 200, having paid nothing twice.
func (a *API) createRun(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("run payouts", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	var in runInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if c.advertiser() {
		if in.AdvertiserID != 0 && in.AdvertiserID != c.advertiserID {
			return denied("an advertiser key runs its own program's payouts only")
		}
		in.AdvertiserID = c.advertiserID
	}
	if in.AdvertiserID <= 0 {
		return pactum.FieldError("advertiser_id", "is required: the program whose partners are paid")
	}
	now := a.now()
	day := payout.Day(now)
	if in.Date != "" {
		d, err := time.Parse(time.DateOnly, in.Date)
		if err != nil {
			return pactum.FieldError("date", "must be a date such as 2026-11-30, not %q", in.Date)
		}
		if d.After(day) {
			// A run pays what is payable by its date: one dated ahead would pay commissions
			// before their net days are over.
			return pactum.FieldError("date", "%s is after today (%s): a run can only pay what is payable by now", in.Date, day.Format(time.DateOnly))
		}
		day = d
	}
	adv, err := a.store.Advertiser(r.Context(), in.AdvertiserID)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return pactum.FieldError("advertiser_id", "advertiser %d does not exist", in.AdvertiserID)
	} else if err != nil {
		return err
	}
	run, created, err := a.store.RunPayouts(r.Context(), payout.Settings(adv, day, now))
	if err != nil {
		return err
	}
	view, err := a.runWithPayouts(r, run)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/payouts/runs/"+strconv.FormatInt(run.ID, 10))
	}
	writeJSON(w, status, view)
	return nil
}

func (a *API) runWithPayouts(r *http.Request, run pactum.PayoutRun) (runView, error) {
	view := viewRun(run)
	view.Items = []payoutView{}
	payouts, err := a.runPayouts(r, run.ID)
	for _, p := range payouts {
		view.Items = append(view.Items, viewPayout(p))
	}
	return view, err
}

// runPayouts returns every payout of run id.
func (a *API) runPayouts(r *http.Request, id int64) ([]pactum.Payout, error) {
	var out []pactum.Payout
	for after := int64(0); ; {
		page, err := a.store.ListPayouts(r.Context(), pactum.PayoutFilter{RunID: id}, pactum.Page{Limit: maxLimit, After: after})
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			out = append(out, p)
			after = p.ID
		}
		if len(page) < maxLimit {
			return out, nil
		}
	}
}

// run returns run id if c may see it.
func (a *API) run(r *http.Request, c caller) (pactum.PayoutRun, error) {
	id, err := pathID(r, "payout run")
	if err != nil {
		return pactum.PayoutRun{}, err
	}
	if err := c.allow("see payout runs", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.PayoutRun{}, err
	}
	run, err := a.store.PayoutRun(r.Context(), id)
	if err != nil {
		return run, err
	}
	if c.advertiser() && run.AdvertiserID != c.advertiserID {
		return pactum.PayoutRun{}, notFound("payout run", id)
	}
	return run, nil
}

func (a *API) getRun(w http.ResponseWriter, r *http.Request, c caller) error {
	run, err := a.run(r, c)
	if err != nil {
		return err
	}
	view, err := a.runWithPayouts(r, run)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

func (a *API) listRuns(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("see payout runs", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, ok, err := readOwners(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.PayoutRun(nil), "", viewRun)
	}
	fetch := func(pg pactum.Page) ([]pactum.PayoutRun, error) {
		return a.store.ListPayoutRuns(r.Context(), o.advertiserID, pg)
	}
	items, next, err := collect(p, fetch, func(run pactum.PayoutRun) int64 { return run.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, viewRun)
}

func (a *API) listPayouts(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, ok, err := readOwners(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.Payout(nil), "", viewPayout)
	}
	runID, err := queryID(r, "run_id")
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status != "" {
		if err := checkOneOf("status", status, pactum.PayoutPending, pactum.PayoutPaid, pactum.PayoutFailed); err != nil {
			return err
		}
	}
	f := pactum.PayoutFilter{RunID: runID, AdvertiserID: o.advertiserID, PartnerID: o.partnerID, Status: status}
	fetch := func(pg pactum.Page) ([]pactum.Payout, error) { return a.store.ListPayouts(r.Context(), f, pg) }
	items, next, err := collect(p, fetch, func(p pactum.Payout) int64 { return p.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, viewPayout)
}

// payout returns payout id if c may see it.
func (a *API) payout(r *http.Request, c caller) (pactum.Payout, error) {
	id, err := pathID(r, "payout")
	if err != nil {
		return pactum.Payout{}, err
	}
	p, err := a.store.Payout(r.Context(), id)
	if err != nil {
		return p, err
	}
	if (c.advertiser() && p.AdvertiserID != c.advertiserID) || (c.partner() && p.PartnerID != c.partnerID) {
		return pactum.Payout{}, notFound("payout", id)
	}
	return p, nil
}

func (a *API) getPayout(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := a.payout(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPayout(p))
	return nil
}

type settleInput struct {
	Status    string `json:"status"`
	Reference string `json:"reference"`
	Reason    string `json:"reason"`
}

// settlePayout marks a pending payout paid, with the payment's reference, or failed, with the
// reason: then the money returns to the partner's balance and the commissions to the next run.
func (a *API) settlePayout(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("settle payouts", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	p, err := a.payout(r, c)
	if err != nil {
		return err
	}
	var in settleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	// Paid needs the payment's reference, failed the reason.
	field, text, why := "reference", in.Reference, "the bank's or PayPal's reference of the payment"
	switch in.Status {
	case pactum.PayoutPaid:
	case pactum.PayoutFailed:
		field, text, why = "reason", in.Reason, "say why the payment failed"
	default:
		return pactum.FieldError("status", "must be %q or %q, not %q", pactum.PayoutPaid, pactum.PayoutFailed, in.Status)
	}
	if text == "" {
		return pactum.FieldError(field, "is required: %s", why)
	}
	if err := checkText(field, text); err != nil {
		return err
	}
	settled, err := a.store.SettlePayout(r.Context(), p.ID, in.Status, text, a.now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPayout(settled))
	return nil
}

type outlookView struct {
	AdvertiserID int64          `json:"advertiser_id"`
	Currency     string         `json:"currency"`
	Pending      string         `json:"pending"`
	Approved     string         `json:"approved"`
	PayableNow   string         `json:"payable_now"`
	Paid         string         `json:"paid"`
	Upcoming     []upcomingView `json:"upcoming"`
	NextPayout   *nextView      `json:"next_payout"`
}

type upcomingView struct {
	Date   string `json:"date"`
	Amount string `json:"amount"`
}

type nextView struct {
	Date         string `json:"date"`
	Amount       string `json:"amount"`
	BelowMinimum bool   `json:"below_minimum"`
}

// balance answers a partner's balance with each program in each currency: pending, approved,
// payable now, what becomes payable when, and the next payout. A partner key sees its own; an
// admin names the partner (partner_id); an advertiser sees partners' balances with its program.
func (a *API) balance(w http.ResponseWriter, r *http.Request, c caller) error {
	if id := r.PathValue("id"); id != "" {
		// GET /api/v1/partners/{id}/balance, SPEC section 8's path, is partner_id in the path.
		q := r.URL.Query()
		q.Set("partner_id", id)
		r.URL.RawQuery = q.Encode()
	}
	o, ok, err := readOwners(r, c)
	if err != nil {
		return err
	}
	if o.partnerID == 0 {
		return pactum.FieldError("partner_id", "is required: whose balance")
	}
	out := struct {
		PartnerID int64         `json:"partner_id"`
		Balances  []outlookView `json:"balances"`
	}{PartnerID: o.partnerID, Balances: []outlookView{}}
	if !ok {
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	partner, err := a.store.Partner(r.Context(), o.partnerID)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		if c.admin() {
			return notFound("partner", o.partnerID)
		}
		// Others get the empty answer of a partner without money, so that ids do not leak.
		writeJSON(w, http.StatusOK, out)
		return nil
	} else if err != nil {
		return err
	}
	balances, err := a.store.Balances(r.Context(), pactum.LedgerFilter{PartnerID: o.partnerID, AdvertiserID: o.advertiserID})
	if err != nil {
		return err
	}
	unpaid, err := a.store.UnpaidApproved(r.Context(), o.partnerID)
	if err != nil {
		return err
	}
	programs := map[int64]pactum.Advertiser{}
	for _, b := range balances {
		if _, ok := programs[b.AdvertiserID]; !ok {
			adv, err := a.store.Advertiser(r.Context(), b.AdvertiserID)
			if err != nil {
				return err
			}
			programs[b.AdvertiserID] = adv
		}
	}
	for _, ol := range payout.Outlooks(partner, balances, unpaid, programs, a.now()) {
		v := outlookView{
			AdvertiserID: ol.AdvertiserID, Currency: ol.Currency,
			Pending: pactum.FormatAmount(ol.Pending, ol.Currency), Approved: pactum.FormatAmount(ol.Approved, ol.Currency),
			PayableNow: pactum.FormatAmount(ol.PayableNow, ol.Currency), Paid: pactum.FormatAmount(ol.Paid, ol.Currency),
			Upcoming: []upcomingView{},
		}
		for _, u := range ol.Upcoming {
			v.Upcoming = append(v.Upcoming, upcomingView{Date: u.Date.Format(time.DateOnly), Amount: pactum.FormatAmount(u.Amount, ol.Currency)})
		}
		if ol.Next != nil {
			v.NextPayout = &nextView{Date: ol.Next.Date.Format(time.DateOnly), Amount: pactum.FormatAmount(ol.Next.Amount, ol.Currency), BelowMinimum: ol.Next.BelowMinimum}
		}
		out.Balances = append(out.Balances, v)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type entryView struct {
	ID           int64     `json:"id"`
	PartnerID    int64     `json:"partner_id"`
	AdvertiserID int64     `json:"advertiser_id"`
	Currency     string    `json:"currency"`
	Kind         string    `json:"kind"`
	Amount       string    `json:"amount"`
	ConversionID int64     `json:"conversion_id,omitempty"`
	PayoutID     int64     `json:"payout_id,omitempty"`
	Time         time.Time `json:"time"`
}

func viewEntry(e pactum.LedgerEntry) entryView {
	return entryView{ID: e.ID, PartnerID: e.PartnerID, AdvertiserID: e.AdvertiserID, Currency: e.Currency, Kind: e.Kind,
		Amount: pactum.FormatAmount(e.Amount, e.Currency), ConversionID: e.ConversionID, PayoutID: e.PayoutID, Time: e.Time}
}

// listLedger lists ledger entries, oldest first: a partner's statement.
func (a *API) listLedger(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, ok, err := readOwners(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.LedgerEntry(nil), "", viewEntry)
	}
	f := pactum.LedgerFilter{PartnerID: o.partnerID, AdvertiserID: o.advertiserID}
	fetch := func(pg pactum.Page) ([]pactum.LedgerEntry, error) { return a.store.LedgerEntries(r.Context(), f, pg) }
	items, next, err := collect(p, fetch, func(e pactum.LedgerEntry) int64 { return e.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, viewEntry)
}

// exportRun answers a run's payouts as a file: format csv (a report of every payout that did
// not fail; bank details only for admins), paypal (a PayPal Payouts batch of the pending
// payouts of partners paid by PayPal; one currency per file, chosen with currency when there
// are several) or sepa (a pain.001.001.03 credit transfer of the pending EUR payouts of partners
// paid by SEPA). A payment file never holds a payout that is settled, or one the partner is paid
// another way, so that uploading both files, or a file again after some payouts were marked
// paid, pays nobody twice.
func (a *API) exportRun(w http.ResponseWriter, r *http.Request, c caller) error {
	run, err := a.run(r, c)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	currency := r.URL.Query().Get("currency")
	switch {
	case format == "sepa" && currency == "":
		currency = "EUR"
	case format == "sepa" && currency != "EUR":
		return pactum.FieldError("currency", "must be EUR for a SEPA file (SEPA credit transfers are in euros), not %q", currency)
	}
	adv, err := a.store.Advertiser(r.Context(), run.AdvertiserID)
	if err != nil {
		return err
	}
	exec := payout.Day(a.now())
	if d, err := time.Parse(time.DateOnly, run.Date); err == nil && d.After(exec) {
		exec = d
	}
	b := export.Batch{RunID: run.ID, Date: exec, CreatedAt: run.CreatedAt,
		Debtor: export.Debtor{Name: adv.LegalName, IBAN: adv.IBAN, BIC: adv.BIC}}
	if b.Debtor.Name == "" {
		b.Debtor.Name = adv.Name
	}
	payouts, err := a.runPayouts(r, run.ID)
	if err != nil {
		return err
	}
	currencies := map[string]bool{}
	if currency != "" && !pactum.ValidCurrency(currency) {
		return pactum.FieldError("currency", "%q is not a currency Pactum knows", currency)
	}
	for _, p := range payouts {
		if p.Status == pactum.PayoutFailed || (currency != "" && p.Currency != currency) {
			continue
		}
		if format != "csv" && (p.Status != pactum.PayoutPending || p.Method != format) {
			continue
		}
		partner, err := a.store.Partner(r.Context(), p.PartnerID)
		if err != nil {
			return err
		}
		if format == "csv" && !c.admin() {
			// Partners' accounts are for the admins, and for the payment files that need them.
			partner.IBAN, partner.BIC, partner.PayPalEmail = "", "", ""
		}
		currencies[p.Currency] = true
		b.Lines = append(b.Lines, export.Line{
			PayoutID: p.ID, PartnerID: p.PartnerID, PartnerName: partner.Name, Email: partner.Email,
			PayPalEmail: partner.PayPalEmail, IBAN: partner.IBAN, BIC: partner.BIC,
			Currency: p.Currency, Amount: p.Amount,
			Note: fmt.Sprintf("%s payout %d of %s", adv.Name, p.ID, run.Date),
		})
	}
	var write func(io.Writer, export.Batch) error
	contentType, ext := "text/csv; charset=utf-8", "csv"
	switch format {
	case "csv":
		write = export.CSV
	case "paypal":
		if len(currencies) > 1 {
			return pactum.FieldError("currency", "is required: run %d pays in several currencies and a PayPal batch holds one", run.ID)
		}
		write = export.PayPal
	case "sepa":
		write, contentType, ext = export.SEPA, "application/xml", "xml"
	default:
		return pactum.FieldError("format", "must be csv, paypal or sepa, not %q", format)
	}
	var buf bytes.Buffer
	if err := write(&buf, b); err != nil {
		return err
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="pactum-run-%d-%s.%s"`, run.ID, format, ext))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}
