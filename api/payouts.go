package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/program"
)

type runView struct {
	ID           int64     `json:"id"`
	AdvertiserID int64     `json:"advertiser_id"`
	Date         string    `json:"date"`
	Payouts      int       `json:"payouts"`
	CreatedAt    time.Time `json:"created_at"`
	// Items are the run's payouts, in the answers about one run (not in lists of runs).
	Items *[]payoutView `json:"items,omitempty"`
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
	return runView{ID: r.ID, AdvertiserID: r.AdvertiserID, Date: r.Date, Payouts: r.Payouts, CreatedAt: r.CreatedAt.UTC()}
}

func viewPayout(p pactum.Payout) payoutView {
	return payoutView{ID: p.ID, RunID: p.RunID, AdvertiserID: p.AdvertiserID, PartnerID: p.PartnerID,
		Currency: p.Currency, Amount: pactum.FormatAmount(p.Amount, p.Currency), Commissions: p.Commissions,
		Status: p.Status, Method: p.Method, Reference: p.Reference, Reason: p.Reason,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

// createRun answers the new run with 201, or the existing one of the same program and date with
// 200, each with its payouts.
func (a *API) createRun(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.RunInput
	if err := decode(r, &in); err != nil {
		return err
	}
	run, isNew, err := a.program.CreateRun(r.Context(), c, in)
	if err != nil {
		return err
	}
	view, err := a.runWithPayouts(r, run)
	if err != nil {
		return err
	}
	if isNew {
		return created(w, "/api/v1/payouts/runs/"+strconv.FormatInt(run.ID, 10), view)
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

func (a *API) runWithPayouts(r *http.Request, run pactum.PayoutRun) (runView, error) {
	view := viewRun(run)
	items := []payoutView{}
	payouts, err := a.program.RunPayouts(r.Context(), run)
	for _, p := range payouts {
		items = append(items, viewPayout(p))
	}
	view.Items = &items
	return view, err
}

func (a *API) getRun(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "payout run")
	if err != nil {
		return err
	}
	run, err := a.program.Run(r.Context(), c, id)
	if err != nil {
		return err
	}
	view, err := a.runWithPayouts(r, run)
	return ok(w, view, err)
}

func (a *API) listRuns(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, err := queryOwners(r, "offer_id")
	if err != nil {
		return err
	}
	page, err := a.program.ListRuns(r.Context(), c, o, p)
	return answerList(w, page, err, viewRun)
}

func (a *API) listPayouts(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	var q program.PayoutQuery
	if q.Owners, err = queryOwners(r, "offer_id"); err != nil {
		return err
	}
	if q.RunID, err = queryID(r, "run_id"); err != nil {
		return err
	}
	q.Status = r.URL.Query().Get("status")
	page, err := a.program.ListPayouts(r.Context(), c, q, p)
	return answerList(w, page, err, viewPayout)
}

func (a *API) getPayout(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "payout")
	if err != nil {
		return err
	}
	p, err := a.program.Payout(r.Context(), c, id)
	return ok(w, viewPayout(p), err)
}

func (a *API) settlePayout(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "payout")
	if err != nil {
		return err
	}
	if _, err := a.program.Payout(r.Context(), c, id); err != nil {
		return err
	}
	var in program.SettleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.program.SettlePayout(r.Context(), c, id, in)
	return ok(w, viewPayout(p), err)
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

type balanceView struct {
	PartnerID int64         `json:"partner_id"`
	Balances  []outlookView `json:"balances"`
}

// balance answers a partner's balance with each program in each currency. GET
// /api/v1/partners/{id}/balance, SPEC section 8's path, is partner_id in the path.
func (a *API) balance(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	o, err := queryOwners(r, "offer_id")
	if err != nil {
		return err
	}
	if r.PathValue("id") != "" {
		if o.PartnerID, err = pathID(r, "partner"); err != nil {
			return err
		}
	}
	b, err := a.program.Balance(r.Context(), c, o)
	if err != nil {
		return err
	}
	out := balanceView{PartnerID: b.PartnerID, Balances: []outlookView{}}
	for _, ol := range b.Outlooks {
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
	ConversionID *int64    `json:"conversion_id"`
	PayoutID     *int64    `json:"payout_id"`
	Time         time.Time `json:"time"`
}

func viewEntry(e pactum.LedgerEntry) entryView {
	return entryView{ID: e.ID, PartnerID: e.PartnerID, AdvertiserID: e.AdvertiserID, Currency: e.Currency, Kind: e.Kind,
		Amount: pactum.FormatAmount(e.Amount, e.Currency), ConversionID: idOrNull(e.ConversionID), PayoutID: idOrNull(e.PayoutID), Time: e.Time.UTC()}
}

// listLedger lists ledger entries, oldest first: a partner's statement.
func (a *API) listLedger(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, err := queryOwners(r, "offer_id")
	if err != nil {
		return err
	}
	page, err := a.program.Ledger(r.Context(), c, o, p)
	return answerList(w, page, err, viewEntry)
}

// exportRun answers a run's payouts as a file (program.Service.ExportRun says which).
func (a *API) exportRun(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "payout run")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := a.program.ExportRun(r.Context(), c, id, q.Get("format"), q.Get("currency"))
	if err != nil {
		return err
	}
	answer.WriteFile(w, f.ContentType, f.Filename, f.Body)
	return nil
}
