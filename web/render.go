package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates, one set for all pages, parsed once at start (a template error
// stops the start, not a request): the layout, the partials, and each page's file defining
// "page/<name>". A page renders into the layout as its Main rather than each page's set being
// a clone of the layout with its own "main": the clones' parse trees (about 5 MB of pointers)
// were live heap the collector marked on every cycle, on the event path too.
type pages struct {
	set *template.Template
	// assets are the static files' URLs with their content hash, so that browsers may keep
	// them for a year and still get a new one the moment it changes.
	assets map[string]string
}

func parsePages() (*pages, error) {
	p := &pages{assets: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		p.assets[path.Base(name)] = "/" + name + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"money":      money,
		"date":       func(t time.Time) string { return dateText(t, "2 Jan 2006") },
		"datetime":   func(t time.Time) string { return dateText(t, "2 Jan 2006 15:04 UTC") },
		"asset":      func(name string) string { return p.assets[name] },
		"field":      newField,
		"inputID":    inputID,
		"inputLabel": inputLabel,
		"title":      func(s string) string { return strings.ToUpper(s[:min(1, len(s))]) + s[min(1, len(s)):] },
		"plus":       func(a, b int) int { return a + b },
		"lower":      strings.ToLower,
		"count":      count,
		"list":       func(v ...string) []string { return v },
		"rateView": func(f *form, q, label string, kinds []struct{ Value, Label string }) rateView {
			return rateView{Form: f, Q: q, Label: label, Kinds: kinds}
		},
		"capLabel":     func(c string) string { return capLabels[c] },
		"payoutMethod": payoutMethod,
		"dimLabel":     label,
		"int64":        func(n int) int64 { return int64(n) },
	}
	if p.set, err = template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"); err != nil {
		return nil, err
	}
	return p, nil
}

func dateText(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(layout)
}

// count writes n with its noun, singular or plural: "1 commission", "3 commissions".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}

// money writes an amount with its currency's digits and code: "24.00 EUR".
func money(amount decimal.Decimal, currency string) string {
	return pactum.FormatAmount(amount, currency) + " " + currency
}

// navItem is one entry of the navigation.
type navItem struct {
	Label, Path string
	Current     bool
}

// navigation of each role: what its area offers, in the order people use it.
func navigation(v *viewer, current string) []navItem {
	var items []navItem
	switch {
	case v == nil:
		return nil
	case v.Caller.IsPartner():
		items = []navItem{{"Dashboard", "/portal/dashboard", false}, {"Reports", "/portal/reports", false},
			{"Commissions", "/portal/commissions", false}, {"Offers", "/portal/offers", false},
			{"Links", "/portal/links", false}, {"Coupons", "/portal/coupons", false}, {"Balance", "/portal/balance", false},
			{"Postbacks", "/portal/postbacks", false}, {"Profile", "/portal/profile", false}}
	case v.Caller.IsAdmin():
		items = []navItem{{"Dashboard", "/console/dashboard", false}, {"Reports", "/console/reports", false},
			{"Partners", "/console/partners", false}, {"Offers", "/console/offers", false},
			{"Links", "/console/links", false}, {"Coupons", "/console/coupons", false},
			{"Conversions", "/console/conversions", false}, {"Review", "/console/review", false}, {"Payouts", "/console/payouts", false}, {"Settings", "/console/settings", false}}
	default:
		items = []navItem{{"Dashboard", "/console/dashboard", false}, {"Reports", "/console/reports", false},
			{"Offers", "/console/offers", false}, {"Links", "/console/links", false}, {"Coupons", "/console/coupons", false},
			{"Conversions", "/console/conversions", false}, {"Review", "/console/review", false}, {"Payouts", "/console/payouts", false}, {"Settings", "/console/settings", false}}
	}
	for i := range items {
		items[i].Current = current == items[i].Path || strings.HasPrefix(current, items[i].Path+"/")
	}
	return items
}

// layoutData is what the layout shows around every page.
type layoutData struct {
	Title     string
	Viewer    *viewer
	Nav       []navItem
	Notice    string
	FormToken string
	Area      string // "console", "portal" or "" (signed out)
	Page      any
	Main      template.HTML // the page, rendered
}

// render writes page name with data in the layout, with status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, v *viewer, status int, name, title string, data any) {
	page := s.pages.set.Lookup("page/" + name)
	if page == nil {
		s.logger.ErrorContext(r.Context(), "web: no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	ld := layoutData{Title: title, Viewer: v, Nav: navigation(v, r.URL.Path), Notice: s.takeNotice(w, r), Page: data}
	if v != nil {
		ld.FormToken = auth.FormToken(v.token)
		ld.Area = "console"
		if v.Caller.IsPartner() {
			ld.Area = "portal"
		}
	}
	var buf bytes.Buffer
	err := page.Execute(&buf, ld)
	if err == nil {
		ld.Main = template.HTML(buf.String()) //nolint:gosec // html/template's own output
		buf.Reset()
		err = s.pages.set.ExecuteTemplate(&buf, "layout", ld)
	}
	if err != nil {
		s.logger.ErrorContext(r.Context(), "web: rendering failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) //nolint:errcheck // the client has gone
}

// renderError renders an error page with status and a message that says what to do.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, v *viewer, status int, msg string) {
	title := http.StatusText(status)
	if status == http.StatusForbidden {
		title = "Not allowed"
	}
	s.render(w, r, v, status, "error", title, struct {
		Status  int
		Message string
	}{status, msg})
}

// static serves the embedded assets: for a year when the URL carries the content hash.
func (s *Server) static() http.Handler {
	files := http.FileServerFS(staticFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if want, ok := s.pages.assets[path.Base(r.URL.Path)]; ok && want == r.URL.RequestURI() {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// rateView is a rate's inputs q.kind and q.value, as the partial "rate" renders them.
type rateView struct {
	Form  *form
	Q     string
	Label string
	Kinds []struct{ Value, Label string }
}

var capLabels = map[string]string{
	"daily_conversions": "Conversions a day", "monthly_conversions": "Conversions a month",
	"daily_payout": "Payout a day", "monthly_payout": "Payout a month",
}

// formField is one labelled input, as the partial "field" renders it.
type formField struct {
	Form                    *form
	Name, Label, Type, Hint string
}

// newField builds a formField in a template: field .Form "name" "Label" "type" "hint".
func newField(f *form, name, label, typ string, hint ...string) formField {
	return formField{Form: f, Name: name, Label: label, Type: typ, Hint: strings.Join(hint, " ")}
}

// inputLabel names input name for a person, in the error summary: "Event 1, rule 2 amount".
func inputLabel(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) >= 2 && len(parts[0]) > 1 && parts[0][0] == 'e' {
		if n, err := strconv.Atoi(parts[0][1:]); err == nil {
			event := "Event " + strconv.Itoa(n+1)
			rest := parts[1:]
			switch {
			case len(rest) == 3 && (rest[0] == "rules" || rest[0] == "bonuses" || rest[0] == "tiers"):
				row, _ := strconv.Atoi(rest[1])
				noun := map[string]string{"rules": "rule", "bonuses": "bonus", "tiers": "tier"}[rest[0]]
				what := map[string]string{"id": "id", "when": "conditions", "value": "amount", "sales": "monthly sales", "multiplier": "multiplier"}[rest[2]]
				return fmt.Sprintf("%s, %s %d %s", event, noun, row+1, what)
			case rest[0] == "default":
				return event + ", default rate"
			case rest[0] == "caps" && len(rest) == 2:
				return event + ", cap " + strings.ToLower(capLabels[rest[1]])
			case rest[0] == "payout":
				return event + ", payout rules"
			case rest[0] == "revenue":
				return event + ", revenue rule set"
			case rest[0] == "name":
				return event + " name"
			}
		}
	}
	name = strings.TrimPrefix(name, "key.")
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	name = strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(name[:min(1, len(name))]) + name[min(1, len(name)):]
}

// inputID is the id of a form's input named name (names hold dots and brackets).
func inputID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// payoutMethod says how a partner is paid, in words.
func payoutMethod(method string) string {
	switch method {
	case "sepa":
		return "bank transfer (SEPA)"
	case "paypal":
		return "PayPal"
	}
	return "by the program, outside Pactum"
}
