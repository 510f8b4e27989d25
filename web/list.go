package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/pactum/pactum"
)

// listPage is the page of a list a request asks for: ?after= is the cursor.
func listPage(r *http.Request) pactum.Page {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	return pactum.Page{Limit: pageSize, After: max(after, 0)}
}

// pageSize is the rows of a list page: enough to scan, few enough to render fast on a phone.
const pageSize = 50

// nextURL is the link to the page after cursor next of the list at r's URL, keeping its filters;
// "" on the last page.
func nextURL(r *http.Request, next int64) string {
	if next == 0 {
		return ""
	}
	q := url.Values{}
	for k, v := range r.URL.Query() {
		q[k] = v
	}
	q.Set("after", strconv.FormatInt(next, 10))
	return r.URL.Path + "?" + q.Encode()
}
