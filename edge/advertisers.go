package edge

import (
	"context"
	"crypto/sha256"
	"net/netip"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/bounded"
	"github.com/pactum/pactum/catalog"
)

// AdvertiserSource finds the advertiser behind a postback. pactum.ProgramStore satisfies it. Lookups of
// something that does not exist return an error with code pactum.ENOTFOUND.
type AdvertiserSource interface {
	AdvertiserByPostbackToken(ctx context.Context, hash []byte) (pactum.Advertiser, error)
	Advertiser(ctx context.Context, id int64) (pactum.Advertiser, error)
}

const (
	// advertiserTTL is how long an advertiser read for a postback is trusted. Postbacks come in
	// bursts from few advertisers, so a short memory saves nearly every query, and a revoked
	// token or a changed allow-list takes effect within it even without Catalog.Invalidate.
	advertiserTTL = 30 * time.Second
	// maxAdvertisers bounds the cache: tokens come from the request, and every wrong one is
	// remembered as a miss.
	maxAdvertisers = 1 << 14
)

// advertiserCache remembers advertisers by token hash and by id for advertiserTTL, and forgets
// them all when the catalog is invalidated (a change through the API), as the catalog does.
type advertiserCache struct {
	src     AdvertiserSource
	catalog *catalog.Catalog
	now     func() time.Time
	tokens  *bounded.Map[[sha256.Size]byte, *cachedAdvertiser]
	ids     *bounded.Map[int64, *cachedAdvertiser]
}

// cachedAdvertiser is one lookup's answer: an advertiser, or (adv nil) the knowledge that there
// is none.
type cachedAdvertiser struct {
	adv *advertiser
	gen catalog.Generation // the catalog generation it was read in
	exp int64              // unix nanoseconds after which it is read again
}

// advertiser is an advertiser with its postback allow-list parsed once.
type advertiser struct {
	id  int64
	ips []netip.Prefix
}

func newAdvertiserCache(src AdvertiserSource, c *catalog.Catalog, now func() time.Time) *advertiserCache {
	return &advertiserCache{
		src:     src,
		catalog: c,
		now:     now,
		tokens:  bounded.New[[sha256.Size]byte, *cachedAdvertiser](maxAdvertisers),
		ids:     bounded.New[int64, *cachedAdvertiser](maxAdvertisers),
	}
}

// byPostbackToken returns the advertiser whose postback token is token, or an ENOTFOUND error.
func (c *advertiserCache) byPostbackToken(ctx context.Context, token string) (*advertiser, error) {
	// Only the hash is kept, as the store keeps it: the cache holds no secret.
	key := sha256.Sum256([]byte(token))
	return cachedLookup(c, c.tokens, key, func() (pactum.Advertiser, error) {
		return c.src.AdvertiserByPostbackToken(ctx, key[:])
	})
}

// byID returns advertiser id, or an ENOTFOUND error.
func (c *advertiserCache) byID(ctx context.Context, id int64) (*advertiser, error) {
	return cachedLookup(c, c.ids, id, func() (pactum.Advertiser, error) {
		return c.src.Advertiser(ctx, id)
	})
}

func cachedLookup[K comparable](c *advertiserCache, m *bounded.Map[K, *cachedAdvertiser], key K, load func() (pactum.Advertiser, error)) (*advertiser, error) {
	gen := c.catalog.Generation()
	now := c.now().UnixNano()
	if e, ok := m.Load(key); ok && e.gen == gen && now < e.exp {
		if e.adv == nil {
			return nil, catalog.ErrNotFound
		}
		return e.adv, nil
	}
	a, err := load()
	if err != nil {
		if pactum.ErrorCode(err) == pactum.ENOTFOUND {
			m.Store(key, &cachedAdvertiser{gen: gen, exp: now + int64(advertiserTTL)})
			return nil, catalog.ErrNotFound
		}
		// A store failure is not remembered: it must heal by itself.
		return nil, err
	}
	adv := &advertiser{id: a.ID, ips: pactum.ParseIPList(a.PostbackIPs)}
	m.Store(key, &cachedAdvertiser{adv: adv, gen: gen, exp: now + int64(advertiserTTL)})
	return adv, nil
}

// allows reports whether a postback from ip needs no token.
func (a *advertiser) allows(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range a.ips {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
