package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type linkJSON struct {
	ID        int64     `json:"id"`
	OfferID   int64     `json:"offer_id"`
	PartnerID int64     `json:"partner_id"`
	Code      string    `json:"code"`
	URL       string    `json:"url"`
	Sub1      string    `json:"sub1"`
	Sub2      string    `json:"sub2"`
	Sub3      string    `json:"sub3"`
	Sub4      string    `json:"sub4"`
	Sub5      string    `json:"sub5"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

func (a *API) linkView(l pactum.Link) linkJSON {
	return linkJSON{
		ID: l.ID, OfferID: l.OfferID, PartnerID: l.PartnerID, Code: l.Code, URL: a.program.TrackingURL(l),
		Sub1: l.Sub[0], Sub2: l.Sub[1], Sub3: l.Sub[2], Sub4: l.Sub[3], Sub5: l.Sub[4], Source: l.Source,
		CreatedAt: l.CreatedAt.UTC(),
	}
}

func (a *API) createLink(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.LinkInput
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := a.program.CreateLink(r.Context(), c, in)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/links/"+strconv.FormatInt(l.ID, 10), a.linkView(l))
}

func (a *API) getLink(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "link")
	if err != nil {
		return err
	}
	l, err := a.program.Link(r.Context(), c, id)
	return ok(w, a.linkView(l), err)
}

func (a *API) listLinks(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, err := queryOwners(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListLinks(r.Context(), c, o, p)
	return answerList(w, page, err, a.linkView)
}

func (a *API) patchLink(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "link")
	if err != nil {
		return err
	}
	if _, err := a.program.Link(r.Context(), c, id); err != nil {
		return err
	}
	var in program.LinkInput
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := a.program.UpdateLink(r.Context(), c, id, in)
	return ok(w, a.linkView(l), err)
}
