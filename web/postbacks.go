package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/postback"
	"github.com/pactum/pactum/program"
)

// A partner's postbacks (SPEC sections 10 and 11): the list, with the form of a new one; the
// postback's own page (postback.go) changes it, tests it and shows its delivery log. Every
// operation is program.Service's postback operation with the partner's Caller, so its rules
// (URL templates, the address guard, events, offers the partner may promote, at most 20) are
// the API's, and another partner's postback is not found.

type postbacksData struct {
	Form      *form
	Postbacks []postbackView
	Next      string
	Choices   postbackChoices
}

// postbackView is a postback as its pages show it: never its secret, which only the answer to
// a create or a rotation shows (secretView).
type postbackView struct {
	ID             int64
	URL            string
	Method         string
	Events         []string
	Offer          string // "" for every offer
	Enabled        bool
	DisabledReason string
	DisabledAt     time.Time
	PreviousUntil  time.Time // while a rotated-out secret still signs
	CreatedAt      time.Time
}

// postbackChoices are the form's choices: methods, events in words, and the offers the partner
// may limit a postback to.
type postbackChoices struct {
	Methods []option
	Events  []option
	Offers  []option
}

// eventWords says when each event fires, for the form's checkboxes.
var eventWords = map[string]string{
	pactum.EventConversionCreated:  "a new conversion of yours (pending, or approved when the shop says so)",
	pactum.EventConversionApproved: "it is approved: you will be paid for it",
	pactum.EventConversionRejected: "it is rejected (fraud, a cancelled order)",
	pactum.EventConversionReversed: "it is refunded in full and earns nothing",
}

// postbacksPage lists the partner's postbacks with the form of a new one.
func (s *Server) postbacksPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f := newForm(nil)
	f.Values.Set("method", "GET")
	f.Values["events"] = []string{pactum.EventConversionCreated}
	return s.renderPostbacks(w, r, v, f)
}

func (s *Server) renderPostbacks(w http.ResponseWriter, r *http.Request, v *viewer, f *form) error {
	page, err := s.program.ListPostbacks(r.Context(), v.Caller, v.Caller.PartnerID, listPage(r))
	if err != nil {
		return err
	}
	choices, names, err := s.postbackChoices(r, v, 0)
	if err != nil {
		return err
	}
	d := postbacksData{Form: f, Next: nextURL(r, page.Next), Choices: choices}
	for _, p := range page.Items {
		d.Postbacks = append(d.Postbacks, viewPostback(p, names))
	}
	s.render(w, r, v, f.Status, "postbacks", "Postbacks", d)
	return nil
}

// createPostback makes a postback and shows its page with the signing secret, this once.
func (s *Server) createPostback(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	in, err := postbackInput(f)
	var p pactum.Postback
	if err == nil {
		p, err = s.program.CreatePostback(r.Context(), v.Caller, v.Caller.PartnerID, in)
	}
	if err != nil {
		if err := f.fail(err, postbackField); err != nil {
			return err
		}
		return s.renderPostbacks(w, r, v, f)
	}
	return s.renderPostback(w, r, v, p, postbackExtras{Secret: &secret{
		What:  fmt.Sprintf("Postback %d is on. Its signing secret:", p.ID),
		Value: p.Secret,
		Hint:  "Keep it in your tracker: every postback carries Pactum-Signature, an HMAC-SHA256 made with it. It is shown only now; if you lose it, make a new one below.",
	}})
}

// postbackInput reads the form of a new or a changed postback.
func postbackInput(f *form) (program.PostbackInput, error) {
	url, method := strings.TrimSpace(f.Get("url")), f.Get("method")
	events := append([]string{}, f.Values["events"]...)
	offerID, err := f.id("offer_id")
	return program.PostbackInput{URL: &url, Method: &method, Events: &events, OfferID: &offerID}, err
}

// postbackField is the input of a postback's field: one group of checkboxes for every event.
func postbackField(field string) string {
	if strings.HasPrefix(field, "events") {
		return "events"
	}
	return field
}

// postbackChoices returns the form's choices and the partner's offers by id. An offer that a
// postback names and the partner may no longer promote (current, 0 for none) stays a choice.
func (s *Server) postbackChoices(r *http.Request, v *viewer, current int64) (postbackChoices, map[int64]string, error) {
	offers, err := s.program.ListOffers(r.Context(), v.Caller, program.OfferQuery{}, pactum.Page{Limit: program.MaxPage})
	if err != nil {
		return postbackChoices{}, nil, err
	}
	c := postbackChoices{Methods: []option{{"GET", "GET: the URL alone"}, {"POST", "POST: the URL with the conversion as JSON"}},
		Offers: []option{{"", "Every offer"}}}
	for _, e := range postback.Events {
		c.Events = append(c.Events, option{e, eventWords[e]})
	}
	names := map[int64]string{}
	for _, o := range offers.Items {
		names[o.ID] = o.Name
		c.Offers = append(c.Offers, option{strconv.FormatInt(o.ID, 10), o.Name})
	}
	if current != 0 && names[current] == "" {
		names[current] = fmt.Sprintf("offer %d (no longer open to you)", current)
		c.Offers = append(c.Offers, option{strconv.FormatInt(current, 10), names[current]})
	}
	return c, names, nil
}

func viewPostback(p pactum.Postback, offers map[int64]string) postbackView {
	v := postbackView{ID: p.ID, URL: p.URL, Method: p.Method, Events: p.Events, Enabled: p.Enabled,
		DisabledReason: p.DisabledReason, DisabledAt: p.DisabledAt, PreviousUntil: p.PreviousUntil, CreatedAt: p.CreatedAt}
	if p.OfferID != 0 {
		v.Offer = offers[p.OfferID]
		if v.Offer == "" {
			v.Offer = fmt.Sprintf("offer %d", p.OfferID)
		}
	}
	return v
}
