package report

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/pactum/pactum"
)

// Consumer is the name under which the reports follow the change feed.
const Consumer = "reports"

// consumeBatch is how many changes one transaction of the keeper takes.
const consumeBatch = 500

// idlePoll is how often an idle keeper looks at the change feed: well under the second reports
// may lag (SPEC section 7); under load it takes batch after batch without waiting.
const idlePoll = 250 * time.Millisecond

// AddVisits adds a batch's clicks and impressions to the rollups in the event transaction that
// stores them, so that they are in reports as soon as they are stored and exactly once (a
// replayed batch is not applied again). Visits alike in every key of every rollup table are
// summed first: under load most of a batch is.
func AddVisits(ctx context.Context, tx pactum.RollupWriter, clicks, impressions []pactum.Visit) error {
	if len(clicks)+len(impressions) == 0 {
		return nil
	}
	type key struct {
		hour           int64
		offer, partner int64
		dims           [nVisitDims]string
	}
	sums := make(map[key]*fact)
	add := func(v *pactum.Visit, impression bool) {
		f := visitFact(v, impression)
		f.at = floorTo(f.at, pactum.GrainHour)
		k := key{hour: f.at, offer: f.offer, partner: f.partner}
		copy(k.dims[:], f.dims[:nVisitDims])
		if s, ok := sums[k]; ok {
			s.m.Add(f.m)
		} else {
			sums[k] = &f
		}
	}
	for i := range clicks {
		add(&clicks[i], false)
	}
	for i := range impressions {
		add(&impressions[i], true)
	}
	var rows []pactum.RollupRow
	for _, f := range sums {
		rows = f.rows(rows, 1)
	}
	return tx.AddRollups(ctx, rows)
}

// Keeper keeps the conversions' side of the rollups current from the change feed.
type Keeper struct {
	Store  pactum.ChangeStore
	Logger *slog.Logger

	mu    sync.Mutex
	fresh map[int64]*freshConversion // by id: see Stored
	swept time.Time                  // when takeFresh last forgot old copies
}

// freshConversion is a conversion as this process stored it, its click's dimensions when the
// pipeline read them (nil: read them), and when it was told of it.
type freshConversion struct {
	c     *pactum.Conversion // shared with the request's answer: read, never written
	click *pactum.ClickDims
	lines pactum.LineCommissions
	since time.Time
}

const (
	// maxFresh bounds the conversions Stored keeps: past it the keeper reads them.
	maxFresh = 4096
	// freshFor is how long Stored keeps a conversion the keeper did not take (it had consumed
	// its change before it was told of it).
	freshFor = 10 * time.Second
)

// NewKeeper returns a keeper over st.
func NewKeeper(st pactum.ChangeStore, logger *slog.Logger) *Keeper {
	return &Keeper{Store: st, Logger: logger, fresh: map[int64]*freshConversion{}}
}

// Stored tells the keeper of a conversion this process has just stored (committed), as it
// stored it, with its click's dimensions as the event transaction read them (nil when it did
// not read the click, or found none): when the keeper then consumes its creation and no later
// change of it in the same batch, it counts the conversion from this copy instead of reading it
// and its click back, which under load is the largest part of its work; and with its line
// commissions as the rules engine computed them (zero values: read from its breakdowns). A later change is read
// from the store as before, so a copy that is no longer current is never counted for long.
// Conversions this process did not store (another worker's, or one Stored was not told of) are
// read. The keeper keeps c and only reads it: it must not change after.
func (k *Keeper) Stored(c *pactum.Conversion, click *pactum.ClickDims, lines pactum.LineCommissions) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.fresh) < maxFresh {
		k.fresh[c.ID] = &freshConversion{c, click, lines, time.Now()}
	}
}

// takeFresh returns the conversions of changes whose last change there is their creation and
// that Stored was told of, and forgets them, and (every freshFor) those it kept longer.
func (k *Keeper) takeFresh(changes []pactum.ChangeRef) map[int64]*freshConversion {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.fresh) == 0 {
		return nil
	}
	created := make(map[int64]bool, len(changes))
	for _, ch := range changes {
		created[ch.ConversionID] = ch.Kind == pactum.ChangeCreated
	}
	out := make(map[int64]*freshConversion, len(created))
	for id, only := range created {
		f, ok := k.fresh[id]
		if ok && only {
			out[id] = f
		}
		delete(k.fresh, id)
	}
	if now := time.Now(); now.Sub(k.swept) >= freshFor {
		k.swept = now
		for id, f := range k.fresh {
			if now.Sub(f.since) > freshFor {
				delete(k.fresh, id)
			}
		}
	}
	return out
}

// Run consumes the change feed until ctx ends. A failed transaction is tried again: the feed
// keeps what was not consumed.
func (k *Keeper) Run(ctx context.Context) {
	t := time.NewTicker(idlePoll)
	defer t.Stop()
	for {
		n, err := k.Consume(ctx)
		if err != nil && ctx.Err() == nil {
			k.Logger.Error("reports: applying conversion changes failed; will try again", "err", err)
		}
		if n == consumeBatch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Consume applies the next batch of changes and returns how many it took. It reads and
// computes outside the write transaction (ConsumeChangesRead), which then only writes: the event
// path waits for that lock. Should a rebuild have committed in between (rewriting memos read),
// the transaction computes again from what it reads.
func (k *Keeper) Consume(ctx context.Context) (int, error) {
	return k.Store.ConsumeChangesRead(ctx, Consumer, consumeBatch, func(r pactum.ChangeReader, changes []pactum.ChangeRef) (func(pactum.ChangeTx, bool) error, error) {
		ids := make([]int64, 0, len(changes))
		seen := map[int64]bool{}
		for _, c := range changes {
			if !seen[c.ConversionID] {
				seen[c.ConversionID] = true
				ids = append(ids, c.ConversionID)
			}
		}
		fresh := k.takeFresh(changes)
		p, err := plan(ctx, r, ids, fresh)
		if err != nil {
			return nil, err
		}
		return func(tx pactum.ChangeTx, rebuilt bool) error {
			if rebuilt {
				// The memos p takes away may be gone or counted again: plan anew from them
				// as they are now.
				if p, err = plan(ctx, tx, ids, fresh); err != nil {
					return err
				}
			}
			return p.write(ctx, tx)
		}, nil
	})
}

// rollupPlan is what bringing conversions' rollups to their present state writes: rows that
// take away what their memos say they added and add what they count for now, and their new
// memos.
type rollupPlan struct {
	rows     []pactum.RollupRow
	newMemos []pactum.ReportMemo
}

func (p rollupPlan) write(ctx context.Context, tx pactum.RollupTx) error {
	if err := tx.AddRollups(ctx, p.rows); err != nil {
		return err
	}
	return tx.SetReportMemos(ctx, p.newMemos)
}

// plan reads conversions ids (but those in fresh, as just stored), their clicks' dimensions
// (but those fresh has) and their memos through r and returns what brings their rollups to
// their present state. Several changes of one conversion, or a change already counted by a
// rebuild, come to the same. The memos of those in fresh are read too: a new conversion has
// none, unless a rebuild counted it after it was stored.
func plan(ctx context.Context, r pactum.ChangeReader, ids []int64, fresh map[int64]*freshConversion) (rollupPlan, error) {
	read := ids
	if len(fresh) > 0 {
		read = make([]int64, 0, len(ids)-len(fresh))
		for _, id := range ids {
			if _, ok := fresh[id]; !ok {
				read = append(read, id)
			}
		}
	}
	memos, err := r.ReportMemos(ctx, ids)
	if err != nil {
		return rollupPlan{}, err
	}
	p := rollupPlan{newMemos: make([]pactum.ReportMemo, 0, len(ids))}
	// A batch's conversions share most of their facts, and their facts most of their rows (the
	// hour, the partner, the country...): summed as they come, the batch writes each row once.
	var sum factSum
	convs, err := r.Conversions(ctx, read)
	if err != nil {
		return rollupPlan{}, err
	}
	var clickIDs []string
	for _, c := range convs {
		if c.ClickID != "" {
			clickIDs = append(clickIDs, c.ClickID)
		}
	}
	for _, f := range fresh {
		if f.c.ClickID != "" && f.click == nil {
			clickIDs = append(clickIDs, f.c.ClickID)
		}
	}
	clicks, err := r.ClickDims(ctx, clickIDs)
	if err != nil {
		return rollupPlan{}, err
	}
	var facts []fact
	for _, id := range ids {
		if data, ok := memos[id]; ok {
			old, err := decodeMemo(data)
			if err != nil {
				return rollupPlan{}, err
			}
			for i := range old {
				sum.add(old[i], -1)
			}
		}
		f, fromCopy := fresh[id]
		var c pactum.Conversion
		var click *pactum.ClickDims
		if fromCopy {
			c, click = *f.c, f.click
			// As the store keeps them: times to the microsecond (click-to-conversion seconds
			// count from them).
			c.Time = time.UnixMicro(c.Time.UnixMicro()).UTC()
			if !c.ClickTime.IsZero() {
				c.ClickTime = time.UnixMicro(c.ClickTime.UnixMicro()).UTC()
			}
		} else {
			var ok bool
			if c, ok = convs[id]; !ok {
				return rollupPlan{}, pactum.Errorf(pactum.ENOTFOUND, "conversion %d not found", id)
			}
		}
		// A conversion can overtake its click to the store (distributed): it then counts under
		// empty values of its click's dimensions (a rebuild finds the click).
		if v, ok := clicks[c.ClickID]; ok && click == nil && c.ClickID != "" {
			click = &v
		}
		var lines *pactum.LineCommissions
		if fromCopy {
			lines = &f.lines
			if c.Country == "" && click != nil {
				// A conversion's country is its click's when it has none (as the store reads
				// it: sqldb's countryRead).
				c.Country = click.Country
			}
		}
		now, memo, err := conversionMemo(&c, click, lines, &facts)
		if err != nil {
			return rollupPlan{}, err
		}
		for i := range now {
			sum.add(now[i], 1)
		}
		p.newMemos = append(p.newMemos, memo)
	}
	p.rows = sum.rows()
	return p, nil
}

// conversionRows appends the rollup rows c counts for to rows, and returns its memo. facts is a
// buffer for its facts, reused from one conversion to the next (they are copied into the rows
// and the memo).
func conversionRows(c *pactum.Conversion, click *pactum.ClickDims, lines *pactum.LineCommissions, rows []pactum.RollupRow, buf *[]fact) ([]pactum.RollupRow, pactum.ReportMemo, error) {
	facts, memo, err := conversionMemo(c, click, lines, buf)
	for i := range facts {
		rows = facts[i].rows(rows, 1)
	}
	return rows, memo, err
}

// conversionMemo returns the facts c counts for, in buf (reused from one conversion to the
// next), and its memo of them.
func conversionMemo(c *pactum.Conversion, click *pactum.ClickDims, lines *pactum.LineCommissions, buf *[]fact) ([]fact, pactum.ReportMemo, error) {
	facts := conversionFacts(c, click, lines, *buf)
	*buf = facts
	data, err := encodeMemo(facts)
	return facts, pactum.ReportMemo{ConversionID: c.ID, Data: data}, err
}
