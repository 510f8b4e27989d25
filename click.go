package pactum

import "time"

// Why a click did not go to the offer's destination. Empty means it did.
const (
	RejectPaused        = "offer_paused"
	RejectCountry       = "country_not_allowed"
	RejectDevice        = "device_not_allowed"
	RejectPartner       = "partner_not_active"
	RejectOfferArchived = "offer_archived"
)

// Devices as the edge classifies them.
const (
	DeviceDesktop = "desktop"
	DeviceMobile  = "mobile"
	DeviceTablet  = "tablet"
	DeviceBot     = "bot"
	DeviceOther   = "other"
)

// Visit is what the edge records for a click or an impression.
type Visit struct {
	// ClickID is the signed click id (clickid package); empty for impressions.
	ClickID   string
	Time      time.Time
	OfferID   int64
	PartnerID int64
	LinkID    int64
	Sub       [5]string
	Source    string
	IP        string
	UserAgent string
	Referer   string
	Device    string
	OS        string
	Browser   string
	Country   string
	// Bot is set when the user agent is a known crawler or automation tool.
	Bot bool
	// Unique is set on the first click of a visitor (IP and user agent) on an offer through a
	// partner within 24 hours.
	Unique bool
	// Rejected says why the visitor was not sent to the destination (Reject* constants).
	Rejected string
	// Flags are the reason codes of the click rules that fired (package fraud), joined by
	// ReasonSep; Invalid is set when one of them rejects the click: it is not counted.
	Flags   string
	Invalid bool
}

// ClickDims are what the reports count a click's conversions under of it: its sub ids, source,
// device, OS and browser, and its country (the conversion's when the conversion has none).
type ClickDims struct {
	Sub                                  [5]string
	Source, Device, OS, Browser, Country string
}

// Dims returns v's report dimensions.
func (v *Visit) Dims() ClickDims {
	return ClickDims{Sub: v.Sub, Source: v.Source, Device: v.Device, OS: v.OS, Browser: v.Browser, Country: v.Country}
}
