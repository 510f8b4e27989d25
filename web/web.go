// Package web serves Pactum's web UI: the console of admins and advertisers, and the portal of
// partners (SPEC section 10). Pages are rendered on the server from templates embedded in the
// binary and parsed once at start (render.go), in one shared layout; one file holds the handler
// of one page. A page holds only HTTP and presentation, as package api does: it reads its form,
// calls program.Service with the program.Caller of the signed-in user (so every access check is
// the one the REST API makes), and renders what it gets back; errors that name a field are shown
// next to that field. Signing in, sessions and passwords are package auth's.
//
// Every answer carries a Content-Security-Policy that allows scripts and styles only from
// /static (no inline code), and every state change is a POST that passes Go's cross-origin
// check (http.CrossOriginProtection) and carries the session's form token.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/answer"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/edge"
	"github.com/pactum/pactum/live"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// Config is what the web UI needs from the process that serves it.
type Config struct {
	Program  *program.Service // required
	Accounts *auth.Accounts   // required
	Reports  *report.Service  // required: the dashboards, the report explorer, scorecards, fraud scores
	// Stream is what the live feed reads (the store, as the API's GET /api/v1/stream); nil
	// answers the feed 503.
	Stream live.Store
	// TrustedProxies are the proxies whose X-Forwarded-Proto and X-Forwarded-For are believed:
	// behind one that ends TLS, cookies are Secure and logins are throttled by the client's
	// address rather than the proxy's.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
}

// Server serves the web UI. Create it with New and mount it with Register.
type Server struct {
	program  *program.Service
	accounts *auth.Accounts
	reports  *report.Service
	stream   live.Store
	trusted  []netip.Prefix
	logger   *slog.Logger
	pages    *pages
	csrf     *http.CrossOriginProtection
}

// New returns the web UI of cfg, with its templates parsed.
func New(cfg Config) (*Server, error) {
	s := &Server{program: cfg.Program, accounts: cfg.Accounts, reports: cfg.Reports, stream: cfg.Stream, trusted: cfg.TrustedProxies, logger: cfg.Logger}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.csrf = http.NewCrossOriginProtection()
	s.csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, nil, http.StatusForbidden,
			"This form was sent from another site, so Pactum did not act on it. Open Pactum and send the form from there.")
	}))
	return s, nil
}

// Register mounts every page on mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.Handle("GET /static/", s.static())
	s.public(mux, "GET /{$}", s.home)
	s.public(mux, "GET /login", s.loginPage)
	s.public(mux, "POST /login", s.login)
	s.public(mux, "POST /logout", s.logout)
	s.public(mux, "GET /invitations/{token}", s.invitationPage)
	s.public(mux, "POST /invitations/{token}", s.acceptInvitation)

	// The console: admins and advertisers.
	s.console(mux, "GET /console/dashboard", s.dashboardPage)
	s.console(mux, "GET /console/live", s.liveFeed)
	s.console(mux, "GET /console/reports", s.reportsPage)
	s.console(mux, "GET /console/reports/csv", s.reportCSV)
	s.console(mux, "GET /console/partners", s.partnersPage)
	s.console(mux, "GET /console/partners/{id}", s.partnerPage)
	s.console(mux, "POST /console/partners/{id}/status", s.setPartnerStatus)
	s.console(mux, "GET /console/offers", s.offersPage)
	s.console(mux, "GET /console/offers/new", s.newOfferPage)
	s.console(mux, "POST /console/offers/new", s.createOffer)
	s.console(mux, "GET /console/offers/{id}", s.editOfferPage)
	s.console(mux, "POST /console/offers/{id}", s.updateOffer)
	s.console(mux, "GET /console/offers/{id}/simulate", s.simulatePage)
	s.console(mux, "POST /console/offers/{id}/simulate", s.simulate)
	s.console(mux, "GET /console/links", s.consoleLinksPage)
	s.console(mux, "GET /console/links/new", s.newLinkPage)
	s.console(mux, "POST /console/links/new", s.createLinkFor)
	s.console(mux, "GET /console/coupons", s.consoleCouponsPage)
	s.console(mux, "GET /console/coupons/new", s.newCouponPage)
	s.console(mux, "POST /console/coupons/new", s.createCoupon)
	s.console(mux, "POST /console/coupons/{code}/delete", s.deleteCoupon)
	s.console(mux, "GET /console/conversions", s.conversionsPage)
	s.console(mux, "GET /console/conversions/{id}", s.conversionPage)
	s.console(mux, "POST /console/conversions/{id}/{action}", s.decideConversion)
	s.console(mux, "GET /console/review", s.reviewPage)
	s.console(mux, "POST /console/review/decisions", s.decideReview)
	s.console(mux, "GET /console/partners/{id}/fraud", s.fraudScorePage)
	s.console(mux, "GET /console/offers/{id}/fraud", s.offerFraudPage)
	s.console(mux, "POST /console/offers/{id}/fraud", s.saveOfferFraud)
	s.console(mux, "GET /console/settings/fraud", s.programFraudList)
	s.console(mux, "GET /console/settings/fraud/{id}", s.programFraudPage)
	s.console(mux, "POST /console/settings/fraud/{id}", s.saveProgramFraud)
	s.console(mux, "GET /console/payouts", s.payoutsPage)
	s.console(mux, "POST /console/payouts/runs", s.createRun)
	s.console(mux, "GET /console/payouts/runs/{id}", s.runPage)
	s.console(mux, "GET /console/payouts/runs/{id}/export", s.exportRun)
	s.console(mux, "POST /console/payouts/{id}/settle", s.settlePayout)
	s.console(mux, "GET /console/settings", s.settingsPage)
	s.console(mux, "POST /console/settings/invitations", s.invite)
	s.console(mux, "POST /console/settings/invitations/{id}/delete", s.deleteInvitation)
	s.console(mux, "POST /console/settings/users/{id}/delete", s.deleteUser)
	s.console(mux, "POST /console/settings/api-keys", s.createAPIKey)
	s.console(mux, "POST /console/settings/api-keys/{id}/delete", s.deleteAPIKey)
	s.console(mux, "POST /console/settings/rates", s.loadRates)
	s.console(mux, "POST /console/settings/schedule", s.saveSchedule)
	s.console(mux, "GET /console/settings/integrations", s.integrationsPage)
	s.console(mux, "POST /console/settings/programs/{id}/postback-ips", s.savePostbackIPs)
	s.console(mux, "POST /console/settings/programs/{id}/shop-secret", s.setShopSecret)
	s.console(mux, "GET /console/settings/webhooks", s.webhooksPage)
	s.console(mux, "GET /console/settings/webhooks/{id}", s.webhookPage)
	s.console(mux, "POST /console/settings/webhooks/{id}/replay", s.replayWebhook)

	// The portal: partners.
	s.portal(mux, "GET /portal/dashboard", s.portalDashboardPage)
	s.portal(mux, "GET /portal/live", s.liveFeed)
	s.portal(mux, "GET /portal/reports", s.reportsPage)
	s.portal(mux, "GET /portal/reports/csv", s.reportCSV)
	s.portal(mux, "GET /portal/offers", s.portalOffersPage)
	s.portal(mux, "GET /portal/links", s.linksPage)
	s.portal(mux, "POST /portal/links", s.createLink)
	s.portal(mux, "GET /portal/coupons", s.couponsPage)
	s.portal(mux, "GET /portal/commissions", s.commissionsPage)
	s.portal(mux, "GET /portal/commissions/{id}", s.commissionPage)
	s.portal(mux, "GET /portal/balance", s.balancePage)
	s.portal(mux, "GET /portal/balance/statement.csv", s.statement)
	s.portal(mux, "GET /portal/postbacks", s.postbacksPage)
	s.portal(mux, "POST /portal/postbacks", s.createPostback)
	s.portal(mux, "GET /portal/postbacks/{id}", s.postbackPage)
	s.portal(mux, "POST /portal/postbacks/{id}", s.updatePostback)
	s.portal(mux, "POST /portal/postbacks/{id}/enabled", s.enablePostback)
	s.portal(mux, "POST /portal/postbacks/{id}/test", s.testPostback)
	s.portal(mux, "POST /portal/postbacks/{id}/rotate", s.rotatePostbackSecret)
	s.portal(mux, "POST /portal/postbacks/{id}/delete", s.deletePostback)
	s.portal(mux, "GET /portal/profile", s.profilePage)

	// An area's own root is its home; any other path of an area is the UI's own 404 page (with
	// the policy and the layout).
	s.console(mux, "GET /console/{$}", s.home)
	s.portal(mux, "GET /portal/{$}", s.home)
	s.console(mux, "GET /console/", s.notFound)
	s.portal(mux, "GET /portal/", s.notFound)
}

// notFound answers a path of an area that no page serves.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, v *viewer) error {
	return pactum.Errorf(pactum.ENOTFOUND, "not found")
}

// viewer is the signed-in user of a request, with the Caller it acts as.
type viewer struct {
	User   pactum.User
	Caller program.Caller
	token  string // the session's token, which the form token is made from
}

// handler serves one page for a signed-in viewer; an error is rendered as an error page.
type handler func(w http.ResponseWriter, r *http.Request, v *viewer) error

// area is the part of the UI a page belongs to: its layout and navigation.
type area int

const (
	areaPublic area = iota
	areaConsole
	areaPortal
)

func (s *Server) public(mux *http.ServeMux, pattern string, h handler) {
	s.mount(mux, pattern, areaPublic, h)
}
func (s *Server) console(mux *http.ServeMux, pattern string, h handler) {
	s.mount(mux, pattern, areaConsole, h)
}
func (s *Server) portal(mux *http.ServeMux, pattern string, h handler) {
	s.mount(mux, pattern, areaPortal, h)
}

// mount wraps h with what every page has: the security headers, the cross-origin check, the
// session (required outside the public area, else a redirect to the login), the form token of
// every signed-in POST, and the error page.
func (s *Server) mount(mux *http.ServeMux, pattern string, a area, h handler) {
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.fail(w, r, nil, fmt.Errorf("panic: %v", p))
			}
		}()
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		v, err := s.viewer(w, r)
		if err != nil {
			s.fail(w, r, nil, err)
			return
		}
		if a != areaPublic {
			if v == nil {
				next := r.URL.RequestURI()
				if r.Method != http.MethodGet {
					next = ""
				}
				http.Redirect(w, r, loginURL(next), http.StatusSeeOther)
				return
			}
			if areaOf(v.Caller) != a {
				// The other area's pages are not this user's: home, where its own are.
				http.Redirect(w, r, home(v.Caller), http.StatusSeeOther)
				return
			}
		}
		if r.Method == http.MethodPost && v != nil && !auth.CheckFormToken(v.token, r.PostFormValue(formTokenField)) {
			s.renderError(w, r, v, http.StatusForbidden,
				"This form is out of date (it was opened before you signed in again). Go back, reload the page and send it again.")
			return
		}
		if err := h(w, r, v); err != nil {
			s.fail(w, r, v, err)
		}
	})
	mux.Handle(pattern, securityHeaders(s.csrf.Handler(page)))
}

// maxForm bounds a form's body: the largest is an offer with its rules, or a CSV of rates.
const maxForm = 2 << 20

const formTokenField = "csrf"

func areaOf(c program.Caller) area {
	if c.IsPartner() {
		return areaPortal
	}
	return areaConsole
}

// home is where a user starts: the first page of its area.
func home(c program.Caller) string {
	switch {
	case c.IsPartner():
		return "/portal/dashboard"
	}
	return "/console/dashboard"
}

func loginURL(next string) string {
	if next == "" || next == "/" {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(next)
}

// viewer returns the signed-in user of r, or nil. A cookie of an ended session is cleared.
func (s *Server) viewer(w http.ResponseWriter, r *http.Request) (*viewer, error) {
	c, err := r.Cookie(s.cookieName(r))
	if err != nil || c.Value == "" {
		return nil, nil
	}
	_, u, err := s.accounts.Session(r.Context(), c.Value)
	if errors.Is(err, auth.ErrNoSession) {
		s.clearSession(w, r)
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	caller, err := callerOf(u)
	if err != nil {
		return nil, err
	}
	return &viewer{User: u, Caller: caller, token: c.Value}, nil
}

// secure tells whether r reached Pactum over TLS: directly, or through a trusted proxy that
// says so in X-Forwarded-Proto.
func (s *Server) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	_, fromProxy := edge.ClientIP(r, s.trusted)
	return fromProxy && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// cookieName is the session cookie's name: over TLS with the __Host- prefix, which browsers
// accept only from a secure origin, for the whole host, without a Domain, so that no sibling
// subdomain can set or shadow it.
func (s *Server) cookieName(r *http.Request) string {
	if s.secure(r) {
		return "__Host-pactum_session"
	}
	return "pactum_session"
}

// setSession gives the browser the session's cookie: HttpOnly (no script reads it), SameSite=Lax
// (no other site's form or request carries it), Secure behind TLS, and expiring with the
// session's absolute lifetime. The lifetime is sent as Max-Age, counted by the browser from
// now, so that a server whose clock differs from the browser's (or runs from --clock-start)
// does not hand out cookies that have expired already.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, l auth.Login) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(r), Value: l.Token, Path: "/", MaxAge: int(l.Session.Expires.Sub(l.Session.Created) / time.Second),
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// clientAddress is the address a login is throttled by.
func (s *Server) clientAddress(r *http.Request) string {
	a, _ := edge.ClientIP(r, s.trusted)
	return a.String()
}

// ContentSecurityPolicy is the policy of every page: nothing inline, scripts, styles and images
// from this origin only, forms posted here only, never framed.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets what every page of the UI answers with. Referrer-Policy keeps invitation
// tokens and ids in URLs from reaching other sites; pages are private and never cached.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// fail renders err as an error page with the status package answer gives its code; internal
// errors are logged and shown without their text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	f := answer.Of(r.Context(), err)
	switch {
	case f.Internal:
		s.logger.ErrorContext(r.Context(), "web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case f.Status == http.StatusUnauthorized:
		http.Redirect(w, r, loginURL(""), http.StatusSeeOther)
		return
	}
	var th *auth.Throttled
	if errors.As(err, &th) {
		w.Header().Set("Retry-After", retryAfter(th))
	}
	msg := pactum.ErrorMessage(f.Err)
	if f.Status == http.StatusNotFound {
		msg = "There is no such page here, or it is not yours to see. Check the address, or start again from the menu."
	}
	s.renderError(w, r, v, f.Status, msg)
}

// redirect answers a POST with 303 to where the result can be seen, with a notice for the page.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, notice string) {
	if notice != "" {
		http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: url.QueryEscape(notice), Path: "/",
			MaxAge: 60, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

const noticeCookie = "pactum_notice"

// takeNotice returns the notice a redirect left for this page, once.
func (s *Server) takeNotice(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(noticeCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: noticeCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	text, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return text
}

// pathID reads a path's {name} as an id; anything but a positive id is a missing page.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 || strconv.FormatInt(id, 10) != v {
		return 0, pactum.Errorf(pactum.ENOTFOUND, "not found")
	}
	return id, nil
}
