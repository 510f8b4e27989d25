package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// defaultCurrency is the currency of advertisers and partners created without one.
const defaultCurrency = "EUR"

// maxPostbackIPs bounds an advertiser's allow-list: a shop's servers, not the internet.
const maxPostbackIPs = 100

type advertiserJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	// PostbackIPs are addresses and CIDRs whose postbacks need no token.
	PostbackIPs []string `json:"postback_ips"`
	// PostbackToken is set only in the answer to the create: only its hash is stored.
	PostbackToken string    `json:"postback_token,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

func advertiserView(adv pactum.Advertiser) advertiserJSON {
	return advertiserJSON{ID: adv.ID, Name: adv.Name, Currency: adv.Currency, PostbackIPs: nonNil(adv.PostbackIPs),
		CreatedAt: adv.CreatedAt.UTC()}
}

// advertiserInput is the body of a create or a PATCH; nil fields were not sent.
type advertiserInput struct {
	Name        *string   `json:"name"`
	Currency    *string   `json:"currency"`
	PostbackIPs *[]string `json:"postback_ips"`
}

func (in advertiserInput) apply(adv *pactum.Advertiser) error {
	if in.Name != nil {
		adv.Name = strings.TrimSpace(*in.Name)
	}
	if in.Currency != nil {
		adv.Currency = *in.Currency
	}
	if in.PostbackIPs != nil {
		ips, err := checkPostbackIPs(*in.PostbackIPs)
		if err != nil {
			return err
		}
		adv.PostbackIPs = ips
	}
	if err := checkName("name", adv.Name); err != nil {
		return err
	}
	return checkCurrency("currency", adv.Currency)
}

// checkPostbackIPs validates an allow-list of addresses ("203.0.113.7", "2001:db8::1") and
// CIDRs ("203.0.113.0/24") and returns it in canonical form, so that the edge compares like
// with like. A CIDR with host bits set ("10.1.2.3/8") is refused rather than widened silently:
// it is more likely a typo than a wish to allow 10.0.0.0/8.
func checkPostbackIPs(list []string) ([]string, error) {
	if len(list) > maxPostbackIPs {
		return nil, pactum.FieldError("postback_ips", "must list at most %d addresses or CIDRs", maxPostbackIPs)
	}
	out := make([]string, 0, len(list))
	seen := map[string]bool{}
	for i, s := range list {
		field := fmt.Sprintf("postback_ips[%d]", i)
		s = strings.TrimSpace(s)
		var canon string
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, pactum.FieldError(field, "%q is not an IP address or CIDR such as \"203.0.113.0/24\"", s)
			}
			if p.Masked() != p {
				return nil, pactum.FieldError(field, "%q has bits set past its /%d: did you mean %q?", s, p.Bits(), p.Masked().String())
			}
			canon = p.String()
		} else {
			addr, err := netip.ParseAddr(s)
			if err != nil || addr.Zone() != "" {
				return nil, pactum.FieldError(field, "%q is not an IP address or CIDR such as \"203.0.113.7\"", s)
			}
			canon = addr.Unmap().String()
		}
		if seen[canon] {
			return nil, pactum.FieldError(field, "%q is listed twice", s)
		}
		seen[canon] = true
		out = append(out, canon)
	}
	return out, nil
}

func (a *API) createAdvertiser(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("create advertisers", pactum.RoleAdmin); err != nil {
		return err
	}
	var in advertiserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	adv := pactum.Advertiser{Currency: defaultCurrency, CreatedAt: a.now().UTC()}
	if err := in.apply(&adv); err != nil {
		return err
	}
	token, hash := GenerateKey("pt_")
	adv.PostbackTokenHash = hash
	if err := a.store.CreateAdvertiser(r.Context(), &adv); err != nil {
		return err
	}
	a.changed()
	out := advertiserView(adv)
	out.PostbackToken = token
	w.Header().Set("Location", "/api/v1/advertisers/"+strconv.FormatInt(adv.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (a *API) listAdvertisers(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("list advertisers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return err
	}
	p, err := readPage(r)
	if err != nil {
		return err
	}
	fetch := func(pg pactum.Page) ([]pactum.Advertiser, error) {
		return a.store.ListAdvertisers(r.Context(), pg)
	}
	if c.advertiser() {
		// An advertiser's list is its own record; no need to scan everyone else's.
		fetch = func(pg pactum.Page) ([]pactum.Advertiser, error) {
			if c.advertiserID <= pg.After {
				return nil, nil
			}
			adv, err := a.store.Advertiser(r.Context(), c.advertiserID)
			if err != nil {
				return nil, err
			}
			return []pactum.Advertiser{adv}, nil
		}
	}
	items, next, err := collect(p, fetch, func(adv pactum.Advertiser) int64 { return adv.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, advertiserView)
}

// advertiserFor loads advertiser id if c may see it.
func (a *API) advertiserFor(r *http.Request, c caller) (pactum.Advertiser, error) {
	if err := c.allow("read advertisers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Advertiser{}, err
	}
	id, err := pathID(r, "advertiser")
	if err != nil {
		return pactum.Advertiser{}, err
	}
	if c.advertiser() && id != c.advertiserID {
		return pactum.Advertiser{}, notFound("advertiser", id)
	}
	adv, err := a.store.Advertiser(r.Context(), id)
	return adv, orNotFound(err, "advertiser", id)
}

func (a *API) getAdvertiser(w http.ResponseWriter, r *http.Request, c caller) error {
	adv, err := a.advertiserFor(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, advertiserView(adv))
	return nil
}

func (a *API) patchAdvertiser(w http.ResponseWriter, r *http.Request, c caller) error {
	adv, err := a.advertiserFor(r, c)
	if err != nil {
		return err
	}
	var in advertiserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := in.apply(&adv); err != nil {
		return err
	}
	if err := a.store.UpdateAdvertiser(r.Context(), &adv); err != nil {
		return err
	}
	a.changed()
	writeJSON(w, http.StatusOK, advertiserView(adv))
	return nil
}
