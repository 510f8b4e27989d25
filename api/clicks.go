package api

import (
	"net/http"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
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
	// IP and UserAgent identify a visitor: left out for callers who may not see them
	// (program.Caller.SeesVisitors).
	IP        *string `json:"ip,omitempty"`
	UserAgent *string `json:"user_agent,omitempty"`
	Referer   string  `json:"referer"`
	Device    string  `json:"device"`
	OS        string  `json:"os"`
	Browser   string  `json:"browser"`
	Country   string  `json:"country"`
	Bot       bool    `json:"bot"`
	Unique    bool    `json:"unique"`
	// Rejected says why the visitor was not sent to the destination; empty if it was.
	Rejected string `json:"rejected"`
	// Flags are the codes of the fraud click rules that fired; Invalid is set when one rejected
	// the click (it is not counted).
	Flags   []string `json:"flags"`
	Invalid bool     `json:"invalid"`
}

// clickView renders clicks for a caller: with the visitor's address and user agent for those
// who may see them.
func clickView(caller program.Caller) func(pactum.StoredClick) clickJSON {
	return func(c pactum.StoredClick) clickJSON {
		v := clickJSON{
			ClickID: c.ClickID, Time: c.Time.UTC(), OfferID: c.OfferID, PartnerID: c.PartnerID, LinkID: idOrNull(c.LinkID),
			Sub1: c.Sub[0], Sub2: c.Sub[1], Sub3: c.Sub[2], Sub4: c.Sub[3], Sub5: c.Sub[4], Source: c.Source,
			Referer: c.Referer, Device: c.Device, OS: c.OS, Browser: c.Browser,
			Country: c.Country, Bot: c.Bot, Unique: c.Unique, Rejected: c.Rejected,
			Flags: splitCodes(c.Flags), Invalid: c.Invalid,
		}
		if caller.SeesVisitors() {
			v.IP, v.UserAgent = &c.IP, &c.UserAgent
		}
		return v
	}
}

// clickQuery reads the filters of /clicks and /clicks/count.
func clickQuery(r *http.Request) (q program.ClickQuery, err error) {
	if q.Owners, err = queryOwners(r); err != nil {
		return q, err
	}
	q.From, q.To, err = timeRange(r)
	return q, err
}

func (a *API) listClicks(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	q, err := clickQuery(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListClicks(r.Context(), c, q, p)
	return answerList(w, page, err, clickView(c))
}

func (a *API) countClicks(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	q, err := clickQuery(r)
	if err != nil {
		return err
	}
	n, err := a.program.CountClicks(r.Context(), c, q)
	return ok(w, countJSON{n}, err)
}
