package edge

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/catalog"
	"github.com/pactum/pactum/fraud"
	"github.com/pactum/pactum/macro"
)

// offer is an offer with what the click path derives from it computed once, when it is loaded.
type offer struct {
	pactum.Offer
	id          string          // decimal, for macros
	destination *macro.Template // nil without a destination URL
	fallback    *macro.Template // nil without a fallback URL
	// The click cookie is cookiePrefix + click id + cookieSuffix (+ "; Secure").
	cookiePrefix string
	cookieSuffix string
	// Targeting in the case the edge classifies visitors in, so that a list typed as "fr" or
	// "Mobile" still matches.
	countries, devices []string
	// fraud is the offer's fraud policy with its program's: the click rules' actions and
	// block list, resolved once.
	fraud fraud.Policy
}

// CompileOffer derives what the click path needs of an offer, once, when the catalog loads it:
// the catalog's compile hook (catalog.New(store, edge.CompileOffer)).
func CompileOffer(o pactum.Offer) any { return compileOffer(o) }

func compileOffer(o pactum.Offer) *offer {
	c := &offer{Offer: o, id: strconv.FormatInt(o.ID, 10), fraud: fraud.For(o)}
	c.destination = compileURL(o.DestinationURL)
	c.fallback = compileURL(o.FallbackURL)
	for _, cc := range o.Targeting.Countries {
		c.countries = append(c.countries, strings.ToUpper(strings.TrimSpace(cc)))
	}
	for _, d := range o.Targeting.Devices {
		c.devices = append(c.devices, strings.ToLower(strings.TrimSpace(d)))
	}
	days := o.AttributionWindowDays
	if days <= 0 {
		days = pactum.DefaultAttributionWindowDays
	}
	c.cookiePrefix = "pc_" + c.id + "="
	c.cookieSuffix = "; Path=/; Max-Age=" + strconv.Itoa(days*86400) + "; HttpOnly; SameSite=Lax"
	return c
}

// compileURL compiles a destination or fallback URL in its normalized form (macro.NormalizeURL):
// its host as the browser will read it, whatever was stored before the API normalized URLs. A
// URL that is not valid any more (a percent-encoded host that reads as one host and leads to
// another) compiles to nil, as if the offer had none: its clicks answer 404, never a redirect
// there.
func compileURL(s string) *macro.Template {
	if s == "" {
		return nil
	}
	n, err := macro.NormalizeURL(s, "url")
	if err != nil {
		return nil
	}
	return macro.Compile(n)
}

// CookieName is the name of the first-party cookie that holds the click id of the latest click
// on an offer, for the conversion pixel to read.
func CookieName(offerID int64) string {
	return "pc_" + strconv.FormatInt(offerID, 10)
}

// rejection says why a visitor may not go to o through p, or "" if they may.
func rejection(o *offer, p *catalog.Partner, country, device string) string {
	switch {
	case o.Status == pactum.OfferPaused:
		return pactum.RejectPaused
	case o.Status == pactum.OfferArchived:
		return pactum.RejectOfferArchived
	case p.Status != pactum.PartnerActive:
		return pactum.RejectPartner
	case len(o.countries) > 0 && !slices.Contains(o.countries, country):
		return pactum.RejectCountry
	case len(o.devices) > 0 && !slices.Contains(o.devices, device):
		return pactum.RejectDevice
	}
	return ""
}

// offer returns offer id as the click path uses it: compiled by the catalog's hook, or here
// when the catalog was made without it.
func (e *Edge) offer(ctx context.Context, id int64) (*offer, error) {
	o, err := e.cfg.Catalog.CachedOffer(ctx, id)
	if err != nil {
		return nil, err
	}
	if c, ok := o.Compiled.(*offer); ok {
		return c, nil
	}
	return compileOffer(o.Offer), nil
}
