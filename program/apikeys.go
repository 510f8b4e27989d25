package program

import (
	"context"
	"strings"

	"github.com/pactum/pactum"
)

// APIKeyInput is the body of a create.
type APIKeyInput struct {
	Name         *string `json:"name"`
	Role         *string `json:"role"`
	PartnerID    *int64  `json:"partner_id"`
	AdvertiserID *int64  `json:"advertiser_id"`
}

// CreateAPIKey makes a key for a role; a partner or advertiser key names the one it acts for,
// an admin key names neither. It returns the key, shown this once: only its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, c Caller, in APIKeyInput) (pactum.APIKey, string, error) {
	if err := c.Allow("manage API keys", pactum.RoleAdmin); err != nil {
		return pactum.APIKey{}, "", err
	}
	var k pactum.APIKey
	set(&k.Name, in.Name, strings.TrimSpace)
	set(&k.Role, in.Role, nil)
	if in.PartnerID != nil {
		k.PartnerID = *in.PartnerID
	}
	if in.AdvertiserID != nil {
		k.AdvertiserID = *in.AdvertiserID
	}
	k.CreatedAt = s.now().UTC()
	key, err := CreateAPIKey(ctx, s.store, &k)
	return k, key, err
}

// CreateAPIKey validates k, gives it a new key and stores it; `pactum users create` makes keys
// this way too. It returns the key, which only this answer shows.
func CreateAPIKey(ctx context.Context, st pactum.KeyStore, k *pactum.APIKey) (string, error) {
	if err := ValidateAPIKey(k); err != nil {
		return "", err
	}
	key, hash := GenerateKey("pk_")
	k.Hash = hash
	return key, st.CreateAPIKey(ctx, k)
}

// ValidateAPIKey checks a key's name, role and owner before it is stored.
func ValidateAPIKey(k *pactum.APIKey) error {
	if err := checkText("name", k.Name); err != nil {
		return err
	}
	if err := CheckOneOf("role", k.Role, pactum.RoleAdmin, pactum.RoleAdvertiser, pactum.RolePartner); err != nil {
		return err
	}
	return checkKeyOwner(*k)
}

// checkKeyOwner checks that k names exactly the owner its role needs.
func checkKeyOwner(k pactum.APIKey) error {
	return checkOwner(k.Role, k.PartnerID, k.AdvertiserID, "key")
}

// checkOwner checks that a credential of role (an API key, a user: what) names exactly the
// owner its role needs: a partner its partner, an advertiser its advertiser, an admin neither.
func checkOwner(role string, partnerID, advertiserID int64, what string) error {
	need, other := "", ""
	switch role {
	case pactum.RolePartner:
		need, other = "partner_id", "advertiser_id"
		if advertiserID != 0 {
			break
		}
		if partnerID < 1 {
			return pactum.FieldError(need, "is required for a partner %s", what)
		}
		return nil
	case pactum.RoleAdvertiser:
		need, other = "advertiser_id", "partner_id"
		if partnerID != 0 {
			break
		}
		if advertiserID < 1 {
			return pactum.FieldError(need, "is required for an advertiser %s", what)
		}
		return nil
	default:
		switch {
		case partnerID != 0:
			return pactum.FieldError("partner_id", "must not be set for an %s %s", role, what)
		case advertiserID != 0:
			return pactum.FieldError("advertiser_id", "must not be set for an %s %s", role, what)
		}
		return nil
	}
	return pactum.FieldError(other, "must not be set for %s %s; set %s", article(role), what, need)
}

// ListAPIKeys lists every key (without the keys themselves, which are not stored).
func (s *Service) ListAPIKeys(ctx context.Context, c Caller, p pactum.Page) (Page[pactum.APIKey], error) {
	if err := c.Allow("manage API keys", pactum.RoleAdmin); err != nil {
		return Page[pactum.APIKey]{}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.APIKey, error) { return s.store.ListAPIKeys(ctx, pg) }
	return collect(p, fetch, func(k pactum.APIKey) int64 { return k.ID }, nil)
}

// APIKey returns API key id.
func (s *Service) APIKey(ctx context.Context, c Caller, id int64) (pactum.APIKey, error) {
	if err := c.Allow("manage API keys", pactum.RoleAdmin); err != nil {
		return pactum.APIKey{}, err
	}
	k, err := s.store.APIKey(ctx, id)
	return k, orNotFound(err, "API key", id)
}

// DeleteAPIKey revokes API key id.
func (s *Service) DeleteAPIKey(ctx context.Context, c Caller, id int64) error {
	if err := c.Allow("manage API keys", pactum.RoleAdmin); err != nil {
		return err
	}
	return orNotFound(s.store.DeleteAPIKey(ctx, id), "API key", id)
}

// Authenticate returns the caller of an API key: the bootstrap admin key (compared by the
// caller, in constant time) is not stored and not checked here.
func (s *Service) Authenticate(ctx context.Context, key string) (Caller, error) {
	k, err := s.store.APIKeyByHash(ctx, HashKey(key))
	if isNotFound(err) {
		return Caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, "invalid API key")
	} else if err != nil {
		return Caller{}, err
	}
	c, err := NewCaller(k.Role, k.PartnerID, k.AdvertiserID)
	if err != nil {
		return Caller{}, pactum.Errorf(pactum.EUNAUTHORIZED, "invalid API key")
	}
	return c, nil
}
