package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
)

// Report rollups (pactum.ReportStore; docs/architecture.md, "Reports"). The report package
// decides what each event adds to which row; the store keeps the rows, with the strings of their
// keys (dimension values, SKUs, categories) in report_values, and answers sums.

// metricColumns are the figures of every rollup table, in pactum.Metrics' order.
var metricColumns = pactum.MetricColumns

func metricArgs(args []any, m *pactum.Metrics) []any {
	return append(args, m.Impressions, m.Clicks, m.UniqueClicks, m.InvalidClicks, m.Conversions, m.Sales,
		m.Payout, m.Revenue, m.NewCustomers, m.Refunds, m.RefundedAmount, m.CTCTSum, m.CTCTCount)
}

func metricDest(dest []any, m *pactum.Metrics) []any {
	return append(dest, &m.Impressions, &m.Clicks, &m.UniqueClicks, &m.InvalidClicks, &m.Conversions, &m.Sales,
		&m.Payout, &m.Revenue, &m.NewCustomers, &m.Refunds, &m.RefundedAmount, &m.CTCTSum, &m.CTCTCount)
}

// rollupTable is how one table of rollups is stored: its name and key columns.
type rollupTable struct {
	name string
	key  []string
}

var rollupTables = map[string]rollupTable{
	pactum.RollupPartner:   {"report_p", []string{"grain", "bucket", "offer_id", "partner_id"}},
	pactum.RollupDim:       {"report_d", []string{"grain", "dim", "bucket", "offer_id", "partner_id", "value_id"}},
	pactum.RollupDimHourly: {"report_dh", []string{"grain", "dim", "bucket", "offer_id", "value_id"}},
	pactum.RollupLine:      {"report_l", []string{"grain", "bucket", "offer_id", "partner_id", "sku_id", "category_id"}},
	pactum.RollupLineOffer: {"report_lo", []string{"grain", "bucket", "offer_id", "sku_id", "category_id"}},
}

// rollupTableNames are the tables in a fixed order, which every writer follows, so that
// PostgreSQL's row locks are always taken in one order and two writers cannot deadlock.
var rollupTableNames = []string{pactum.RollupPartner, pactum.RollupDim, pactum.RollupDimHourly, pactum.RollupLine, pactum.RollupLineOffer}

// dimCode is a dimension's code in the dim column: its place in pactum.RollupDims, from 1.
func dimCode(dim string) (int64, error) {
	i := slices.Index(pactum.RollupDims, dim)
	if i < 0 {
		return 0, fmt.Errorf("no rollup dimension %q", dim)
	}
	return int64(i + 1), nil
}

// keyValue returns the value of key column col of r, with strings as their ids.
func keyValue(r *pactum.RollupRow, col string, ids map[string]int64) (int64, error) {
	switch col {
	case "grain":
		return r.Grain, nil
	case "bucket":
		return r.Bucket, nil
	case "offer_id":
		return r.OfferID, nil
	case "partner_id":
		return r.PartnerID, nil
	case "dim":
		return dimCode(r.Dim)
	case "value_id":
		return ids[r.Value], nil
	case "sku_id":
		return ids[r.SKU], nil
	case "category_id":
		return ids[r.Category], nil
	}
	return 0, fmt.Errorf("no key column %q", col)
}

// upsertQuery returns the statement that adds n rows to t. The texts are cached: the event
// transaction looks its prepared statements up by them.
func (s *Store) upsertQuery(t rollupTable, n int) string {
	key := bulkKey{t.name, n}
	if v, ok := s.bulkQueries.Load(key); ok {
		return v.(string)
	}
	cols := append(slices.Clone(t.key), metricColumns...)
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(cols, ", ") + ") VALUES ")
	b.WriteString(strings.TrimSuffix(strings.Repeat(row+", ", n), ", "))
	b.WriteString(" ON CONFLICT (" + strings.Join(t.key, ", ") + ") DO UPDATE SET ")
	for i, m := range metricColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m + " = " + t.name + "." + m + " + excluded." + m)
	}
	query := b.String()
	s.bulkQueries.Store(key, query)
	return query
}

// maxRollupChunk is the most rows one upsert carries (19 binds each). Upserts carry a power of
// two of rows, so that the event transaction has a prepared statement for each (SQLite would
// otherwise parse every statement, which took as long as running it).
const maxRollupChunk = 128

// rollupKey is a rollup row's key columns as ids, in its table's order.
type rollupKey [6]int64

// addRollups adds rows to their tables in tx: rows of one key are summed first (an upsert may
// not touch a row twice), and each table's rows go in key order.
func (s *Store) addRollups(ctx context.Context, tx valueWriter, exec execer, rows []pactum.RollupRow, pending map[string]int64) error {
	if len(rows) == 0 {
		return nil
	}
	var strs []string
	for i := range rows {
		strs = append(strs, rows[i].Value, rows[i].SKU, rows[i].Category)
	}
	ids, err := s.valueIDs(ctx, tx, strs, pending)
	if err != nil {
		return err
	}
	type keyed struct {
		key rollupKey
		m   pactum.Metrics
	}
	for _, name := range rollupTableNames {
		t := rollupTables[name]
		sums := map[rollupKey]*keyed{}
		for i := range rows {
			r := &rows[i]
			if r.Table != name {
				continue
			}
			var key rollupKey
			for j, col := range t.key {
				if key[j], err = keyValue(r, col, ids); err != nil {
					return err
				}
			}
			if e, ok := sums[key]; ok {
				e.m.Add(r.Metrics)
			} else {
				sums[key] = &keyed{key: key, m: r.Metrics}
			}
		}
		ordered := make([]*keyed, 0, len(sums))
		for _, e := range sums {
			ordered = append(ordered, e)
		}
		slices.SortFunc(ordered, func(a, b *keyed) int { return slices.Compare(a.key[:], b.key[:]) })
		for len(ordered) > 0 {
			n := maxRollupChunk
			for n > len(ordered) {
				n /= 2
			}
			args := make([]any, 0, n*(len(t.key)+len(metricColumns)))
			for _, e := range ordered[:n] {
				for _, v := range e.key[:len(t.key)] {
					args = append(args, v)
				}
				args = metricArgs(args, &e.m)
			}
			if _, err := exec(ctx, s.upsertQuery(t, n), args...); err != nil {
				return fmt.Errorf("add rollups to %s: %w", t.name, err)
			}
			ordered = ordered[n:]
		}
	}
	return nil
}

// valueWriter adds values to report_values: a *sql.Tx, or the *sql.Conn of a bulk load.
type valueWriter interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// valueIDs returns the ids of values in report_values, adding those missing through tx. Ids
// are cached once their transaction committed (publish); the ones this transaction added wait
// in pending until then, since a rollback takes them away.
func (s *Store) valueIDs(ctx context.Context, tx valueWriter, values []string, pending map[string]int64) (map[string]int64, error) {
	out := map[string]int64{"": 0}
	var missing []string
	for _, v := range values {
		if _, ok := out[v]; ok {
			continue
		}
		if id, ok := s.values.id(v); ok {
			out[v] = id
		} else if id, ok := pending[v]; ok {
			out[v] = id
		} else {
			out[v] = 0
			missing = append(missing, v)
		}
	}
	// Sorted, so that two transactions adding the same new values lock them in one order.
	slices.Sort(missing)
	for _, v := range missing {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO report_values (value) VALUES (?) ON CONFLICT (value) DO NOTHING`), v); err != nil {
			return nil, fmt.Errorf("report value: %w", err)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM report_values WHERE value = ?`), v).Scan(&id); err != nil {
			return nil, fmt.Errorf("report value: %w", err)
		}
		out[v], pending[v] = id, id
	}
	return out, nil
}

// valueCache holds the ids of report_values both ways. It only ever grows: values are never
// deleted, and a process sees few distinct ones.
type valueCache struct {
	mu    sync.RWMutex
	ids   map[string]int64
	names map[int64]string
}

func (c *valueCache) id(v string) (int64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	id, ok := c.ids[v]
	return id, ok
}

func (c *valueCache) name(id int64) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.names[id]
	return v, ok
}

// publish caches the ids a committed transaction added.
func (c *valueCache) publish(added map[string]int64) {
	if len(added) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids, c.names = map[string]int64{}, map[int64]string{}
	}
	for v, id := range added {
		c.ids[v], c.names[id] = id, v
	}
}

// lookupValues returns the ids of the stored values among values (read only: one not stored is
// left out, and matches no row).
func (s *Store) lookupValues(ctx context.Context, values []string) (map[string]int64, error) {
	out := map[string]int64{}
	var missing []any
	for _, v := range values {
		if v == "" {
			out[v] = 0
		} else if id, ok := s.values.id(v); ok {
			out[v] = id
		} else {
			missing = append(missing, v)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, value FROM report_values WHERE value IN (`+placeholders(len(missing))+`)`), missing...)
	if err != nil {
		return nil, fmt.Errorf("report values: %w", err)
	}
	defer rows.Close()
	found := map[string]int64{}
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return nil, err
		}
		out[v], found[v] = id, id
	}
	s.values.publish(found)
	return out, rows.Err()
}

// valueNames returns the strings of ids.
func (s *Store) valueNames(ctx context.Context, ids map[int64]bool) (map[int64]string, error) {
	out := map[int64]string{0: ""}
	var missing []any
	for id := range ids {
		if v, ok := s.values.name(id); ok {
			out[id] = v
		} else if id != 0 {
			missing = append(missing, id)
		}
	}
	for len(missing) > 0 {
		n := min(len(missing), 500)
		rows, err := s.r.QueryContext(ctx, s.q(`SELECT id, value FROM report_values WHERE id IN (`+placeholders(n)+`)`), missing[:n]...)
		if err != nil {
			return nil, fmt.Errorf("report values: %w", err)
		}
		found := map[string]int64{}
		for rows.Next() {
			var id int64
			var v string
			if err := rows.Scan(&id, &v); err != nil {
				rows.Close()
				return nil, err
			}
			out[id], found[v] = v, id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		s.values.publish(found)
		missing = missing[n:]
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// inInts adds "col IN (...)" to w for a non-empty list.
func (w *where) inInts(col string, ids []int64) {
	if len(ids) == 0 {
		return
	}
	w.conds = append(w.conds, col+" IN ("+placeholders(len(ids))+")")
	for _, id := range ids {
		w.args = append(w.args, id)
	}
}

// periodExpr is the SQL of p.Start (a local wall-clock start) over the unix seconds in expr: literal integers only, so the
// text is safe to build.
func periodExpr(p *pactum.PeriodMap, expr string) string {
	if p == nil {
		return "0"
	}
	start := func(off int64) string {
		return fmt.Sprintf("(((%s + %d) / %d) * %d)", expr, off, p.Unit, p.Unit)
	}
	if len(p.Offsets) == 1 {
		return start(p.Offsets[0].Offset)
	}
	var b strings.Builder
	b.WriteString("CASE")
	for _, o := range p.Offsets[:len(p.Offsets)-1] {
		fmt.Fprintf(&b, " WHEN %s < %d THEN %s", expr, o.Until, start(o.Offset))
	}
	fmt.Fprintf(&b, " ELSE %s END", start(p.Offsets[len(p.Offsets)-1].Offset))
	return b.String()
}

// QueryRollups sums the rows of one rollup table as q asks.
func (s *Store) QueryRollups(ctx context.Context, q pactum.RollupQuery) ([]pactum.RollupRow, error) {
	t, ok := rollupTables[q.Table]
	if !ok {
		return nil, fmt.Errorf("query rollups: no table %q", q.Table)
	}
	w := new(where)
	w.add("grain = ?", q.Grain)
	w.add("bucket >= ?", q.From)
	w.add("bucket < ?", q.To)
	if q.DayTo != 0 {
		w.add("bucket % 86400 >= ?", q.DayFrom)
		w.add("bucket % 86400 < ?", q.DayTo)
	}
	if q.Dim != "" {
		code, err := dimCode(q.Dim)
		if err != nil {
			return nil, err
		}
		w.add("dim = ?", code)
	}
	w.inInts("offer_id", q.OfferIDs)
	w.inInts("partner_id", q.PartnerIDs)
	for _, f := range []struct {
		col    string
		values []string
	}{{"value_id", q.Values}, {"sku_id", q.SKUs}, {"category_id", q.Categories}} {
		if len(f.values) == 0 {
			continue
		}
		ids, err := s.lookupValues(ctx, f.values)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, nil // none of the values was ever seen
		}
		var list []int64
		for _, id := range ids {
			list = append(list, id)
		}
		w.inInts(f.col, list)
	}
	groups := []string{"offer_id"}
	for _, g := range []struct {
		on  bool
		col string
	}{{q.ByPartner, "partner_id"}, {q.ByValue, "value_id"}, {q.BySKU, "sku_id"}, {q.ByCategory, "category_id"}} {
		if g.on {
			groups = append(groups, g.col)
		}
	}
	bucket := "bucket"
	if q.Shift != 0 {
		bucket = fmt.Sprintf("(bucket + %d)", q.Shift)
	}
	// Only the figures asked for: reading a column costs as much as SQLite's finding the row.
	figures := metricColumns
	if len(q.Figures) > 0 {
		figures = nil
		for _, m := range metricColumns {
			if slices.Contains(q.Figures, m) {
				figures = append(figures, m)
			}
		}
	}
	read := make([]int, len(figures)) // the places in Metrics of the figures read
	for i, m := range figures {
		read[i] = slices.Index(metricColumns, m)
	}
	query := "SELECT " + periodExpr(q.Period, bucket) + " AS period, " + strings.Join(groups, ", ") + ", "
	if oneRowEach(q, t, len(groups)) {
		// Every row is a group of its own: summing would only sort them.
		query += strings.Join(figures, ", ") + " FROM " + t.name + w.String()
	} else {
		sums := make([]string, len(figures))
		for i, m := range figures {
			sums[i] = "SUM(" + m + ")"
		}
		query += strings.Join(sums, ", ") + " FROM " + t.name + w.String() + " GROUP BY period, " + strings.Join(groups, ", ")
	}
	rows, err := s.r.QueryContext(ctx, s.qOnce(query), w.args...)
	if err != nil {
		return nil, fmt.Errorf("query rollups: %w", err)
	}
	defer rows.Close()
	// Rows are scanned into one scratch row through one list of destinations, and the ids of
	// their strings kept beside them until they are named: a month of days by partner is some
	// 15,000 rows, and a copy or an allocation per row showed in its time.
	var r pactum.RollupRow
	var rid [3]int64 // value, sku, category
	dest := []any{&r.Bucket, &r.OfferID}
	for _, g := range groups[1:] {
		switch g {
		case "partner_id":
			dest = append(dest, &r.PartnerID)
		case "value_id":
			dest = append(dest, &rid[0])
		case "sku_id":
			dest = append(dest, &rid[1])
		case "category_id":
			dest = append(dest, &rid[2])
		}
	}
	all := metricDest(make([]any, 0, len(metricColumns)), &r.Metrics)
	for _, i := range read {
		dest = append(dest, all[i])
	}
	var out []pactum.RollupRow
	var rids [][3]int64
	ids := map[int64]bool{}
	for rows.Next() {
		r, rid = pactum.RollupRow{}, [3]int64{}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("query rollups: %w", err)
		}
		ids[rid[0]], ids[rid[1]], ids[rid[2]] = true, true, true
		out = append(out, r)
		rids = append(rids, rid)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query rollups: %w", err)
	}
	names, err := s.valueNames(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		o := &out[i]
		o.Table, o.Grain, o.Dim = q.Table, q.Grain, q.Dim
		o.Value, o.SKU, o.Category = names[rids[i][0]], names[rids[i][1]], names[rids[i][2]]
	}
	return out, nil
}

// oneRowEach reports whether q groups rows of t by their whole key: by every key column (grain
// and dim are fixed by the query) and by a period that is the bucket moved by whole buckets.
func oneRowEach(q pactum.RollupQuery, t rollupTable, groups int) bool {
	keys := len(t.key) - 2 // grain, bucket
	if slices.Contains(t.key, "dim") {
		keys--
	}
	p := q.Period
	return groups == keys && p != nil && len(p.Offsets) == 1 && p.Unit == q.Grain &&
		p.Offsets[0].Offset%q.Grain == 0 && q.Shift%q.Grain == 0
}

// visitDimExpr is the SQL of a visit dimension over the clicks or impressions table; dimensions
// visits do not have (event, status...) are the empty value.
func visitDimExpr(dim string) string {
	switch dim {
	case "sub1", "sub2", "sub3", "sub4", "sub5", "source", "country", "device", "os", "browser":
		return dim
	case "reason":
		// report.invalidReason in SQL: a bot's, why the edge refused it, else the fraud codes.
		return "CASE WHEN bot THEN 'bot' WHEN rejected <> '' THEN rejected ELSE flags END"
	}
	return "''"
}

// SumVisits sums the stored clicks and impressions as q asks.
func (s *Store) SumVisits(ctx context.Context, q pactum.VisitQuery) ([]pactum.VisitSum, error) {
	var out []pactum.VisitSum
	for _, table := range []string{"clicks", "impressions"} {
		w := new(where)
		w.add("time >= ?", q.From*1_000_000)
		w.add("time < ?", q.To*1_000_000)
		w.inInts("offer_id", q.OfferIDs)
		w.inInts("partner_id", q.PartnerIDs)
		dims := make([]string, 0, len(q.Filters))
		for d := range q.Filters {
			dims = append(dims, d)
		}
		slices.Sort(dims) // one statement text per filter set
		for _, d := range dims {
			vs := q.Filters[d]
			w.conds = append(w.conds, visitDimExpr(d)+" IN ("+placeholders(len(vs))+")")
			for _, v := range vs {
				w.args = append(w.args, v)
			}
		}
		cols := []string{periodExpr(q.Period, "(time / 1000000)") + " AS period", "offer_id"}
		groups := []string{"period", "offer_id"}
		if q.ByPartner {
			cols, groups = append(cols, "partner_id"), append(groups, "partner_id")
		}
		for i, d := range q.Group {
			cols = append(cols, visitDimExpr(d)+" AS g"+strconv.Itoa(i))
			groups = append(groups, "g"+strconv.Itoa(i))
		}
		if table == "clicks" {
			cols = append(cols, "0",
				"SUM(CASE WHEN NOT bot AND rejected = '' AND NOT invalid THEN 1 ELSE 0 END)",
				"SUM(CASE WHEN NOT bot AND rejected = '' AND NOT invalid AND unique_click THEN 1 ELSE 0 END)",
				"SUM(CASE WHEN bot OR rejected <> '' OR invalid THEN 1 ELSE 0 END)")
		} else {
			cols = append(cols, "SUM(CASE WHEN bot THEN 0 ELSE 1 END)", "0", "0", "0")
		}
		query := "SELECT " + strings.Join(cols, ", ") + " FROM " + table + w.String() + " GROUP BY " + strings.Join(groups, ", ")
		rows, err := s.r.QueryContext(ctx, s.qOnce(query), w.args...)
		if err != nil {
			return nil, fmt.Errorf("sum %s: %w", table, err)
		}
		for rows.Next() {
			v := pactum.VisitSum{Values: make([]string, len(q.Group))}
			dest := []any{&v.Period, &v.OfferID}
			if q.ByPartner {
				dest = append(dest, &v.PartnerID)
			}
			for i := range v.Values {
				dest = append(dest, &v.Values[i])
			}
			dest = append(dest, &v.Impressions, &v.Clicks, &v.UniqueClicks, &v.InvalidClicks)
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sum %s: %w", table, err)
			}
			out = append(out, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sum %s: %w", table, err)
		}
	}
	return out, nil
}

// EachReportConversion calls fn for each conversion with a time in [from, to) of the offers and
// partners given (all when empty), with its click.
func (s *Store) EachReportConversion(ctx context.Context, from, to time.Time, offerIDs, partnerIDs []int64, fn func(pactum.Conversion, *pactum.Visit) error) error {
	return s.eachReportConversion(ctx, s.r, from, to, offerIDs, partnerIDs, fn)
}

// reportChunk is how many conversions are read before their clicks are looked up, in one query.
const reportChunk = 500

// eachReportConversion reads conversions by advertiser and time (the index
// conversions_advertiser_time), a chunk at a time, and each chunk's clicks in one query.
func (s *Store) eachReportConversion(ctx context.Context, db querier, from, to time.Time, offerIDs, partnerIDs []int64, fn func(pactum.Conversion, *pactum.Visit) error) error {
	rows, err := db.QueryContext(ctx, s.q(`SELECT id FROM advertisers ORDER BY id`))
	if err != nil {
		return fmt.Errorf("report conversions: %w", err)
	}
	var advIDs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		advIDs = append(advIDs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, adv := range advIDs {
		w := new(where)
		w.add("advertiser_id = ?", adv)
		w.add("time >= ?", micros(from))
		w.add("time < ?", micros(to))
		w.inInts("offer_id", offerIDs)
		if partnerIDs != nil {
			// An unattributed conversion (partner 0 to reports) has no partner_id.
			var parts []string
			var ids []any
			for _, id := range partnerIDs {
				if id == 0 {
					parts = append(parts, "partner_id IS NULL")
				} else {
					ids = append(ids, id)
				}
			}
			if len(ids) > 0 {
				parts = append(parts, "partner_id IN ("+placeholders(len(ids))+")")
				w.args = append(w.args, ids...)
			}
			if len(parts) == 0 {
				parts = []string{"1 = 0"}
			}
			w.conds = append(w.conds, "("+strings.Join(parts, " OR ")+")")
		}
		after := []any{}
		cond := ""
		for {
			query := conversionColumns + w.String() + cond + " ORDER BY time, id LIMIT " + strconv.Itoa(reportChunk)
			chunk, err := list(ctx, db, s.q(query), append(slices.Clone(w.args), after...), scanConversion)
			if err != nil {
				return fmt.Errorf("report conversions: %w", err)
			}
			clicks, err := s.clicksByID(ctx, db, chunk)
			if err != nil {
				return err
			}
			for _, c := range chunk {
				var v *pactum.Visit
				if k, ok := clicks[c.ClickID]; ok {
					v = &k
				}
				if err := fn(c, v); err != nil {
					return err
				}
			}
			if len(chunk) < reportChunk {
				break
			}
			last := chunk[len(chunk)-1]
			cond = " AND (time > ? OR time = ? AND id > ?)"
			after = []any{micros(last.Time), micros(last.Time), last.ID}
		}
	}
	return nil
}

// clicksByID reads the stored clicks of conversions.
func (s *Store) clicksByID(ctx context.Context, db querier, conversions []pactum.Conversion) (map[string]pactum.Visit, error) {
	var ids []any
	seen := map[string]bool{}
	for _, c := range conversions {
		if c.ClickID != "" && !seen[c.ClickID] {
			seen[c.ClickID] = true
			ids = append(ids, c.ClickID)
		}
	}
	out := make(map[string]pactum.Visit, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, s.q(`SELECT click_id, `+visitColumns+` FROM clicks WHERE click_id IN (`+placeholders(len(ids))+`)`), ids...)
	if err != nil {
		return nil, fmt.Errorf("clicks of conversions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v pactum.Visit
		if err := scanVisit(rows, &v, &v.ClickID); err != nil {
			return nil, fmt.Errorf("clicks of conversions: %w", err)
		}
		out[v.ClickID] = v
	}
	return out, rows.Err()
}

// RollupsEmpty reports whether no rollup row is stored.
func (s *Store) RollupsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM report_p LIMIT 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	return false, err
}

// EventSpan returns the times of the first and last stored event.
func (s *Store) EventSpan(ctx context.Context) (first, last time.Time, ok bool, err error) {
	var lo, hi int64
	for _, table := range []string{"clicks", "impressions", "conversions"} {
		var a, b sql.NullInt64
		if err := s.r.QueryRowContext(ctx, `SELECT MIN(time), MAX(time) FROM `+table).Scan(&a, &b); err != nil {
			return first, last, false, fmt.Errorf("event span: %w", err)
		}
		if !a.Valid {
			continue
		}
		if !ok || a.Int64 < lo {
			lo = a.Int64
		}
		if !ok || b.Int64 > hi {
			hi = b.Int64
		}
		ok = true
	}
	return fromMicros(lo), fromMicros(hi), ok, nil
}

// RebuildRollups deletes one UTC day's rollup rows and its conversions' memos and lets fn add
// them again from the raw events, in one transaction, and counts the rebuild in consumer's row.
// In PostgreSQL it first locks what writes the same rows: the change consumer's row (consumer)
// and the visit tables (SHARE: click batches wait, readers do not); SQLite's writers take turns
// anyway.
func (s *Store) RebuildRollups(ctx context.Context, day time.Time, consumer string, fn func(pactum.RollupTx) error) error {
	from := day.UTC().Truncate(24 * time.Hour)
	to := from.Add(24 * time.Hour)
	pending := map[string]int64{}
	var fnErr error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		clear(pending)
		for _, lock := range s.d.RebuildLocks {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		// Made if missing and locked (FOR UPDATE where the database has it), and counted: a
		// keeper that read the memos before this transaction and writes after it learns that
		// they were rewritten (ConsumeChangesRead's rebuilt).
		if _, err := s.lockConsumer(ctx, tx, consumer); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE change_consumers SET rebuilds = rebuilds + 1 WHERE name = ?`), consumer); err != nil {
			return fmt.Errorf("count the rebuild: %w", err)
		}
		lo, hi := from.Unix(), to.Unix()
		for _, name := range rollupTableNames {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+rollupTables[name].name+` WHERE `+bucketSeek(rollupTables[name])+
				`bucket >= ? AND bucket < ?`), lo, hi); err != nil {
				return fmt.Errorf("delete rollups: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM report_memos WHERE conversion_id IN
			(SELECT id FROM conversions WHERE advertiser_id IN (SELECT id FROM advertisers) AND time >= ? AND time < ?)`),
			micros(from), micros(to)); err != nil {
			return fmt.Errorf("delete memos: %w", err)
		}
		ct := &changeTx{s: s, tx: tx, q: tx, pending: pending}
		fnErr = fn(ct)
		ct.close()
		return fnErr
	})
	if fnErr != nil {
		return fnErr
	} else if err != nil {
		return fmt.Errorf("rebuild rollups of %s: %w", from.Format(time.DateOnly), err)
	}
	s.values.publish(pending)
	return nil
}

// bucketSeek is the condition on t's key columns before its bucket (every grain; every
// dimension) that lets a range of buckets be found through the primary key: without it the
// rebuild of each day scanned the whole table (report_d's key starts with grain and dim).
func bucketSeek(t rollupTable) string {
	var b strings.Builder
	for _, col := range t.key {
		switch col {
		case "grain":
			fmt.Fprintf(&b, "grain IN (%d, %d) AND ", pactum.GrainHour, pactum.GrainDay)
		case "dim":
			codes := make([]string, len(pactum.RollupDims))
			for i := range codes {
				codes[i] = strconv.Itoa(i + 1)
			}
			b.WriteString("dim IN (" + strings.Join(codes, ", ") + ") AND ")
		default:
			return b.String()
		}
	}
	return b.String()
}

// The RollupTx of a change consumer and of a rebuild.

func (c *changeTx) AddRollups(ctx context.Context, rows []pactum.RollupRow) error {
	// On the event connection (the reports' keeper, a few dozen upserts a batch), through the
	// statements prepared there: each parsed again would cost more than its rows.
	return c.s.addRollups(ctx, c.tx, statements{s: c.s, tx: c.tx, onEvents: c.onEvents}.exec, rows, c.pending)
}

func (c *changeTx) ReportMemos(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	err := inChunks(ids, func(args []any) error {
		return c.each(ctx, `SELECT conversion_id, data FROM report_memos WHERE conversion_id IN (`+placeholders(len(args))+`)`, args, func(rows *sql.Rows) error {
			var id int64
			var data []byte
			err := rows.Scan(&id, &data)
			out[id] = data
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("report memos: %w", err)
	}
	return out, nil
}

// SetReportMemos stores memos, in the order of their conversions (so that transactions take
// the rows' locks in one order), up to 64 a statement: on the event connection (the keeper)
// through statements prepared once, which took its writes from ~3.0 to ~2.3 µs a conversion
// (BenchmarkKeeper's write-µs/op; prepared in each transaction they cost what they saved). Of
// a conversion given twice the last memo stands.
func (c *changeTx) SetReportMemos(ctx context.Context, memos []pactum.ReportMemo) error {
	slices.SortStableFunc(memos, func(a, b pactum.ReportMemo) int { return cmp.Compare(a.ConversionID, b.ConversionID) })
	// The last memo of a conversion wins, as when each was upserted alone: PostgreSQL's upsert
	// may not touch a row twice in one statement.
	last := memos[:0]
	for _, m := range memos {
		if n := len(last); n > 0 && last[n-1].ConversionID == m.ConversionID {
			last[n-1] = m
		} else {
			last = append(last, m)
		}
	}
	err := memoUpserts.run(ctx, statements{s: c.s, tx: c.tx, onEvents: c.onEvents}, len(last), func(args []any, i int) []any {
		return append(args, last[i].ConversionID, last[i].Data)
	})
	if err != nil {
		return fmt.Errorf("report memo: %w", err)
	}
	return nil
}

// memoUpserts upserts report memos, up to 64 a statement.
var memoUpserts = newChunkedInsert("INSERT INTO report_memos (conversion_id, data) VALUES ", 2, 64,
	" ON CONFLICT (conversion_id) DO UPDATE SET data = excluded.data")

// dayVisitChunk is how many visits EachDayVisit reads before it hands them on. It reads in
// chunks, each query's rows closed before fn runs, so that fn can write through the same
// transaction: PostgreSQL cannot start a statement on a connection still reading another's rows
// (a rebuild of a day of more than rebuildFlush visits failed with "bad connection").
const dayVisitChunk = 10_000

func (c *changeTx) EachDayVisit(ctx context.Context, from, to time.Time, fn func(pactum.Visit, bool) error) error {
	for _, t := range []struct {
		table      string
		impression bool
	}{{"clicks", false}, {"impressions", true}} {
		key := "seq, "
		if !t.impression {
			key = "seq, click_id, "
		}
		// Pages in the order of the time index (which ends in seq in both databases).
		var lastTime, lastSeq int64
		for first := true; ; first = false {
			w := new(where)
			if first {
				w.add("time >= ?", micros(from))
			} else {
				w.conds = append(w.conds, "(time > ? OR time = ? AND seq > ?)")
				w.args = append(w.args, lastTime, lastTime, lastSeq)
			}
			w.add("time < ?", micros(to))
			chunk, err := list(ctx, c.tx, c.s.q(`SELECT `+key+visitColumns+` FROM `+t.table+w.String()+
				` ORDER BY time, seq LIMIT `+strconv.Itoa(dayVisitChunk)), w.args, func(row scanner) (seqVisit, error) {
				var v seqVisit
				if t.impression {
					return v, scanVisit(row, &v.Visit, &v.seq)
				}
				return v, scanVisit(row, &v.Visit, &v.seq, &v.ClickID)
			})
			if err != nil {
				return fmt.Errorf("visits of the day: %w", err)
			}
			for i := range chunk {
				if err := fn(chunk[i].Visit, t.impression); err != nil {
					return err
				}
			}
			if len(chunk) < dayVisitChunk {
				break
			}
			last := chunk[len(chunk)-1]
			lastTime, lastSeq = micros(last.Time), last.seq
		}
	}
	return nil
}

// seqVisit is a visit with its sequence, for paging.
type seqVisit struct {
	pactum.Visit
	seq int64
}

func (c *changeTx) EachDayConversion(ctx context.Context, from, to time.Time, fn func(pactum.Conversion, *pactum.Visit) error) error {
	return c.s.eachReportConversion(ctx, c.tx, from, to, nil, nil, fn)
}

// AddRollups adds the batch's visit rollups in the event transaction.
func (e *eventTx) AddRollups(ctx context.Context, rows []pactum.RollupRow) error {
	return e.s.addRollups(ctx, e.tx, e.statements().exec, rows, e.pending)
}

// Partner costs.

const costColumns = `SELECT id, partner_id, advertiser_id, currency, amount, start_day, end_day, note, created_at FROM partner_costs`

// AddCost stores a partner cost and sets its ID.
func (s *Store) AddCost(ctx context.Context, c *pactum.PartnerCost) error {
	c.CreatedAt = stamp(c.CreatedAt)
	amount, err := minor(c.Amount, c.Currency, "amount")
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.exists(ctx, tx, "partners", "partner_id", c.PartnerID); err != nil {
			return err
		}
		if err := s.exists(ctx, tx, "advertisers", "advertiser_id", c.AdvertiserID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO partner_costs (partner_id, advertiser_id, currency, amount, start_day,
			end_day, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			c.PartnerID, c.AdvertiserID, c.Currency, amount, c.From.Unix(), c.To.Unix(), c.Note, micros(c.CreatedAt)).Scan(&c.ID)
	})
	return s.writeError(err, "", "a partner cost")
}

// Costs returns the costs that overlap the days of f, by id.
func (s *Store) Costs(ctx context.Context, f pactum.CostFilter) ([]pactum.PartnerCost, error) {
	w := new(where)
	w.inInts("partner_id", f.PartnerIDs)
	if f.AdvertiserID != 0 {
		w.add("advertiser_id = ?", f.AdvertiserID)
	}
	if !f.To.IsZero() {
		w.add("start_day <= ?", f.To.Unix())
	}
	if !f.From.IsZero() {
		w.add("end_day >= ?", f.From.Unix())
	}
	return list(ctx, s.r, s.q(costColumns+w.String()+" ORDER BY id"), w.args, func(row scanner) (pactum.PartnerCost, error) {
		var c pactum.PartnerCost
		var amount, start, end, created int64
		err := row.Scan(&c.ID, &c.PartnerID, &c.AdvertiserID, &c.Currency, &amount, &start, &end, &c.Note, &created)
		c.Amount = decimal.New(amount, -pactum.MinorUnits(c.Currency))
		c.From, c.To, c.CreatedAt = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC(), fromMicros(created)
		return c, err
	})
}
