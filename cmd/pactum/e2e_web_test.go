package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/pactum/pactum/shop"
)

// The web UI in a real browser: Debian's chromium, headless, driven by chromedp against the
// real binary. One browser serves the whole test; each step waits for the page its action
// loads. Every page the test visits is checked with axe-core (no serious or critical
// violations) and photographed at desktop and phone widths into .cache/screenshots.

const adminEmail, adminPassword = "boss@example.com", "correct horse battery"

// browserUI is a browser tab on a running server.
type browserUI struct {
	t     *testing.T
	ctx   context.Context
	base  string
	axe   string // axe.min.js
	shots string // where screenshots go
}

// chromiumPath is Debian's chromium binary (the /usr/bin/chromium wrapper only adds flags the
// test sets itself).
func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/lib/chromium/chromium"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: run scripts/browser-deps.sh (apt-get install -y chromium), as .ci/run does")
	}
	return p
}

// axeScript is axe-core's axe.min.js, which scripts/browser-deps.sh installs.
func axeScript(t *testing.T) string {
	p := os.Getenv("PACTUM_AXE_JS")
	if p == "" {
		p, _ = filepath.Abs("../../.cache/axe/node_modules/axe-core/axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("axe-core is not at %s: run scripts/browser-deps.sh, as .ci/run does, or set PACTUM_AXE_JS", p)
	}
	return string(b)
}

func newBrowser(t *testing.T, base string) *browserUI {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	shots, _ := filepath.Abs("../../.cache/screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browserUI{t: t, ctx: ctx, base: base, axe: axeScript(t), shots: shots}
}

// step runs actions with a time limit, failing the test with what was asked.
func (b *browserUI) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.location())
	}
}

// load runs actions that load a page and returns its HTTP status.
func (b *browserUI) load(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.location())
	}
	return resp.Status
}

// open loads path and returns its status.
func (b *browserUI) open(path string) int64 {
	b.t.Helper()
	return b.load("open "+path, chromedp.Navigate(b.base+path))
}

// submit clicks the button sel and waits for the page it loads.
func (b *browserUI) submit(sel string) int64 {
	b.t.Helper()
	return b.load("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

func (b *browserUI) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// path is the current page's path and query.
func (b *browserUI) path() string {
	return strings.TrimPrefix(b.location(), b.base)
}

// text is the text of the first element sel matches.
func (b *browserUI) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v (at %s)", sel, err, b.location())
	}
	return s
}

// eval evaluates a script in the page and returns its string result (promises awaited).
func (b *browserUI) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("eval: %v (at %s)", err, b.location())
	}
	return s
}

// fill sets the values of inputs and selects, by CSS selector.
func (b *browserUI) fill(values ...string) {
	b.t.Helper()
	var actions []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(values); i += 2 {
		actions = append(actions, chromedp.SetValue(chromedp.CSS(values[i]), values[i+1]))
	}
	b.step("fill "+strings.Join(values, " "), actions...)
}

// check runs axe-core on the page and fails the test on any serious or critical violation;
// then it photographs the page at desktop and phone widths as name.
func (b *browserUI) check(name string) {
	b.t.Helper()
	b.step("inject axe", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[chromedp.Void](b.axe)(ctx, t)
		return err
	}))
	found := b.eval(`axe.run(document).then(r => r.passes.length + "\n" + r.violations
		.map(v => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "))
		.join("\n"))`)
	passes, violations, _ := strings.Cut(found, "\n")
	if passes == "0" {
		b.t.Errorf("axe on %s passed no rule: it did not run", name)
	}
	for _, v := range strings.Split(violations, "\n") {
		switch {
		case strings.HasPrefix(v, "serious ") || strings.HasPrefix(v, "critical "):
			b.t.Errorf("axe on %s (%s): %s", name, b.path(), v)
		case v != "":
			b.t.Logf("axe on %s (%s): %s", name, b.path(), v) // moderate and minor: reported, not failed
		}
	}
	for _, size := range []struct {
		suffix string
		w, h   int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h))
		var png []byte
		if err == nil {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		}
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot of %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(b.shots, name+"-"+size.suffix+".png"), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.step("desktop again", chromedp.EmulateViewport(1280, 900))
}

// fits fails the test when a table of the page is wider than its box at desktop or phone width:
// its columns would hide behind a horizontal scroll (every .table-wrap scrolls rather than
// spill). Tables behind a closed disclosure are measured too: they open to the same width.
func (b *browserUI) fits(name string) {
	b.t.Helper()
	for _, w := range []int64{1280, 390} {
		b.step(fmt.Sprintf("%d px wide", w), chromedp.EmulateViewport(w, 900))
		over := b.eval(`[...document.querySelectorAll(".table-wrap")].flatMap(w => {
			const t = w.querySelector("table");
			return t && t.scrollWidth > w.clientWidth ? [(w.getAttribute("aria-label") || "a table") + ": " + t.scrollWidth + " px in " + w.clientWidth] : [];
		}).join("; ")`)
		if over != "" {
			b.t.Errorf("%s at %d px (%s): tables wider than their boxes: %s", name, w, b.path(), over)
		}
	}
	b.step("desktop again", chromedp.EmulateViewport(1280, 900))
}

// photo photographs the element sel alone at desktop width, as name.
func (b *browserUI) photo(name, sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("screenshot of %s: %v", sel, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// cookies are the browser's cookies for the server.
func (b *browserUI) cookies() []*network.Cookie {
	b.t.Helper()
	var out []*network.Cookie
	b.step("read cookies", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
		out = res.Cookies
		return err
	}))
	return out
}

// login signs in as email and waits for the first page.
func (b *browserUI) login(email, password string) {
	b.t.Helper()
	b.open("/login")
	b.fill("#f-email", email, "#f-password", password)
	if status := b.submit("main form button[type=submit]"); status != 200 {
		b.t.Fatalf("login as %s: %d at %s", email, status, b.path())
	}
}

func TestWebUIInBrowser(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	db := filepath.Join(dir, "pactum.db")

	// The first admin, as the README says to make it: the password from standard input.
	create := exec.Command(binary, "users", "create", "--db", db, "--email", adminEmail, "--password-file", "-", "--role", "admin")
	create.Stdin = strings.NewReader(adminPassword + "\n")
	if out, err := create.CombinedOutput(); err != nil || !strings.Contains(string(out), "Sign in at") {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	// Postbacks may go to the test's receiver on this machine.
	p := startServer(t, freeAddr(t), "--db", db, "--postback-allow-private")

	// A program through the API: Anna (active, paid by SEPA) and Ben (pending), a coupon each.
	adv := p.createAdvertiser(map[string]any{"name": "Northwind Shoes", "currency": "EUR", "legal_name": "Northwind Shoes GmbH",
		"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"})
	var anna, ben struct{ ID int64 }
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Anna Runs", "email": "anna@example.com", "kind": "influencer",
		"min_payout": "10.00", "payout_method": "sepa", "iban": "FR1420041010050500013M02606"}, &anna)
	p.api("POST", "/api/v1/partners", map[string]any{"name": "Ben Bikes", "email": "ben@example.com", "status": "pending"}, &ben)
	for code, partner := range map[string]int64{"ANNA10": anna.ID, "BEN10": ben.ID} {
		if status := p.api("POST", "/api/v1/coupons", map[string]any{"code": code, "partner_id": partner}, nil); status != 201 {
			t.Fatalf("coupon %s: %d", code, status)
		}
	}

	b := newBrowser(t, p.base)
	t.Logf("browser up after %v", time.Since(start).Round(time.Millisecond))

	// Signed out, every page leads to the login.
	b.open("/")
	if b.path() != "/login" {
		t.Fatalf("/ signed out ends at %s", b.path())
	}
	b.check("login")
	b.fill("#f-email", adminEmail, "#f-password", "not my password")
	if status := b.submit("main form button[type=submit]"); status != 401 || !strings.Contains(b.text(".alert"), "Wrong email or password") {
		t.Fatalf("a wrong password: %d", status)
	}
	b.login(adminEmail, adminPassword)
	if b.path() != "/console/dashboard" {
		t.Fatalf("an admin starts at %s", b.path())
	}
	if !strings.Contains(b.text("main"), "No clicks or sales in the last 30 days") {
		t.Errorf("the empty dashboard does not say what to do:\n%s", b.text("main"))
	}

	// Approve Ben.
	b.open("/console/partners")
	b.check("partners")
	b.submit(fmt.Sprintf(`form[action="/console/partners/%d/status"] button`, ben.ID))
	if notice := b.text(".notice"); !strings.Contains(notice, "Ben Bikes is approved") {
		t.Fatalf("approve Ben: %q", notice)
	}

	// A new offer with a mistake in its first rule: the error is shown at that rule.
	b.open("/console/offers/new")
	b.fill("#f-name", "Spring running", "#f-destination_url", "https://shop.example/?cid={click_id}",
		"#f-e0-default-value", "8",
		"#f-e0-rules-0-id", "hero", "#f-e0-rules-0-when", "sku: SHOE-9", "#f-e0-rules-0-kind", "unit", "#f-e0-rules-0-value", "lots",
		"#f-e0-bonuses-0-id", "new-customer", "#f-e0-bonuses-0-when", "new_customer: yes", "#f-e0-bonuses-0-kind", "fixed", "#f-e0-bonuses-0-value", "5.00")
	if status := b.submit("main form button[type=submit]"); status != 400 {
		t.Fatalf("an offer with a mistake: %d", status)
	}
	msg := b.text("#f-e0-rules-0-value-error")
	where := b.eval(`document.querySelector("#f-e0-rules-0-value-error").closest("[role=group]").getAttribute("aria-label")`)
	if !strings.Contains(msg, "lots") || where != "Rule 1" {
		t.Fatalf("the rule's error %q is shown in %q, want at Rule 1", msg, where)
	}
	b.check("offer-editor-error")
	b.photo("offer-rule-error", "main .ruleset")
	b.fill("#f-e0-rules-0-value", "12.00")
	if status := b.submit("main form button[type=submit]"); status != 200 || !strings.Contains(b.text(".notice"), "is saved") {
		t.Fatalf("the fixed offer: %d at %s", status, b.path())
	}
	var offerID int64
	if _, err := fmt.Sscanf(b.path(), "/console/offers/%d", &offerID); err != nil {
		t.Fatalf("saved offer at %s", b.path())
	}
	b.check("offer-editor")

	// Sales for it: two of Anna's, one of Ben's.
	convs := map[string]int64{}
	for _, sale := range []struct{ order, coupon string }{{"A-1", "ANNA10"}, {"A-2", "ANNA10"}, {"B-1", "BEN10"}} {
		var res struct{ ID int64 }
		if status := p.api("POST", "/api/v1/conversions", map[string]any{"offer_id": offerID, "order_id": sale.order, "coupon": sale.coupon,
			"new_customer": sale.order == "A-1", "items": []map[string]any{
				{"sku": "SHOE-9", "category": "shoes", "quantity": 2, "unit_price": "99.90"},
				{"sku": "SOCK-1", "category": "accessories", "quantity": 1, "unit_price": "50.00"}}}, &res); status != 201 {
			t.Fatalf("report %s: %d", sale.order, status)
		}
		convs[sale.order] = res.ID
	}

	// The dashboard: the sales in its tiles (once the reports have them: well within a second),
	// and a click made now appears in its live feed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var rep struct{ Totals struct{ Conversions int } }
		p.api("GET", "/api/v1/reports?metrics=conversions", nil, &rep)
		if rep.Totals.Conversions == 3 || time.Now().After(deadline) {
			break
		}
	}
	b.open("/console/dashboard")
	b.step("the live feed connects", chromedp.WaitReady(chromedp.CSS(`#live-feed[data-live="open"]`)))
	var tracking struct{ Code string }
	if status := p.api("POST", "/api/v1/links", map[string]any{"offer_id": offerID, "partner_id": anna.ID, "sub1": "reel-7"}, &tracking); status != 201 {
		t.Fatalf("create link: %d", status)
	}
	clickReq, _ := http.NewRequest("GET", p.base+"/c/"+tracking.Code, nil)
	clickReq.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148")
	clicked := time.Now()
	clickResp, err := noRedirect.Do(clickReq)
	if err != nil || clickResp.StatusCode != http.StatusFound {
		t.Fatalf("the click: %v %v", err, clickResp)
	}
	clickResp.Body.Close()
	b.step("the click shows in the live feed", chromedp.WaitVisible(chromedp.CSS("#live-feed li.click")))
	if item := b.text("#live-feed li.click"); !strings.Contains(item, "Click") || !strings.Contains(item, fmt.Sprintf("partner %d", anna.ID)) || !strings.Contains(item, "reel-7") {
		t.Errorf("the live feed's click: %q", item)
	}
	t.Logf("the click was in the live feed %v after it was made", time.Since(clicked).Round(time.Millisecond))
	tile := `[...document.querySelectorAll("section[aria-labelledby=h-period] .tile")].map(t => t.querySelector(".tile-label").textContent + "=" + t.querySelector(".tile-value").textContent).join("; ")`
	if tiles := b.eval(tile); !strings.Contains(tiles, "Conversions=3;") || !strings.Contains(tiles, "Sales=749.40 EUR;") {
		t.Errorf("the period's tiles: %s", tiles)
	}
	b.check("dashboard")
	b.fits("dashboard")
	b.open("/console/partners")
	if row := b.text(fmt.Sprintf(`tr:has(a[href="/console/partners/%d"])`, anna.ID)); !strings.Contains(row, "499.60") {
		t.Errorf("Anna's row of the partners list lacks her sales:\n%s", row)
	}
	b.check("partners-figures")
	b.fits("partners")

	// The report explorer: sales by partner, as a table, a chart and a CSV file.
	b.open("/console/reports?group_by=partner&metrics=clicks,conversions,sales,payout,epc,cr&compare=previous")
	if table := b.text(`table.report`); !strings.Contains(table, "Anna Runs") || !strings.Contains(table, "Ben Bikes") {
		t.Errorf("the report by partner:\n%s", table)
	}
	csv := b.eval(`fetch(document.querySelector('a[href^="/console/reports/csv?"]').href).then(async r => r.status + " " + r.headers.get("content-type") + "\n" + await r.text())`)
	if head, rows, _ := strings.Cut(csv, "\n"); head != "200 text/csv; charset=utf-8" || !strings.HasPrefix(rows, "partner_id,partner,clicks,clicks_previous,clicks_change,") || !strings.Contains(rows, "Anna Runs") {
		t.Errorf("the report's CSV: %.400s", csv)
	}
	b.check("reports")
	b.open("/console/reports?group_by=day&metrics=sales,payout")
	b.check("reports-trend")
	b.open("/console/reports?group_by=colour")
	if msg := b.text("#f-group_by-error"); !strings.Contains(msg, "colour") {
		t.Errorf("a wrong dimension's error: %q", msg)
	}
	b.open(fmt.Sprintf("/console/partners/%d", anna.ID))
	b.check("partner")

	// The simulator: a draft that pays 10% by default, against what they earn now.
	b.open(fmt.Sprintf("/console/offers/%d", offerID))
	b.submit(`a[href$="/simulate"]`)
	b.fill("#f-e0-default-value", "10")
	if status := b.submit("main form button[type=submit]"); status != 200 {
		t.Fatalf("simulate: %d", status)
	}
	table := b.text(`[aria-label="Payout per partner"]`)
	// Anna: 33.00 + 28.00 now; the draft adds 1.00 (10% of 50.00 instead of 8%) to each.
	for _, want := range []string{"Anna Runs", "Ben Bikes", "61.00 EUR", "63.00 EUR", "2.00 EUR"} {
		if !strings.Contains(table, want) {
			t.Errorf("the simulation lacks %q:\n%s", want, table)
		}
	}
	b.check("simulator")

	// Approve Anna's first sale.
	b.open("/console/conversions")
	b.check("conversions")
	b.open(fmt.Sprintf("/console/conversions/%d", convs["A-1"]))
	if words := b.text("#h-commission + ul"); !strings.Contains(words, "SHOE-9 x2 at 12.00 per unit = 24.00 (rule hero)") {
		t.Errorf("the breakdown in words: %q", words)
	}
	b.check("conversion")
	b.submit(fmt.Sprintf(`form[action="/console/conversions/%d/approve"] button`, convs["A-1"]))
	if !strings.Contains(b.text(".notice"), "is approved") {
		t.Fatalf("approve: %q", b.text(".notice"))
	}

	// Run the payouts now and download the SEPA file.
	b.open("/console/payouts")
	b.check("payouts")
	b.submit(`form[action="/console/payouts/runs"] button`)
	if !strings.Contains(b.text(".notice"), "made 1 payouts") {
		t.Fatalf("run: %q", b.text(".notice"))
	}
	b.check("payout-run")
	xml := b.eval(`fetch(document.querySelector('a[href$="format=sepa"]').href).then(async r => r.status + " " + r.headers.get("content-disposition") + "\n" + await r.text())`)
	head, body, _ := strings.Cut(xml, "\n")
	if !strings.HasPrefix(head, "200 attachment") || !strings.Contains(body, "FR1420041010050500013M02606") || !strings.Contains(body, "<InstdAmt Ccy=\"EUR\">33.00</InstdAmt>") {
		t.Fatalf("SEPA file: %s\n%.400s", head, body)
	}
	file := filepath.Join(dir, "run.xml")
	os.WriteFile(file, []byte(body), 0o644)
	if out, err := exec.Command("xmllint", "--noout", "--schema", pain001Schema(t), file).CombinedOutput(); err != nil {
		t.Fatalf("the SEPA file does not validate: %v\n%s", err, out)
	}
	b.fill(`input[name^="reference."]`, "SEPA-2026-1")
	b.submit(`form[action$="/settle"] button`)
	if !strings.Contains(b.text(".notice"), "marked paid") {
		t.Fatalf("mark paid: %q", b.text(".notice"))
	}

	// A link made for Anna, ready to copy; a coupon for Ben, made and deleted.
	b.open(fmt.Sprintf("/console/links/new?offer_id=%d", offerID))
	b.fill("#f-partner_id", fmt.Sprint(anna.ID), "#f-code", "ANNA-RUNS", "#f-sub1", "newsletter")
	if status := b.submit(`form[action="/console/links/new"] button[type=submit]`); status != 200 || !strings.HasSuffix(b.text("#made-link"), "/c/ANNA-RUNS") {
		t.Fatalf("a link for Anna: %d", status)
	}
	b.check("console-link-new")
	b.open("/console/links")
	if !strings.Contains(b.text("main table"), "Anna Runs") {
		t.Fatalf("the links list:\n%s", b.text("main"))
	}
	b.check("console-links")
	b.open("/console/coupons/new")
	b.fill("#f-code", "BEN-SPRING", "#f-partner_id", fmt.Sprint(ben.ID), "#f-offer_id", fmt.Sprint(offerID))
	b.submit(`form[action="/console/coupons/new"] button[type=submit]`)
	if !strings.Contains(b.text(".notice"), "Coupon BEN-SPRING is ready") {
		t.Fatalf("a coupon for Ben: %q", b.text("main"))
	}
	b.check("console-coupons")
	b.submit(`form[action="/console/coupons/BEN-SPRING/delete"] button`)
	if !strings.Contains(b.text(".notice"), "is deleted") {
		t.Fatalf("delete the coupon: %q", b.text("main"))
	}

	// The shop's Shopify secret; an order webhook to an offer that is not the program's fails,
	// and is replayed to the right offer from the webhook log.
	b.open("/console/settings/integrations")
	b.fill(fmt.Sprintf("#f-shopify_secret-%d", adv.ID), "shpss_e2e_secret_0123456789")
	b.submit(fmt.Sprintf(`form[action="/console/settings/programs/%d/shop-secret"] button[value=set]`, adv.ID))
	if !strings.Contains(b.text(".notice"), "Shopify secret is set") {
		t.Fatalf("set the Shopify secret: %q", b.text("main"))
	}
	b.check("console-integrations")
	order, err := os.ReadFile("../../shop/testdata/shopify_order.json")
	if err != nil {
		t.Fatal(err)
	}
	hook, _ := http.NewRequest("POST", fmt.Sprintf("%s/webhooks/shopify/%d?offer_id=999", p.base, adv.ID), strings.NewReader(string(order)))
	hook.Header.Set("X-Shopify-Topic", "orders/create")
	hook.Header.Set("X-Shopify-Webhook-Id", "e2e-1")
	hook.Header.Set("X-Shopify-Hmac-Sha256", shop.Sign(order, "shpss_e2e_secret_0123456789"))
	if resp, err := noRedirect.Do(hook); err != nil || resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a webhook to another offer: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	b.open("/console/settings/webhooks?outcome=failed")
	b.check("console-webhooks")
	b.submit(`a[href^="/console/settings/webhooks/"]`)
	b.check("console-webhook")
	b.fill("#f-offer_id", fmt.Sprint(offerID))
	b.submit(`form[action$="/replay"] button`)
	if !strings.Contains(b.text(".notice"), "Replayed: applied") {
		t.Fatalf("replay: %q", b.text("main"))
	}

	// The fraud screens: rules, a held sale, the review queue, a score (e2e_review_test.go).
	reviewInBrowser(t, b, p, offerID, anna.ID)

	// Invite Anna's person to the portal.
	b.open("/console/settings")
	b.check("settings")
	b.fill("#f-email", "anna@example.com", "#f-role", "partner", "#f-partner_id", fmt.Sprint(anna.ID))
	b.submit(`form[action="/console/settings/invitations"] button`)
	link := b.text("#secret-value")
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/invitations/[A-Za-z0-9_-]{43}$`).MatchString(link) {
		t.Fatalf("invitation link %q", link)
	}

	// A form posted from another origin is refused, and changes nothing.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>win a prize</title><form method="post" action="%s/console/partners/%d/status">
			<input name="status" value="suspended"></form><script>document.forms[0].submit()</script>`, p.base, anna.ID)
	}))
	defer evil.Close()
	if status := b.load("cross-origin form", chromedp.Navigate(evil.URL)); status != 200 {
		// The first page is the other site's; its form's answer follows.
		t.Logf("other site: %d", status)
	}
	b.step("wait for the refusal", chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := b.text("main"); !strings.Contains(got, "from another site") {
		t.Fatalf("a form from another origin: %q", got)
	}
	var partner struct{ Status string }
	p.api("GET", fmt.Sprintf("/api/v1/partners/%d", anna.ID), nil, &partner)
	if partner.Status != "active" {
		t.Fatalf("the refused form changed Anna to %s", partner.Status)
	}

	// Signing out ends the session: the old cookie no longer works.
	b.open("/console/partners")
	var session *network.Cookie
	for _, c := range b.cookies() {
		if c.Name == "pactum_session" {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteLax {
		t.Fatalf("session cookie %+v", session)
	}
	b.submit(".signout button")
	if b.path() != "/login" || !strings.Contains(b.text(".notice"), "signed out") {
		t.Fatalf("after sign-out: %s", b.path())
	}
	req, _ := http.NewRequest("GET", p.base+"/console/partners", nil)
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("the old cookie after sign-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Anna accepts the invitation and sees only her own data, whatever the URL says.
	b.load("open the invitation", chromedp.Navigate(link))
	b.check("invitation")
	b.fill("#f-password", "anna's long password")
	b.submit("main form button[type=submit]")
	if b.path() != "/portal/dashboard" {
		t.Fatalf("after accepting, Anna is at %s", b.path())
	}
	if main := b.text("main"); !strings.Contains(main, "Earnings") || strings.Contains(main, "Ben Bikes") || strings.Contains(main, "Revenue") {
		t.Errorf("Anna's dashboard:\n%s", main)
	}
	b.check("portal-dashboard")
	b.fits("portal-dashboard")
	b.open(fmt.Sprintf("/portal/reports?group_by=partner&metrics=clicks,sales&filter%%5Bpartner%%5D=%d", ben.ID))
	if main := b.text("main"); strings.Contains(main, "Ben Bikes") || !strings.Contains(main, "Nothing to show") {
		t.Errorf("Anna's report of Ben:\n%s", main)
	}
	b.open("/portal/reports?group_by=day&metrics=clicks,payout")
	b.check("portal-reports")
	b.open("/portal/commissions")
	b.check("portal-commissions")
	list := b.text("main")
	if !strings.Contains(list, "A-1") || !strings.Contains(list, "A-2") || strings.Contains(list, "B-1") {
		t.Fatalf("Anna's commissions:\n%s", list)
	}
	b.open(fmt.Sprintf("/portal/commissions?partner_id=%d", ben.ID))
	if strings.Contains(b.text("main"), "B-1") {
		t.Fatal("?partner_id= of Ben shows Ben's sale to Anna")
	}
	if status := b.open(fmt.Sprintf("/portal/commissions/%d", convs["B-1"])); status != 404 || strings.Contains(b.text("main"), "B-1") {
		t.Fatalf("Ben's commission in Anna's URL: %d", status)
	}
	b.open(fmt.Sprintf("/console/conversions/%d", convs["B-1"]))
	if b.path() != "/portal/dashboard" {
		t.Fatalf("the console's conversion page sends Anna to %s", b.path())
	}
	b.open(fmt.Sprintf("/portal/commissions/%d", convs["A-1"]))
	if words := b.text("main"); !strings.Contains(words, "SHOE-9 x2 at 12.00 per unit = 24.00") || !strings.Contains(words, "new-customer bonus: 5.00") || strings.Contains(words, "advertiser owes") {
		t.Fatalf("Anna's commission in words:\n%s", words)
	}
	b.check("portal-commission")
	b.open("/portal/offers")
	b.check("portal-offers")
	b.submit(`a[href^="/portal/links?offer_id="]`)
	b.fill("#f-sub1", "reel-42", "#f-source", "instagram")
	b.submit(`form[action="/portal/links"] button[type=submit]`)
	if made := b.text("#made-link"); !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/c/[A-Za-z0-9]{8}$`).MatchString(made) {
		t.Fatalf("the link made: %q", made)
	}
	b.check("portal-links")
	b.open("/portal/coupons")
	b.check("portal-coupons")
	b.open("/portal/balance")
	if money := b.text("main"); !strings.Contains(money, "SEPA-2026-1") || !strings.Contains(money, "33.00 EUR") {
		t.Fatalf("Anna's balance:\n%s", money)
	}
	b.check("portal-balance")
	csv = b.eval(`fetch("/portal/balance/statement.csv").then(async r => r.status + " " + r.headers.get("content-type") + " " +
		new Uint8Array(await r.clone().arrayBuffer()).slice(0, 3).join(",") + "\n" + await r.text())`)
	head, body, _ = strings.Cut(csv, "\n")
	if head != "200 text/csv; charset=utf-8 239,187,191" || !strings.Contains(body, ",paid,paid out,33.00,") || !strings.Contains(body, "SEPA-2026-1") {
		t.Fatalf("the statement: %s\n%s", head, body)
	}
	b.open("/portal/profile")
	if text := b.text("main"); !strings.Contains(text, "Anna Runs") || !strings.Contains(text, "FR14 2004 1010") {
		t.Fatalf("Anna's profile:\n%s", text)
	}
	b.check("portal-profile")

	// A postback to the test's receiver; the test button sends the made-up sale, and the attempt
	// is on the page and in the delivery log.
	var received []*url.URL
	var mu sync.Mutex
	tracker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received = append(received, r.URL)
		mu.Unlock()
		io.WriteString(w, "OK, got it")
	}))
	defer tracker.Close()
	b.open("/portal/postbacks")
	b.check("portal-postbacks")
	b.fill("#f-url", tracker.URL+"/pb?cid={click_id}&payout={payout}&status={status}&token=my-tracker-token")
	b.step("tick approved", chromedp.Click(chromedp.CSS(`input[name=events][value="conversion.approved"]`)))
	if status := b.submit(`form[action="/portal/postbacks"] button[type=submit]`); status != 200 || !strings.HasPrefix(b.text("#secret-value"), "ps_") {
		t.Fatalf("a new postback: %d\n%s", status, b.text("main"))
	}
	b.submit(`form[action$="/test"] button`)
	if got := b.text("#h-test"); !strings.Contains(got, "Test delivered: HTTP 200") {
		t.Fatalf("the test: %q\n%s", got, b.text("main"))
	}
	mu.Lock()
	if len(received) != 1 || received[0].Query().Get("cid") != "TEST-CLICK-ID" || received[0].Query().Get("payout") != "10.00" {
		t.Fatalf("the tracker received %v", received)
	}
	mu.Unlock()
	if log := b.text(`[aria-label="Deliveries"]`); !strings.Contains(log, "delivered") || !strings.Contains(log, "test") || !strings.Contains(log, "token=***") {
		t.Fatalf("the delivery log:\n%s", log)
	}
	b.check("portal-postback")
	if status := b.open("/portal/postbacks/999"); status != 404 {
		t.Fatalf("a postback that is not Anna's: %d", status)
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// TestDemoHasLogins: serve --demo prints an admin's and a partner's login, and the console
// has the demo's sales to show (the simulated shop's orders NW-100001 onwards, oldest first).
func TestDemoHasLogins(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pactum.db")
	first := startServer(t, freeAddr(t), "--db", db, "--demo", "--demo-weeks", "1")
	// The output is read once the process has stopped: the buffer is the process's until then.
	first.cmd.Process.Signal(syscall.SIGTERM)
	first.cmd.Wait()
	m := regexp.MustCompile(`the console \(admin\): (\S+)  password (\S+)`).FindStringSubmatch(first.logs.String())
	if m == nil {
		t.Fatalf("serve --demo does not print the admin's login:\n%s", first.logs.String())
	}
	// The login stays across restarts of the demo.
	p := startServer(t, freeAddr(t), "--db", db, "--demo")
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.PostForm(p.base+"/login", url.Values{"email": {m[1]}, "password": {m[2]}, "next": {"/console/conversions"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/console/conversions" || !strings.Contains(string(body), "NW-10000") {
		t.Fatalf("the demo admin's conversions page (%s):\n%.2000s", resp.Request.URL, body)
	}
}

// TestWebUIInBrowserDemoTablesFit: with the demo's figures (some fifty partners, sales in the
// hundred thousands), the tables of the console's dashboard and partners list and of the
// portal's dashboard fit their boxes at desktop and phone widths.
func TestWebUIInBrowserDemoTablesFit(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pactum.db")
	first := startServer(t, freeAddr(t), "--db", db, "--demo", "--demo-weeks", "2")
	// The logins are read once the process has stopped (the buffer is the process's until then).
	first.cmd.Process.Signal(syscall.SIGTERM)
	first.cmd.Wait()
	logins := map[string][2]string{}
	for _, m := range regexp.MustCompile(`the (console \(admin\)|partner portal): +(\S+)  password (\S+)`).FindAllStringSubmatch(first.logs.String(), -1) {
		logins[m[1]] = [2]string{m[2], m[3]}
	}
	p := startServer(t, freeAddr(t), "--db", db, "--demo")
	b := newBrowser(t, p.base)
	for _, who := range []struct {
		login string
		pages []string
	}{
		{"console (admin)", []string{"/console/dashboard", "/console/partners"}},
		{"partner portal", []string{"/portal/dashboard"}},
	} {
		in, ok := logins[who.login]
		if !ok {
			t.Fatalf("serve --demo prints no login for %s:\n%s", who.login, first.logs.String())
		}
		b.login(in[0], in[1])
		for _, page := range who.pages {
			if status := b.open(page); status != 200 {
				t.Fatalf("%s: %d", page, status)
			}
			b.fits(page)
		}
		b.step("sign out", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}))
	}
}
