package postback

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pactum/pactum"
)

// Retain is how long the delivery log keeps a finished delivery (SPEC: 30 days).
const Retain = 30 * 24 * time.Hour

// DeliveryStore is what the worker needs of the store.
type DeliveryStore interface {
	Postback(ctx context.Context, id int64) (pactum.Postback, error)
	ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]pactum.PostbackDelivery, error)
	RecordAttempts(ctx context.Context, outcomes []pactum.DeliveryOutcome) error
	ReleaseDeliveries(ctx context.Context, ids []int64) error
	RecentFailures(ctx context.Context, postbackID int64, since time.Time) (int, error)
	DisablePostback(ctx context.Context, id int64, reason string, at time.Time) error
	PruneDeliveries(ctx context.Context, before time.Time) (int64, error)
}

// Worker sends the deliveries that are due. Several workers (processes of a deployment) can run
// at once: each claims deliveries with a lease, so none is sent by two at the same time, and a
// delivery whose worker died is claimed again once its lease has run out.
type Worker struct {
	Store  DeliveryStore
	Sender *Sender
	Now    func() time.Time
	// Jitter draws the backoff's jitter in [0, 1); nil is math/rand/v2.
	Jitter func() float64
	Logger *slog.Logger
	// Batch is how many deliveries one claim takes (default 64), Parallel how many of them are
	// sent at once (default 16), Lease how long a claim holds (default 2 minutes: well past a
	// request's timeout).
	Batch    int
	Parallel int
	Lease    time.Duration
}

func (w *Worker) batch() int { return cmpDefault(w.Batch, 64) }

func cmpDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// SendDue claims one batch of due deliveries, sends them and records what happened, and returns
// how many it tried. Deliveries whose attempt ctx cut short are released for another try.
func (w *Worker) SendDue(ctx context.Context) (int, error) {
	lease := w.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	now := w.Now()
	ds, err := w.Store.ClaimDeliveries(ctx, now, now.Add(lease), w.batch())
	if err != nil || len(ds) == 0 {
		return 0, err
	}
	// What is claimed is recorded or released even when ctx ends, so that a shutdown does not
	// leave deliveries waiting for their lease to run out.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	postbacks := map[int64]pactum.Postback{}
	for _, d := range ds {
		if _, ok := postbacks[d.PostbackID]; ok {
			continue
		}
		p, err := w.Store.Postback(ctx, d.PostbackID)
		if err != nil && pactum.ErrorCode(err) != pactum.ENOTFOUND {
			return 0, releaseAll(rec, w.Store, ds, err)
		}
		postbacks[d.PostbackID] = p // deleted since the claim (ID 0): its deliveries went with it
	}
	outcomes := make([]*pactum.DeliveryOutcome, len(ds))
	sem := make(chan struct{}, cmpDefault(w.Parallel, 16))
	var wg sync.WaitGroup
	for i, d := range ds {
		p := postbacks[d.PostbackID]
		if p.ID == 0 {
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := w.Sender.Send(ctx, p, d)
			if err != nil {
				return // ctx ended: released below
			}
			o := Outcome(d, res, d.Attempts+1, w.Now(), w.jitter())
			outcomes[i] = &o
		}()
	}
	wg.Wait()
	var done []pactum.DeliveryOutcome
	var release []int64
	failed := map[int64]string{} // postback -> the error of its latest failed delivery
	for i, o := range outcomes {
		if o == nil {
			release = append(release, ds[i].ID)
			continue
		}
		done = append(done, *o)
		if o.Status == pactum.DeliveryFailed && !ds[i].Test {
			failed[ds[i].PostbackID] = o.Attempt.Error
		}
	}
	if err := w.Store.RecordAttempts(rec, done); err != nil {
		return 0, releaseAll(rec, w.Store, ds, err)
	}
	if err := w.Store.ReleaseDeliveries(rec, release); err != nil {
		w.Logger.Warn("releasing postback deliveries failed; they are sent when their lease runs out", "err", err)
	}
	for id, last := range failed {
		if err := w.checkFailures(rec, postbacks[id], last); err != nil {
			return len(done), err
		}
	}
	return len(done), nil
}

func (w *Worker) jitter() float64 {
	if w.Jitter != nil {
		return w.Jitter()
	}
	return rand.Float64()
}

// releaseAll releases every delivery of a batch that could not be recorded, and returns err.
func releaseAll(ctx context.Context, st DeliveryStore, ds []pactum.PostbackDelivery, err error) error {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	_ = st.ReleaseDeliveries(ctx, ids) // if this fails too, the leases run out
	return err
}

// checkFailures disables p when its deliveries failed DisableAfter times in a row within
// DisableWindow (counted from its creation or latest re-enabling at the earliest); last is the
// latest failure's error, which the reason quotes so that the partner knows what to fix.
func (w *Worker) checkFailures(ctx context.Context, p pactum.Postback, last string) error {
	now := w.Now()
	since := now.Add(-DisableWindow)
	if p.FailuresSince.After(since) {
		since = p.FailuresSince
	}
	n, err := w.Store.RecentFailures(ctx, p.ID, since)
	if err != nil || n < DisableAfter {
		return err
	}
	reason := fmt.Sprintf("%d deliveries in a row failed within %d hours (the last: %s); fix the receiver, then turn the postback on again with {\"enabled\": true}",
		n, int(DisableWindow.Hours()), last)
	if err := w.Store.DisablePostback(ctx, p.ID, reason, now); err != nil {
		return err
	}
	w.Logger.Warn("postback disabled after failing deliveries", "postback", p.ID, "partner", p.PartnerID, "failures", n)
	return nil
}

// Runner runs an outbox and a worker until its context ends, each in a goroutine of its own so
// that slow receivers never hold up recording new deliveries.
type Runner struct {
	Outbox *Outbox
	Worker *Worker
	// Every is how often the outbox looks for new changes (default 200ms); the worker looks
	// for due deliveries as often, and at once when the outbox recorded some.
	Every  time.Duration
	Logger *slog.Logger
}

// errorWait is how long a loop waits after an error (a store that is down) before trying again.
const errorWait = 5 * time.Second

// Run starts the outbox (at the feed's present position on its first start) and runs both loops
// until ctx ends. It returns once both stopped: what the worker claimed is recorded or released.
func (r *Runner) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	wake := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		r.consume(ctx, every, wake)
	}()
	go func() {
		defer wg.Done()
		r.send(ctx, every, wake)
	}()
	wg.Wait()
}

func (r *Runner) consume(ctx context.Context, every time.Duration, wake chan<- struct{}) {
	for {
		err := r.Outbox.Start(ctx)
		if err == nil {
			break
		}
		r.Logger.Error("starting the postback outbox failed; will try again", "err", err)
		if !sleep(ctx, errorWait) {
			return
		}
	}
	for {
		wait := every
		n, err := r.Outbox.Consume(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			r.Logger.Error("recording postback deliveries failed; will try again", "err", err)
			wait = errorWait
		case n > 0:
			select {
			case wake <- struct{}{}:
			default:
			}
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

func (r *Runner) send(ctx context.Context, every time.Duration, wake <-chan struct{}) {
	var pruned time.Time
	for {
		if now := r.Worker.Now(); now.Sub(pruned) >= time.Hour {
			if n, err := r.Worker.Store.PruneDeliveries(ctx, now.Add(-Retain)); err != nil && ctx.Err() == nil {
				r.Logger.Warn("pruning the postback delivery log failed; will try again", "err", err)
			} else if err == nil {
				pruned = now
				if n > 0 {
					r.Logger.Info("postback deliveries older than 30 days pruned", "count", n)
				}
			}
		}
		n, err := r.Worker.SendDue(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := every
		switch {
		case err != nil:
			r.Logger.Error("sending postbacks failed; will try again", "err", err)
			wait = errorWait
		case n >= r.Worker.batch():
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(wait):
		}
	}
}

// sleep waits d, and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
