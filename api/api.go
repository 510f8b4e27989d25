// Package api serves Pactum's REST API under /api/v1 (SPEC section 8): bearer API keys, JSON in
// and out, the SPEC's error shape. It holds only HTTP: each handler decodes the request, calls
// the program's operations (package program) with the caller its key names, and encodes what
// they return. Who may see and change what, the validation of every resource and the defaults
// are program's; the status of each error is package answer's.
package api

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/live"
	"github.com/pactum/pactum/program"
	"github.com/pactum/pactum/report"
)

// Config is what the API needs from the process that serves it.
type Config struct {
	// Program runs the operations; required.
	Program *program.Service
	// Reports answers reports and scorecards; required.
	Reports *report.Service
	// Stream is what the live stream reads (the store); nil answers it 503.
	Stream live.Store
	// AdminKey is the bootstrap admin key (PACTUM_ADMIN_API_KEY). Empty disables it.
	AdminKey string
	Logger   *slog.Logger
}

// API serves /api/v1. Create it with New and mount it with Register.
type API struct {
	program      *program.Service
	reports      *report.Service
	stream       live.Store
	adminKeyHash []byte
	logger       *slog.Logger
	routes       []string // the patterns Register mounted (Routes)
}

// New returns an API for cfg. Only the hash of the admin key is kept, so that the key itself
// cannot end up in a dump or a log.
func New(cfg Config) *API {
	a := &API{program: cfg.Program, reports: cfg.Reports, stream: cfg.Stream, logger: cfg.Logger}
	if cfg.AdminKey != "" {
		a.adminKeyHash = program.HashKey(cfg.AdminKey)
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	return a
}

// Register mounts every endpoint of the API on mux, and the shops' webhook URLs (/webhooks/...),
// which the API role serves because they act through the program's rules as the advertiser.
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
	a.handle(mux, "GET /api/v1/review", a.listReview)
	a.handle(mux, "POST /api/v1/review/decisions", a.decideReview)
	a.handle(mux, "GET /api/v1/partners/{id}/fraud-score", a.fraudScore)

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

	a.handle(mux, "POST /api/v1/fx-rates", a.putFXRates)
	a.handle(mux, "GET /api/v1/fx-rates", a.listFXRates)
	a.handle(mux, "GET /api/v1/fx-rates/convert", a.convertFX)

	a.handle(mux, "GET /api/v1/reports", a.getReport)
	a.handle(mux, "GET /api/v1/partners/{id}/scorecard", a.scorecard)
	a.handle(mux, "GET /api/v1/stream", a.liveStream)
	a.handle(mux, "POST /api/v1/partners/{id}/costs", a.createCost)
	a.handle(mux, "GET /api/v1/partners/{id}/costs", a.listCosts)

	a.handle(mux, "POST /api/v1/partners/{id}/postbacks", a.createPostback)
	a.handle(mux, "GET /api/v1/partners/{id}/postbacks", a.listPostbacks)
	a.handle(mux, "GET /api/v1/postbacks", a.listPostbacks)
	a.handle(mux, "GET /api/v1/postbacks/{id}", a.getPostback)
	a.handle(mux, "PATCH /api/v1/postbacks/{id}", a.patchPostback)
	a.handle(mux, "DELETE /api/v1/postbacks/{id}", a.deletePostback)
	a.handle(mux, "GET /api/v1/postbacks/{id}/deliveries", a.listDeliveries)
	a.handle(mux, "POST /api/v1/postbacks/{id}/test", a.testPostback)
	a.handle(mux, "POST /api/v1/postbacks/{id}/rotate-secret", a.rotatePostbackSecret)

	a.handle(mux, "GET /api/v1/webhooks/log", a.listWebhooks)
	a.handle(mux, "GET /api/v1/webhooks/log/{id}", a.getWebhook)
	a.handle(mux, "POST /api/v1/webhooks/log/{id}/replay", a.replayWebhook)
	a.registerWebhooks(mux)

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
type handlerFunc func(w http.ResponseWriter, r *http.Request, c program.Caller) error

func (a *API) handle(mux *http.ServeMux, pattern string, h handlerFunc) {
	a.routes = append(a.routes, pattern)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		defer a.recoverPanic(w, r)
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

// recoverPanic, deferred by a handler, answers a request whose handler panicked with "internal
// error" in the SPEC's shape, logged through slog, rather than a dropped connection and a stack
// trace on stderr.
func (a *API) recoverPanic(w http.ResponseWriter, r *http.Request) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		a.writeError(w, r, fmt.Errorf("panic: %v", v))
	}
}

// authenticate finds the caller from the Authorization header. Keys are looked up by their
// SHA-256, so stored hashes are all a leaked database gives away; the bootstrap admin key is
// compared in constant time so that response times do not reveal it byte by byte.
func (a *API) authenticate(r *http.Request) (program.Caller, error) {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	key = strings.TrimSpace(key)
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
		return program.Caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, `missing API key: send "Authorization: Bearer <key>"`)
	}
	if a.adminKeyHash != nil && subtle.ConstantTimeCompare(program.HashKey(key), a.adminKeyHash) == 1 {
		return program.Admin, nil
	}
	return a.program.Authenticate(r.Context(), key)
}
