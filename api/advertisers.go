package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

type advertiserJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	// PostbackIPs are addresses and CIDRs whose postbacks need no token.
	PostbackIPs    []string `json:"postback_ips"`
	PayoutSchedule string   `json:"payout_schedule"`
	PayoutWeekday  int      `json:"payout_weekday"`
	PayoutDay      int      `json:"payout_day"`
	NetDays        int      `json:"net_days"`
	// The account the program pays from; nil, and so left out, for callers who may not see it
	// (program.Caller.SeesAdvertiserAccount).
	LegalName *string `json:"legal_name,omitempty"`
	IBAN      *string `json:"iban,omitempty"`
	BIC       *string `json:"bic,omitempty"`
	// The shops' webhook secrets are write-only: an answer says only whether each is set.
	ShopifySecret     secretState `json:"shopify_secret"`
	WooCommerceSecret secretState `json:"woocommerce_secret"`
	// Fraud are the program's fraud rules, for the same callers as its account.
	Fraud *fraudJSON `json:"fraud,omitempty"`
	// PostbackToken is set only in the answer to the create: only its hash is stored.
	PostbackToken string    `json:"postback_token,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// secretState is how answers show a write-only secret: whether it is set.
type secretState struct {
	Set bool `json:"set"`
}

// advertiserView returns how c sees advertisers.
func advertiserView(c program.Caller) func(pactum.Advertiser) advertiserJSON {
	return func(adv pactum.Advertiser) advertiserJSON {
		out := advertiserJSON{ID: adv.ID, Name: adv.Name, Currency: adv.Currency, PostbackIPs: nonNil(adv.PostbackIPs),
			PayoutSchedule: adv.PayoutSchedule, PayoutWeekday: adv.PayoutWeekday, PayoutDay: adv.PayoutDay,
			NetDays: adv.NetDays, CreatedAt: adv.CreatedAt.UTC()}
		if c.SeesAdvertiserAccount(adv.ID) {
			out.LegalName, out.IBAN, out.BIC = &adv.LegalName, &adv.IBAN, &adv.BIC
			out.Fraud = fraudView(adv.Fraud)
		}
		out.ShopifySecret.Set = slices.Contains(adv.ShopSecrets, pactum.PlatformShopify)
		out.WooCommerceSecret.Set = slices.Contains(adv.ShopSecrets, pactum.PlatformWooCommerce)
		return out
	}
}

func (a *API) createAdvertiser(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.AdvertiserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	adv, token, err := a.program.CreateAdvertiser(r.Context(), c, in)
	if err != nil {
		return err
	}
	out := advertiserView(c)(adv)
	out.PostbackToken = token
	return created(w, "/api/v1/advertisers/"+strconv.FormatInt(adv.ID, 10), out)
}

func (a *API) listAdvertisers(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListAdvertisers(r.Context(), c, p)
	return answerList(w, page, err, advertiserView(c))
}

func (a *API) getAdvertiser(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "advertiser")
	if err != nil {
		return err
	}
	adv, err := a.program.Advertiser(r.Context(), c, id)
	return ok(w, advertiserView(c)(adv), err)
}

func (a *API) patchAdvertiser(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "advertiser")
	if err != nil {
		return err
	}
	// Found (and allowed) before the body is read, so that a missing advertiser is a 404
	// whatever the body says.
	if _, err := a.program.Advertiser(r.Context(), c, id); err != nil {
		return err
	}
	var in program.AdvertiserInput
	if err := decode(r, &in); err != nil {
		return err
	}
	adv, err := a.program.UpdateAdvertiser(r.Context(), c, id, in)
	return ok(w, advertiserView(c)(adv), err)
}
