package pactum

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Partner kinds (SPEC section 1).
const (
	KindAffiliate  = "affiliate"
	KindInfluencer = "influencer"
	KindB2B        = "b2b"
	KindReferral   = "referral"
)

// Partner statuses.
const (
	PartnerPending   = "pending"
	PartnerActive    = "active"
	PartnerSuspended = "suspended"
)

// Offer statuses and visibilities.
const (
	OfferActive   = "active"
	OfferPaused   = "paused"
	OfferArchived = "archived"

	VisibilityPublic   = "public"
	VisibilityApproval = "approval"
	VisibilityPrivate  = "private"
)

// Attribution models.
const (
	LastClick  = "last_click"
	FirstClick = "first_click"
)

// Defaults of an offer where the SPEC names one.
const (
	DefaultAttributionWindowDays = 30
	DefaultHoldDays              = 30
)

// Payout schedules of a program (SPEC section 6): when its payout runs take what is payable.
const (
	// PayoutWeekly runs on Advertiser.PayoutWeekday every week.
	PayoutWeekly = "weekly"
	// PayoutMonthly runs on Advertiser.PayoutDay every month; days stop at 28 so that every
	// month has the day.
	PayoutMonthly = "monthly"
	// PayoutManual runs only when someone asks (pactum payouts run, POST /api/v1/payouts/runs).
	PayoutManual = "manual"
)

// Defaults of a program's payout settings, the same as the columns' defaults in the migrations
// so that programs created before payouts existed read the same as new ones.
const (
	DefaultPayoutSchedule = PayoutMonthly
	DefaultPayoutWeekday  = 1 // Monday
	DefaultPayoutDay      = 1
)

// Advertiser is a brand that pays for results and owns offers. It is also the program whose
// payout settings decide when its partners are paid.
type Advertiser struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	// PostbackTokenHash is the SHA-256 of the advertiser's postback token; the token itself is
	// shown once, when the advertiser is created, and never stored.
	PostbackTokenHash []byte `json:"-"`
	// PostbackIPs are addresses or CIDRs whose postbacks need no token.
	PostbackIPs []string `json:"postback_ips"`
	// PayoutSchedule is PayoutWeekly, PayoutMonthly or PayoutManual.
	PayoutSchedule string `json:"payout_schedule"`
	// PayoutWeekday is the ISO weekday of weekly runs: 1 is Monday, 7 Sunday.
	PayoutWeekday int `json:"payout_weekday"`
	// PayoutDay is the day of the month of monthly runs, 1..28.
	PayoutDay int `json:"payout_day"`
	// NetDays is how long after its approval a commission becomes payable (0..365), the
	// program's terms with its partners on top of the offer's hold period.
	NetDays int `json:"net_days"`
	// LegalName, IBAN and BIC are the account the program pays from: the debtor of its SEPA
	// transfer files. IBAN and BIC are kept in their compact, upper-case form (ValidIBAN).
	LegalName string `json:"legal_name"`
	IBAN      string `json:"iban"`
	BIC       string `json:"bic"`
	// ShopSecrets lists the platforms (PlatformShopify, PlatformWooCommerce) whose webhook
	// secret is set, as stores read it; the secrets themselves are only in WebhookStore.
	ShopSecrets []string `json:"-"`
	// Fraud are the program's fraud rules, the defaults of its offers'.
	Fraud     FraudSettings `json:"fraud"`
	CreatedAt time.Time     `json:"created_at"`
}

// Partner is who drives results: an affiliate, an influencer, a B2B partner or a referring customer.
type Partner struct {
	ID           int64           `json:"id"`
	Name         string          `json:"name"`
	Email        string          `json:"email"`
	Kind         string          `json:"kind"`
	Status       string          `json:"status"`
	Currency     string          `json:"currency"`
	MinPayout    decimal.Decimal `json:"min_payout"`
	PayoutMethod string          `json:"payout_method"`
	// PayPalEmail, IBAN and BIC are where the partner is paid, by PayPal or by SEPA transfer.
	// They may be empty whatever PayoutMethod says, so that a partner can be set up before it
	// gives its details; the SEPA and PayPal exports refuse a payout without them, naming the
	// partner.
	PayPalEmail string    `json:"paypal_email"`
	IBAN        string    `json:"iban"`
	BIC         string    `json:"bic"`
	CreatedAt   time.Time `json:"created_at"`
}

// Targeting limits who an offer is for. Empty lists allow everyone.
type Targeting struct {
	Countries []string `json:"countries"` // ISO 3166-1 alpha-2, upper case
	Devices   []string `json:"devices"`   // desktop, mobile, tablet, bot, other
}

// OfferEvent is a goal inside an offer with its payout (what the partner earns) and revenue
// (what the advertiser owes) rule sets in the language of SPEC section 5, kept as validated JSON.
type OfferEvent struct {
	// ID is the event's number within its offer (1, 2, ...), which the incumbents' postbacks
	// name as goal_id, event_id or goal; it never changes once given.
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// AllowRepeats lets one click convert on this event more than once when no order id is given.
	AllowRepeats bool            `json:"allow_repeats"`
	Payout       json.RawMessage `json:"payout,omitempty"`
	Revenue      json.RawMessage `json:"revenue,omitempty"`
}

// Offer is a program or campaign of one advertiser.
type Offer struct {
	ID                    int64  `json:"id"`
	AdvertiserID          int64  `json:"advertiser_id"`
	Name                  string `json:"name"`
	Status                string `json:"status"`
	DestinationURL        string `json:"destination_url"`
	FallbackURL           string `json:"fallback_url"`
	Currency              string `json:"currency"`
	AttributionWindowDays int    `json:"attribution_window_days"`
	AttributionModel      string `json:"attribution_model"`
	// MinConversionSeconds rejects, as fraud, conversions that come sooner after their click.
	MinConversionSeconds int `json:"min_conversion_seconds"`
	// ReturningCustomers attributes a sale without click or coupon to the partner who brought
	// the same customer before (first or last such partner, by AttributionModel).
	ReturningCustomers bool `json:"returning_customers"`
	// AcceptPixel lets the browser pixel (/pixel, /aff_l, sdk.js) report conversions. It is off
	// by default: a pixel carries no secret, so whoever holds a click cookie could report any
	// amount; server postbacks and the API need the advertiser's token.
	AcceptPixel bool         `json:"accept_pixel"`
	HoldDays    int          `json:"hold_days"`
	Targeting   Targeting    `json:"targeting"`
	Visibility  string       `json:"visibility"`
	Events      []OfferEvent `json:"events"`
	// Fraud are the offer's fraud rules; ProgramFraud its advertiser's, read with it (package
	// fraud resolves the two).
	Fraud        FraudSettings `json:"fraud"`
	ProgramFraud FraudSettings `json:"-"`
	CreatedAt    time.Time     `json:"created_at"`
	UpdatedAt    time.Time     `json:"updated_at"`
}

// Link is a partner's tracking link to an offer. Code is its short code for /c/{code}.
type Link struct {
	ID        int64     `json:"id"`
	OfferID   int64     `json:"offer_id"`
	PartnerID int64     `json:"partner_id"`
	Code      string    `json:"code"`
	Sub       [5]string `json:"-"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// Coupon is a code bound to a partner and, optionally, one offer (OfferID 0 means any offer).
type Coupon struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	PartnerID int64     `json:"partner_id"`
	OfferID   int64     `json:"offer_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Roles of API keys and users.
const (
	RoleAdmin      = "admin"
	RoleAdvertiser = "advertiser"
	RolePartner    = "partner"
)

// APIKey is a bearer key. Only the SHA-256 of the key is stored; the key is shown once.
type APIKey struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	PartnerID    int64     `json:"partner_id,omitempty"`
	AdvertiserID int64     `json:"advertiser_id,omitempty"`
	Hash         []byte    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}
