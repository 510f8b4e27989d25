// Package payout decides when programs pay their partners and runs it: the schedule of each
// program (weekly, monthly or manual, with net days), the payout runs it makes through the store,
// and the background jobs that approve commissions when their hold period ends and make the
// scheduled runs, catching up on whatever they missed while the process was down.
package payout

import (
	"time"

	"github.com/pactum/pactum"
)

// Day returns t's date at UTC midnight.
func Day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Due reports whether a's schedule has a run on day. Manual programs have none.
func Due(a pactum.Advertiser, day time.Time) bool {
	day = Day(day)
	switch a.PayoutSchedule {
	case pactum.PayoutWeekly:
		wd := int(day.Weekday())
		if wd == 0 {
			wd = 7 // ISO: Sunday is 7
		}
		return wd == a.PayoutWeekday
	case pactum.PayoutMonthly:
		return day.Day() == a.PayoutDay
	}
	return false
}

// Next returns the first day on or after from when a's schedule runs, and false for a manual
// program.
func Next(a pactum.Advertiser, from time.Time) (time.Time, bool) {
	day := Day(from)
	for range 32 { // every weekly and monthly schedule (days 1..28) runs within 32 days
		if Due(a, day) {
			return day, true
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// Settings returns the store's settings of a's run for day: a commission is payable in it when
// it was approved before the end of day less the program's net days.
func Settings(a pactum.Advertiser, day, now time.Time) pactum.RunSettings {
	day = Day(day)
	return pactum.RunSettings{
		AdvertiserID: a.ID, Date: day, Cutoff: day.AddDate(0, 0, 1-a.NetDays), Now: now,
	}
}

// PayableFrom returns the first run date on which a commission approved at approvedAt is
// payable.
func PayableFrom(a pactum.Advertiser, approvedAt time.Time) time.Time {
	return Day(approvedAt).AddDate(0, 0, a.NetDays)
}
