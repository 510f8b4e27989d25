package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzReportExplorer sends the explorer and its CSV any query a URL can carry: the answer is
// never a server error, and a partner's never holds another partner's name.
func FuzzReportExplorer(f *testing.F) {
	s := newSite(f)
	admin, anna := s.login("admin@example.com"), s.login("anna@example.com")
	for _, q := range []string{
		"group_by=day,partner&metrics=clicks,sales&compare=previous",
		"group_by=colour&from=x&to=2026-13-01",
		"group_by=partner&filter%5Bpartner%5D=2&metrics=revenue",
		"tz=Local&compare=previous&cursor=o9&sort=-nope",
		"group_by=day&group_by=hour&limit=-1&metrics=",
		"group_by=sku,category&filter%5Bcountry%5D=DE,AT&currency=USD",
		"filter%5B%5D=1&filter%5Bpartner_id%5D=x&days=7",
		"%zz",
	} {
		f.Add(q)
	}
	get := func(b *browser, path string) (int, string, error) {
		resp, err := b.client.Get(s.srv.URL + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}
	f.Fuzz(func(t *testing.T, q string) {
		if strings.ContainsFunc(q, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // not a query a URL carries
		}
		for _, c := range []struct {
			b    *browser
			area string
		}{{admin, "console"}, {anna, "portal"}} {
			for _, path := range []string{"/" + c.area + "/reports?", "/" + c.area + "/reports/csv?"} {
				status, body, err := get(c.b, path+q)
				if err != nil {
					t.Fatalf("%s%s: %v", path, q, err)
				}
				if status >= http.StatusInternalServerError {
					t.Fatalf("%s%s: %d", path, q, status)
				}
				if c.area == "portal" && strings.Contains(body, "Ben") {
					t.Fatalf("%s%s shows Ben to Anna", path, q)
				}
			}
		}
	})
}
