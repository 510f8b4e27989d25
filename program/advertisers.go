package program

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"slices"
	"strings"

	"github.com/pactum/pactum"
)

// DefaultCurrency is the currency of advertisers and partners created without one.
const DefaultCurrency = "EUR"

// maxPostbackIPs bounds an advertiser's allow-list: a shop's servers, not the internet.
const maxPostbackIPs = 100

// Bounds of a program's payout settings. Monthly runs stop at day 28 so that every month has
// the day; net days stop at a year like an offer's hold period.
const (
	maxPayoutDay = 28
	maxNetDays   = 365
)

// AdvertiserInput is the body of a create or a change; nil fields were not sent.
type AdvertiserInput struct {
	Name           *string   `json:"name"`
	Currency       *string   `json:"currency"`
	PostbackIPs    *[]string `json:"postback_ips"`
	PayoutSchedule *string   `json:"payout_schedule"`
	PayoutWeekday  *int      `json:"payout_weekday"`
	PayoutDay      *int      `json:"payout_day"`
	NetDays        *int      `json:"net_days"`
	LegalName      *string   `json:"legal_name"`
	IBAN           *string   `json:"iban"`
	BIC            *string   `json:"bic"`
	// Fraud replaces the program's fraud rules, its offers' defaults, as a whole.
	Fraud *pactum.FraudSettings `json:"fraud"`
	// The secrets the advertiser's shops sign their webhooks with (SPEC section 12): written,
	// never read back; "" removes one.
	ShopifySecret     *string `json:"shopify_secret"`
	WooCommerceSecret *string `json:"woocommerce_secret"`
}

// Bounds of a shop's webhook secret: Shopify's are 32 or 64 hex characters (with a prefix),
// WooCommerce's what the shop owner typed or it generated.
const (
	minShopSecret = 8
	maxShopSecret = 255
)

// shopSecrets returns the secrets in sent, by platform, checked.
func (in AdvertiserInput) shopSecrets() (map[string]string, error) {
	out := map[string]string{}
	for _, sec := range []struct {
		platform, field string
		value           *string
	}{{pactum.PlatformShopify, "shopify_secret", in.ShopifySecret}, {pactum.PlatformWooCommerce, "woocommerce_secret", in.WooCommerceSecret}} {
		if sec.value == nil {
			continue
		}
		v := *sec.value
		switch {
		case v == "":
		case strings.TrimSpace(v) != v:
			return nil, pactum.FieldError(sec.field, "must not begin or end with spaces: copy the secret alone")
		case len(v) < minShopSecret:
			return nil, pactum.FieldError(sec.field, "must be at least %d characters", minShopSecret)
		default:
			if err := pactum.CheckText(sec.field, v, maxShopSecret); err != nil {
				return nil, err
			}
		}
		out[sec.platform] = v
	}
	return out, nil
}

// setShopSecrets stores the secrets of adv's shops and notes in adv which platforms have one.
func (s *Service) setShopSecrets(ctx context.Context, adv *pactum.Advertiser, secrets map[string]string) error {
	for _, platform := range pactum.Platforms {
		secret, ok := secrets[platform]
		if !ok {
			continue
		}
		if err := s.store.SetShopSecret(ctx, adv.ID, platform, secret, s.now().UTC()); err != nil {
			return err
		}
		adv.ShopSecrets = slices.DeleteFunc(adv.ShopSecrets, func(p string) bool { return p == platform })
		if secret != "" {
			adv.ShopSecrets = append(adv.ShopSecrets, platform)
		}
	}
	return nil
}

// apply copies what in sent into adv and validates the result.
func (in AdvertiserInput) apply(adv *pactum.Advertiser) error {
	set(&adv.Name, in.Name, strings.TrimSpace)
	set(&adv.Currency, in.Currency, nil)
	if in.PostbackIPs != nil {
		ips, err := pactum.CheckIPList("postback_ips", *in.PostbackIPs, maxPostbackIPs)
		if err != nil {
			return err
		}
		adv.PostbackIPs = ips
	}
	set(&adv.PayoutSchedule, in.PayoutSchedule, nil)
	setInt(&adv.PayoutWeekday, in.PayoutWeekday)
	setInt(&adv.PayoutDay, in.PayoutDay)
	setInt(&adv.NetDays, in.NetDays)
	set(&adv.LegalName, in.LegalName, strings.TrimSpace)
	set(&adv.IBAN, in.IBAN, nil)
	set(&adv.BIC, in.BIC, nil)
	if err := setFraud(&adv.Fraud, in.Fraud); err != nil {
		return err
	}
	if err := checkName("name", adv.Name); err != nil {
		return err
	}
	if err := checkCurrency("currency", adv.Currency); err != nil {
		return err
	}
	if err := CheckOneOf("payout_schedule", adv.PayoutSchedule, pactum.PayoutWeekly, pactum.PayoutMonthly, pactum.PayoutManual); err != nil {
		return err
	}
	// Weekday and day are checked whatever the schedule, so that switching schedules later
	// never finds a stored value out of range.
	if adv.PayoutWeekday < 1 || adv.PayoutWeekday > 7 {
		return pactum.FieldError("payout_weekday", "must be from 1 (Monday) to 7 (Sunday), not %d", adv.PayoutWeekday)
	}
	if adv.PayoutDay < 1 || adv.PayoutDay > maxPayoutDay {
		return pactum.FieldError("payout_day", "must be from 1 to %d, so that every month has it, not %d", maxPayoutDay, adv.PayoutDay)
	}
	if adv.NetDays < 0 || adv.NetDays > maxNetDays {
		return pactum.FieldError("net_days", "must be from 0 to %d days, not %d", maxNetDays, adv.NetDays)
	}
	if err := checkText("legal_name", adv.LegalName); err != nil {
		return err
	}
	var err error
	if adv.IBAN, err = checkIBAN("iban", adv.IBAN); err != nil {
		return err
	}
	adv.BIC, err = checkBIC("bic", adv.BIC)
	return err
}

// keyEncoding spells keys in lower-case base32 without padding: URL- and shell-safe, and
// unambiguous when read aloud or typed.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// GenerateKey returns a new secret such as "pk_" + 32 base32 characters (160 random bits) and
// its SHA-256, which is all that should be stored. It makes API keys ("pk_"), advertisers'
// postback tokens ("pt_") and other secrets.
func GenerateKey(prefix string) (key string, hash []byte) {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program if it could
	key = prefix + keyEncoding.EncodeToString(b)
	return key, HashKey(key)
}

// HashKey returns the SHA-256 of key, as keys and tokens are stored and looked up.
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// newAdvertiser returns an advertiser with the defaults of a new program, changed by in.
func (s *Service) newAdvertiser(in AdvertiserInput) (pactum.Advertiser, error) {
	adv := pactum.Advertiser{Currency: DefaultCurrency, PayoutSchedule: pactum.DefaultPayoutSchedule,
		PayoutWeekday: pactum.DefaultPayoutWeekday, PayoutDay: pactum.DefaultPayoutDay, CreatedAt: s.now().UTC()}
	return adv, in.apply(&adv)
}

// CreateAdvertiser makes a program. It returns the advertiser's postback token, which is shown
// this once: only its hash is stored.
func (s *Service) CreateAdvertiser(ctx context.Context, c Caller, in AdvertiserInput) (pactum.Advertiser, string, error) {
	if err := c.Allow("create advertisers", pactum.RoleAdmin); err != nil {
		return pactum.Advertiser{}, "", err
	}
	adv, err := s.newAdvertiser(in)
	if err != nil {
		return adv, "", err
	}
	secrets, err := in.shopSecrets()
	if err != nil {
		return adv, "", err
	}
	token, hash := GenerateKey("pt_")
	adv.PostbackTokenHash = hash
	if err := s.store.CreateAdvertiser(ctx, &adv); err != nil {
		return adv, "", err
	}
	if err := s.setShopSecrets(ctx, &adv, secrets); err != nil {
		return adv, "", err
	}
	s.changed()
	return adv, token, nil
}

// ListAdvertisers lists the advertisers the caller may see: all for an admin, itself for an
// advertiser.
func (s *Service) ListAdvertisers(ctx context.Context, c Caller, p pactum.Page) (Page[pactum.Advertiser], error) {
	if err := c.Allow("list advertisers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return Page[pactum.Advertiser]{}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.Advertiser, error) { return s.store.ListAdvertisers(ctx, pg) }
	if c.IsAdvertiser() {
		fetch = onlyOne(ctx, c.AdvertiserID, s.store.Advertiser)
	}
	return collect(p, fetch, func(adv pactum.Advertiser) int64 { return adv.ID }, nil)
}

// Advertiser returns advertiser id if the caller may see it.
func (s *Service) Advertiser(ctx context.Context, c Caller, id int64) (pactum.Advertiser, error) {
	if err := c.Allow("read advertisers", pactum.RoleAdmin, pactum.RoleAdvertiser); err != nil {
		return pactum.Advertiser{}, err
	}
	if !c.CanSeeAdvertiser(id) {
		return pactum.Advertiser{}, NotFound("advertiser", id)
	}
	adv, err := s.store.Advertiser(ctx, id)
	return adv, orNotFound(err, "advertiser", id)
}

// UpdateAdvertiser changes advertiser id as in says.
func (s *Service) UpdateAdvertiser(ctx context.Context, c Caller, id int64, in AdvertiserInput) (pactum.Advertiser, error) {
	adv, err := s.Advertiser(ctx, c, id)
	if err != nil {
		return adv, err
	}
	if err := in.apply(&adv); err != nil {
		return adv, err
	}
	secrets, err := in.shopSecrets()
	if err != nil {
		return adv, err
	}
	if err := s.store.UpdateAdvertiser(ctx, &adv); err != nil {
		return adv, err
	}
	if err := s.setShopSecrets(ctx, &adv, secrets); err != nil {
		return adv, err
	}
	s.changed()
	return adv, nil
}
