package web

import (
	"net/http"
	"strconv"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

// The partner's link builder: a tracking link to an offer with sub ids and a source, made
// through program.CreateLink (a partner's own links only), and the links it has, each with a
// copy button.

type linksData struct {
	Form   *form
	Offers []pactum.Offer
	Links  []linkView
	Next   string
	Made   *linkView // the link just made
}

type linkView struct {
	pactum.Link
	URL   string
	Offer string
}

// linksPage shows the builder (with ?offer_id= chosen) and the partner's links.
func (s *Server) linksPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(nil)
	f.Values.Set("offer_id", r.URL.Query().Get("offer_id"))
	return s.renderLinks(w, r, v, f, nil)
}

// createLink makes a link from the builder and shows it with its copy button.
func (s *Server) createLink(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	offerID, err := f.id("offer_id")
	var l pactum.Link
	if err == nil {
		in := program.LinkInput{OfferID: &offerID, Sub1: f.optional("sub1"), Sub2: f.optional("sub2"), Sub3: f.optional("sub3"),
			Sub4: f.optional("sub4"), Sub5: f.optional("sub5"), Source: f.optional("source")}
		l, err = s.program.CreateLink(r.Context(), v.Caller, in)
	}
	if err != nil {
		if err := f.fail(err, nil); err != nil {
			return err
		}
		return s.renderLinks(w, r, v, f, nil)
	}
	made := linkView{Link: l, URL: s.program.TrackingURL(l)}
	return s.renderLinks(w, r, v, newForm(nil), &made)
}

func (s *Server) renderLinks(w http.ResponseWriter, r *http.Request, v *viewer, f *form, made *linkView) error {
	offers, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return err
	}
	links, err := s.program.ListLinks(r.Context(), v.Caller, program.Owners{}, listPage(r))
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, o := range offers.Items {
		names[o.ID] = o.Name
	}
	d := linksData{Form: f, Offers: offers.Items, Next: nextURL(r, links.Next), Made: made}
	for _, l := range links.Items {
		name := names[l.OfferID]
		if name == "" {
			name = "offer " + strconv.FormatInt(l.OfferID, 10) + " (no longer open)"
		}
		d.Links = append(d.Links, linkView{Link: l, URL: s.program.TrackingURL(l), Offer: name})
	}
	if made != nil {
		made.Offer = names[made.OfferID]
	}
	s.render(w, r, v, f.Status, "links", "Links", d)
	return nil
}
