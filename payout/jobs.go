package payout

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/pactum/pactum"
)

// approveBatch is how many conversions one approval transaction takes.
const approveBatch = 1000

// catchUpDays is how far back the scheduler looks for runs it missed while down.
const catchUpDays = 35

// Store is what the jobs need of the store.
type Store interface {
	ApproveDue(ctx context.Context, now time.Time, limit int) (int, error)
	ListAdvertisers(ctx context.Context, p pactum.Page) ([]pactum.Advertiser, error)
	Advertiser(ctx context.Context, id int64) (pactum.Advertiser, error)
	RunPayouts(ctx context.Context, rs pactum.RunSettings) (pactum.PayoutRun, bool, error)
}

// Jobs are the background work of payouts. Each works from the store's state, not from memory,
// so a restart resumes it and a job that was down catches up on its first pass.
type Jobs struct {
	Store  Store
	Now    func() time.Time
	Logger *slog.Logger
	// Every is how often the jobs look for work (default one minute).
	Every time.Duration

	// made remembers the runs known to exist, so that each pass asks the store only for runs
	// it has not seen yet rather than writing a transaction per scheduled day every minute.
	// Only Schedule's goroutine touches it.
	made map[madeRun]bool
}

type madeRun struct {
	advertiser int64
	day        time.Time
}

// Run approves and pays until ctx ends: at once, then every j.Every.
func (j *Jobs) Run(ctx context.Context) {
	every := j.Every
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := j.Approve(ctx); err != nil && ctx.Err() == nil {
			j.Logger.Error("approving commissions failed; will try again", "err", err)
		} else if n > 0 {
			j.Logger.Info("commissions approved at the end of their hold period", "count", n)
		}
		if runs, err := j.Schedule(ctx); err != nil && ctx.Err() == nil {
			j.Logger.Error("scheduled payout runs failed; will try again", "err", err)
		} else {
			for _, r := range runs {
				j.Logger.Info("payout run made", "run", r.ID, "advertiser", r.AdvertiserID, "date", r.Date, "payouts", r.Payouts)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Approve approves every pending conversion whose hold period has ended, and returns how many.
func (j *Jobs) Approve(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := j.Store.ApproveDue(ctx, j.Now(), approveBatch)
		total += n
		if err != nil || n < approveBatch {
			return total, err
		}
	}
}

// Schedule makes every scheduled run from catchUpDays ago to today that does not exist yet, and
// returns the runs it created.
func (j *Jobs) Schedule(ctx context.Context) ([]pactum.PayoutRun, error) {
	now := j.Now()
	today := Day(now)
	from := today.AddDate(0, 0, -catchUpDays)
	if j.made == nil {
		j.made = make(map[madeRun]bool)
	}
	for k := range j.made {
		if k.day.Before(from) {
			delete(j.made, k)
		}
	}
	var made []pactum.PayoutRun
	var after int64
	for {
		page, err := j.Store.ListAdvertisers(ctx, pactum.Page{Limit: 500, After: after})
		if err != nil {
			return made, fmt.Errorf("list programs: %w", err)
		}
		for _, a := range page {
			after = a.ID
			if a.PayoutSchedule == pactum.PayoutManual {
				continue
			}
			for day := from; !day.After(today); day = day.AddDate(0, 0, 1) {
				key := madeRun{a.ID, day}
				if !Due(a, day) || day.Before(Day(a.CreatedAt)) || j.made[key] {
					continue
				}
				run, created, err := j.Store.RunPayouts(ctx, Settings(a, day, now))
				if err != nil {
					return made, err
				}
				j.made[key] = true
				if created {
					made = append(made, run)
				}
			}
		}
		if len(page) < 500 {
			return made, nil
		}
	}
}
