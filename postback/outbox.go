package postback

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/pactum/pactum"
)

// Consumer is the outbox's name in the change feed.
const Consumer = "postbacks"

// FeedStore is what the outbox needs of the store: the change feed.
type FeedStore interface {
	StartConsumer(ctx context.Context, consumer string) (int64, error)
	ConsumeChanges(ctx context.Context, consumer string, limit int, fn func(tx pactum.ChangeTx, changes []pactum.Change) error) (int, error)
	SkipChangesWithoutPostbacks(ctx context.Context, consumer string) (bool, error)
}

// Outbox turns changes of conversions into postback deliveries. It consumes the change feed:
// the deliveries a batch of changes makes are recorded in the transaction that moves the
// consumer past them, so each change makes its deliveries exactly once, and a crash at any
// point loses none (the batch is consumed again after the restart).
type Outbox struct {
	Store  FeedStore
	Now    func() time.Time
	Logger *slog.Logger
	// Batch is how many changes one transaction takes (default 256).
	Batch int
}

// Start registers the outbox in the change feed at its first start, at the feed's present
// position: postbacks fire for what happens from then on, never for the whole history. After
// that it resumes where it was.
func (o *Outbox) Start(ctx context.Context) error {
	pos, err := o.Store.StartConsumer(ctx, Consumer)
	if err != nil {
		return err
	}
	o.Logger.Debug("postback outbox started", "position", pos)
	return nil
}

// Consume takes the changes after the outbox's position, in batches, until none is left, and
// returns how many deliveries it recorded. While no postback is enabled it moves past them
// without reading them: a program without partner postbacks pays nothing for the outbox.
func (o *Outbox) Consume(ctx context.Context) (int, error) {
	batch := o.Batch
	if batch <= 0 {
		batch = 256
	}
	if skipped, err := o.Store.SkipChangesWithoutPostbacks(ctx, Consumer); err != nil || skipped {
		return 0, err
	}
	total := 0
	for {
		made := 0
		n, err := o.Store.ConsumeChanges(ctx, Consumer, batch, func(tx pactum.ChangeTx, changes []pactum.Change) error {
			var err error
			made, err = o.deliveries(ctx, tx, changes)
			return err
		})
		if err != nil {
			return total, err
		}
		total += made
		if n < batch {
			return total, nil
		}
	}
}

// deliveries records the deliveries of changes through tx and returns how many.
func (o *Outbox) deliveries(ctx context.Context, tx pactum.ChangeTx, changes []pactum.Change) (int, error) {
	now := o.Now().UTC()
	postbacks := map[int64][]pactum.Postback{} // by partner, read once a batch
	var out []pactum.PostbackDelivery
	for _, c := range changes {
		events := EventsOf(c)
		if c.PartnerID == 0 || len(events) == 0 {
			continue
		}
		pbs, ok := postbacks[c.PartnerID]
		if !ok {
			var err error
			if pbs, err = tx.Postbacks(ctx, c.PartnerID); err != nil {
				return 0, err
			}
			postbacks[c.PartnerID] = pbs
		}
		var s *Subject
		for _, p := range pbs {
			for _, ev := range events {
				if !Wants(p, c.OfferID, ev) {
					continue
				}
				if s == nil {
					subject, err := o.subject(ctx, tx, c)
					if err != nil {
						return 0, err
					}
					s = &subject
				}
				d := Render(p, ev, *s, now)
				out = append(out, d)
			}
		}
	}
	if len(out) == 0 {
		return 0, nil
	}
	return len(out), tx.InsertDeliveries(ctx, out)
}

// subject reads what a delivery about change c tells besides the change's figures.
func (o *Outbox) subject(ctx context.Context, tx pactum.ChangeTx, c pactum.Change) (Subject, error) {
	s := Subject{Change: c}
	cv, err := tx.Conversion(ctx, c.ConversionID)
	if err != nil {
		return s, fmt.Errorf("postbacks: conversion of change %d: %w", c.Position, err)
	}
	s.Conversion = cv
	if cv.ClickID == "" {
		return s, nil
	}
	// In a distributed deployment a conversion can overtake its click to the store: the
	// delivery then goes without the click's sub ids rather than waiting.
	click, err := tx.Click(ctx, cv.ClickID)
	switch {
	case err == nil:
		s.Click = click
	case pactum.ErrorCode(err) != pactum.ENOTFOUND:
		return s, fmt.Errorf("postbacks: click of conversion %d: %w", cv.ID, err)
	}
	return s, nil
}
