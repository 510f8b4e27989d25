package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// demoProgram is the program as made: its ids, for the traffic to use.
type demoProgram struct {
	advertiser pactum.Advertiser
	token      string
	offers     []pactum.Offer
	partners   []member
	demoLink   pactum.Link
	links      int
	coupons    int
	catalogue  *catalogue
}

// member is a partner as stored, with its cast and its links.
type member struct {
	pactum.Partner
	cast
	links []pactum.Link
}

// setUp makes the program through the service, as an admin would through the API.
func setUp(ctx context.Context, svc *program.Service, publicURL string) (*demoProgram, error) {
	p := &demoProgram{catalogue: newCatalogue()}
	var err error
	p.advertiser, p.token, err = svc.CreateAdvertiser(ctx, program.Admin, program.AdvertiserInput{
		Name: ptr("Northwind Shoes"), Currency: ptr("EUR"), LegalName: ptr("Northwind Shoes GmbH"),
		IBAN: ptr("DE89370400440532013000"), BIC: ptr("COBADEFFXXX"),
		PayoutSchedule: ptr("weekly"), PayoutWeekday: ptr(1), NetDays: ptr(7),
		// A sale seconds after its click waits for a person, rather than being rejected unseen:
		// the review queue shows the demo's suspicious partner.
		Fraud: &pactum.FraudSettings{Rules: map[string]string{pactum.ReasonTooFast: pactum.ActionReview}},
	})
	if err != nil {
		return nil, wrap("create the advertiser", err)
	}
	dest := strings.TrimRight(publicURL, "/") + "/demo/landing?click_id={click_id}&partner={partner_id}&sub1={sub1}&sub2={sub2}&country={country}&device={device}"
	for _, o := range offers {
		events := []program.OfferEventInput{{Name: "purchase", Payout: json.RawMessage(o.payout), Revenue: json.RawMessage(o.revenue)}}
		offer, err := svc.CreateOffer(ctx, program.Admin, program.OfferInput{
			AdvertiserID: &p.advertiser.ID, Name: ptr(o.name), Status: ptr(pactum.OfferActive),
			DestinationURL: ptr(dest), Currency: ptr("EUR"), AttributionWindowDays: ptr(pactum.DefaultAttributionWindowDays),
			AttributionModel: ptr(pactum.LastClick), HoldDays: ptr(o.holdDays), Visibility: ptr(o.visibility), MinConversionSeconds: ptr(10),
			AcceptPixel: ptr(true), Events: &events,
		})
		if err != nil {
			return nil, wrap("create offer "+o.name, err)
		}
		p.offers = append(p.offers, offer)
	}
	for _, c := range partners {
		in := program.PartnerInput{Name: ptr(c.name), Email: ptr(c.email), Kind: ptr(c.kind), Currency: ptr("EUR")}
		if c.pending {
			in.Status = ptr(pactum.PartnerPending)
		}
		if c.kind == pactum.KindB2B {
			in.PayoutMethod, in.IBAN, in.BIC = ptr("sepa"), ptr("DE89370400440532013000"), ptr("COBADEFFXXX")
		} else {
			in.PayoutMethod, in.PayPalEmail = ptr("paypal"), ptr(c.email)
		}
		partner, err := svc.CreatePartner(ctx, program.Admin, in)
		if err != nil {
			return nil, wrap("create partner "+c.name, err)
		}
		m := member{Partner: partner, cast: c}
		for _, l := range c.links {
			link, err := svc.CreateLink(ctx, program.Admin, program.LinkInput{
				OfferID: &p.offers[l.offer].ID, PartnerID: &partner.ID, Code: ptr(l.code), Sub1: ptr(l.sub1), Source: ptr(l.source),
			})
			if err != nil {
				return nil, wrap(fmt.Sprintf("create link %s", l.code), err)
			}
			m.links = append(m.links, link)
			if link.Code == LinkCode {
				p.demoLink = link
			}
			p.links++
		}
		if c.coupon != "" {
			offer := p.offers[offerStore].ID
			if len(c.links) > 0 {
				offer = p.offers[c.links[0].offer].ID
			}
			if _, err := svc.CreateCoupon(ctx, program.Admin, program.CouponInput{Code: ptr(c.coupon), PartnerID: &partner.ID, OfferID: &offer}); err != nil {
				return nil, wrap("create coupon "+c.coupon, err)
			}
			p.coupons++
		}
		p.partners = append(p.partners, m)
	}
	return p, nil
}
