// Package program holds the program's rules, for every surface that changes or shows it (the
// REST API, the web UI, shop webhooks): the validation and defaults of each resource, with
// errors that name the field; who may see and change what (Caller); and the operations
// themselves, over the store's areas. A surface decodes its input, calls the Service with the
// Caller it authenticated, and renders what it gets back; it has no rules of its own.
package program

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/commission"
	"github.com/pactum/pactum/fx"
	"github.com/pactum/pactum/outbound"
)

// Store is what the program's operations read and write: every area but the event log's.
type Store interface {
	pactum.ProgramStore
	pactum.KeyStore
	pactum.ConversionStore
	pactum.LedgerStore
	pactum.PayoutStore
	pactum.ClickStore
	pactum.FXStore
	pactum.CostStore
	pactum.UserStore
	pactum.PostbackStore
	pactum.WebhookStore
}

// Submitter records a reported conversion and answers what became of it (conversion.Pipeline).
type Submitter interface {
	Submit(ctx context.Context, in pactum.ConversionInput) (pactum.ConversionResult, error)
}

// Config is what a Service needs. Store is required.
type Config struct {
	Store Store
	// PublicURL is the base of tracking URLs: a link's URL is PublicURL + "/c/" + code.
	PublicURL string
	// OnChange is called after any change to advertisers, partners, offers, links, coupons or
	// exchange rates, so that the tracking edge drops what it cached.
	OnChange func()
	Logger   *slog.Logger
	Now      func() time.Time
	// Conversions takes reported conversions (conversion.Pipeline); nil makes reporting one
	// unavailable.
	Conversions Submitter
	// Rules evaluates the draft rule sets of simulations (the pipeline's cache); nil makes one.
	Rules *commission.Rules
	// Rates are the process's stored currency rates (the pipeline's), which are read from and
	// reloaded after a load; nil makes a cache of the service's own.
	Rates *fx.Cache
	// Outbound sends partners' test postbacks and judges their URLs (--postback-allow-private
	// lifts its address rule); nil is the guard with the address rule on.
	Outbound *outbound.Client
}

// Service runs the program's operations for a Caller. It is safe for concurrent use.
type Service struct {
	store       Store
	publicURL   string
	onChange    func()
	logger      *slog.Logger
	now         func() time.Time
	conversions Submitter
	rules       *commission.Rules
	rates       *fx.Cache
	outbound    *outbound.Client
}

// New returns the Service of cfg.
func New(cfg Config) *Service {
	s := &Service{
		store: cfg.Store, publicURL: strings.TrimRight(cfg.PublicURL, "/"), onChange: cfg.OnChange,
		logger: cfg.Logger, now: cfg.Now, conversions: cfg.Conversions, rules: cfg.Rules, rates: cfg.Rates,
		outbound: cfg.Outbound,
	}
	if s.outbound == nil {
		s.outbound = outbound.New(outbound.Config{})
	}
	if s.rates == nil {
		s.rates = fx.NewCache(cfg.Store.FXRates)
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rules == nil {
		s.rules = &commission.Rules{}
	}
	return s
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// changed tells the edge that what it may have cached is stale.
func (s *Service) changed() {
	if s.onChange != nil {
		s.onChange()
	}
}

// Page sizes: what a dashboard table needs by default, and a bound on one answer's size.
const (
	DefaultPage = 50
	MaxPage     = 1000
)

// Page is one page of a list: the items and the cursor of the next page (0 on the last).
type Page[T any] struct {
	Items []T
	Next  int64
}

// collect pages through a store list with fetch, keeping the items keep accepts (nil keeps all),
// until it has one page or the store has no more. It asks for one item more than a page so that
// the last page says it is the last, and a cursor never leads to an empty page.
func collect[T any](p pactum.Page, fetch func(pactum.Page) ([]T, error), id func(T) int64, keep func(T) bool) (Page[T], error) {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultPage
	case p.Limit > MaxPage:
		p.Limit = MaxPage
	}
	// Stores cap a page at MaxPage too, so a short batch means the end only when it is shorter
	// than what was asked for.
	ask := min(p.Limit+1, MaxPage)
	after := p.After
	out := Page[T]{Items: []T{}}
	for {
		before := after
		batch, err := fetch(pactum.Page{Limit: ask, After: after})
		if err != nil {
			return Page[T]{}, err
		}
		for _, it := range batch {
			after = id(it)
			if keep != nil && !keep(it) {
				continue
			}
			if len(out.Items) == p.Limit {
				out.Next = id(out.Items[len(out.Items)-1])
				return out, nil
			}
			out.Items = append(out.Items, it)
		}
		// A store that did not move past the cursor would otherwise loop forever.
		if len(batch) < ask || after <= before {
			return out, nil
		}
	}
}

// onlyOne lists the record id alone, as get reads it: for the lists in which a role sees only its
// own record, so that they need not scan everyone else's.
func onlyOne[T any](ctx context.Context, id int64, get func(context.Context, int64) (T, error)) func(pactum.Page) ([]T, error) {
	return func(pg pactum.Page) ([]T, error) {
		if id <= pg.After {
			return nil, nil
		}
		v, err := get(ctx, id)
		if err != nil {
			return nil, err
		}
		return []T{v}, nil
	}
}

// all reads every item of a store list, page by page.
func all[T any](fetch func(pactum.Page) ([]T, error), id func(T) int64) ([]T, error) {
	var out []T
	for after := int64(0); ; {
		page, err := fetch(pactum.Page{Limit: MaxPage, After: after})
		if err != nil {
			return nil, err
		}
		for _, it := range page {
			out = append(out, it)
			after = id(it)
		}
		if len(page) < MaxPage {
			return out, nil
		}
	}
}
