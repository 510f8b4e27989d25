package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

type apiKeyJSON struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	PartnerID    *int64 `json:"partner_id"`
	AdvertiserID *int64 `json:"advertiser_id"`
	// Key is set only in the answer to the create: only its hash is stored.
	Key       string    `json:"key,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func apiKeyView(k pactum.APIKey) apiKeyJSON {
	return apiKeyJSON{
		ID: k.ID, Name: k.Name, Role: k.Role, PartnerID: idOrNull(k.PartnerID),
		AdvertiserID: idOrNull(k.AdvertiserID), CreatedAt: k.CreatedAt.UTC(),
	}
}

type apiKeyInput struct {
	Name         *string `json:"name"`
	Role         *string `json:"role"`
	PartnerID    *int64  `json:"partner_id"`
	AdvertiserID *int64  `json:"advertiser_id"`
}

// createAPIKey makes a key for a role; a partner or advertiser key names the one it acts for,
// an admin key names neither.
func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("manage API keys", pactum.RoleAdmin); err != nil {
		return err
	}
	var in apiKeyInput
	if err := decode(r, &in); err != nil {
		return err
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
	if err := ValidateAPIKey(&k); err != nil {
		return err
	}
	key, hash := GenerateKey("pk_")
	k.Hash, k.CreatedAt = hash, a.now().UTC()
	if err := a.store.CreateAPIKey(r.Context(), &k); err != nil {
		return err
	}
	out := apiKeyView(k)
	out.Key = key
	w.Header().Set("Location", "/api/v1/api-keys/"+strconv.FormatInt(k.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// ValidateAPIKey checks a key's name, role and owner before it is stored; `pactum users create`
// uses it too.
func ValidateAPIKey(k *pactum.APIKey) error {
	if err := checkText("name", k.Name); err != nil {
		return err
	}
	if err := checkOneOf("role", k.Role, pactum.RoleAdmin, pactum.RoleAdvertiser, pactum.RolePartner); err != nil {
		return err
	}
	return checkKeyOwner(*k)
}

// checkKeyOwner checks that k names exactly the owner its role needs.
func checkKeyOwner(k pactum.APIKey) error {
	need, other := "", ""
	switch k.Role {
	case pactum.RolePartner:
		need, other = "partner_id", "advertiser_id"
		if k.AdvertiserID != 0 {
			break
		}
		if k.PartnerID < 1 {
			return pactum.FieldError(need, "is required for a partner key")
		}
		return nil
	case pactum.RoleAdvertiser:
		need, other = "advertiser_id", "partner_id"
		if k.PartnerID != 0 {
			break
		}
		if k.AdvertiserID < 1 {
			return pactum.FieldError(need, "is required for an advertiser key")
		}
		return nil
	default:
		switch {
		case k.PartnerID != 0:
			return pactum.FieldError("partner_id", "must not be set for an %s key", k.Role)
		case k.AdvertiserID != 0:
			return pactum.FieldError("advertiser_id", "must not be set for an %s key", k.Role)
		}
		return nil
	}
	return pactum.FieldError(other, "must not be set for %s key; set %s", article(k.Role), need)
}

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("manage API keys", pactum.RoleAdmin); err != nil {
		return err
	}
	p, err := readPage(r)
	if err != nil {
		return err
	}
	fetch := func(pg pactum.Page) ([]pactum.APIKey, error) { return a.store.ListAPIKeys(r.Context(), pg) }
	items, next, err := collect(p, fetch, func(k pactum.APIKey) int64 { return k.ID }, nil)
	if err != nil {
		return err
	}
	return answerList(w, items, next, apiKeyView)
}

func (a *API) getAPIKey(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("manage API keys", pactum.RoleAdmin); err != nil {
		return err
	}
	id, err := pathID(r, "API key")
	if err != nil {
		return err
	}
	k, err := a.store.APIKey(r.Context(), id)
	if err != nil {
		return orNotFound(err, "API key", id)
	}
	writeJSON(w, http.StatusOK, apiKeyView(k))
	return nil
}

func (a *API) deleteAPIKey(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := c.allow("manage API keys", pactum.RoleAdmin); err != nil {
		return err
	}
	id, err := pathID(r, "API key")
	if err != nil {
		return err
	}
	if err := a.store.DeleteAPIKey(r.Context(), id); err != nil {
		return orNotFound(err, "API key", id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
