package program

import (
	"context"
	"time"

	"github.com/pactum/pactum"
)

// ClickQuery filters clicks; zero fields match everything.
type ClickQuery struct {
	Owners
	From, To time.Time
}

func (q ClickQuery) filter(c Caller) (pactum.ClickFilter, bool, error) {
	if err := checkRange(q.From, q.To); err != nil {
		return pactum.ClickFilter{}, false, err
	}
	o, ok := c.Scope(q.Owners)
	return pactum.ClickFilter{OfferID: o.OfferID, PartnerID: o.PartnerID, AdvertiserID: o.AdvertiserID, From: q.From, To: q.To}, ok, nil
}

// ListClicks lists the clicks the caller may see that match q. A partner does not see the
// visitors' addresses and user agents (Caller.SeesVisitors).
func (s *Service) ListClicks(ctx context.Context, c Caller, q ClickQuery, p pactum.Page) (Page[pactum.StoredClick], error) {
	f, ok, err := q.filter(c)
	if err != nil || !ok {
		return Page[pactum.StoredClick]{Items: []pactum.StoredClick{}}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.StoredClick, error) { return s.store.Clicks(ctx, f, pg) }
	page, err := collect(p, fetch, func(c pactum.StoredClick) int64 { return c.Seq }, nil)
	if !c.SeesVisitors() {
		for i := range page.Items {
			page.Items[i].IP, page.Items[i].UserAgent = "", ""
		}
	}
	return page, err
}

// CountClicks counts the clicks the caller may see that match q.
func (s *Service) CountClicks(ctx context.Context, c Caller, q ClickQuery) (int64, error) {
	f, ok, err := q.filter(c)
	if err != nil || !ok {
		return 0, err
	}
	return s.store.CountClicks(ctx, f)
}
