package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
)

// Paging limits: what a dashboard table needs by default, and a bound on one answer's size.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// list is the answer of every list endpoint. NextCursor is empty on the last page.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageRequest is what a list endpoint was asked for: at most limit items after the cursor.
type pageRequest struct {
	limit int
	after int64
}

// readPage parses ?limit= and ?cursor=. A limit above the maximum is lowered to it rather than
// refused, so that a client asking for "everything" still gets pages. The cursor is the last id
// of the previous page, in decimal; clients must treat it as opaque.
func readPage(r *http.Request) (pageRequest, error) {
	q := r.URL.Query()
	p := pageRequest{limit: defaultLimit}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, pactum.FieldError("limit", "must be a whole number from 1 to %d", maxLimit)
		}
		p.limit = min(n, maxLimit)
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return p, pactum.FieldError("cursor", "is not a cursor from a previous answer")
		}
		p.after = n
	}
	return p, nil
}

// collect pages through a store list with fetch, keeping the items keep accepts (nil keeps all),
// until it has one page or the store has no more. It asks for one item more than a page so that
// the last page says it is the last, and a cursor never leads to an empty page.
func collect[T any](p pageRequest, fetch func(pactum.Page) ([]T, error), id func(T) int64, keep func(T) bool) (items []T, next string, err error) {
	// Stores cap a page at maxLimit too, so a short batch means the end only when it is shorter
	// than what was asked for.
	ask := min(p.limit+1, maxLimit)
	after := p.after
	for {
		before := after
		batch, err := fetch(pactum.Page{Limit: ask, After: after})
		if err != nil {
			return nil, "", err
		}
		for _, it := range batch {
			after = id(it)
			if keep != nil && !keep(it) {
				continue
			}
			if len(items) == p.limit {
				return items, strconv.FormatInt(id(items[len(items)-1]), 10), nil
			}
			items = append(items, it)
		}
		// A store that did not move past the cursor would otherwise loop forever.
		if len(batch) < ask || after <= before {
			return items, "", nil
		}
	}
}

// answerList renders items with view and answers them as one page.
func answerList[T, V any](w http.ResponseWriter, items []T, next string, view func(T) V) error {
	out := list[V]{Data: make([]V, 0, len(items)), NextCursor: next}
	for _, it := range items {
		out.Data = append(out.Data, view(it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// timeRange reads the from (inclusive) and to (exclusive) filters of a list.
func timeRange(r *http.Request) (from, to time.Time, err error) {
	if from, err = queryTime(r, "from"); err != nil {
		return from, to, err
	}
	if to, err = queryTime(r, "to"); err != nil {
		return from, to, err
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return from, to, pactum.FieldError("to", "must be after from")
	}
	return from, to, nil
}
