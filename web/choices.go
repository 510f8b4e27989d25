package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// choices are the offers and partners a console page offers in its selects and names in its
// lists: the offers the viewer may see (an advertiser its own), and for admins every partner.
// Advertisers do not see partners (program's rule), so they name a partner by its id and see
// ids in lists.
type choices struct {
	Admin    bool
	Offers   []pactum.Offer
	Partners []pactum.Partner // nil for advertisers
	offer    map[int64]string
	partner  map[int64]string
}

func (s *Server) choices(r *http.Request, v *viewer) (*choices, error) {
	c := &choices{Admin: v.Caller.IsAdmin(), offer: map[int64]string{}, partner: map[int64]string{}}
	offers, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return nil, err
	}
	c.Offers = offers.Items
	for _, o := range c.Offers {
		c.offer[o.ID] = o.Name
	}
	if c.Admin {
		partners, err := s.program.ListPartners(r.Context(), v.Caller, pactum.Page{Limit: program.MaxPage})
		if err != nil {
			return nil, err
		}
		c.Partners = partners.Items
		for _, p := range c.Partners {
			c.partner[p.ID] = p.Name
		}
	}
	return c, nil
}

// OfferName is offer id's name, or "offer 3" for one the viewer does not see.
func (c *choices) OfferName(id int64) string {
	if n := c.offer[id]; n != "" {
		return n
	}
	return "offer " + strconv.FormatInt(id, 10)
}

// PartnerName is partner id's name, or "partner 2" where the viewer does not see names.
func (c *choices) PartnerName(id int64) string {
	if n := c.partner[id]; n != "" {
		return n
	}
	return "partner " + strconv.FormatInt(id, 10)
}

// OfferOptions are the offers as a select's options, after first (the option of no offer;
// none when first is "").
func (c *choices) OfferOptions(first string) []option {
	return optionsOf(first, "offer", c.Offers, func(o pactum.Offer) (int64, string) { return o.ID, o.Name })
}

// PartnerOptions are the partners as a select's options, after first.
func (c *choices) PartnerOptions(first string) []option {
	return optionsOf(first, "partner", c.Partners, func(p pactum.Partner) (int64, string) { return p.ID, p.Name })
}

// optionsOf makes options of items, valued by their id and labelled "name (kind id)", after
// first.
func optionsOf[T any](first, kind string, items []T, idName func(T) (int64, string)) []option {
	var out []option
	if first != "" {
		out = append(out, option{"", first})
	}
	for _, it := range items {
		id, name := idName(it)
		n := strconv.FormatInt(id, 10)
		out = append(out, option{n, name + " (" + kind + " " + n + ")"})
	}
	return out
}

// ownerInputs are a form's offer and partner inputs, as the partial "owners" renders them
// (and "ownerfilter", a list's filters, with Label).
type ownerInputs struct {
	Form                 *form
	Choices              *choices
	AnyOffer, AnyPartner string // the first option of each select: no offer, no partner
	Label                string
}

// Inputs builds the offer and partner inputs of f in a template: {{template "owners"
// (.Choices.Inputs $f "any offer" "any partner")}}. Admins choose a partner from a select;
// advertisers, who do not see partners, type its id.
func (c *choices) Inputs(f *form, anyOffer, anyPartner string) ownerInputs {
	return ownerInputs{Form: f, Choices: c, AnyOffer: anyOffer, AnyPartner: anyPartner}
}

// Filters builds a list's filter form by offer and partner, named label: {{template
// "ownerfilter" (.Choices.Filters $f "Filter links")}}.
func (c *choices) Filters(f *form, label string) ownerInputs {
	return ownerInputs{Form: f, Choices: c, AnyOffer: "any offer", AnyPartner: "any partner", Label: label}
}

// option is one option of a select.
type option struct{ Value, Label string }

// selectView is a labelled select with its hint and error, as the partial "select" renders it.
type selectView struct {
	Form              *form
	Name, Label, Hint string
	Options           []option
}

// Select builds the select of input name in a template: {{template "select" ($f.Select "name"
// "Label" "hint" .Options)}}.
func (f *form) Select(name, label, hint string, opts []option) selectView {
	return selectView{Form: f, Name: name, Label: label, Hint: hint, Options: opts}
}

// ownedList is a console list of what hangs on offers and partners (links, coupons), with the
// filters by offer and partner it was asked for.
type ownedList[T any] struct {
	Form     *form // the filters
	Choices  *choices
	Items    []T
	Next     string
	Filtered bool
}

// listOwned reads ?offer_id= and ?partner_id= and lists what list gives the viewer for them; a
// filter's mistake is the form's to show, with an empty list.
func listOwned[T any](s *Server, r *http.Request, v *viewer,
	list func(context.Context, program.Caller, program.Owners, pactum.Page) (program.Page[T], error)) (ownedList[T], error) {
	c, err := s.choices(r, v)
	if err != nil {
		return ownedList[T]{}, err
	}
	f := newForm(r.URL.Query())
	o, err := formOwners(f)
	var page program.Page[T]
	if err == nil {
		page, err = list(r.Context(), v.Caller, o, listPage(r))
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return ownedList[T]{}, err
		}
	}
	return ownedList[T]{Form: f, Choices: c, Items: page.Items, Next: nextURL(r, page.Next), Filtered: o != program.Owners{}}, nil
}

// formOwners reads a form's offer_id and partner_id (0 when empty); a mistake names its input.
func formOwners(f *form) (program.Owners, error) {
	var o program.Owners
	var err error
	if o.OfferID, err = f.id("offer_id"); err != nil {
		return o, err
	}
	o.PartnerID, err = f.id("partner_id")
	return o, err
}
