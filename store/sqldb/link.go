package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pactum/pactum"
)

const (
	linkColumns = `SELECT id, offer_id, partner_id, code, sub1, sub2, sub3, sub4, sub5, source, created_at FROM links`
	linkByID    = linkColumns + ` WHERE id = ?`
	linkByCode  = linkColumns + ` WHERE code = ?`
	insertLink  = `INSERT INTO links (offer_id, partner_id, code, sub1, sub2, sub3, sub4, sub5, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	updateLink = `UPDATE links SET offer_id = ?, partner_id = ?, code = ?, sub1 = ?, sub2 = ?, sub3 = ?, sub4 = ?,
		sub5 = ?, source = ? WHERE id = ? RETURNING created_at`
	// offersOfAdvertiser narrows a list of rows with an offer_id to one advertiser's offers.
	offersOfAdvertiser = "offer_id IN (SELECT id FROM offers WHERE advertiser_id = ?)"
)

// CreateLink stores l and sets its ID (and CreatedAt if zero). Codes are unique and case
// sensitive; a link without a code is stored with none (NULL), so any number of them can exist.
func (s *Store) CreateLink(ctx context.Context, l *pactum.Link) error {
	created := stamp(l.CreatedAt)
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.linkRefsExist(ctx, tx, l); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(insertLink), l.OfferID, l.PartnerID, nullString(l.Code),
			l.Sub[0], l.Sub[1], l.Sub[2], l.Sub[3], l.Sub[4], l.Source, micros(created)).Scan(&id)
	})
	if err != nil {
		return fmt.Errorf("create link: %w", s.writeError(err, "code", "a link"))
	}
	l.ID, l.CreatedAt = id, created
	return nil
}

func (s *Store) linkRefsExist(ctx context.Context, tx *sql.Tx, l *pactum.Link) error {
	if err := s.exists(ctx, tx, "offers", "offer_id", l.OfferID); err != nil {
		return err
	}
	return s.exists(ctx, tx, "partners", "partner_id", l.PartnerID)
}

// Link returns the link with id.
func (s *Store) Link(ctx context.Context, id int64) (pactum.Link, error) {
	l, err := scanLink(s.r.QueryRowContext(ctx, s.q(linkByID), id))
	if err != nil {
		return pactum.Link{}, fmt.Errorf("link: %w", notFound(err, "link %d not found", id))
	}
	return l, nil
}

// LinkByCode returns the link with code (case sensitive).
func (s *Store) LinkByCode(ctx context.Context, code string) (pactum.Link, error) {
	if code == "" {
		return pactum.Link{}, pactum.Errorf(pactum.ENOTFOUND, "link with code %q not found", code)
	}
	l, err := scanLink(s.r.QueryRowContext(ctx, s.q(linkByCode), code))
	if err != nil {
		return pactum.Link{}, fmt.Errorf("link by code: %w", notFound(err, "link with code %q not found", code))
	}
	return l, nil
}

// ListLinks returns a page of the links that match f, by id.
func (s *Store) ListLinks(ctx context.Context, f pactum.LinkFilter, p pactum.Page) ([]pactum.Link, error) {
	var w where
	if f.OfferID != 0 {
		w.add("offer_id = ?", f.OfferID)
	}
	if f.PartnerID != 0 {
		w.add("partner_id = ?", f.PartnerID)
	}
	if f.AdvertiserID != 0 {
		w.add(offersOfAdvertiser, f.AdvertiserID)
	}
	query, args := w.page(linkColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanLink)
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	return out, nil
}

// UpdateLink stores every field of l but its ID and CreatedAt, and reads back CreatedAt.
func (s *Store) UpdateLink(ctx context.Context, l *pactum.Link) error {
	var created int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.linkRefsExist(ctx, tx, l); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, s.q(updateLink), l.OfferID, l.PartnerID, nullString(l.Code),
			l.Sub[0], l.Sub[1], l.Sub[2], l.Sub[3], l.Sub[4], l.Source, l.ID).Scan(&created)
		return notFound(err, "link %d not found", l.ID)
	})
	if err != nil {
		return fmt.Errorf("update link: %w", s.writeError(err, "code", "a link"))
	}
	l.CreatedAt = fromMicros(created)
	return nil
}

func scanLink(row scanner) (pactum.Link, error) {
	var l pactum.Link
	var code sql.NullString
	var created int64
	err := row.Scan(&l.ID, &l.OfferID, &l.PartnerID, &code, &l.Sub[0], &l.Sub[1], &l.Sub[2], &l.Sub[3], &l.Sub[4],
		&l.Source, &created)
	l.Code, l.CreatedAt = code.String, fromMicros(created)
	return l, err
}
