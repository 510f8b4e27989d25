package payout

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Outlook is what a partner can expect from one program in one currency: the balance, what is
// payable now, what becomes payable on which date, and the next payout.
type Outlook struct {
	AdvertiserID int64
	Currency     string
	Pending      decimal.Decimal
	Approved     decimal.Decimal
	Paid         decimal.Decimal
	// PayableNow is the approved balance that a run today would pay (before the minimum).
	PayableNow decimal.Decimal
	// Upcoming is approved commission that becomes payable later, by date.
	Upcoming []Upcoming
	// Next is the program's next scheduled run and what it would pay as things stand; nil for
	// a program that pays by hand.
	Next *NextPayout
}

// Upcoming is an amount that becomes payable on Date.
type Upcoming struct {
	Date   time.Time
	Amount decimal.Decimal
}

// NextPayout is the next scheduled payout. BelowMinimum means the amount is under the partner's
// minimum payout and would roll over, so the run pays nothing.
type NextPayout struct {
	Date         time.Time
	Amount       decimal.Decimal
	BelowMinimum bool
}

// Outlooks works out a partner's outlooks from its balances and its approved, unpaid
// commissions by day, with the programs' schedules, as of now.
func Outlooks(p pactum.Partner, balances []pactum.Balance, unpaid []pactum.ApprovedDay, programs map[int64]pactum.Advertiser, now time.Time) []Outlook {
	today := Day(now)
	out := make([]Outlook, 0, len(balances))
	for _, b := range balances {
		prog := programs[b.AdvertiserID]
		o := Outlook{AdvertiserID: b.AdvertiserID, Currency: b.Currency, Pending: b.Pending, Approved: b.Approved, Paid: b.Paid}
		// notPayable(d) is what the approved balance holds that a run on d may not pay yet.
		byDate := map[time.Time]decimal.Decimal{}
		notPayable := func(d time.Time) decimal.Decimal {
			sum := decimal.Zero
			for _, u := range unpaid {
				if u.AdvertiserID == b.AdvertiserID && u.Currency == b.Currency && PayableFrom(prog, u.Day).After(d) {
					sum = sum.Add(u.Amount)
				}
			}
			return sum
		}
		for _, u := range unpaid {
			if u.AdvertiserID == b.AdvertiserID && u.Currency == b.Currency {
				if from := PayableFrom(prog, u.Day); from.After(today) {
					byDate[from] = byDate[from].Add(u.Amount)
				}
			}
		}
		for d, amount := range byDate {
			o.Upcoming = append(o.Upcoming, Upcoming{Date: d, Amount: amount})
		}
		sort.Slice(o.Upcoming, func(i, j int) bool { return o.Upcoming[i].Date.Before(o.Upcoming[j].Date) })
		o.PayableNow = pactum.Round(decimal.Max(b.Approved.Sub(notPayable(today)), decimal.Zero), b.Currency)
		if next, ok := Next(prog, today); ok {
			amount := pactum.Round(decimal.Max(b.Approved.Sub(notPayable(next)), decimal.Zero), b.Currency)
			below := amount.IsZero() || (b.Currency == p.Currency && amount.LessThan(p.MinPayout))
			o.Next = &NextPayout{Date: next, Amount: amount, BelowMinimum: below}
		}
		out = append(out, o)
	}
	return out
}
