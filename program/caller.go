package program

import (
	"slices"
	"strings"

	"github.com/pactum/pactum"
)

// Caller is who acts: the role of an API key or of a signed-in user, with the partner or the
// advertiser it acts for. Every surface (the REST API, the web UI) turns its credentials into a
// Caller and asks the checks below; none has checks of its own.
//
// The roles, where the SPEC leaves room:
//   - admin: everything.
//   - advertiser: reads and changes its own advertiser record; creates, reads and changes its
//     own offers; creates, reads and changes links and coupons on its own offers (for any
//     partner); deletes coupons on its own offers; reads clicks on its own offers; reports,
//     reads, refunds, approves and rejects conversions of its own offers and simulates their
//     rules; runs and settles its own program's payouts. It cannot create advertisers, see or
//     change partners, or manage API keys.
//   - partner: reads its own partner record; reads active public offers (without their revenue
//     rule sets, which are what the advertiser pays the network); creates, reads and changes its
//     own links; reads its own coupons, clicks, conversions, balance and payouts (never what
//     the advertiser pays, never visitors' addresses). It cannot change its partner record.
//
// Something a role may read in general but that belongs to someone else is not found, exactly
// as a missing one, so that ids of other partners' and advertisers' data do not leak; an action
// a role may never take is permission_denied.
type Caller struct {
	Role         string
	PartnerID    int64 // set for the partner role
	AdvertiserID int64 // set for the advertiser role
}

// Admin is the caller with every right: the bootstrap key, the CLI.
var Admin = Caller{Role: pactum.RoleAdmin}

// NewCaller returns the caller of a credential with role and owner, or an unauthenticated error
// when the credential lacks the owner its role needs (it would otherwise act unscoped).
func NewCaller(role string, partnerID, advertiserID int64) (Caller, error) {
	switch {
	case role == pactum.RoleAdmin:
		return Admin, nil
	case role == pactum.RolePartner && partnerID > 0:
		return Caller{Role: role, PartnerID: partnerID}, nil
	case role == pactum.RoleAdvertiser && advertiserID > 0:
		return Caller{Role: role, AdvertiserID: advertiserID}, nil
	}
	return Caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, "invalid credentials")
}

// IsAdmin, IsAdvertiser and IsPartner tell the caller's role.
func (c Caller) IsAdmin() bool      { return c.Role == pactum.RoleAdmin }
func (c Caller) IsAdvertiser() bool { return c.Role == pactum.RoleAdvertiser }
func (c Caller) IsPartner() bool    { return c.Role == pactum.RolePartner }

// Allow returns permission_denied unless the caller has one of roles; action completes "may not".
func (c Caller) Allow(action string, roles ...string) error {
	if slices.Contains(roles, c.Role) {
		return nil
	}
	return Denied("%s may not %s", c.Name(), action)
}

// Name says who the caller is in an error message: "an admin", "an advertiser key"...
func (c Caller) Name() string {
	return article(c.Role) + " key"
}

// SeesRevenue tells whether the caller may see what advertisers pay (revenue, profit, margin,
// revenue rule sets): what the network earns is not the partners' to know.
func (c Caller) SeesRevenue() bool { return !c.IsPartner() }

// SeesVisitors tells whether the caller may see visitors' IP addresses and user agents: the
// advertiser's customers' personal data, for fraud review; not for partners.
func (c Caller) SeesVisitors() bool { return !c.IsPartner() }

// SeesPartnerAccount tells whether the caller may see where partner p is paid: admins and the
// partner itself, never an advertiser (a program pays through Pactum's exports, and a partner
// working for several programs has not given its bank account to each of them).
func (c Caller) SeesPartnerAccount(partnerID int64) bool {
	return c.IsAdmin() || c.IsPartner() && c.PartnerID == partnerID
}

// SeesAdvertiserAccount tells whether the caller may see the account advertiser id pays from.
func (c Caller) SeesAdvertiserAccount(advertiserID int64) bool {
	return c.IsAdmin() || c.IsAdvertiser() && c.AdvertiserID == advertiserID
}

// PartnerMayPromote tells whether partners may see and link to o: the SPEC's approval flow is
// not built yet, so partners get the active public offers.
func PartnerMayPromote(o pactum.Offer) bool {
	return o.Status == pactum.OfferActive && o.Visibility == pactum.VisibilityPublic
}

// CanSeeOffer tells whether the caller may read o.
func (c Caller) CanSeeOffer(o pactum.Offer) bool {
	switch {
	case c.IsAdmin():
		return true
	case c.IsAdvertiser():
		return o.AdvertiserID == c.AdvertiserID
	case c.IsPartner():
		return PartnerMayPromote(o)
	}
	return false
}

// CanChangeOffer tells whether the caller may change o (and the links and coupons on it).
func (c Caller) CanChangeOffer(o pactum.Offer) bool {
	return c.IsAdmin() || c.IsAdvertiser() && o.AdvertiserID == c.AdvertiserID
}

// CanSeePartner tells whether the caller may read partner id's record.
func (c Caller) CanSeePartner(id int64) bool {
	return c.IsAdmin() || c.IsPartner() && c.PartnerID == id
}

// CanSeeAdvertiser tells whether the caller may read advertiser id's record.
func (c Caller) CanSeeAdvertiser(id int64) bool {
	return c.IsAdmin() || c.IsAdvertiser() && c.AdvertiserID == id
}

// CanSeeConversion tells whether the caller may read cv: an advertiser those of its offers, a
// partner those attributed to it.
func (c Caller) CanSeeConversion(cv pactum.Conversion) bool {
	switch {
	case c.IsAdmin():
		return true
	case c.IsAdvertiser():
		return cv.AdvertiserID == c.AdvertiserID
	case c.IsPartner():
		return cv.PartnerID != 0 && cv.PartnerID == c.PartnerID
	}
	return false
}

// CanChangeConversion tells whether the caller may refund, approve or reject cv.
func (c Caller) CanChangeConversion(cv pactum.Conversion) bool {
	return c.IsAdmin() || c.IsAdvertiser() && cv.AdvertiserID == c.AdvertiserID
}

// CanSeePayout tells whether the caller may read payout p.
func (c Caller) CanSeePayout(p pactum.Payout) bool {
	switch {
	case c.IsAdmin():
		return true
	case c.IsAdvertiser():
		return p.AdvertiserID == c.AdvertiserID
	case c.IsPartner():
		return p.PartnerID == c.PartnerID
	}
	return false
}

// CanSeeRun tells whether the caller may read a payout run of advertiserID.
func (c Caller) CanSeeRun(advertiserID int64) bool {
	return c.IsAdmin() || c.IsAdvertiser() && c.AdvertiserID == advertiserID
}

// Owners is the part of every list's filter that says whose data it is; zero fields are no filter.
type Owners struct {
	OfferID      int64
	PartnerID    int64
	AdvertiserID int64
}

// Scope narrows o to what the caller may see: a partner sees only itself, an advertiser only
// itself. ok is false when the caller asked for someone else's data, whose answer is then empty
// (not an error, so that ids do not leak).
func (c Caller) Scope(o Owners) (Owners, bool) {
	switch {
	case c.IsPartner():
		if o.PartnerID != 0 && o.PartnerID != c.PartnerID {
			return o, false
		}
		o.PartnerID = c.PartnerID
	case c.IsAdvertiser():
		if o.AdvertiserID != 0 && o.AdvertiserID != c.AdvertiserID {
			return o, false
		}
		o.AdvertiserID = c.AdvertiserID
	}
	return o, true
}

// article puts "a" or "an" before a role: "an admin", "an advertiser", "a partner".
func article(role string) string {
	if role != "" && strings.ContainsRune("aeiou", rune(role[0])) {
		return "an " + role
	}
	return "a " + role
}
