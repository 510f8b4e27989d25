package report

import (
	"context"
	"time"

	"github.com/pactum/pactum"
)

// rebuildFlush is how many rollup rows a rebuild holds before it writes them: a busy day's
// conversions make many, and the store sums rows of one key anyway.
const rebuildFlush = 20_000

// Rebuild recomputes every rollup from the raw events, one UTC day at a time from the first
// event to the last, each day in one transaction (ReportStore.RebuildRollups): the server keeps
// serving meanwhile, and live updates of a day wait only for that day's transaction. progress,
// if not nil, is told the days done of the days in all after each.
func Rebuild(ctx context.Context, st pactum.ReportStore, progress func(done, all int)) error {
	first, last, ok, err := st.EventSpan(ctx)
	if err != nil || !ok {
		return err
	}
	from := first.UTC().Truncate(24 * time.Hour)
	all := int(last.UTC().Truncate(24*time.Hour).Sub(from)/(24*time.Hour)) + 1
	for i := range all {
		day := from.AddDate(0, 0, i)
		if err := st.RebuildRollups(ctx, day, Consumer, func(tx pactum.RollupTx) error { return rebuildDay(ctx, tx, day) }); err != nil {
			return err
		}
		if progress != nil {
			progress(i+1, all)
		}
	}
	return nil
}

// rebuildDay adds a day's events to the rollups through tx, as the live updates would have.
// The visits' rows are summed in memory over the whole day and written once per key at its end
// (their number is bounded by the day's keys, not its visits): writing them every rebuildFlush
// visits upserted the same keys again and again.
func rebuildDay(ctx context.Context, tx pactum.RollupTx, day time.Time) error {
	end := day.Add(24 * time.Hour)
	var clicks, impressions []pactum.Visit
	var rows []pactum.RollupRow
	sums := Sums{}
	flushVisits := func() error {
		if err := AddVisits(ctx, sums, clicks, impressions); err != nil {
			return err
		}
		clicks, impressions = clicks[:0], impressions[:0]
		return nil
	}
	err := tx.EachDayVisit(ctx, day, end, func(v pactum.Visit, impression bool) error {
		if impression {
			impressions = append(impressions, v)
		} else {
			clicks = append(clicks, v)
		}
		if len(clicks)+len(impressions) == rebuildFlush {
			return flushVisits()
		}
		return nil
	})
	if err == nil {
		err = flushVisits()
	}
	if err == nil {
		err = tx.AddRollups(ctx, sums.Rows())
	}
	if err != nil {
		return err
	}
	var memos []pactum.ReportMemo
	flush := func() error {
		if err := tx.AddRollups(ctx, rows); err != nil {
			return err
		}
		if err := tx.SetReportMemos(ctx, memos); err != nil {
			return err
		}
		rows, memos = rows[:0], memos[:0]
		return nil
	}
	var facts []fact
	err = tx.EachDayConversion(ctx, day, end, func(c pactum.Conversion, click *pactum.Visit) error {
		var memo pactum.ReportMemo
		var err error
		if rows, memo, err = conversionRows(&c, dimsOf(click), nil, rows, &facts); err != nil {
			return err
		}
		memos = append(memos, memo)
		if len(rows) >= rebuildFlush {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// Sums sums rollup rows by key in memory, for a writer that writes each key once: a rebuild's
// day, a bulk load's (package benchdata).
type Sums map[pactum.RollupKey]*pactum.Metrics

// AddRollups adds rows to the sums.
func (w Sums) AddRollups(_ context.Context, rows []pactum.RollupRow) error {
	for i := range rows {
		if m, ok := w[rows[i].RollupKey]; ok {
			m.Add(rows[i].Metrics)
		} else {
			m := rows[i].Metrics
			w[rows[i].RollupKey] = &m
		}
	}
	return nil
}

// Rows are the sums as rows.
func (w Sums) Rows() []pactum.RollupRow {
	out := make([]pactum.RollupRow, 0, len(w))
	for k, m := range w {
		out = append(out, pactum.RollupRow{RollupKey: k, Metrics: *m})
	}
	return out
}

// MemoWriter adds rollup rows and stores memos: a rollup transaction, or a bulk load.
type MemoWriter interface {
	pactum.RollupWriter
	SetReportMemos(ctx context.Context, memos []pactum.ReportMemo) error
}

// AddConversions adds conversions that no rollup counts yet to the rollups, and stores their
// memos, as a rebuild adds a day's: for a bulk load of generated data (package benchdata).
// clicks[i] is the click of cs[i], nil without one.
func AddConversions(ctx context.Context, tx MemoWriter, cs []pactum.Conversion, clicks []*pactum.Visit) error {
	var rows []pactum.RollupRow
	memos := make([]pactum.ReportMemo, 0, len(cs))
	var facts []fact
	for i := range cs {
		var memo pactum.ReportMemo
		var err error
		if rows, memo, err = conversionRows(&cs[i], dimsOf(clicks[i]), nil, rows, &facts); err != nil {
			return err
		}
		memos = append(memos, memo)
	}
	if err := tx.AddRollups(ctx, rows); err != nil {
		return err
	}
	return tx.SetReportMemos(ctx, memos)
}
