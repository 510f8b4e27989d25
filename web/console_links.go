package web

import (
	"net/http"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The console's tracking links: the links on the viewer's offers (an admin's every link, an
// advertiser's those on its own offers, as program.ListLinks scopes them), filtered by offer and
// partner, each with its URL to copy; and the page that makes a link for a partner through
// program.CreateLink (an advertiser only on its own offers).

type consoleLinksData struct {
	ownedList[pactum.Link]
	Links []linkView
}

// consoleLinksPage lists links, oldest first as the API does, filtered by ?offer_id= and
// ?partner_id=.
func (s *Server) consoleLinksPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	list, err := listOwned(s, r, v, s.program.ListLinks)
	if err != nil {
		return err
	}
	d := consoleLinksData{ownedList: list}
	for _, l := range list.Items {
		d.Links = append(d.Links, linkView{Link: l, URL: s.program.TrackingURL(l), Offer: list.Choices.OfferName(l.OfferID)})
	}
	s.render(w, r, v, list.Form.Status, "console_links", "Links", d)
	return nil
}

type newLinkData struct {
	Form    *form
	Choices *choices
	Made    *linkView // the link just made
}

// newLinkPage shows the form of a new link, with ?offer_id= and ?partner_id= chosen.
func (s *Server) newLinkPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(nil)
	f.Values.Set("offer_id", r.URL.Query().Get("offer_id"))
	f.Values.Set("partner_id", r.URL.Query().Get("partner_id"))
	return s.renderNewLink(w, r, v, f, nil)
}

// createLinkFor makes a partner's link and shows it with its copy button, and the form again
// for the next one (the same offer and partner).
func (s *Server) createLinkFor(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in := program.LinkInput{Sub1: f.optional("sub1"), Sub2: f.optional("sub2"), Sub3: f.optional("sub3"),
		Sub4: f.optional("sub4"), Sub5: f.optional("sub5"), Source: f.optional("source")}
	if code := strings.TrimSpace(f.Get("code")); code != "" {
		in.Code = &code // empty: the program draws one
	}
	o, err := formOwners(f)
	var l pactum.Link
	if err == nil {
		in.OfferID, in.PartnerID = &o.OfferID, &o.PartnerID
		l, err = s.program.CreateLink(r.Context(), v.Caller, in)
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
		return s.renderNewLink(w, r, v, f, nil)
	}
	next := newForm(nil)
	next.Values.Set("offer_id", f.Get("offer_id"))
	next.Values.Set("partner_id", f.Get("partner_id"))
	return s.renderNewLink(w, r, v, next, &linkView{Link: l, URL: s.program.TrackingURL(l)})
}

func (s *Server) renderNewLink(w http.ResponseWriter, r *http.Request, v *viewer, f *form, made *linkView) error {
	c, err := s.choices(r, v)
	if err != nil {
		return err
	}
	if made != nil {
		made.Offer = c.OfferName(made.OfferID)
	}
	s.render(w, r, v, f.Status, "console_link", "New link", newLinkData{Form: f, Choices: c, Made: made})
	return nil
}
