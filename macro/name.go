// Package macro expands {name} macros in URL templates: offers' destination and fallback URLs,
// and partners' postback URLs (which also know {status}, {commission} and {reason}; on a click
// they are empty). A template is compiled once, when it is saved or loaded, so that
// expanding it on the click path is a copy with no parsing and no allocation.
package macro

// Name is a macro's value slot: an index into Values.
type Name int

// The macros of SPEC section 3.
const (
	ClickID Name = iota
	OfferID
	PartnerID
	Sub1
	Sub2
	Sub3
	Sub4
	Sub5
	Source
	Country
	Device
	Event
	OrderID
	Amount
	Currency
	Payout
	Coupon
	ConversionID
	Timestamp
	// Status and Reason are a conversion's status and why it was rejected, for partner
	// postbacks; {commission} is another name of {payout} there (SPEC section 11).
	Status
	Reason
	NumNames // the number of names, not a name
)

// Values holds the value of each macro, unescaped. Empty values expand to nothing.
type Values [NumNames]string

// String returns the native macro name, such as "click_id".
func (n Name) String() string {
	switch n {
	case ClickID:
		return "click_id"
	case OfferID:
		return "offer_id"
	case PartnerID:
		return "partner_id"
	case Sub1:
		return "sub1"
	case Sub2:
		return "sub2"
	case Sub3:
		return "sub3"
	case Sub4:
		return "sub4"
	case Sub5:
		return "sub5"
	case Source:
		return "source"
	case Country:
		return "country"
	case Device:
		return "device"
	case Event:
		return "event"
	case OrderID:
		return "order_id"
	case Amount:
		return "amount"
	case Currency:
		return "currency"
	case Payout:
		return "payout"
	case Coupon:
		return "coupon"
	case ConversionID:
		return "conversion_id"
	case Timestamp:
		return "timestamp"
	case Status:
		return "status"
	case Reason:
		return "reason"
	}
	return "unknown"
}

// lookup returns the slot of a macro name: a native name, or an incumbent's name that programs
// moving to Pactum already have in their URLs (TUNE, Trackier, Everflow). Names are lower case
// and matched exactly.
func lookup(name string) (Name, bool) {
	switch name {
	case "click_id", "transaction_id":
		return ClickID, true
	case "offer_id":
		return OfferID, true
	case "partner_id", "affiliate_id", "aff_id":
		return PartnerID, true
	case "sub1", "aff_sub", "p1":
		return Sub1, true
	case "sub2", "aff_sub2", "p2":
		return Sub2, true
	case "sub3", "aff_sub3", "p3":
		return Sub3, true
	case "sub4", "aff_sub4", "p4":
		return Sub4, true
	case "sub5", "aff_sub5", "p5":
		return Sub5, true
	case "source":
		return Source, true
	case "country":
		return Country, true
	case "device":
		return Device, true
	case "event":
		return Event, true
	case "order_id", "txn_id":
		return OrderID, true
	case "amount", "sale_amount":
		return Amount, true
	case "currency":
		return Currency, true
	case "payout", "commission":
		return Payout, true
	case "coupon":
		return Coupon, true
	case "conversion_id":
		return ConversionID, true
	case "timestamp":
		return Timestamp, true
	case "status":
		return Status, true
	case "reason":
		return Reason, true
	}
	return 0, false
}
