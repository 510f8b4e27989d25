package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// pathID parses the {id} of a path (see pathInt).
func pathID(r *http.Request, kind string) (int64, error) { return pathInt(r, "id", kind) }

// pathInt parses the path value name, the id of a kind of resource. An id that is not a
// positive integer cannot exist, so it answers 404 like any other missing one.
func pathInt(r *http.Request, name, kind string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	// Only the id's own spelling names it: "+1" or "01" would let one resource have many
	// paths (and a DELETE hit what its caller did not write).
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != s {
		return 0, program.NotFound(kind, strconv.Quote(s))
	}
	return id, nil
}

// queryID parses an optional id filter such as ?offer_id=12; absent is 0.
func queryID(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, pactum.FieldError(name, "must be a positive integer id, not %q", s)
	}
	return id, nil
}

// queryOwners reads a list's offer_id, partner_id and advertiser_id filters. A list whose
// items do not have one of them names it in not: given, it is refused rather than ignored.
func queryOwners(r *http.Request, not ...string) (o program.Owners, err error) {
	for _, name := range not {
		if r.URL.Query().Has(name) {
			return o, pactum.FieldError(name, "is not a filter of this list")
		}
	}
	if o.OfferID, err = queryID(r, "offer_id"); err != nil {
		return o, err
	}
	if o.PartnerID, err = queryID(r, "partner_id"); err != nil {
		return o, err
	}
	o.AdvertiserID, err = queryID(r, "advertiser_id")
	return o, err
}

// queryTime parses an optional RFC 3339 time filter such as ?from=2025-01-01T00:00:00Z.
func queryTime(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	// An unencoded "+02:00" offset arrives as " 02:00"; take it as the client meant it.
	t, err := time.Parse(time.RFC3339, strings.ReplaceAll(s, " ", "+"))
	if err != nil {
		return time.Time{}, pactum.FieldError(name, "must be an RFC 3339 time such as \"2025-01-31T00:00:00Z\", not %q", s)
	}
	return t.UTC(), nil
}

// timeRange reads the from (inclusive) and to (exclusive) filters of a list.
func timeRange(r *http.Request) (from, to time.Time, err error) {
	if from, err = queryTime(r, "from"); err != nil {
		return from, to, err
	}
	to, err = queryTime(r, "to")
	return from, to, err
}

// queryDate parses an optional day filter such as ?from=2026-11-01.
func queryDate(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	return pactum.ParseDate(s, name)
}

// idOrNull renders an optional id: 0 (none) becomes JSON null.
func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// timeOrNull renders an optional time: the zero time becomes JSON null.
func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// nonNil makes an empty list render as [] rather than null, so clients need no null check.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
