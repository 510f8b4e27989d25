package api

import (
	"net/http"
	"time"

	"github.com/pactum/pactum"
)

type clickJSON struct {
	ClickID   string    `json:"click_id"`
	Time      time.Time `json:"time"`
	OfferID   int64     `json:"offer_id"`
	PartnerID int64     `json:"partner_id"`
	// LinkID is null for a click that came through /click?offer_id=&partner_id= rather than a link.
	LinkID *int64 `json:"link_id"`
	Sub1   string `json:"sub1"`
	Sub2   string `json:"sub2"`
	Sub3   string `json:"sub3"`
	Sub4   string `json:"sub4"`
	Sub5   string `json:"sub5"`
	Source string `json:"source"`
	// IP and UserAgent identify a visitor: advertisers and admins see them for fraud review,
	// partners do not (they are the advertiser's customers' personal data).
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	Referer   string `json:"referer"`
	Device    string `json:"device"`
	OS        string `json:"os"`
	Browser   string `json:"browser"`
	Country   string `json:"country"`
	Bot       bool   `json:"bot"`
	Unique    bool   `json:"unique"`
	// Rejected says why the visitor was not sent to the destination; empty if it was.
	Rejected string `json:"rejected"`
}

func clickView(c pactum.StoredClick) clickJSON {
	return clickJSON{
		ClickID: c.ClickID, Time: c.Time.UTC(), OfferID: c.OfferID, PartnerID: c.PartnerID, LinkID: idOrNull(c.LinkID),
		Sub1: c.Sub[0], Sub2: c.Sub[1], Sub3: c.Sub[2], Sub4: c.Sub[3], Sub5: c.Sub[4], Source: c.Source,
		IP: c.IP, UserAgent: c.UserAgent, Referer: c.Referer, Device: c.Device, OS: c.OS, Browser: c.Browser,
		Country: c.Country, Bot: c.Bot, Unique: c.Unique, Rejected: c.Rejected,
	}
}

// clickFilter reads the filters of /clicks and /clicks/count and narrows them to what c may
// see. ok is false when the caller asked for someone else's clicks: the answer is then empty.
func clickFilter(r *http.Request, c caller) (f pactum.ClickFilter, ok bool, err error) {
	o, ok, err := readOwners(r, c)
	if err != nil || !ok {
		return f, ok, err
	}
	f.OfferID, f.PartnerID, f.AdvertiserID = o.offerID, o.partnerID, o.advertiserID
	if f.From, f.To, err = timeRange(r); err != nil {
		return f, false, err
	}
	return f, true, nil
}

func (a *API) listClicks(w http.ResponseWriter, r *http.Request, c caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	f, ok, err := clickFilter(r, c)
	if err != nil {
		return err
	} else if !ok {
		return answerList(w, []pactum.StoredClick(nil), "", clickView)
	}
	fetch := func(pg pactum.Page) ([]pactum.StoredClick, error) { return a.store.Clicks(r.Context(), f, pg) }
	items, next, err := collect(p, fetch, func(c pactum.StoredClick) int64 { return c.Seq }, nil)
	if err != nil {
		return err
	}
	if c.partner() {
		return answerList(w, items, next, partnerClickView)
	}
	return answerList(w, items, next, clickView)
}

// partnerClickView is a click without the visitor's IP address and user agent.
func partnerClickView(c pactum.StoredClick) clickJSON {
	v := clickView(c)
	v.IP, v.UserAgent = "", ""
	return v
}

func (a *API) countClicks(w http.ResponseWriter, r *http.Request, c caller) error {
	f, ok, err := clickFilter(r, c)
	if err != nil {
		return err
	}
	var n int64
	if ok {
		if n, err = a.store.CountClicks(r.Context(), f); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Count int64 `json:"count"`
	}{n})
	return nil
}
