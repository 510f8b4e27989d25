package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// session is one visitor's way to a sale or not: a click on a partner's link (none for a sale
// by coupon alone), perhaps an order some time later, perhaps a refund of it.
type session struct {
	m       *member
	link    *pactum.Link // nil: a coupon sale without a click
	offer   int64
	visitor *visitor
	clickAt time.Time
	sub2    string
	worker  int

	buys        bool
	convAt      time.Time
	items       []pactum.LineItem
	newCustomer bool
	customer    string
	country     string
	orderID     string
	refundAt    time.Time
	refundAll   bool

	// Set by the worker that plays the session.
	clickID      string
	conversionID int64
}

// visitor is a person (or a script) behind clicks: the address, browser and country the edge sees.
type visitor struct {
	n                           int
	ip, ua, country, lang, from string
}

// Kinds of event.
const (
	evClick = iota
	evConversion
	evRefund
)

type event struct {
	at   time.Time
	kind int
	s    *session
}

// traffic is the simulation's events: per day, per worker, in time order.
type traffic struct {
	start    time.Time
	days     [][][]event
	visitors int
}

// weekday is the week's rhythm of shopping: Sunday evening on the sofa, Friday out.
var weekday = [7]float64{time.Sunday: 1.25, time.Monday: 1.1, time.Tuesday: 0.95, time.Wednesday: 0.95,
	time.Thursday: 1.0, time.Friday: 0.8, time.Saturday: 0.95}

// hourly is the day's rhythm (UTC, about Central Europe's morning to midnight), as weights.
var hourly = [24]float64{0.35, 0.2, 0.12, 0.08, 0.08, 0.15, 0.3, 0.55, 0.75, 0.85, 0.9, 0.95,
	1.1, 1.0, 0.9, 0.9, 0.95, 1.1, 1.35, 1.55, 1.6, 1.4, 1.0, 0.6}

// countries of the program's visitors, weighted.
var countries = []struct {
	code, lang string
	w          float64
}{
	{"DE", "de-DE,de;q=0.9,en;q=0.6", 34}, {"AT", "de-AT,de;q=0.9", 8}, {"CH", "de-CH,de;q=0.9,fr;q=0.5", 7},
	{"NL", "nl-NL,nl;q=0.9,en;q=0.7", 10}, {"FR", "fr-FR,fr;q=0.9", 9}, {"IT", "it-IT,it;q=0.9", 6},
	{"ES", "es-ES,es;q=0.9", 6}, {"GB", "en-GB,en;q=0.9", 8}, {"BE", "nl-BE,fr-BE;q=0.8", 4},
	{"PL", "pl-PL,pl;q=0.9,en;q=0.5", 3}, {"SE", "sv-SE,sv;q=0.9,en;q=0.8", 3}, {"DK", "da-DK,da;q=0.9", 2},
}

// Real user agents of the browsers a partner's audience uses.
var agents = map[int][]struct {
	ua   string
	w    float64
	from string // the Referer, where the click came from
}{
	audienceSocial: {
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 335.0.3.20.91 (iPhone15,3; iOS 17_5; de_DE; de; scale=3.00; 1290x2796; 612117296)", 30, "https://l.instagram.com/"},
		{"Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 Instagram 335.0.0.39.93 Android (34/14; 480dpi; 1080x2340; samsung; SM-S918B; dm3q; qcom; de_DE; 609788923)", 15, "https://l.instagram.com/"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_34.5.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/de Region/DE ByteFullLocale/de-DE isDarkMode/0 WKWebView/1 BytedanceWebview/d8a21c6", 18, ""},
		{"Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 trill_350203 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/trill app_version/35.2.3 ByteLocale/de ByteFullLocale/de Region/DE", 8, ""},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 17, "https://www.instagram.com/"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36", 12, "https://www.youtube.com/"},
	},
	audienceMobile: {
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 34, "https://www.google.com/"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36", 26, "https://www.google.com/"},
		{"Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36", 12, ""},
		{"Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 6, ""},
		{"Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/470.0.0.43.108;]", 6, "https://m.facebook.com/"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 16, "https://www.google.com/"},
	},
	audienceDesktop: {
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 34, "https://www.google.com/"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", 10, "https://duckduckgo.com/"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", 12, "https://www.google.com/"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 10, "https://www.bing.com/"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", 8, "https://www.bing.com/"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 14, "https://www.google.com/"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36", 12, "https://www.google.com/"},
	},
}

// firstOctets are of networks of European access providers, so that addresses look like people's.
var firstOctets = []int{31, 37, 46, 62, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 109, 176, 178, 188, 212, 213, 217}

// planner draws the traffic from one random source, so that a seed makes the same traffic.
type planner struct {
	r        *rand.Rand
	cfg      Config
	p        *demoProgram
	t        *traffic
	sessions []*session
	visitors int
	// customers are earlier buyers, who come back now and then.
	customers []string
}

func plan(p *demoProgram, cfg Config, start time.Time) *traffic {
	pl := &planner{r: rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15)), cfg: cfg, p: p,
		t: &traffic{start: start, days: make([][][]event, cfg.Days)}}
	for d := range pl.t.days {
		pl.t.days[d] = make([][]event, cfg.Workers)
	}
	// Each influencer posts on two or three days a week: their clicks come in waves.
	posts := map[int64][7]bool{}
	for i := range p.partners {
		m := &p.partners[i]
		var days [7]bool
		for n := 2 + pl.r.IntN(2); n > 0; n-- {
			days[pl.r.IntN(7)] = true
		}
		posts[m.ID] = days
	}
	for d := 0; d < cfg.Days; d++ {
		day := start.AddDate(0, 0, d)
		trend := 0.85 + 0.3*float64(d)/float64(cfg.Days) // a program that grows
		for i := range p.partners {
			m := &p.partners[i]
			if m.pending {
				continue
			}
			f := weekday[day.Weekday()] * trend * cfg.Scale
			if m.kind == pactum.KindInfluencer {
				if posts[m.ID][day.Weekday()] {
					f *= 1.9
				} else {
					f *= 0.6
				}
			}
			sub2 := ""
			// A flash sale for the deal sites ten days ago; a new drop of the running collection
			// a fortnight ago that the influencers posted about.
			if m.kind == pactum.KindAffiliate && m.couponSales > 0 && d >= cfg.Days-10 && d < cfg.Days-8 {
				f *= 2.5
				sub2 = "flash-sale"
			}
			if m.kind == pactum.KindInfluencer && d >= cfg.Days-15 && d < cfg.Days-13 {
				f *= 1.8
				sub2 = "spring-drop"
			}
			for li := range m.links {
				share := 0.75
				if li > 0 {
					share = 0.25 / float64(len(m.links)-1)
				}
				if len(m.links) == 1 {
					share = 1
				}
				for n := pl.poisson(m.clicks * f * share); n > 0; n-- {
					pl.click(m, &m.links[li], day, sub2)
				}
			}
			for n := pl.poisson(m.couponSales * f); n > 0; n-- {
				pl.couponSale(m, day)
			}
			if m.suspicious && (d == cfg.Days-20 || d == cfg.Days-12 || d == cfg.Days-5) {
				pl.burst(m, day)
			}
		}
	}
	// Order ids in the order of the sales, as a shop numbers them.
	var buys []*session
	for _, s := range pl.sessions {
		if s.buys {
			buys = append(buys, s)
		}
	}
	slices.SortStableFunc(buys, func(a, b *session) int { return a.convAt.Compare(b.convAt) })
	for i, s := range buys {
		s.orderID = fmt.Sprintf("NW-%06d", 100001+i)
	}
	for d := range pl.t.days {
		for w := range pl.t.days[d] {
			slices.SortStableFunc(pl.t.days[d][w], func(a, b event) int { return a.at.Compare(b.at) })
		}
	}
	pl.t.visitors = pl.visitors
	return pl.t
}

// poisson draws a count with mean lambda.
func (pl *planner) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*pl.r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= pl.r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// at draws a time of day by the day's rhythm.
func (pl *planner) at(day time.Time) time.Time {
	total := 0.0
	for _, w := range hourly {
		total += w
	}
	x := pl.r.Float64() * total
	h := 0
	for ; h < 23 && x >= hourly[h]; h++ {
		x -= hourly[h]
	}
	return day.Add(time.Duration(h)*time.Hour + time.Duration(pl.r.Int64N(int64(time.Hour))))
}

func (pl *planner) newVisitor(audience int) *visitor {
	pl.visitors++
	v := &visitor{n: pl.visitors}
	v.ip = fmt.Sprintf("%d.%d.%d.%d", firstOctets[pl.r.IntN(len(firstOctets))], pl.r.IntN(256), pl.r.IntN(256), 1+pl.r.IntN(254))
	total := 0.0
	for _, c := range countries {
		total += c.w
	}
	x := pl.r.Float64() * total
	for _, c := range countries {
		if x < c.w {
			v.country, v.lang = c.code, c.lang
			break
		}
		x -= c.w
	}
	if v.country == "" {
		v.country, v.lang = countries[0].code, countries[0].lang
	}
	as := agents[audience]
	total = 0
	for _, a := range as {
		total += a.w
	}
	x = pl.r.Float64() * total
	for _, a := range as {
		if x < a.w {
			v.ua, v.from = a.ua, a.from
			break
		}
		x -= a.w
	}
	if v.ua == "" {
		v.ua, v.from = as[0].ua, as[0].from
	}
	return v
}

func (pl *planner) add(d int, w int, e event) {
	if d < 0 || d >= len(pl.t.days) || e.at.After(pl.cfg.End) {
		return
	}
	pl.t.days[d][w] = append(pl.t.days[d][w], e)
}

func (pl *planner) dayOf(t time.Time) int { return int(t.Sub(pl.t.start) / (24 * time.Hour)) }

// click plans a visitor's click on link and whether, and when, it leads to a sale.
func (pl *planner) click(m *member, link *pactum.Link, day time.Time, sub2 string) {
	at := pl.at(day)
	if at.After(pl.cfg.End) {
		return
	}
	v := pl.newVisitor(m.audience)
	s := &session{m: m, link: link, offer: link.OfferID, visitor: v, clickAt: at, sub2: sub2, worker: v.n % pl.cfg.Workers, country: v.country}
	pl.sessions = append(pl.sessions, s)
	pl.add(pl.dayOf(at), s.worker, event{at: at, kind: evClick, s: s})
	cr := 1.5 * m.cr // the cast's rates are of a quiet season
	if isDesktop(v.ua) {
		cr *= 1.3 // people finish an order more often at a desk than in an app
	}
	if sub2 == "flash-sale" {
		cr *= 1.3
	}
	if pl.r.Float64() >= cr {
		return
	}
	// Click to order: minutes mostly, hours often, days sometimes.
	delay := time.Duration(math.Exp(math.Log(1500)+1.4*pl.r.NormFloat64()) * float64(time.Second))
	delay = min(max(delay, 45*time.Second), 20*24*time.Hour)
	pl.sale(s, at.Add(delay))
}

// couponSale plans an order that names a partner's coupon code, without a click.
func (pl *planner) couponSale(m *member, day time.Time) {
	at := pl.at(day)
	s := &session{m: m, offer: pl.offerOf(m), clickAt: at, worker: pl.r.IntN(pl.cfg.Workers)}
	s.country = pl.newVisitor(m.audience).country
	pl.visitors--
	pl.sessions = append(pl.sessions, s)
	pl.sale(s, at)
}

// burst plans the suspicious partner's bad day: forty clicks from one address within minutes
// (duplicates), and a few sales seconds after their clicks (too fast for a person).
func (pl *planner) burst(m *member, day time.Time) {
	at := day.Add(time.Duration(9+pl.r.IntN(10)) * time.Hour)
	v := pl.newVisitor(audienceDesktop)
	for i := 0; i < 40; i++ {
		t := at.Add(time.Duration(i) * 3 * time.Second)
		s := &session{m: m, link: &m.links[0], offer: m.links[0].OfferID, visitor: v, clickAt: t, worker: v.n % pl.cfg.Workers, country: v.country}
		pl.sessions = append(pl.sessions, s)
		pl.add(pl.dayOf(t), s.worker, event{at: t, kind: evClick, s: s})
	}
	for i := 0; i < 5; i++ {
		v := pl.newVisitor(audienceMobile)
		t := at.Add(time.Duration(30+i*90) * time.Second)
		s := &session{m: m, link: &m.links[0], offer: m.links[0].OfferID, visitor: v, clickAt: t, worker: v.n % pl.cfg.Workers, country: v.country}
		pl.sessions = append(pl.sessions, s)
		pl.add(pl.dayOf(t), s.worker, event{at: t, kind: evClick, s: s})
		pl.sale(s, t.Add(time.Duration(2+pl.r.IntN(4))*time.Second))
	}
}

func (pl *planner) offerOf(m *member) int64 {
	if len(m.links) > 0 {
		return m.links[0].OfferID
	}
	return pl.p.offers[offerStore].ID
}

// sale plans the order of s at t, and its refund if it gets one.
func (pl *planner) sale(s *session, t time.Time) {
	if t.After(pl.cfg.End) {
		return
	}
	spec := offers[offerRunning]
	for i, o := range pl.p.offers {
		if o.ID == s.offer {
			spec = offers[i]
		}
	}
	s.buys, s.convAt = true, t
	s.items = pl.p.catalogue.basket(pl.r, spec.cats, spec.hero, s.m.big)
	if pl.r.Float64() < s.m.newShare || len(pl.customers) == 0 {
		s.newCustomer = true
		s.customer = fmt.Sprintf("cust-%05d", 10000+len(pl.customers))
		pl.customers = append(pl.customers, s.customer)
	} else {
		s.customer = pl.customers[pl.r.IntN(len(pl.customers))]
	}
	pl.add(pl.dayOf(t), s.worker, event{at: t, kind: evConversion, s: s})
	if pl.r.Float64() < s.m.refunds {
		s.refundAt = t.Add(time.Duration(2+pl.r.IntN(12))*24*time.Hour + time.Duration(pl.r.Int64N(int64(8*time.Hour))))
		s.refundAll = pl.r.Float64() < 0.4 || len(s.items) == 1 && s.items[0].Quantity == 1
		pl.add(pl.dayOf(s.refundAt), s.worker, event{at: s.refundAt, kind: evRefund, s: s})
	}
}

func isDesktop(ua string) bool {
	return !strings.Contains(ua, "Mobile") && !strings.Contains(ua, "iPad") && !strings.Contains(ua, "Android")
}

// player is one worker: its clock, the edge and the program service on that clock.
type player struct {
	clock *clock
	edge  http.Handler
	svc   *program.Service
	stats struct{ clicks, conversions, refunds int }
}

// play runs the traffic day by day: each day's events on the workers at once (a visitor's in
// its order), then the approvals due at the day's end and, on Mondays, the payout run.
func (t *traffic) play(ctx context.Context, cfg Config, p *demoProgram, main *clock, res *Result) error {
	players := make([]*player, cfg.Workers)
	for w := range players {
		c := newClock(t.start)
		h, err := cfg.Edge(c.Now)
		if err != nil {
			return wrap("make an edge", err)
		}
		players[w] = &player{clock: c, edge: h, svc: cfg.Program(c.Now)}
	}
	svc := cfg.Program(main.Now)
	var runs []pactum.PayoutRun
	for d := range t.days {
		if err := ctx.Err(); err != nil {
			return err
		}
		errs := make([]error, len(players))
		var wg sync.WaitGroup
		for w, pw := range players {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = pw.playDay(ctx, t.days[d][w])
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		day := t.start.AddDate(0, 0, d)
		end := day.Add(24*time.Hour - time.Second)
		if end.After(cfg.End) {
			end = cfg.End
		}
		main.Set(end)
		if _, err := cfg.Approve(ctx, main.Now); err != nil {
			return wrap("approve what is due", err)
		}
		if day.Weekday() == time.Monday && d >= 14 { // once the first holds are over
			run, err := t.payoutRun(ctx, svc, p, day, runs)
			if err != nil {
				return err
			}
			runs = append(runs, run)
		}
		if cfg.Progress != nil {
			cfg.Progress(d+1, len(t.days))
		}
	}
	for _, pw := range players {
		res.Clicks += pw.stats.clicks
		res.Conversions += pw.stats.conversions
		res.Refunds += pw.stats.refunds
	}
	res.Runs = len(runs)
	return nil
}

// payoutRun makes the program's run of day, and marks the runs before it paid, as a program
// manager does once the bank has sent the money: the payouts screen has its history.
func (t *traffic) payoutRun(ctx context.Context, svc *program.Service, p *demoProgram, day time.Time, before []pactum.PayoutRun) (pactum.PayoutRun, error) {
	run, _, err := svc.CreateRun(ctx, program.Admin, program.RunInput{AdvertiserID: p.advertiser.ID, Date: day.Format(time.DateOnly)})
	if err != nil {
		return run, wrap("run payouts", err)
	}
	for _, r := range before {
		payouts, err := svc.ListPayouts(ctx, program.Admin, program.PayoutQuery{RunID: r.ID, Status: pactum.PayoutPending}, pactum.Page{Limit: 1000})
		if err != nil {
			return run, wrap("list payouts", err)
		}
		for _, po := range payouts.Items {
			ref := fmt.Sprintf("SEPA-%s-%d", r.Date, po.ID)
			if _, err := svc.SettlePayout(ctx, program.Admin, po.ID, program.SettleInput{Status: pactum.PayoutPaid, Reference: ref}); err != nil {
				return run, wrap("mark a payout paid", err)
			}
		}
	}
	return run, nil
}

func (pw *player) playDay(ctx context.Context, events []event) error {
	for _, e := range events {
		pw.clock.Set(e.at)
		var err error
		switch e.kind {
		case evClick:
			err = pw.click(e.s)
		case evConversion:
			err = pw.convert(ctx, e.s)
		case evRefund:
			err = pw.refund(ctx, e.s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// click asks the edge for the partner's link as the visitor's browser would, and keeps the
// click id from the landing page's address.
func (pw *player) click(s *session) error {
	q := url.Values{}
	if s.sub2 != "" {
		q.Set("sub2", s.sub2)
	}
	target := "/c/" + s.link.Code
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequest(http.MethodGet, "http://localhost"+target, nil)
	if err != nil {
		return err
	}
	req.RemoteAddr = s.visitor.ip + ":" + fmt.Sprint(40000+s.visitor.n%20000)
	req.Header.Set("User-Agent", s.visitor.ua)
	req.Header.Set("Accept-Language", s.visitor.lang)
	req.Header.Set(CountryHeader, s.visitor.country)
	if s.visitor.from != "" {
		req.Header.Set("Referer", s.visitor.from)
	}
	rec := &answer{header: http.Header{}}
	pw.edge.ServeHTTP(rec, req)
	if rec.code != http.StatusFound {
		return fmt.Errorf("demo: click on %s answered %d: %s", target, rec.code, rec.body)
	}
	pw.stats.clicks++
	if loc, err := url.Parse(rec.header.Get("Location")); err == nil {
		s.clickID = loc.Query().Get("click_id")
	}
	return nil
}

// convert reports the order as the shop's server would.
func (pw *player) convert(ctx context.Context, s *session) error {
	in := pactum.ConversionInput{Event: "purchase", OrderID: s.orderID, Items: s.items, CustomerID: s.customer,
		NewCustomer: s.newCustomer, Source: pactum.SourceAPI}
	if s.link != nil {
		if s.clickID == "" {
			return nil // the click was not counted
		}
		in.ClickID = s.clickID
	} else {
		in.OfferID, in.Coupon, in.Country = s.offer, s.m.coupon, s.country
	}
	res, err := pw.svc.ReportConversion(ctx, program.Admin, in)
	if err != nil {
		return wrap("report order "+s.orderID, err)
	}
	s.conversionID = res.Conversion.ID
	pw.stats.conversions++
	return nil
}

// refund refunds the order in full, or one of its lines.
func (pw *player) refund(ctx context.Context, s *session) error {
	if s.conversionID == 0 {
		return nil
	}
	in := program.RefundInput{RefundID: ptr("R-" + s.orderID)}
	if s.refundAll {
		total := decimal.Zero
		for _, it := range s.items {
			total = total.Add(it.UnitPrice.Mul(decimal.NewFromInt(it.Quantity)))
		}
		in.Amount = ptr(total.StringFixed(2))
	} else {
		it := s.items[len(s.items)-1]
		in.Items = &[]pactum.RefundItem{{SKU: it.SKU, Quantity: it.Quantity}}
	}
	if _, err := pw.svc.RefundConversion(ctx, program.Admin, s.conversionID, in); err != nil {
		if code := pactum.ErrorCode(err); code == pactum.EINVALID || code == pactum.ECONFLICT {
			return nil // a rejected or reversed order: nothing to refund
		}
		return wrap("refund order "+s.orderID, err)
	}
	pw.stats.refunds++
	return nil
}

// answer is the edge's answer to a click, as the visitor's browser gets it (net/http/httptest's
// recorder is for tests: the binary does without it).
type answer struct {
	header http.Header
	code   int
	body   []byte
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(code int) {
	if a.code == 0 {
		a.code = code
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	if len(a.body) < 512 {
		a.body = append(a.body, b[:min(len(b), 512)]...)
	}
	return len(b), nil
}
