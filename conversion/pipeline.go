// Package conversion turns a reported conversion into a stored one: Submit validates what an
// intake (postback, pixel, API) reports, resolves its offer, event and click, and appends it to
// the event log; Apply, called by the log's handler inside the store transaction, attributes it
// to a partner, deduplicates it and computes its commission, and hands the result back to the
// request that is waiting for it.
//
// Going through the log serialises every conversion in one writer, which is what makes dedup
// hold under concurrency: of fifty identical postbacks, the first one applied inserts and the
// others, in the same or a later transaction, find it. It also makes a conversion durable before
// it is processed: a request that gives up waiting still has its conversion stored.
package conversion

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopspring/decimal"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bus"
	"github.com/pactum/pactum/clickid"
	"github.com/pactum/pactum/commission"
)

// OfferSource is what the pipeline reads outside the event transaction: offers and partners,
// which change rarely and which the caller may cache.
type OfferSource interface {
	Offer(ctx context.Context, id int64) (pactum.Offer, error)
	Partner(ctx context.Context, id int64) (pactum.Partner, error)
}

// Config is what a Pipeline needs. Store, Signer and Log are required.
type Config struct {
	Store  OfferSource
	Signer *clickid.Signer
	Log    bus.Log
	// Rules caches parsed rule sets; nil means a cache of the pipeline's own.
	Rules *commission.Rules
	// Now is the clock that dates conversions (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// AnswerWait bounds how long Submit waits for the processor once the log has the
	// conversion (default 10s): past it, Submit returns pactum.ErrQueued, since the conversion is
	// durable and will be processed when a processor is back.
	AnswerWait time.Duration
	// ReplyTo and Send let other processes apply what this one submits (a deployment over
	// NATS): records carry ReplyTo, where this process receives results (see Receive), and Apply
	// hands the result for a record of another process to Send once its transaction committed.
	ReplyTo string
	Send    func(to string, data []byte) error
	// Rates converts commissions into partners' currencies (fx.Table); nil credits every
	// partner in the offer's currency.
	Rates Rates
	// Stored, if set, is told of each conversion Apply stored, as stored, once its
	// transaction committed, with its click's report dimensions when the transaction read them
	// (for the fraud rules), else nil, and its line commissions when it computed them
	// (report.Keeper.Stored). The conversion is the one the request is answered with: Stored
	// only reads it, and may keep it.
	Stored func(*pactum.Conversion, *pactum.ClickDims, pactum.LineCommissions)
}

// Rates gives the rate that converts an amount in from into to on day.
type Rates interface {
	Rate(from, to string, day time.Time) (rate decimal.Decimal, asOf time.Time, err error)
}

// Pipeline validates, logs and processes conversions. It is safe for concurrent use.
type Pipeline struct {
	cfg Config
	log *slog.Logger

	// requests numbers the conversions this process submits, so that Apply can find who waits
	// for each. It starts at a random value so that a record left in the log by an earlier run
	// is unlikely to carry the number of a request waiting now.
	requests atomic.Uint64

	mu      sync.Mutex
	waiting map[uint64]chan outcome

	// missingRates counts the commissions credited in the offer's currency because no exchange
	// rate into the partner's was known.
	missingRates atomic.Uint64

	// histories remembers partners' conversions of the days before historyDay for the velocity
	// rule (fraud.go: history).
	historyMu  sync.Mutex
	historyDay time.Time
	histories  map[historyKey]int64
}

// outcome is what a waiting Submit gets: a result, or an error about the conversion itself
// (its offer or event vanished between Submit and Apply).
type outcome struct {
	res pactum.ConversionResult
	err error
	// click holds the report dimensions of the conversion's click, when the transaction read
	// it (for Config.Stored).
	click *pactum.ClickDims
	// lines are the conversion's line commissions, when it earns (for Config.Stored).
	lines pactum.LineCommissions
}

// New returns a pipeline. It panics when a required part of cfg is missing: that is a wiring
// mistake, not something to handle at run time.
func New(cfg Config) *Pipeline {
	if cfg.Store == nil || cfg.Signer == nil || cfg.Log == nil {
		panic("conversion.New: Config needs Store, Signer and Log")
	}
	if cfg.Rules == nil {
		cfg.Rules = &commission.Rules{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AnswerWait <= 0 {
		cfg.AnswerWait = 10 * time.Second
	}
	p := &Pipeline{cfg: cfg, log: cfg.Logger, waiting: make(map[uint64]chan outcome)}
	if p.log == nil {
		p.log = slog.Default()
	}
	var seed [8]byte
	_, _ = rand.Read(seed[:]) // crypto/rand.Read never fails (Go 1.24+)
	p.requests.Store(binary.BigEndian.Uint64(seed[:]))
	return p
}

// wait registers a new request and returns its id and the channel its outcome will come on.
func (p *Pipeline) wait() (uint64, chan outcome) {
	id := p.requests.Add(1)
	ch := make(chan outcome, 1)
	p.mu.Lock()
	p.waiting[id] = ch
	p.mu.Unlock()
	return id, ch
}

// forget drops a request that no longer waits.
func (p *Pipeline) forget(id uint64) {
	p.mu.Lock()
	delete(p.waiting, id)
	p.mu.Unlock()
}

// deliverer returns the func that hands o to request id of the process at replyTo: this one
// when replyTo is empty or its own, another one through Send.
func (p *Pipeline) deliverer(replyTo string, id uint64, o *outcome) func() {
	if replyTo == "" || replyTo == p.cfg.ReplyTo || p.cfg.Send == nil {
		return func() { p.deliver(id, *o) }
	}
	return func() {
		data, err := encodeReply(id, *o)
		if err == nil {
			err = p.cfg.Send(replyTo, data)
		}
		if err != nil {
			// The conversion is stored; the request that waits for it will answer "queued".
			p.log.Warn("sending a conversion result failed", "to", replyTo, "request", id, "err", err)
		}
	}
}

// deliver hands o to request id, if it waits in this process. The request is removed as it is
// served, so a second delivery, or one for a batch replayed after a crash, does nothing; the
// channel's one slot means the send never blocks.
func (p *Pipeline) deliver(id uint64, o outcome) {
	p.mu.Lock()
	ch, ok := p.waiting[id]
	delete(p.waiting, id)
	p.mu.Unlock()
	if ok {
		ch <- o
	}
}

// Receive takes a result that another process sent to Config.ReplyTo and hands it to the
// Submit waiting for it. A message that is not a result is logged and dropped.
func (p *Pipeline) Receive(data []byte) {
	id, o, err := decodeReply(data)
	if err != nil {
		p.log.Warn("dropping an unreadable conversion result", "err", err)
		return
	}
	p.deliver(id, o)
}

// MissingRates counts the commissions credited in the offer's currency because no exchange
// rate into the partner's currency was loaded for their day (pactum_fx_rate_missing_total): a
// partner then waits for a payout in a currency it did not ask for.
func (p *Pipeline) MissingRates() uint64 { return p.missingRates.Load() }

// Waiting returns how many Submits are waiting for their conversion to be processed (for
// metrics and tests).
func (p *Pipeline) Waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.waiting)
}
