// Package api serves Pactum's REST API under /api/v1 (SPEC section 8): bearer API keys, the
// three roles, JSON resources for advertisers, partners, offers, links, coupons, conversions,
// clicks and API keys, and the one table that turns a pactum.Error code into an HTTP status.
//
// Roles, where the SPEC leaves room:
//   - admin: everything.
//   - advertiser: reads and renames its own advertiser record; creates, reads and changes its
//     own offers; creates, reads and changes links and coupons on its own offers (for any
//     partner); deletes coupons on its own offers; reads clicks on its own offers; reports,
//     reads, refunds, approves and rejects conversions of its own offers and simulates their
//     rules. It cannot create advertisers, see or change partners, or manage API keys.
//   - partner: reads its own partner record; reads active public offers (without their revenue
//     rule sets, which are what the advertiser pays the network); creates, reads and changes its
//     own links; reads its own coupons, clicks and conversions (without what the advertiser
//     pays for them). It cannot change its partner record.
//
// A resource a role may read in general but that belongs to someone else answers 404, exactly as
// a missing one, so that ids of other partners' and advertisers' data do not leak; an action a
// role may never take answers 403.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/fx"
)

// Config is what the API needs from the process that serves it.
type Config struct {
	Store pactum.Store
	// PublicURL is the base of tracking URLs: a link's url is PublicURL + "/c/" + code.
	PublicURL string
	// AdminKey is the bootstrap admin key (PACTUM_ADMIN_API_KEY). Empty disables it.
	AdminKey string
	// OnChange is called after any change to advertisers, partners, offers, links or coupons,
	// so that the tracking edge drops what it cached.
	OnChange func()
	Logger   *slog.Logger
	Now      func() time.Time
	// Conversions takes the conversions of POST /api/v1/conversions (conversion.Pipeline). Nil
	// answers that endpoint with 503.
	Conversions Submitter
	// Rules evaluates the draft rule sets of simulations (the pipeline's cache); nil makes one.
	Rules *commission.Rules
	// Rates are the process's stored currency rates (the pipeline's), which the fx-rates
	// endpoints answer from and reload after a load; nil makes a cache of the API's own.
	Rates *fx.Cache
}

// Submitter records a reported conversion and answers what became of it.
type Submitter interface {
	Submit(ctx context.Context, in pactum.ConversionInput) (pactum.ConversionResult, error)
}

// API serves /api/v1. Create it with New and mount it with Register.
type API struct {
	store        pactum.Store
	publicURL    string
	adminKeyHash []byte
	onChange     func()
	logger       *slog.Logger
	now          func() time.Time
	conversions  Submitter
	rules        *commission.Rules
	rates        *fx.Cache
	routes       []string // the patterns Register mounted (Routes)
}

// New returns an API for cfg. Only the hash of the admin key is kept, so that the key itself
// cannot end up in a dump or a log.
func New(cfg Config) *API {
	a := &API{
		store:       cfg.Store,
		publicURL:   strings.TrimRight(cfg.PublicURL, "/"),
		onChange:    cfg.OnChange,
		logger:      cfg.Logger,
		now:         cfg.Now,
		conversions: cfg.Conversions,
		rules:       cfg.Rules,
		rates:       cfg.Rates,
	}
	if a.rates == nil {
		a.rates = fx.NewCache(cfg.Store.FXRates)
	}
	if cfg.AdminKey != "" {
		a.adminKeyHash = HashKey(cfg.AdminKey)
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.rules == nil {
		a.rules = &commission.Rules{}
	}
	return a
}

// Register mounts every endpoint of the API on mux.
func (a *API) Register(mux *http.ServeMux) {
	a.handle(mux, "POST /api/v1/advertisers", a.createAdvertiser)
	a.handle(mux, "GET /api/v1/advertisers", a.listAdvertisers)
	a.handle(mux, "GET /api/v1/advertisers/{id}", a.getAdvertiser)
	a.handle(mux, "PATCH /api/v1/advertisers/{id}", a.patchAdvertiser)

	a.handle(mux, "POST /api/v1/partners", a.createPartner)
	a.handle(mux, "GET /api/v1/partners", a.listPartners)
	a.handle(mux, "GET /api/v1/partners/{id}", a.getPartner)
	a.handle(mux, "PATCH /api/v1/partners/{id}", a.patchPartner)

	a.handle(mux, "POST /api/v1/offers", a.createOffer)
	a.handle(mux, "GET /api/v1/offers", a.listOffers)
	a.handle(mux, "GET /api/v1/offers/{id}", a.getOffer)
	a.handle(mux, "PATCH /api/v1/offers/{id}", a.patchOffer)
	a.handle(mux, "POST /api/v1/offers/{id}/simulate", a.simulate)

	a.handle(mux, "POST /api/v1/links", a.createLink)
	a.handle(mux, "GET /api/v1/links", a.listLinks)
	a.handle(mux, "GET /api/v1/links/{id}", a.getLink)
	a.handle(mux, "PATCH /api/v1/links/{id}", a.patchLink)

	a.handle(mux, "POST /api/v1/coupons", a.createCoupon)
	a.handle(mux, "GET /api/v1/coupons", a.listCoupons)
	a.handle(mux, "GET /api/v1/coupons/{code}", a.getCoupon)
	a.handle(mux, "DELETE /api/v1/coupons/{code}", a.deleteCoupon)

	a.handle(mux, "POST /api/v1/conversions", a.createConversion)
	a.handle(mux, "GET /api/v1/conversions", a.listConversions)
	a.handle(mux, "GET /api/v1/conversions/count", a.countConversions)
	a.handle(mux, "GET /api/v1/conversions/{id}", a.getConversion)
	a.handle(mux, "POST /api/v1/conversions/{id}/refund", a.refundConversion)
	a.handle(mux, "POST /api/v1/conversions/{id}/approve", a.approveConversion)
	a.handle(mux, "POST /api/v1/conversions/{id}/reject", a.rejectConversion)

	a.handle(mux, "POST /api/v1/payouts/runs", a.createRun)
	a.handle(mux, "GET /api/v1/payouts/runs", a.listRuns)
	a.handle(mux, "GET /api/v1/payouts/runs/{id}", a.getRun)
	a.handle(mux, "GET /api/v1/payouts/runs/{id}/export", a.exportRun)
	a.handle(mux, "GET /api/v1/payouts", a.listPayouts)
	a.handle(mux, "GET /api/v1/payouts/{id}", a.getPayout)
	a.handle(mux, "PATCH /api/v1/payouts/{id}", a.settlePayout)
	a.handle(mux, "GET /api/v1/balance", a.balance)
	a.handle(mux, "GET /api/v1/partners/{id}/balance", a.balance)
	a.handle(mux, "GET /api/v1/ledger", a.listLedger)

	a.registerFX(mux) // /api/v1/fx-rates

	a.handle(mux, "GET /api/v1/clicks", a.listClicks)
	a.handle(mux, "GET /api/v1/clicks/count", a.countClicks)

	a.handle(mux, "POST /api/v1/api-keys", a.createAPIKey)
	a.handle(mux, "GET /api/v1/api-keys", a.listAPIKeys)
	a.handle(mux, "GET /api/v1/api-keys/{id}", a.getAPIKey)
	a.handle(mux, "DELETE /api/v1/api-keys/{id}", a.deleteAPIKey)

	a.registerOpenAPI(mux) // GET /api/v1/openapi.json, without a key

	// Without this, unknown paths and methods would get the mux's plain-text answers instead
	// of the SPEC's error shape.
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, pactum.Errorf(pactum.ENOTFOUND, "no endpoint %s %s", r.Method, r.URL.Path))
	})
}

// handlerFunc serves one endpoint for an authenticated caller; a returned error is written in
// the SPEC's error shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request, c caller) error

func (a *API) handle(mux *http.ServeMux, pattern string, h handlerFunc) {
	a.routes = append(a.routes, pattern)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// A bug in one handler answers that request with "internal error" in the SPEC's shape,
		// logged through slog, rather than a dropped connection and a stack trace on stderr.
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		c, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, c)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// changed tells the edge that what it may have cached is stale.
func (a *API) changed() {
	if a.onChange != nil {
		a.onChange()
	}
}
