package program

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"regexp"
	"strconv"

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

// LinkInput is the body of a create or a change; nil fields were not sent.
type LinkInput struct {
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
func (in LinkInput) apply(l *pactum.Link) error {
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

// TrackingURL is the URL a partner shares for l. Links made through the service always have a
// code; others (made by a store import, say) get the long form, which the edge serves too.
func (s *Service) TrackingURL(l pactum.Link) string {
	if l.Code != "" {
		return s.publicURL + "/c/" + l.Code
	}
	q := url.Values{}
	q.Set("offer_id", strconv.FormatInt(l.OfferID, 10))
	q.Set("partner_id", strconv.FormatInt(l.PartnerID, 10))
	for i, sub := range l.Sub {
		if sub != "" {
			q.Set(fmt.Sprintf("sub%d", i+1), sub)
		}
	}
	if l.Source != "" {
		q.Set("source", l.Source)
	}
	return s.publicURL + "/click?" + q.Encode()
}

// CreateLink makes a tracking link: a partner's own (partner_id may be left out), or any
// partner's on an offer the caller may see (an admin's, an advertiser's on its offers). Without
// a code one is drawn.
func (s *Service) CreateLink(ctx context.Context, c Caller, in LinkInput) (pactum.Link, error) {
	var l pactum.Link
	if in.PartnerID != nil {
		l.PartnerID = *in.PartnerID
	}
	if c.IsPartner() {
		if in.PartnerID == nil {
			l.PartnerID = c.PartnerID
		} else if l.PartnerID != c.PartnerID {
			return l, Denied("a partner key may only create links for its own partner (partner_id %d)", c.PartnerID)
		}
	}
	if in.OfferID == nil || *in.OfferID < 1 {
		return l, pactum.FieldError("offer_id", "is required")
	}
	l.OfferID = *in.OfferID
	if _, err := s.offerField(ctx, c, "offer_id", l.OfferID); err != nil {
		return l, err
	}
	if l.PartnerID < 1 {
		return l, pactum.FieldError("partner_id", "is required")
	}
	if err := in.apply(&l); err != nil {
		return l, err
	}
	l.CreatedAt = s.now().UTC()
	if err := s.insertLink(ctx, &l, in.Code == nil); err != nil {
		return l, err
	}
	s.changed()
	return l, nil
}

// insertLink stores l, drawing a fresh code if generate is set and the code drawn is taken.
func (s *Service) insertLink(ctx context.Context, l *pactum.Link, generate bool) error {
	if !generate {
		return s.store.CreateLink(ctx, l)
	}
	var err error
	for range generateCodeTrials {
		l.Code = generateCode()
		if err = s.store.CreateLink(ctx, l); pactum.ErrorCode(err) != pactum.ECONFLICT {
			return err
		}
	}
	return err
}

// canSeeLink reports whether c may read and change l.
func (s *Service) canSeeLink(ctx context.Context, c Caller, l pactum.Link) (bool, error) {
	if c.IsPartner() {
		return l.PartnerID == c.PartnerID, nil
	}
	return s.mayChangeOffer(ctx, c, l.OfferID)
}

// mayChangeOffer reports whether c may change offer id (and what hangs on it: links, coupons).
// The offer is loaded only for an advertiser, whose offers are its own.
func (s *Service) mayChangeOffer(ctx context.Context, c Caller, id int64) (bool, error) {
	switch {
	case c.IsAdmin():
		return true, nil
	case c.IsAdvertiser() && id != 0:
		o, err := s.store.Offer(ctx, id)
		if isNotFound(err) {
			return false, nil
		}
		return err == nil && c.CanChangeOffer(o), err
	}
	return false, nil
}

// Link returns link id if the caller may see it.
func (s *Service) Link(ctx context.Context, c Caller, id int64) (pactum.Link, error) {
	l, err := s.store.Link(ctx, id)
	if err != nil {
		return l, orNotFound(err, "link", id)
	}
	ok, err := s.canSeeLink(ctx, c, l)
	if err != nil {
		return l, err
	} else if !ok {
		return pactum.Link{}, NotFound("link", id)
	}
	return l, nil
}

// ListLinks lists the links the caller may see that match o.
func (s *Service) ListLinks(ctx context.Context, c Caller, o Owners, p pactum.Page) (Page[pactum.Link], error) {
	o, ok := c.Scope(o)
	if !ok {
		return Page[pactum.Link]{Items: []pactum.Link{}}, nil
	}
	f := pactum.LinkFilter{OfferID: o.OfferID, PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID}
	fetch := func(pg pactum.Page) ([]pactum.Link, error) { return s.store.ListLinks(ctx, f, pg) }
	return collect(p, fetch, func(l pactum.Link) int64 { return l.ID }, nil)
}

// UpdateLink changes a link's code, sub-ids and source. Its offer and partner stay: clicks and
// reports refer to the link, and moving it would rewrite what they mean.
func (s *Service) UpdateLink(ctx context.Context, c Caller, id int64, in LinkInput) (pactum.Link, error) {
	l, err := s.Link(ctx, c, id)
	if err != nil {
		return l, err
	}
	if in.OfferID != nil && *in.OfferID != l.OfferID {
		return l, pactum.FieldError("offer_id", "cannot be changed; create a new link instead")
	}
	if in.PartnerID != nil && *in.PartnerID != l.PartnerID {
		return l, pactum.FieldError("partner_id", "cannot be changed; create a new link instead")
	}
	if err := in.apply(&l); err != nil {
		return l, err
	}
	if err := s.store.UpdateLink(ctx, &l); err != nil {
		return l, err
	}
	s.changed()
	return l, nil
}
