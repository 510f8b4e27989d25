package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"net/http"
	"slices"
	"strings"

	"github.com/pactum/pactum"
)

// caller is who sent a request, as its API key says.
type caller struct {
	role         string
	partnerID    int64 // set for the partner role
	advertiserID int64 // set for the advertiser role
}

func (c caller) admin() bool      { return c.role == pactum.RoleAdmin }
func (c caller) advertiser() bool { return c.role == pactum.RoleAdvertiser }
func (c caller) partner() bool    { return c.role == pactum.RolePartner }

// allow answers 403 unless the caller has one of roles.
func (c caller) allow(action string, roles ...string) error {
	if slices.Contains(roles, c.role) {
		return nil
	}
	return denied("%s key may not %s", article(c.role), action)
}

// authenticate finds the caller from the Authorization header. Keys are looked up by their
// SHA-256, so stored hashes are all a leaked database gives away; the bootstrap admin key is
// compared in constant time so that response times do not reveal it byte by byte.
func (a *API) authenticate(r *http.Request) (caller, error) {
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	key = strings.TrimSpace(key)
	if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
		return caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, `missing API key: send "Authorization: Bearer <key>"`)
	}
	hash := HashKey(key)
	if a.adminKeyHash != nil && subtle.ConstantTimeCompare(hash, a.adminKeyHash) == 1 {
		return caller{role: pactum.RoleAdmin}, nil
	}
	k, err := a.store.APIKeyByHash(r.Context(), hash)
	if isNotFound(err) {
		return caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, "invalid API key")
	} else if err != nil {
		return caller{}, err
	}
	c := caller{role: k.Role}
	switch {
	case k.Role == pactum.RoleAdmin:
	case k.Role == pactum.RolePartner && k.PartnerID > 0:
		c.partnerID = k.PartnerID
	case k.Role == pactum.RoleAdvertiser && k.AdvertiserID > 0:
		c.advertiserID = k.AdvertiserID
	default:
		// A key without the id its role needs would otherwise act as an unscoped caller.
		return caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, "invalid API key")
	}
	return c, nil
}

// keyEncoding spells keys in lower-case base32 without padding: URL- and shell-safe, and
// unambiguous when read aloud or typed.
var keyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// GenerateKey returns a new secret such as "pk_" + 32 base32 characters (160 random bits) and its
// SHA-256, which is all that should be stored. It makes API keys ("pk_") and advertisers'
// postback tokens ("pt_").
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

// owners is the part of every list's filter that says whose data it is.
type owners struct{ offerID, partnerID, advertiserID int64 }

// readOwners reads a list's offer_id, partner_id and advertiser_id filters and narrows them to
// what c may see: a partner sees only itself, an advertiser only itself. ok is false when the
// caller asked for someone else's data, whose answer is then empty (not an error, so that ids
// do not leak).
func readOwners(r *http.Request, c caller) (o owners, ok bool, err error) {
	if o.offerID, err = queryID(r, "offer_id"); err != nil {
		return o, false, err
	}
	if o.partnerID, err = queryID(r, "partner_id"); err != nil {
		return o, false, err
	}
	if o.advertiserID, err = queryID(r, "advertiser_id"); err != nil {
		return o, false, err
	}
	switch {
	case c.partner():
		if o.partnerID != 0 && o.partnerID != c.partnerID {
			return o, false, nil
		}
		o.partnerID = c.partnerID
	case c.advertiser():
		if o.advertiserID != 0 && o.advertiserID != c.advertiserID {
			return o, false, nil
		}
		o.advertiserID = c.advertiserID
	}
	return o, true, nil
}

// article puts "a" or "an" before a role: "an admin", "an advertiser", "a partner".
func article(role string) string {
	if role != "" && strings.ContainsRune("aeiou", rune(role[0])) {
		return "an " + role
	}
	return "a " + role
}
