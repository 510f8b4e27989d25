package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
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

func (a *API) createAPIKey(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	var in program.APIKeyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	k, key, err := a.program.CreateAPIKey(r.Context(), c, in)
	if err != nil {
		return err
	}
	out := apiKeyView(k)
	out.Key = key
	return created(w, "/api/v1/api-keys/"+strconv.FormatInt(k.ID, 10), out)
}

func (a *API) listAPIKeys(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	p, err := readPage(r)
	if err != nil {
		return err
	}
	page, err := a.program.ListAPIKeys(r.Context(), c, p)
	return answerList(w, page, err, apiKeyView)
}

func (a *API) getAPIKey(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "API key")
	if err != nil {
		return err
	}
	k, err := a.program.APIKey(r.Context(), c, id)
	return ok(w, apiKeyView(k), err)
}

func (a *API) deleteAPIKey(w http.ResponseWriter, r *http.Request, c program.Caller) error {
	id, err := pathID(r, "API key")
	if err != nil {
		return err
	}
	if err := a.program.DeleteAPIKey(r.Context(), c, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
