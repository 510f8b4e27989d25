package edge

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/macro"
)

// serve answers a click or an impression. A link's code names offer and partner; without one
// the query does.
func (e *Edge) serve(w http.ResponseWriter, r *http.Request, impression bool, code string, byCode bool) {
	if e.inFlight.Add(1) > e.maxInFlight {
		e.inFlight.Add(-1)
		unavailable(w)
		return
	}
	defer e.inFlight.Add(-1)
	rq := e.pool.Get().(*request)
	defer e.release(rq)

	ctx := r.Context()
	v := &rq.visit
	rq.params.parse(r.URL.RawQuery)
	var offerID, partnerID int64
	if byCode {
		l, err := e.cfg.Catalog.Link(ctx, code)
		if err != nil {
			e.failLookup(w, err, impression)
			return
		}
		offerID, partnerID = l.OfferID, l.PartnerID
		v.LinkID, v.Sub, v.Source = l.ID, l.Sub, l.Source
	} else {
		offerID, partnerID = parseID(rq.params.offer), parseID(rq.params.partner)
	}
	o, err := e.offer(ctx, offerID)
	if err != nil {
		e.failLookup(w, err, impression)
		return
	}
	p, err := e.cfg.Catalog.CachedPartner(ctx, partnerID)
	if err != nil {
		e.failLookup(w, err, impression)
		return
	}
	for i, s := range rq.params.sub {
		if s != "" {
			v.Sub[i] = s
		}
	}
	if rq.params.source != "" {
		v.Source = rq.params.source
	}

	ip, fromProxy := e.clientIP(r)
	if ip.IsValid() {
		v.IP = ip.String()
	}
	v.UserAgent = cleanText(r.Header.Get("User-Agent"), maxUserAgentLen)
	v.Referer = cleanText(r.Header.Get("Referer"), maxRefererLen)
	a := e.agents.classify(v.UserAgent)
	v.Device, v.OS, v.Browser, v.Bot = a.device, a.os, a.browser, a.bot
	v.Country = e.country(r, ip, fromProxy)
	v.Time = e.cfg.Now()
	v.OfferID, v.PartnerID = o.ID, p.ID
	v.Rejected = rejection(o, p, v.Country, v.Device)
	if v.Rejected == "" && o.destination == nil {
		// An offer without a destination cannot be visited; nothing from the request may stand in.
		e.failLookup(w, catalog.ErrNotFound, impression)
		return
	}

	if r.Method == http.MethodHead {
		// Link previews and link checkers ask with HEAD where the link leads, and follow the
		// redirect. They are answered as a visitor would be, so that they find the
		// destination, but nothing is recorded: no click, no impression, no click id (the
		// Location has none, and no cookie is set), and the visitor's unique slot stays free
		// for the real GET that follows. net/http sends no body to a HEAD.
		e.answerHead(w, r, rq, o, p, impression, fromProxy)
		return
	}
	if impression {
		if err := e.cfg.Recorder.RecordImpression(ctx, v); err != nil {
			e.logFailure("edge: recording an impression", err)
			unavailable(w)
			return
		}
		writeGIF(w)
		return
	}

	key := e.visitors.key(v.IP, v.UserAgent, o.ID, p.ID)
	var previous time.Time
	v.Unique, previous = e.visitors.click(key, v.Time)
	made := false // this click made the visitor's entry in the shared memory
	if v.Unique && e.cfg.SharedVisitors != nil {
		v.Unique, made = e.sharedFirst(ctx, v)
	}
	e.judge(v, o, ip, previous)
	if v.ClickID, err = e.cfg.Signer.New(o.ID, p.ID, v.Time); err != nil {
		e.forgetVisitor(ctx, key, v, previous, made)
		e.logFailure("edge: issuing a click id", err)
		unavailable(w)
		return
	}
	if err := e.cfg.Recorder.RecordClick(ctx, v); err != nil {
		// Not durable, so no redirect: the visitor's retry is the same click, and still unique.
		e.forgetVisitor(ctx, key, v, previous, made)
		e.logFailure("edge: recording a click", err)
		unavailable(w)
		return
	}
	tmpl := o.destination
	if v.Rejected != "" {
		if tmpl = o.fallback; tmpl == nil {
			notFound(w)
			return
		}
	}
	e.redirect(w, r, rq, o, p, tmpl, fromProxy)
}

// judge runs the offer's click rules (package fraud) on v: the block lists, duplicates (the
// visitor's previous click on the offer through the partner, from the memory of visitors; zero
// without one) and data-centre networks. All in memory: a map, a few prefixes, an MMDB lookup.
func (e *Edge) judge(v *pactum.Visit, o *offer, ip netip.Addr, previous time.Time) {
	p := o.fraud
	s := fraud.ClickSignals{
		Blocked:   p.Blocked(ip),
		Duplicate: !previous.IsZero() && v.Time.Sub(previous) < p.DuplicateWindow,
	}
	if e.cfg.DataCenters != nil && p.ChecksDataCenter() {
		s.DataCenter = e.cfg.DataCenters.Contains(ip)
	}
	v.Flags, v.Invalid = p.Click(s)
}

// answerHead answers a HEAD of a click or an impression URL as the GET would be answered, without
// recording anything.
func (e *Edge) answerHead(w http.ResponseWriter, r *http.Request, rq *request, o *offer, p *catalog.Partner, impression, fromProxy bool) {
	if impression {
		writeGIF(w)
		return
	}
	tmpl := o.destination
	if rq.visit.Rejected != "" {
		if tmpl = o.fallback; tmpl == nil {
			notFound(w)
			return
		}
	}
	e.redirect(w, r, rq, o, p, tmpl, fromProxy)
}

// redirect answers 302 to tmpl expanded for the click in rq, with the click cookie when the
// visitor goes to the destination with a click id (a HEAD has none).
func (e *Edge) redirect(w http.ResponseWriter, r *http.Request, rq *request, o *offer, p *catalog.Partner, tmpl *macro.Template, fromProxy bool) {
	v := &rq.visit
	vals := &rq.values
	vals[macro.ClickID] = v.ClickID
	vals[macro.OfferID] = o.id
	vals[macro.PartnerID] = p.IDText
	vals[macro.Sub1], vals[macro.Sub2], vals[macro.Sub3], vals[macro.Sub4], vals[macro.Sub5] = v.Sub[0], v.Sub[1], v.Sub[2], v.Sub[3], v.Sub[4]
	vals[macro.Source] = v.Source
	vals[macro.Country] = v.Country
	vals[macro.Device] = v.Device
	vals[macro.Timestamp] = e.timestamp(v.Time)

	// Location and cookie share one string and the header values one array: two allocations.
	b := tmpl.Expand(rq.buf[:0], vals)
	n := len(b)
	if v.Rejected == "" && v.ClickID != "" {
		b = append(b, o.cookiePrefix...)
		b = append(b, v.ClickID...)
		b = append(b, o.cookieSuffix...)
		if r.TLS != nil || (fromProxy && r.Header.Get("X-Forwarded-Proto") == "https") {
			b = append(b, "; Secure"...)
		}
	}
	rq.buf = b
	s := string(b)
	vals2 := new([2]string)
	vals2[0] = s[:n]
	h := w.Header()
	h["Location"] = vals2[0:1:1]
	if len(s) > n {
		vals2[1] = s[n:]
		h["Set-Cookie"] = vals2[1:2:2]
	}
	h["Cache-Control"] = noStore
	w.WriteHeader(http.StatusFound)
}

// country returns the visitor's country: from the GeoIP database, else from the proxy's header.
func (e *Edge) country(r *http.Request, ip netip.Addr, fromProxy bool) string {
	if e.cfg.GeoIP != nil && ip.IsValid() {
		if c := e.cfg.GeoIP.Country(ip); c != "" {
			return c
		}
	}
	if e.countryHeader == "" || (len(e.cfg.TrustedProxies) > 0 && !fromProxy) {
		return ""
	}
	vs := r.Header[e.countryHeader]
	if len(vs) == 0 {
		return ""
	}
	return pactum.CountryCode(vs[0])
}

// failLookup answers a request whose link, offer or partner could not be read: 404 when it does
// not exist, 503 when the store could not say.
func (e *Edge) failLookup(w http.ResponseWriter, err error, impression bool) {
	if pactum.ErrorCode(err) != pactum.ENOTFOUND {
		e.logFailure("edge: reading the catalog", err)
		unavailable(w)
		return
	}
	if impression {
		w.Header()["Cache-Control"] = noStore
		w.WriteHeader(http.StatusNotFound)
		return
	}
	notFound(w)
}

func (e *Edge) release(rq *request) {
	rq.params = params{}
	rq.visit = pactum.Visit{}
	rq.values = macro.Values{}
	if cap(rq.buf) > 8<<10 {
		// One huge URL must not pin its buffer in the pool for ever.
		rq.buf = make([]byte, 0, 512)
	}
	e.pool.Put(rq)
}
