package report

import (
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

func floorTo(t, grain int64) int64 {
	return pactum.FloorDiv(t, grain) * grain
}

// memoFact is a fact as a memo keeps it.
type memoFact struct {
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

// encodeMemo keeps a conversion's facts, so that a later change can take them away.
func encodeMemo(facts []fact) ([]byte, error) {
	out := make([]memoFact, len(facts))
	for i, f := range facts {
		out[i] = memoFact{At: f.at, Offer: f.offer, Partner: f.partner, Dims: f.dims, Line: f.line, SKU: f.sku,
			Category: f.cat, Rejected: f.rejected, M: f.m}
	}
	return json.Marshal(out)
}

func decodeMemo(data []byte) ([]fact, error) {
	var in []memoFact
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
