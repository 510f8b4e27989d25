package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pactum/pactum"
)

const (
	apiKeyColumns = `SELECT id, name, role, partner_id, advertiser_id, hash, created_at FROM api_keys`
	apiKeyByHash  = apiKeyColumns + ` WHERE hash = ?`
	apiKeyByID    = apiKeyColumns + ` WHERE id = ?`
	insertAPIKey  = `INSERT INTO api_keys (name, role, partner_id, advertiser_id, hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`
	deleteAPIKey = `DELETE FROM api_keys WHERE id = ?`
)

// CreateAPIKey stores k and sets its ID (and CreatedAt if zero). PartnerID and AdvertiserID 0
// mean none; others must exist.
func (s *Store) CreateAPIKey(ctx context.Context, k *pactum.APIKey) error {
	if len(k.Hash) == 0 {
		return fmt.Errorf("create api key: %w", pactum.FieldError("key", "has no hash"))
	}
	created := stamp(k.CreatedAt)
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if k.PartnerID != 0 {
			if err := s.exists(ctx, tx, "partners", "partner_id", k.PartnerID); err != nil {
				return err
			}
		}
		if k.AdvertiserID != 0 {
			if err := s.exists(ctx, tx, "advertisers", "advertiser_id", k.AdvertiserID); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, s.q(insertAPIKey), k.Name, k.Role, nullID(k.PartnerID),
			nullID(k.AdvertiserID), k.Hash, micros(created)).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("create api key: %w", s.writeError(err, "key", "an API key"))
	}
	k.ID, k.CreatedAt = id, created
	return nil
}

// APIKeyByHash returns the API key whose SHA-256 is hash.
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (pactum.APIKey, error) {
	if len(hash) == 0 {
		return pactum.APIKey{}, pactum.Errorf(pactum.ENOTFOUND, "API key not found")
	}
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, s.q(apiKeyByHash), hash))
	if err != nil {
		return pactum.APIKey{}, fmt.Errorf("api key by hash: %w", notFound(err, "API key not found"))
	}
	return k, nil
}

// APIKey returns the API key with id.
func (s *Store) APIKey(ctx context.Context, id int64) (pactum.APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, s.q(apiKeyByID), id))
	if err != nil {
		return pactum.APIKey{}, fmt.Errorf("api key %d: %w", id, notFound(err, "API key %d not found", id))
	}
	return k, nil
}

// ListAPIKeys returns a page of API keys by id.
func (s *Store) ListAPIKeys(ctx context.Context, p pactum.Page) ([]pactum.APIKey, error) {
	var w where
	query, args := w.page(apiKeyColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanAPIKey)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return out, nil
}

// DeleteAPIKey deletes the API key with id.
func (s *Store) DeleteAPIKey(ctx context.Context, id int64) error {
	unlock := s.lockWrites()
	res, err := s.w.ExecContext(ctx, s.q(deleteAPIKey), id)
	unlock()
	if err != nil {
		return fmt.Errorf("delete api key: %w", err)
	}
	return deleted(res, "API key %d not found", id)
}

func scanAPIKey(row scanner) (pactum.APIKey, error) {
	var k pactum.APIKey
	var partner, advertiser sql.NullInt64
	var created int64
	err := row.Scan(&k.ID, &k.Name, &k.Role, &partner, &advertiser, &k.Hash, &created)
	k.PartnerID, k.AdvertiserID, k.CreatedAt = partner.Int64, advertiser.Int64, fromMicros(created)
	return k, err
}
