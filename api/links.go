package api

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/pactum/pactum"
)

var linkCodeRe = regexp.MustCompile(`^[A-Za-z0-9_-]{3,64}$`)

// Generated codes: 8 base62 characters are 47 bits, so a collision is rare enough that a few
// retries always find a free one.
const (
	generatedCodeLen   = 8
	codeAlphabet       = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	generateCodeTrials = 5
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
		ID: l.ID, OfferID: l.OfferID, PartnerID: l.PartnerID, Code: l.Code, URL: a.trackingURL(l),
		Sub1: l.Sub[0], Sub2: l.Sub[1], Sub3: l.Sub[2], Sub4: l.Sub[3], Sub5: l.Sub[4], Source: l.Source,
		CreatedAt: l.CreatedAt.UTC(),
	}
}

// trackingURL is the URL a partner shares. Links made through this API always have a code;
// others (made by a store import, say) get the long form, which the edge serves too.
func (a *API) trackingURL(l pactum.Link) string {
	if l.Code != "" {
		return a.publicURL + "/c/" + l.Code
	}
	q := url.Values{}
	q.Set("offer_id", strconv.FormatInt(l.OfferID, 10))
	q.Set("partner_id", strconv.FormatInt(l.PartnerID, 10))
	for i, s := range l.Sub {
		if s != "" {
			q.Set(fmt.Sprintf("sub%d", i+1), s)
		}
	}
	if l.Source != "" {
		q.Set("source", l.Source)
	}
	return a.publicURL + "/click?" + q.Encode()
}

// linkInput is the body of a create or a PATCH; nil fields were not sent.
type linkInput struct {
	OfferID   *int64  `json:"offer_id"`
	PartnerID *int64  `json:"partner_id"`
	Code      *string `json:"code"`
	Sub1      *string `json:"sub1"`
	Sub2      *string `json:"sub2"`
	Sub3      *string `json:"sub3"`
	Sub4      *string `json:"sub4"`
	Sub5      *string `json:"sub5"`
	Source    *string `json:"source"`
}

// apply copies the code, sub-ids and source that were sent into l and checks them.
func (in linkInput) apply(l *pactum.Link) error {
	set(&l.Code, in.Code, nil)
	for i, s := range []*string{in.Sub1, in.Sub2, in.Sub3, in.Sub4, in.Sub5} {
		set(&l.Sub[i], s, nil)
		if err := checkText(fmt.Sprintf("sub%d", i+1), l.Sub[i]); err != nil {
			return err
		}
	}
	set(&l.Source, in.Source, nil)
	if err := checkText("source", l.Source); err != nil {
		return err
	}
	if in.Code != nil {
		return checkPattern("code", l.Code, linkCodeRe, "3 to 64 letters, digits, _ or -")
	}
	return nil
}

// generateCode returns a random base62 code.
func generateCode() string {
	b := make([]byte, generatedCodeLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	for i := range b {
		// 256 is not a multiple of 62: the first 8 letters come up 1/256 more often, which
		// does not matter for codes that need only be unique.
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

func (a *API) createLink(w http.ResponseWriter, r *http.Request, c caller) error {
	var in linkInput
	if err := decode(r, &in); err != nil {
		return err
	}
	var l pactum.Link
	if in.PartnerID != nil {
		l.PartnerID = *in.PartnerID
	}
	if c.partner() {
		if in.PartnerID == nil {
			l.PartnerID = c.partnerID
		} else if l.PartnerID != c.partnerID {
			return denied("a partner key may only create links for its own partner (partner_id %d)", c.partnerID)
		}
	}
	if in.OfferID == nil || *in.OfferID < 1 {
		return pactum.FieldError("offer_id", "is required")
	}
	l.OfferID = *in.OfferID
	// An offer the caller may not see is reported exactly like a missing one.
	if _, err := a.offerFor(r, c, l.OfferID); isNotFound(err) {
		return pactum.FieldError("offer_id", "offer %d does not exist", l.OfferID)
	} else if err != nil {
		return err
	}
	if l.PartnerID < 1 {
		return pactum.FieldError("partner_id", "is required")
	}
	if err := in.apply(&l); err != nil {
		return err
	}
	l.CreatedAt = a.now().UTC()
	if err := a.insertLink(r, &l, in.Code == nil); err != nil {
		return err
	}
	a.changed()
	w.Header().Set("Location", "/api/v1/links/"+strconv.FormatInt(l.ID, 10))
	writeJSON(w, http.StatusCreated, a.linkView(l))
	return nil
}

// insertLink stores l, drawing a fresh code if generate is set and the code drawn is taken.
func (a *API) insertLink(r *http.Request, l *pactum.Link, generate bool) error {
	if !generate {
		return a.store.CreateLink(r.Context(), l)
	}
	var err error
	for range generateCodeTrials {
		l.Code = generateCode()
		if err = a.store.CreateLink(r.Context(), l); pactum.ErrorCode(err) != pactum.ECONFLICT {
			return err
		}
	}
	return err
}

// canSeeLink reports whether c may read and change l; an advertiser needs l's offer, which is
// loaded only then.
func (a *API) canSeeLink(r *http.Request, c caller, l pactum.Link) (bool, error) {
	switch {
	case c.admin():
		return true, nil
	case c.partner():
		return l.PartnerID == c.partnerID, nil
	case c.advertiser():
		o, err := a.store.Offer(r.Context(), l.OfferID)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil && o.AdvertiserID == c.advertiserID, err
	}
	return false, nil
}

// linkFor loads the link of the path if c may see it.
func (a *API) linkFor(r *http.Request, c caller) (pactum.Link, error) {
	id, err := pathID(r, "link")
	if err != nil {
		return pactum.Link{}, err
	}
	l, err := a.store.Link(r.Context(), id)
	if err != nil {
		return l, orNotFound(err, "link", id)
	}
	ok, err := a.canSeeLink(r, c, l)
	if err != nil {
		return l, err
	} else if !ok {
		return pactum.Link{}, notFound("link", id)
	}
	return l, nil
}

func (a *API) getLink(w http.ResponseWriter, r *http.Request, c caller) error {
	l, err := a.linkFor(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a.linkView(l))
	return nil
}

func (a *API) listLinks(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	o, ok, err := readOwners(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.Link(nil), "", a.linkView)
	}
	f := pactum.LinkFilter{OfferID: o.offerID, PartnerID: o.partnerID, AdvertiserID: o.advertiserID}
	fetch := func(pg pactum.Page) ([]pactum.Link, error) { return a.store.ListLinks(r.Context(), f, pg) }
	items, next, err := collect(p, fetch, func(l pactum.Link) int64 { return l.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, a.linkView)
}

// patchLink changes a link's code, sub-ids and source. Its offer and partner stay: clicks and
// reports refer to the link, and moving it would rewrite what they mean.
func (a *API) patchLink(w http.ResponseWriter, r *http.Request, c caller) error {
	l, err := a.linkFor(r, c)
	if err != nil {
		return err
	}
	var in linkInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.OfferID != nil && *in.OfferID != l.OfferID {
		return pactum.FieldError("offer_id", "cannot be changed; create a new link instead")
	}
	if in.PartnerID != nil && *in.PartnerID != l.PartnerID {
		return pactum.FieldError("partner_id", "cannot be changed; create a new link instead")
	}
	if err := in.apply(&l); err != nil {
		return err
	}
	if err := a.store.UpdateLink(r.Context(), &l); err != nil {
		return err
	}
	a.changed()
	writeJSON(w, http.StatusOK, a.linkView(l))
	return nil
}
