package pactum

import (
	"context"
	"time"
)

// Page asks for one page of a list: at most Limit items with an id after After (the cursor).
type Page struct {
	Limit int
	After int64
}

// ClickFilter selects clicks or impressions. Zero fields match everything; From is inclusive,
// To exclusive.
type ClickFilter struct {
	OfferID      int64
	PartnerID    int64
	AdvertiserID int64 // clicks on the offers of one advertiser
	From, To     time.Time
}

// OfferFilter selects offers.
type OfferFilter struct {
	AdvertiserID int64
	Status       string
}

// LinkFilter selects links.
type LinkFilter struct {
	OfferID      int64
	PartnerID    int64
	AdvertiserID int64
}

// CouponFilter selects coupons.
type CouponFilter struct {
	PartnerID    int64
	OfferID      int64
	AdvertiserID int64 // coupons bound to an offer of this advertiser
}

// EventTx is the store inside the event processor's transaction (Store.ApplyEvents): what it
// reads sees what the same transaction wrote before.
type EventTx interface {
	// InsertVisits stores clicks and impressions. Clicks are unique by click id: one stored
	// already is skipped.
	InsertVisits(ctx context.Context, clicks, impressions []Visit) error
	Coupon(ctx context.Context, code string) (Coupon, error)
	// ClickCountry returns the country of the stored click with clickID, or "" when it has none
	// or is not stored (yet: in a distributed deployment a conversion can overtake its click).
	ClickCountry(ctx context.Context, clickID string) (string, error)
	// FraudHistory reads what the conversion fraud rules look at, in one statement: the click's
	// source and counts of the partner's earlier conversions (FraudHistoryQuery).
	FraudHistory(ctx context.Context, q FraudHistoryQuery) (FraudHistory, error)
	// CustomerPartner returns the partner of the customer's first (first=true) or latest
	// attributed conversion in the offer, or ENOTFOUND.
	CustomerPartner(ctx context.Context, offerID int64, customerID string, first bool) (int64, error)
	// InsertConversion stores c and sets its ID, unless a conversion with the same non-empty
	// DedupKey exists: then it returns that one with duplicate true and stores nothing.
	InsertConversion(ctx context.Context, c *Conversion) (existing Conversion, duplicate bool, err error)
	// PartnerStats sums the partner's earlier conversions in the offer since dayStart and
	// monthStart (in the offer's currency).
	PartnerStats(ctx context.Context, offerID, partnerID int64, dayStart, monthStart time.Time) (PartnerStats, error)
	// Claim records that event seq of stream was applied in this transaction; false when an
	// earlier transaction did (a redelivered event), and then the caller skips it. Claims are
	// how events that arrive out of order and more than once (a distributed log) apply once.
	Claim(ctx context.Context, stream string, seq uint64) (bool, error)
	// LockConversions serialises conversion processing across processes until the transaction
	// ends, so that caps, tiers, returning customers and dedup see the conversions in one order.
	// Taking it again in the same transaction is harmless.
	LockConversions(ctx context.Context) error
	// The batch's visits go to the reports' rollups in the transaction that stores them, so
	// that they are in reports as soon as they are stored.
	RollupWriter
}

// StoredClick is a click as the store returns it, with the row id that pages lists.
type StoredClick struct {
	Seq int64
	Visit
}

// ProgramStore keeps the program: advertisers, partners, offers, links and coupons.
type ProgramStore interface {
	CreateAdvertiser(ctx context.Context, a *Advertiser) error
	Advertiser(ctx context.Context, id int64) (Advertiser, error)
	AdvertiserByPostbackToken(ctx context.Context, tokenHash []byte) (Advertiser, error)
	ListAdvertisers(ctx context.Context, p Page) ([]Advertiser, error)
	UpdateAdvertiser(ctx context.Context, a *Advertiser) error

	CreatePartner(ctx context.Context, p *Partner) error
	Partner(ctx context.Context, id int64) (Partner, error)
	ListPartners(ctx context.Context, p Page) ([]Partner, error)
	UpdatePartner(ctx context.Context, p *Partner) error

	CreateOffer(ctx context.Context, o *Offer) error
	Offer(ctx context.Context, id int64) (Offer, error)
	ListOffers(ctx context.Context, f OfferFilter, p Page) ([]Offer, error)
	UpdateOffer(ctx context.Context, o *Offer) error

	CreateLink(ctx context.Context, l *Link) error
	Link(ctx context.Context, id int64) (Link, error)
	LinkByCode(ctx context.Context, code string) (Link, error)
	ListLinks(ctx context.Context, f LinkFilter, p Page) ([]Link, error)
	UpdateLink(ctx context.Context, l *Link) error

	CreateCoupon(ctx context.Context, c *Coupon) error
	Coupon(ctx context.Context, code string) (Coupon, error)
	ListCoupons(ctx context.Context, f CouponFilter, p Page) ([]Coupon, error)
	DeleteCoupon(ctx context.Context, code string) error
}

// KeyStore keeps API keys, by the SHA-256 of the key.
type KeyStore interface {
	CreateAPIKey(ctx context.Context, k *APIKey) error
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	APIKey(ctx context.Context, id int64) (APIKey, error)
	ListAPIKeys(ctx context.Context, p Page) ([]APIKey, error)
	DeleteAPIKey(ctx context.Context, id int64) error
}

// EventStore applies the event log: clicks, impressions and conversions, each batch in one
// transaction with the log's position.
type EventStore interface {
	// ApplyEvents runs fn in one transaction that also records pos as the position of stream
	// in the event log, so that what fn wrote and the position commit together. If the stream
	// is already at or past pos, fn is not called and applied is false: the batch was applied
	// before (a replay after a crash). If fn returns an error, nothing is written.
	// pos 0 means no position (a log whose batches arrive in no order, where fn claims each
	// event instead, EventTx.Claim): fn always runs, and no position is read or recorded.
	ApplyEvents(ctx context.Context, stream string, pos uint64, fn func(EventTx) error) (applied bool, err error)
	// AppliedPosition returns the last log position recorded by ApplyEvents for stream (0 if none).
	AppliedPosition(ctx context.Context, stream string) (uint64, error)
	// Sync makes every transaction ApplyEvents committed durable, so that the event log may
	// delete what they applied.
	Sync(ctx context.Context) error
	// PruneClaims forgets stream's claims (EventTx.Claim) of the events before sequence below,
	// which the log can no longer redeliver, and returns how many it forgot.
	PruneClaims(ctx context.Context, stream string, below uint64) (int64, error)
}

// ConversionStore reads conversions and changes them (refunds, decisions), each change with
// its ledger entries and its change-feed row in one transaction.
type ConversionStore interface {
	Conversion(ctx context.Context, id int64) (Conversion, error)
	ListConversions(ctx context.Context, f ConversionFilter, p Page) ([]Conversion, error)
	CountConversions(ctx context.Context, f ConversionFilter) (int64, error)
	// UpdateConversion reads conversion id, lets fn change it, and writes it back, in one
	// transaction that no other update of the same conversion can interleave with. fn's error
	// is returned unchanged and nothing is written.
	UpdateConversion(ctx context.Context, id int64, fn func(*Conversion) error) (Conversion, error)
	// EachConversion calls fn for every conversion matching f, oldest first (for the simulator).
	EachConversion(ctx context.Context, f ConversionFilter, fn func(Conversion) error) error
}

// LedgerStore keeps partners' money: the append-only ledger, balances as its sums, and the
// approval of commissions whose hold period ended.
type LedgerStore interface {
	// LedgerEntries lists ledger entries, oldest first; Balances sums them per partner,
	// program and currency.
	LedgerEntries(ctx context.Context, f LedgerFilter, p Page) ([]LedgerEntry, error)
	Balances(ctx context.Context, f LedgerFilter) ([]Balance, error)
	// ApproveDue approves up to limit pending conversions whose hold period ended by now, with
	// their ledger entries, and returns how many it approved.
	ApproveDue(ctx context.Context, now time.Time, limit int) (int, error)
	// UnpaidApproved sums a partner's approved commissions that no payout took yet, by
	// program, currency and day of approval.
	UnpaidApproved(ctx context.Context, partnerID int64) ([]ApprovedDay, error)
}

// PayoutStore keeps payout runs and payouts.
type PayoutStore interface {
	// RunPayouts makes the payout run of a program for a date, or returns the one that exists
	// (created false): running a date twice pays nothing twice.
	RunPayouts(ctx context.Context, rs RunSettings) (run PayoutRun, created bool, err error)
	PayoutRun(ctx context.Context, id int64) (PayoutRun, error)
	ListPayoutRuns(ctx context.Context, advertiserID int64, p Page) ([]PayoutRun, error)
	Payout(ctx context.Context, id int64) (Payout, error)
	ListPayouts(ctx context.Context, f PayoutFilter, p Page) ([]Payout, error)
	// SettlePayout marks a pending payout paid (text is the reference) or failed (text is the
	// reason; the money returns to the balance and its commissions to the next run).
	SettlePayout(ctx context.Context, id int64, status, text string, now time.Time) (Payout, error)
}

// ClickStore reads the clicks and impressions the event log stored.
type ClickStore interface {
	Clicks(ctx context.Context, f ClickFilter, p Page) ([]StoredClick, error)
	CountClicks(ctx context.Context, f ClickFilter) (int64, error)
	CountImpressions(ctx context.Context, f ClickFilter) (int64, error)
	// LastClickSeq returns the sequence of the newest stored click (0 with none).
	LastClickSeq(ctx context.Context) (int64, error)
	// ClicksSince calls fn for each click at or after since, oldest first, so that a restarted
	// edge can rebuild its memory of recent visitors and keep flagging unique clicks correctly.
	ClicksSince(ctx context.Context, since time.Time, fn func(Visit) error) error
}

// FXStore keeps currency reference rates.
type FXStore interface {
	// PutFXRates stores rates, replacing any stored for the same day and currency, in one
	// transaction, and returns how many it stored (a rate given twice counts once, the later
	// wins). A rate that fails FXRate.Validate is an EINVALID error naming it ("rates[3].currency")
	// and nothing is stored. In the same transaction it gives the setting SettingFXVersion a new
	// value, which running processes poll to notice rates that another process stored.
	PutFXRates(ctx context.Context, rates []FXRate) (int, error)
	// FXRates returns every stored rate, ordered by date, then currency.
	FXRates(ctx context.Context) ([]FXRate, error)
}

// SettingStore keeps small named values.
type SettingStore interface {
	// Setting returns a small named value such as the click-id signing key (ENOTFOUND if unset).
	Setting(ctx context.Context, name string) (string, error)
	// SetSettingIfAbsent stores value under name unless a value is there already, and returns
	// the value in force, so that two processes starting at once agree on one key.
	SetSettingIfAbsent(ctx context.Context, name, value string) (string, error)
}

// Store is everything Pactum keeps, area by area; each consumer asks for the areas it uses.
// Both stores (store/sqlite, store/postgres) implement it and pass one conformance suite
// (store/storetest), split the same way. Not-found lookups return an *Error with ENOTFOUND;
// uniqueness violations an *Error with ECONFLICT naming the field.
type Store interface {
	ProgramStore
	KeyStore
	EventStore
	ConversionStore
	LedgerStore
	PayoutStore
	ClickStore
	FXStore
	SettingStore
	ChangeStore
	ReportStore
	UserStore
	PostbackStore
	WebhookStore
	Close() error
}

// SettingFXVersion names the setting that changes with every store of exchange rates
// (Store.PutFXRates): a server polls it, one row, every few seconds, and reloads its rates when it
// changed, so that rates loaded by `pactum fx load` or another process reach it quickly.
const SettingFXVersion = "fx_version"
