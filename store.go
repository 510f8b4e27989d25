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

// StoredClick is a click as the store returns it, with the row id that pages lists.
type StoredClick struct {
	Seq int64
	Visit
}

// Store is everything Pactum keeps. Both stores (store/sqlite, store/postgres) implement it and
// pass one conformance suite (store/storetest). Not-found lookups return an *Error with
// ENOTFOUND; uniqueness violations an *Error with ECONFLICT naming the field.
type Store interface {
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

	CreateAPIKey(ctx context.Context, k *APIKey) error
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	ListAPIKeys(ctx context.Context, p Page) ([]APIKey, error)
	DeleteAPIKey(ctx context.Context, id int64) error

	// ApplyVisits stores a batch of clicks and impressions read from the event log and records
	// pos as the log position applied, in one transaction. Visits already stored (same click id)
	// are skipped, so a batch applied twice changes nothing.
	ApplyVisits(ctx context.Context, clicks, impressions []Visit, stream string, pos uint64) error
	// AppliedPosition returns the last log position recorded by ApplyVisits for stream (0 if none).
	AppliedPosition(ctx context.Context, stream string) (uint64, error)

	Clicks(ctx context.Context, f ClickFilter, p Page) ([]StoredClick, error)
	CountClicks(ctx context.Context, f ClickFilter) (int64, error)
	CountImpressions(ctx context.Context, f ClickFilter) (int64, error)
	// ClicksSince calls fn for each click at or after since, oldest first, so that a restarted
	// edge can rebuild its memory of recent visitors and keep flagging unique clicks correctly.
	ClicksSince(ctx context.Context, since time.Time, fn func(Visit) error) error

	// Setting returns a small named value such as the click-id signing key (ENOTFOUND if unset).
	Setting(ctx context.Context, name string) (string, error)
	// SetSettingIfAbsent stores value under name unless a value is there already, and returns
	// the value in force, so that two processes starting at once agree on one key.
	SetSettingIfAbsent(ctx context.Context, name, value string) (string, error)

	Close() error
}
