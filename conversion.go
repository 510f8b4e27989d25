package pactum

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Conversion statuses (SPEC section 4).
const (
	ConversionPending  = "pending"
	ConversionApproved = "approved"
	ConversionRejected = "rejected"
	ConversionReversed = "reversed"
	ConversionCapped   = "capped"
	ConversionPaid     = "paid"
)

// How a conversion was attributed to its partner.
const (
	AttributionClick    = "click"
	AttributionCoupon   = "coupon"
	AttributionCustomer = "customer"
	AttributionNone     = "none"
)

// Where a conversion came from.
const (
	SourcePostback = "postback"
	SourcePixel    = "pixel"
	SourceAPI      = "api"
	SourceWebhook  = "webhook" // a shop's order webhook (Shopify, WooCommerce)
)

// Why a conversion was rejected (Conversion.Reason). A capped conversion's reason is "cap:"
// followed by the cap's name; a rejection by hand carries the text given.
const (
	ReasonTooFast          = "click_to_conversion_too_fast"
	ReasonWindowExpired    = "attribution_window_expired"
	ReasonPartnerInactive  = "partner_not_active"
	ReasonAdvertiserDenied = "rejected_by_advertiser"
)

// LineItem is one line of an order.
type LineItem struct {
	SKU       string          `json:"sku"`
	Category  string          `json:"category"`
	Quantity  int64           `json:"quantity"`
	UnitPrice decimal.Decimal `json:"unit_price"`
	// Discount is the total discount on the line, not per unit.
	Discount decimal.Decimal `json:"discount"`
	// RefundedQuantity counts the units refunded so far.
	RefundedQuantity int64 `json:"refunded_quantity"`
}

// Conversion is one reported event (a sale, a lead...) with what it earned.
type Conversion struct {
	ID           int64
	OfferID      int64
	AdvertiserID int64
	Event        string
	// PartnerID is 0 for an unattributed conversion.
	PartnerID int64
	ClickID   string
	ClickTime time.Time // zero without a click
	OrderID   string
	// DedupKey makes a conversion unique: "o:{offer}:{event}:{order}" with an order id, else
	// "c:{click}:{event}" unless the event allows repeats, else empty (no dedup).
	DedupKey    string
	Currency    string // the offer's currency; amounts and commissions are in it
	Amount      decimal.Decimal
	Items       []LineItem
	Coupon      string
	CustomerID  string
	NewCustomer bool
	Country     string
	Attribution string
	Status      string
	// Reason says why the conversion is rejected, held for review or capped: the codes of the
	// fraud rules that rejected or held it (joined by ReasonSep), a Reason* constant, "cap:"
	// and a cap's name, or the text of a rejection by hand.
	Reason string
	// Flags are the codes of every fraud rule that fired when it was reported, whatever each
	// one's action, joined by ReasonSep; IP is its click's address, for the repeated_ip rule.
	Flags  string
	IP     string
	Source string
	Time   time.Time // when the conversion was received
	// Payout is what the partner earns, Revenue what the advertiser owes; each breakdown is the
	// JSON of a rules.Breakdown, so that every partner can see why. Stores keep breakdowns as
	// given, without parsing them again on every conversion: they are never outside input, and
	// rules.Breakdown's encoder is fuzzed for valid JSON (rules.FuzzEvaluate).
	Payout           decimal.Decimal
	Revenue          decimal.Decimal
	PayoutBreakdown  json.RawMessage
	RevenueBreakdown json.RawMessage
	RefundedAmount   decimal.Decimal
	Refunds          []Refund
	// ApproveAt is when the offer's hold period ends and the conversion approves itself if it
	// is still pending; ApprovedAt when it was approved (zero until then), from which the
	// program's net days count.
	ApproveAt  time.Time
	ApprovedAt time.Time
	// PayoutID is the payout that pays this commission, once a payout run took it (0 before,
	// and again if that payout failed).
	PayoutID int64
	// LedgerCurrency is the currency the partner is credited in: the partner's, when a rate
	// was known on the conversion's day (FXRate, the rate from Currency to it), else Currency
	// with FXRate zero. LedgerAmount is Payout in it (see LedgerAmount).
	LedgerCurrency string
	FXRate         decimal.Decimal
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Refund records one refund of a conversion and what it did to the commission.
type Refund struct {
	// ID is the caller's name for the refund, if it gave one: the same refund sent again (a
	// retry after a timeout) is recognised by it and changes nothing.
	ID            string          `json:"id,omitempty"`
	Time          time.Time       `json:"time"`
	Amount        decimal.Decimal `json:"amount"`
	Items         []RefundItem    `json:"items,omitempty"`
	PayoutBefore  decimal.Decimal `json:"payout_before"`
	PayoutAfter   decimal.Decimal `json:"payout_after"`
	RevenueBefore decimal.Decimal `json:"revenue_before"`
	RevenueAfter  decimal.Decimal `json:"revenue_after"`
}

// RefundItem is a number of units of one SKU refunded.
type RefundItem struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// ConversionInput is a conversion as an intake (postback, pixel, API) reports it, before
// attribution and commission.
type ConversionInput struct {
	OfferID int64 // 0 when the click id names the offer
	Event   string
	EventID int64 // the incumbents' numeric goal ids; 0 when Event names the event
	ClickID string
	OrderID string
	// Currency defaults to the offer's.
	Currency string
	// Amount is the order amount; with Items it must equal their sum.
	Amount      decimal.Decimal
	AmountGiven bool
	Items       []LineItem
	Coupon      string
	CustomerID  string
	NewCustomer bool
	// Country is where the order was placed (ISO 3166-1 alpha-2, any case); without it the
	// conversion takes its click's country.
	Country string
	// Status is what the advertiser asked for: "" (pending), approved or rejected.
	Status string
	// AdvertiserID is the advertiser that authenticated the report (0 for the pixel).
	AdvertiserID int64
	Source       string
	Time         time.Time
}

// LineCommissions are the commissions of a conversion's order lines in minor units of its
// currency, as its payout and revenue breakdowns give them, line by line. The rules engine has
// them when it prices a conversion; the reports count them per SKU, and would otherwise parse
// them back out of the breakdowns (commission.Rules.Compute, report.Keeper.Stored).
type LineCommissions struct{ Payout, Revenue []int64 }

// ConversionResult is what happened to a reported conversion. A rejected conversion that was
// stored has Status rejected and a Reason.
type ConversionResult struct {
	Conversion Conversion
	Duplicate  bool
}

// ConversionFilter selects conversions. Zero fields match everything; From inclusive, To exclusive.
type ConversionFilter struct {
	OfferID      int64
	PartnerID    int64
	AdvertiserID int64
	Event        string
	Status       string
	// DedupKey finds the conversion of an order (OrderKey), by the index that dedups them.
	DedupKey string
	// Held selects the conversions held for review (Conversion.Held).
	Held bool
	// Reason selects those whose reason (the codes joined by ReasonSep) holds this code.
	Reason   string
	From, To time.Time
}

// OrderKey is the dedup key of a conversion with an order id: one conversion per offer, event
// and order id (SPEC section 4).
func OrderKey(offerID int64, event, orderID string) string {
	return "o:" + strconv.FormatInt(offerID, 10) + ":" + event + ":" + orderID
}

// PartnerStats is what the commission rules need to know about a partner's earlier
// conversions in one offer: monthly approved sales for tiers, counts and payouts for caps.
// Rejected, reversed and capped conversions do not count.
type PartnerStats struct {
	MonthlyApprovedSales decimal.Decimal
	DailyConversions     int64
	MonthlyConversions   int64
	DailyPayout          decimal.Decimal
	MonthlyPayout        decimal.Decimal
}
