package program

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/payout"
	"github.com/pactum/pactum/payout/export"
)

// Payout runs, payouts, balances and ledger entries (SPEC section 6). Admins see everything; an
// advertiser its own program's runs and payouts, and may run and settle them; a partner its own
// balance, entries and payouts, never another's.

// RunInput asks for the payout run of a program for a date ("" is today).
type RunInput struct {
	AdvertiserID int64  `json:"advertiser_id"`
	Date         string `json:"date"`
}

// CreateRun makes the run of a program for a date, whatever its schedule: a manual program runs
// this way. The same program and date again return the existing run with created false, having
// paid nothing twice.
func (s *Service) CreateRun(ctx context.Context, c Caller, in RunInput) (run pactum.PayoutRun, created bool, err error) {
	if err := c.Allow("run payouts", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return run, false, err
	}
	if c.IsAdvertiser() {
		if in.AdvertiserID != 0 && in.AdvertiserID != c.AdvertiserID {
			return run, false, Denied("an advertiser key runs its own program's payouts only")
		}
		in.AdvertiserID = c.AdvertiserID
	}
	if in.AdvertiserID <= 0 {
		return run, false, pactum.FieldError("advertiser_id", "is required: the program whose partners are paid")
	}
	now := s.now()
	day := payout.Day(now)
	if in.Date != "" {
		d, err := time.Parse(time.DateOnly, in.Date)
		if err != nil {
			return run, false, pactum.FieldError("date", "must be a date such as 2026-11-30, not %q", in.Date)
		}
		if d.After(day) {
			// A run pays what is payable by its date: one dated ahead would pay commissions
			// before their net days are over.
			return run, false, pactum.FieldError("date", "%s is after today (%s): a run can only pay what is payable by now", in.Date, day.Format(time.DateOnly))
		}
		day = d
	}
	adv, err := s.store.Advertiser(ctx, in.AdvertiserID)
	if isNotFound(err) {
		return run, false, pactum.FieldError("advertiser_id", "advertiser %d does not exist", in.AdvertiserID)
	} else if err != nil {
		return run, false, err
	}
	return s.store.RunPayouts(ctx, payout.Settings(adv, day, now))
}

// Run returns payout run id if the caller may see it.
func (s *Service) Run(ctx context.Context, c Caller, id int64) (pactum.PayoutRun, error) {
	if err := c.Allow("see payout runs", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.PayoutRun{}, err
	}
	run, err := s.store.PayoutRun(ctx, id)
	if err != nil {
		return run, orNotFound(err, "payout run", id)
	}
	if !c.CanSeeRun(run.AdvertiserID) {
		return pactum.PayoutRun{}, NotFound("payout run", id)
	}
	return run, nil
}

// RunPayouts returns every payout of run, which the caller has been let see.
func (s *Service) RunPayouts(ctx context.Context, run pactum.PayoutRun) ([]pactum.Payout, error) {
	return all(func(p pactum.Page) ([]pactum.Payout, error) {
		return s.store.ListPayouts(ctx, pactum.PayoutFilter{RunID: run.ID}, p)
	}, func(p pactum.Payout) int64 { return p.ID })
}

// ListRuns lists the runs the caller may see, of the program o names if any.
func (s *Service) ListRuns(ctx context.Context, c Caller, o Owners, p pactum.Page) (Page[pactum.PayoutRun], error) {
	if err := c.Allow("see payout runs", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return Page[pactum.PayoutRun]{}, err
	}
	o, ok := c.Scope(o)
	if !ok {
		return Page[pactum.PayoutRun]{Items: []pactum.PayoutRun{}}, nil
	}
	fetch := func(pg pactum.Page) ([]pactum.PayoutRun, error) {
		return s.store.ListPayoutRuns(ctx, o.AdvertiserID, pg)
	}
	return collect(p, fetch, func(run pactum.PayoutRun) int64 { return run.ID }, nil)
}

// PayoutQuery filters a list of payouts.
type PayoutQuery struct {
	Owners
	RunID  int64
	Status string
}

// ListPayouts lists the payouts the caller may see that match q.
func (s *Service) ListPayouts(ctx context.Context, c Caller, q PayoutQuery, p pactum.Page) (Page[pactum.Payout], error) {
	if q.Status != "" {
		if err := CheckOneOf("status", q.Status, pactum.PayoutPending, pactum.PayoutPaid, pactum.PayoutFailed); err != nil {
			return Page[pactum.Payout]{}, err
		}
	}
	o, ok := c.Scope(q.Owners)
	if !ok {
		return Page[pactum.Payout]{Items: []pactum.Payout{}}, nil
	}
	f := pactum.PayoutFilter{RunID: q.RunID, AdvertiserID: o.AdvertiserID, PartnerID: o.PartnerID, Status: q.Status}
	fetch := func(pg pactum.Page) ([]pactum.Payout, error) { return s.store.ListPayouts(ctx, f, pg) }
	return collect(p, fetch, func(p pactum.Payout) int64 { return p.ID }, nil)
}

// Payout returns payout id if the caller may see it.
func (s *Service) Payout(ctx context.Context, c Caller, id int64) (pactum.Payout, error) {
	p, err := s.store.Payout(ctx, id)
	if err != nil {
		return p, orNotFound(err, "payout", id)
	}
	if !c.CanSeePayout(p) {
		return pactum.Payout{}, NotFound("payout", id)
	}
	return p, nil
}

// SettleInput marks a payout paid, with the payment's reference, or failed, with the reason.
type SettleInput struct {
	Status    string `json:"status"`
	Reference string `json:"reference"`
	Reason    string `json:"reason"`
}

// SettlePayout marks a pending payout paid or failed: then the money returns to the partner's
// balance and the commissions to the next run.
func (s *Service) SettlePayout(ctx context.Context, c Caller, id int64, in SettleInput) (pactum.Payout, error) {
	if err := c.Allow("settle payouts", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Payout{}, err
	}
	p, err := s.Payout(ctx, c, id)
	if err != nil {
		return p, err
	}
	// Paid needs the payment's reference, failed the reason.
	field, text, why := "reference", in.Reference, "the bank's or PayPal's reference of the payment"
	switch in.Status {
	case pactum.PayoutPaid:
	case pactum.PayoutFailed:
		field, text, why = "reason", in.Reason, "say why the payment failed"
	default:
		return p, pactum.FieldError("status", "must be %q or %q, not %q", pactum.PayoutPaid, pactum.PayoutFailed, in.Status)
	}
	if text == "" {
		return p, pactum.FieldError(field, "is required: %s", why)
	}
	if err := checkText(field, text); err != nil {
		return p, err
	}
	return s.store.SettlePayout(ctx, p.ID, in.Status, text, s.now())
}

// Balance is a partner's balance with each program in each currency.
type Balance struct {
	PartnerID int64
	Outlooks  []payout.Outlook
}

// Balance returns partner o.PartnerID's balances: pending, approved, payable now, what becomes
// payable when, and the next payout. A partner sees its own; an admin names the partner; an
// advertiser sees partners' balances with its program.
func (s *Service) Balance(ctx context.Context, c Caller, o Owners) (Balance, error) {
	o, ok := c.Scope(o)
	if o.PartnerID == 0 {
		return Balance{}, pactum.FieldError("partner_id", "is required: whose balance")
	}
	out := Balance{PartnerID: o.PartnerID, Outlooks: []payout.Outlook{}}
	if !ok {
		return out, nil
	}
	partner, err := s.store.Partner(ctx, o.PartnerID)
	if isNotFound(err) {
		if c.IsAdmin() {
			return out, NotFound("partner", o.PartnerID)
		}
		// Others get the empty answer of a partner without money, so that ids do not leak.
		return out, nil
	} else if err != nil {
		return out, err
	}
	balances, err := s.store.Balances(ctx, pactum.LedgerFilter{PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID})
	if err != nil {
		return out, err
	}
	unpaid, err := s.store.UnpaidApproved(ctx, o.PartnerID)
	if err != nil {
		return out, err
	}
	programs := map[int64]pactum.Advertiser{}
	for _, b := range balances {
		if _, ok := programs[b.AdvertiserID]; !ok {
			adv, err := s.store.Advertiser(ctx, b.AdvertiserID)
			if err != nil {
				return out, err
			}
			programs[b.AdvertiserID] = adv
		}
	}
	out.Outlooks = payout.Outlooks(partner, balances, unpaid, programs, s.now())
	return out, nil
}

// Ledger lists the ledger entries the caller may see that match o, oldest first: a partner's
// statement.
func (s *Service) Ledger(ctx context.Context, c Caller, o Owners, p pactum.Page) (Page[pactum.LedgerEntry], error) {
	o, ok := c.Scope(o)
	if !ok {
		return Page[pactum.LedgerEntry]{Items: []pactum.LedgerEntry{}}, nil
	}
	f := pactum.LedgerFilter{PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID}
	fetch := func(pg pactum.Page) ([]pactum.LedgerEntry, error) { return s.store.LedgerEntries(ctx, f, pg) }
	return collect(p, fetch, func(e pactum.LedgerEntry) int64 { return e.ID }, nil)
}

// Export is a run's payouts as a file.
type Export struct {
	ContentType string
	Filename    string
	Body        []byte
}

// ExportRun writes a run's payouts as a file: format csv (a report of every payout that did not
// fail; bank details only for admins), paypal (a PayPal Payouts batch of the pending payouts of
// partners paid by PayPal; one currency per file, chosen with currency when there are several)
// or sepa (a pain.001.001.03 credit transfer of the pending EUR payouts of partners paid by
// SEPA). A payment file never holds a payout that is settled, or one the partner is paid another
// way, so that uploading both files, or a file again after some payouts were marked paid, pays
// nobody twice.
func (s *Service) ExportRun(ctx context.Context, c Caller, id int64, format, currency string) (Export, error) {
	run, err := s.Run(ctx, c, id)
	if err != nil {
		return Export{}, err
	}
	if format == "" {
		format = "csv"
	}
	var write func(io.Writer, export.Batch) error
	out := Export{ContentType: "text/csv; charset=utf-8"}
	ext := "csv"
	switch format {
	case "csv":
		write = export.CSV
	case "paypal":
		write = export.PayPal
	case "sepa":
		write, out.ContentType, ext = export.SEPA, "application/xml", "xml"
		switch currency {
		case "":
			currency = "EUR"
		case "EUR":
		default:
			return Export{}, pactum.FieldError("currency", "must be EUR for a SEPA file (SEPA credit transfers are in euros), not %q", currency)
		}
	default:
		return Export{}, pactum.FieldError("format", "must be csv, paypal or sepa, not %q", format)
	}
	if currency != "" && !pactum.ValidCurrency(currency) {
		return Export{}, pactum.FieldError("currency", "%q is not a currency Pactum knows", currency)
	}
	adv, err := s.store.Advertiser(ctx, run.AdvertiserID)
	if err != nil {
		return Export{}, err
	}
	exec := payout.Day(s.now())
	if d, err := time.Parse(time.DateOnly, run.Date); err == nil && d.After(exec) {
		exec = d
	}
	b := export.Batch{RunID: run.ID, Date: exec, CreatedAt: run.CreatedAt,
		Debtor: export.Debtor{Name: adv.LegalName, IBAN: adv.IBAN, BIC: adv.BIC}}
	if b.Debtor.Name == "" {
		b.Debtor.Name = adv.Name
	}
	payouts, err := s.RunPayouts(ctx, run)
	if err != nil {
		return Export{}, err
	}
	currencies := map[string]bool{}
	for _, p := range payouts {
		if p.Status == pactum.PayoutFailed || (currency != "" && p.Currency != currency) {
			continue
		}
		if format != "csv" && (p.Status != pactum.PayoutPending || p.Method != format) {
			continue
		}
		partner, err := s.store.Partner(ctx, p.PartnerID)
		if err != nil {
			return Export{}, err
		}
		if format == "csv" && !c.SeesPartnerAccount(partner.ID) {
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
	if format == "paypal" && len(currencies) > 1 {
		return Export{}, pactum.FieldError("currency", "is required: run %d pays in several currencies and a PayPal batch holds one", run.ID)
	}
	var buf bytes.Buffer
	if err := write(&buf, b); err != nil {
		return Export{}, err
	}
	out.Filename = fmt.Sprintf("pactum-run-%d-%s.%s", run.ID, format, ext)
	out.Body = buf.Bytes()
	return out, nil
}
