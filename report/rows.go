package report

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pactum/pactum"
)

// hourlyDims are the places in pactum.RollupDims of pactum.RollupHourlyDims.
var hourlyDims = func() []int {
	var out []int
	for _, d := range pactum.RollupHourlyDims {
		out = append(out, slices.Index(pactum.RollupDims, d))
	}
	return out
}()

// countsFor reports whether a rejected conversion's fact counts in a row keyed by dimension d
// (-1: none): only where the status or the reason shows.
func countsFor(f *fact, d int) bool {
	return !f.rejected || d == dStatus || d == dReason
}

// rows appends the rollup rows f adds to (times sign: -1 takes it away). A visit's figures go
// only to the dimensions visits have: for the others its value is the empty one, and queries
// take visits' figures for it from the partner table (see query.go), so that every visit need
// not be written under every conversion dimension.
func (f *fact) rows(out []pactum.RollupRow, sign int64) []pactum.RollupRow {
	m := f.m
	if sign < 0 {
		m = m.Neg()
	}
	hour, day := floorTo(f.at, pactum.GrainHour), floorTo(f.at, pactum.GrainDay)
	if f.line {
		if f.rejected {
			return out
		}
		return append(out,
			pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupLine, Grain: pactum.GrainDay, Bucket: day,
				OfferID: f.offer, PartnerID: f.partner, SKU: f.sku, Category: f.cat}, Metrics: m},
			pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupLineOffer, Grain: pactum.GrainDay, Bucket: day,
				OfferID: f.offer, SKU: f.sku, Category: f.cat}, Metrics: m})
	}
	visit := f.visit
	if !f.rejected {
		out = append(out,
			pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupPartner, Grain: pactum.GrainHour, Bucket: hour,
				OfferID: f.offer, PartnerID: f.partner}, Metrics: m},
			pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupPartner, Grain: pactum.GrainDay, Bucket: day,
				OfferID: f.offer, PartnerID: f.partner}, Metrics: m})
	}
	for d := range nDims {
		if (visit && d >= nVisitDims) || !countsFor(f, d) {
			continue
		}
		out = append(out, pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupDim, Grain: pactum.GrainDay, Bucket: day,
			OfferID: f.offer, PartnerID: f.partner, Dim: pactum.RollupDims[d], Value: f.dims[d]}, Metrics: m})
	}
	for _, d := range hourlyDims {
		if (visit && d >= nVisitDims) || !countsFor(f, d) {
			continue
		}
		out = append(out, pactum.RollupRow{RollupKey: pactum.RollupKey{Table: pactum.RollupDimHourly, Grain: pactum.GrainHour, Bucket: hour,
			OfferID: f.offer, Dim: pactum.RollupDims[d], Value: f.dims[d]}, Metrics: m})
	}
	return out
}

// rowSum sums rollup rows of one key into one.
type rowSum struct {
	at   map[pactum.RollupKey]int // index in rows
	rows []pactum.RollupRow
}

func (s *rowSum) add(rows []pactum.RollupRow) {
	for i := range rows {
		if j, ok := s.at[rows[i].RollupKey]; ok {
			s.rows[j].Metrics.Add(rows[i].Metrics)
			continue
		}
		s.at[rows[i].RollupKey] = len(s.rows)
		s.rows = append(s.rows, rows[i])
	}
}

// factSum sums the facts of a keeper's batch that make the same rollup rows (of one hour, offer
// and partner, with the same dimension values, line and rejection) and makes their rows once: a
// batch's conversions share most of their facts, and each fact makes some thirty rows. Facts
// that sum to nothing (what a change took away and added back) make none.
type factSum struct {
	at    map[fact]int // index in facts, by the fact without its metrics
	facts []fact
}

// add adds f's metrics, times sign (-1 takes them away).
func (s *factSum) add(f fact, sign int64) {
	m := f.m
	if sign < 0 {
		m = m.Neg()
	}
	f.at, f.m = floorTo(f.at, pactum.GrainHour), pactum.Metrics{}
	if i, ok := s.at[f]; ok {
		s.facts[i].m.Add(m)
		return
	}
	if s.at == nil {
		s.at = map[fact]int{}
	}
	s.at[f] = len(s.facts)
	f.m = m
	s.facts = append(s.facts, f)
}

// rows returns the rows of the summed facts, each key once.
func (s *factSum) rows() []pactum.RollupRow {
	sum := rowSum{at: map[pactum.RollupKey]int{}}
	var rows []pactum.RollupRow
	for i := range s.facts {
		if s.facts[i].m == (pactum.Metrics{}) {
			continue
		}
		rows = s.facts[i].rows(rows[:0], 1)
		sum.add(rows)
	}
	return sum.rows
}

func floorTo(t, grain int64) int64 {
	return pactum.FloorDiv(t, grain) * grain
}

// A memo keeps a conversion's facts, so that a later change can take them away: what the keeper
// last added for it. memoVersion starts the binary form; memos stored before it are JSON arrays
// of jsonMemoFact, still read.
const memoVersion = 1

// encodeMemo writes facts as varints and strings: the version, the number of facts, then each
// fact's time, offer, partner, flags, its dimension values (or none when they are the previous
// fact's, as a conversion's line facts have its order's), SKU and category of a line, and
// metrics (memoMetrics).
func encodeMemo(facts []fact) ([]byte, error) {
	buf := make([]byte, 0, 64+48*len(facts))
	buf = append(buf, memoVersion)
	buf = binary.AppendUvarint(buf, uint64(len(facts)))
	for i := range facts {
		f := &facts[i]
		buf = binary.AppendVarint(buf, f.at)
		buf = binary.AppendVarint(buf, f.offer)
		buf = binary.AppendVarint(buf, f.partner)
		var flags byte
		if f.line {
			flags |= memoLine
		}
		if f.rejected {
			flags |= memoRejected
		}
		if i > 0 && f.dims == facts[i-1].dims {
			flags |= memoSameDims
		}
		buf = append(buf, flags)
		if flags&memoSameDims == 0 {
			for _, d := range f.dims {
				buf = appendMemoString(buf, d)
			}
		}
		if f.line {
			buf = appendMemoString(buf, f.sku)
			buf = appendMemoString(buf, f.cat)
		}
		for _, v := range memoMetrics(&f.m) {
			buf = binary.AppendVarint(buf, *v)
		}
	}
	return buf, nil
}

// minMemoFact is the fewest bytes a fact takes: a byte for each varint, the flags.
const minMemoFact = 4 + memoMetricCount

const (
	memoLine = 1 << iota
	memoRejected
	memoSameDims
)

const memoMetricCount = 13

// memoMetrics are the fields of m in the order memos keep them.
func memoMetrics(m *pactum.Metrics) [memoMetricCount]*int64 {
	return [memoMetricCount]*int64{&m.Impressions, &m.Clicks, &m.UniqueClicks, &m.InvalidClicks, &m.Conversions, &m.Sales,
		&m.Payout, &m.Revenue, &m.NewCustomers, &m.Refunds, &m.RefundedAmount, &m.CTCTSum, &m.CTCTCount}
}

func appendMemoString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func decodeMemo(data []byte) ([]fact, error) {
	if len(data) > 0 && data[0] == '[' {
		return decodeJSONMemo(data)
	}
	r := memoReader{b: data}
	if v := r.byte(); v != memoVersion || r.bad {
		return nil, fmt.Errorf("report memo: unknown version %d (%d bytes)", v, len(data))
	}
	n := r.uvarint()
	if n > uint64(len(data)/minMemoFact) {
		return nil, fmt.Errorf("report memo: %d facts in %d bytes", n, len(data))
	}
	out := make([]fact, n)
	for i := range out {
		f := &out[i]
		f.at, f.offer, f.partner = r.varint(), r.varint(), r.varint()
		flags := r.byte()
		f.line, f.rejected = flags&memoLine != 0, flags&memoRejected != 0
		if flags&memoSameDims != 0 && i > 0 {
			f.dims = out[i-1].dims
		} else {
			for d := range f.dims {
				f.dims[d] = r.string()
			}
		}
		if f.line {
			f.sku, f.cat = r.string(), r.string()
		}
		for _, v := range memoMetrics(&f.m) {
			*v = r.varint()
		}
	}
	if r.bad || r.i != len(data) {
		return nil, fmt.Errorf("report memo: malformed (%d bytes)", len(data))
	}
	return out, nil
}

// memoReader reads a binary memo; bad is set, and zeros read, past its end.
type memoReader struct {
	b   []byte
	i   int
	bad bool
}

func (r *memoReader) byte() byte {
	if r.i >= len(r.b) {
		r.bad = true
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *memoReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.i:])
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.i += n
	return v
}

// varint reads what binary.AppendVarint wrote: a uvarint of the zigzag form.
func (r *memoReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *memoReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)-r.i) {
		r.bad = true
		return ""
	}
	s := string(r.b[r.i : r.i+int(n)])
	r.i += int(n)
	return s
}

// jsonMemoFact is a fact as memos kept it before memoVersion.
type jsonMemoFact struct {
	At       int64          `json:"t"`
	Offer    int64          `json:"o"`
	Partner  int64          `json:"p,omitempty"`
	Dims     [nDims]string  `json:"d"`
	Line     bool           `json:"l,omitempty"`
	SKU      string         `json:"s,omitempty"`
	Category string         `json:"c,omitempty"`
	Rejected bool           `json:"r,omitempty"`
	M        pactum.Metrics `json:"m"`
}

func decodeJSONMemo(data []byte) ([]fact, error) {
	var in []jsonMemoFact
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, fmt.Errorf("report memo: %w", err)
	}
	out := make([]fact, len(in))
	for i, f := range in {
		out[i] = fact{at: f.At, offer: f.Offer, partner: f.Partner, dims: f.Dims, line: f.Line, sku: f.SKU, cat: f.Category,
			rejected: f.Rejected, m: f.M}
	}
	return out, nil
}
