package api

import (
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// list is the answer of every list endpoint. NextCursor is empty on the last page.
type list[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// readPage parses ?limit= and ?cursor=. A limit above the maximum is lowered to it rather than
// refused, so that a client asking for "everything" still gets pages. The cursor is the last id
// of the previous page, in decimal; clients must treat it as opaque.
func readPage(r *http.Request) (pactum.Page, error) {
	q := r.URL.Query()
	p := pactum.Page{Limit: program.DefaultPage}
	var err error
	if p.Limit, err = queryLimit(r); err != nil {
		return p, err
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return p, pactum.FieldError("cursor", "is not a cursor from a previous answer")
		}
		p.After = n
	}
	return p, nil
}

// queryLimit parses ?limit=, for lists paged by id and others.
func queryLimit(r *http.Request) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return program.DefaultPage, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, pactum.FieldError("limit", "must be a whole number from 1 to %d", program.MaxPage)
	}
	return min(n, program.MaxPage), nil
}

// answerList renders a page with view and answers it.
func answerList[T, V any](w http.ResponseWriter, page program.Page[T], err error, view func(T) V) error {
	if err != nil {
		return err
	}
	out := list[V]{Data: make([]V, 0, len(page.Items))}
	if page.Next != 0 {
		out.NextCursor = strconv.FormatInt(page.Next, 10)
	}
	for _, it := range page.Items {
		out.Data = append(out.Data, view(it))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// created answers a new resource with 201 and its Location.
func created(w http.ResponseWriter, location string, v any) error {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// ok answers v with 200, or err.
func ok[V any](w http.ResponseWriter, v V, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
