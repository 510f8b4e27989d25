package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

const (
	userColumns = `SELECT id, email, password_hash, role, partner_id, advertiser_id, created_at, updated_at FROM users`
	userByID    = userColumns + ` WHERE id = ?`
	userByEmail = userColumns + ` WHERE email = ?`
	insertUser  = `INSERT INTO users (email, password_hash, role, partner_id, advertiser_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`
	setPassword        = `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`
	deleteUser         = `DELETE FROM users WHERE id = ?`
	deleteUserSessions = `DELETE FROM sessions WHERE user_id = ?`

	insertSession = `INSERT INTO sessions (hash, user_id, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`
	sessionByHash = `SELECT s.id, s.hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at,
		u.id, u.email, u.password_hash, u.role, u.partner_id, u.advertiser_id, u.created_at, u.updated_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?`
	touchSession          = `UPDATE sessions SET last_seen_at = ? WHERE id = ?`
	deleteSession         = `DELETE FROM sessions WHERE id = ?`
	deleteExpiredSessions = `DELETE FROM sessions WHERE expires_at < ? OR last_seen_at < ?`

	invitationColumns = `SELECT id, hash, email, role, partner_id, advertiser_id, created_by, created_at, expires_at, accepted_at FROM invitations`
	invitationByHash  = invitationColumns + ` WHERE hash = ?`
	insertInvitation  = `INSERT INTO invitations (hash, email, role, partner_id, advertiser_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	deleteInvitation = `DELETE FROM invitations WHERE id = ?`
	acceptInvitation = `UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL`
)

// CreateUser stores u with its email in lower case and sets its ID and times.
func (s *Store) CreateUser(ctx context.Context, u *pactum.User) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.insertUser(ctx, tx, u) })
	return err
}

// insertUser stores u inside tx, checking its owner first so that a missing one is named.
func (s *Store) insertUser(ctx context.Context, tx *sql.Tx, u *pactum.User) error {
	u.Email = strings.ToLower(u.Email)
	u.CreatedAt = stamp(u.CreatedAt)
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	u.UpdatedAt = stamp(u.UpdatedAt)
	if err := s.owners(ctx, tx, u.PartnerID, u.AdvertiserID); err != nil {
		return err
	}
	err := tx.QueryRowContext(ctx, s.q(insertUser), u.Email, u.PasswordHash, u.Role, nullID(u.PartnerID),
		nullID(u.AdvertiserID), micros(u.CreatedAt), micros(u.UpdatedAt)).Scan(&u.ID)
	if err != nil {
		return fmt.Errorf("create user: %w", s.writeError(err, "email", "a user"))
	}
	return nil
}

// owners checks that the partner and advertiser an account names exist (0 is none).
func (s *Store) owners(ctx context.Context, tx *sql.Tx, partnerID, advertiserID int64) error {
	if partnerID != 0 {
		if err := s.exists(ctx, tx, "partners", "partner_id", partnerID); err != nil {
			return err
		}
	}
	if advertiserID != 0 {
		return s.exists(ctx, tx, "advertisers", "advertiser_id", advertiserID)
	}
	return nil
}

// User returns user id.
func (s *Store) User(ctx context.Context, id int64) (pactum.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q(userByID), id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, notFound(err, "user %d not found", id))
	}
	return u, nil
}

// UserByEmail returns the user with email, in any case.
func (s *Store) UserByEmail(ctx context.Context, email string) (pactum.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, s.q(userByEmail), strings.ToLower(email)))
	if err != nil {
		return u, fmt.Errorf("user by email: %w", notFound(err, "user not found"))
	}
	return u, nil
}

// ListUsers returns a page of users by id.
func (s *Store) ListUsers(ctx context.Context, p pactum.Page) ([]pactum.User, error) {
	var w where
	query, args := w.page(userColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanUser)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// SetPassword replaces user id's password hash.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, now time.Time) error {
	unlock := s.lockWrites()
	res, err := s.w.ExecContext(ctx, s.q(setPassword), hash, micros(now), id)
	unlock()
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return deleted(res, "user %d not found", id)
}

// DeleteUser deletes user id and its sessions in one transaction.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	var res sql.Result
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(deleteUserSessions), id); err != nil {
			return err
		}
		var err error
		res, err = tx.ExecContext(ctx, s.q(deleteUser), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return deleted(res, "user %d not found", id)
}

// CreateSession stores a session and sets its ID.
func (s *Store) CreateSession(ctx context.Context, x *pactum.Session) error {
	if len(x.Hash) == 0 {
		return fmt.Errorf("create session: %w", pactum.FieldError("token", "has no hash"))
	}
	x.Created, x.LastSeen, x.Expires = stamp(x.Created), stamp(x.LastSeen), stamp(x.Expires)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.exists(ctx, tx, "users", "user_id", x.UserID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(insertSession), x.Hash, x.UserID, micros(x.Created),
			micros(x.LastSeen), micros(x.Expires)).Scan(&x.ID)
	})
	if err != nil {
		return fmt.Errorf("create session: %w", s.writeError(err, "token", "a session"))
	}
	return nil
}

// SessionByHash returns the session whose token has hash, with its user.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (pactum.Session, pactum.User, error) {
	var x pactum.Session
	if len(hash) == 0 {
		return x, pactum.User{}, pactum.Errorf(pactum.ENOTFOUND, "session not found")
	}
	var created, seen, expires int64
	row := s.r.QueryRowContext(ctx, s.q(sessionByHash), hash)
	u, err := scanUser(prefixed{row, []any{&x.ID, &x.Hash, &x.UserID, &created, &seen, &expires}})
	if err != nil {
		return x, u, fmt.Errorf("session by hash: %w", notFound(err, "session not found"))
	}
	x.Created, x.LastSeen, x.Expires = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return x, u, nil
}

// prefixed scans dest first, then what the wrapped scan asks for: a join of two tables read
// with the scan function of the second.
type prefixed struct {
	row  scanner
	dest []any
}

func (p prefixed) Scan(dest ...any) error { return p.row.Scan(append(p.dest, dest...)...) }

// TouchSession records that session id was used at seen.
func (s *Store) TouchSession(ctx context.Context, id int64, seen time.Time) error {
	return s.execOne(ctx, "touch session", touchSession, micros(seen), id)
}

// DeleteSession deletes session id; one already gone is not an error (logging out twice).
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	return s.execOne(ctx, "delete session", deleteSession, id)
}

// DeleteUserSessions deletes every session of a user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.execOne(ctx, "delete user sessions", deleteUserSessions, userID)
}

// DeleteExpiredSessions deletes sessions past their absolute expiry or idle since idleSince.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	unlock := s.lockWrites()
	res, err := s.w.ExecContext(ctx, s.q(deleteExpiredSessions), micros(now), micros(idleSince))
	unlock()
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// execOne runs one write statement on the writer.
func (s *Store) execOne(ctx context.Context, what, query string, args ...any) error {
	unlock := s.lockWrites()
	_, err := s.w.ExecContext(ctx, s.q(query), args...)
	unlock()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// CreateInvitation stores an invitation with its email in lower case and sets its ID.
func (s *Store) CreateInvitation(ctx context.Context, inv *pactum.Invitation) error {
	if len(inv.Hash) == 0 {
		return fmt.Errorf("create invitation: %w", pactum.FieldError("token", "has no hash"))
	}
	inv.Email = strings.ToLower(inv.Email)
	inv.Created, inv.Expires = stamp(inv.Created), stamp(inv.Expires)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.owners(ctx, tx, inv.PartnerID, inv.AdvertiserID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(insertInvitation), inv.Hash, inv.Email, inv.Role, nullID(inv.PartnerID),
			nullID(inv.AdvertiserID), nullID(inv.CreatedBy), micros(inv.Created), micros(inv.Expires)).Scan(&inv.ID)
	})
	if err != nil {
		return fmt.Errorf("create invitation: %w", s.writeError(err, "token", "an invitation"))
	}
	return nil
}

// InvitationByHash returns the invitation whose token has hash, used or not.
func (s *Store) InvitationByHash(ctx context.Context, hash []byte) (pactum.Invitation, error) {
	if len(hash) == 0 {
		return pactum.Invitation{}, pactum.Errorf(pactum.ENOTFOUND, "invitation not found")
	}
	inv, err := scanInvitation(s.r.QueryRowContext(ctx, s.q(invitationByHash), hash))
	if err != nil {
		return inv, fmt.Errorf("invitation by hash: %w", notFound(err, "invitation not found"))
	}
	return inv, nil
}

// ListInvitations returns a page of invitations by id.
func (s *Store) ListInvitations(ctx context.Context, p pactum.Page) ([]pactum.Invitation, error) {
	var w where
	query, args := w.page(invitationColumns, "id", p)
	out, err := list(ctx, s.r, s.q(query), args, scanInvitation)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return out, nil
}

// DeleteInvitation deletes invitation id: its link stops working.
func (s *Store) DeleteInvitation(ctx context.Context, id int64) error {
	unlock := s.lockWrites()
	res, err := s.w.ExecContext(ctx, s.q(deleteInvitation), id)
	unlock()
	if err != nil {
		return fmt.Errorf("delete invitation: %w", err)
	}
	return deleted(res, "invitation %d not found", id)
}

// AcceptInvitation makes the invitation's user and marks it used, in one transaction. The
// conditional update is what makes the link work once: of two accepts at the same moment, one
// updates the row and the other finds it used.
func (s *Store) AcceptInvitation(ctx context.Context, hash []byte, passwordHash string, now time.Time) (pactum.User, error) {
	var u pactum.User
	gone := pactum.Errorf(pactum.ENOTFOUND, "invitation not found, used or expired")
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		inv, err := scanInvitation(tx.QueryRowContext(ctx, s.q(invitationByHash), hash))
		if err != nil {
			return notFound(err, "%s", gone.Message)
		}
		if !inv.Accepted.IsZero() || !now.Before(inv.Expires) {
			return gone
		}
		res, err := tx.ExecContext(ctx, s.q(acceptInvitation), micros(now), inv.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return gone
		}
		u = pactum.User{Email: inv.Email, PasswordHash: passwordHash, Role: inv.Role, PartnerID: inv.PartnerID,
			AdvertiserID: inv.AdvertiserID, CreatedAt: now}
		return s.insertUser(ctx, tx, &u)
	})
	if err != nil {
		return pactum.User{}, fmt.Errorf("accept invitation: %w", err)
	}
	return u, nil
}

func scanUser(row scanner) (pactum.User, error) {
	var u pactum.User
	var partner, advertiser sql.NullInt64
	var created, updated int64
	err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Role, &partner, &advertiser, &created, &updated)
	u.PartnerID, u.AdvertiserID = partner.Int64, advertiser.Int64
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return u, err
}

func scanInvitation(row scanner) (pactum.Invitation, error) {
	var inv pactum.Invitation
	var partner, advertiser, by, accepted sql.NullInt64
	var created, expires int64
	err := row.Scan(&inv.ID, &inv.Hash, &inv.Email, &inv.Role, &partner, &advertiser, &by, &created, &expires, &accepted)
	inv.PartnerID, inv.AdvertiserID, inv.CreatedBy = partner.Int64, advertiser.Int64, by.Int64
	inv.Created, inv.Expires, inv.Accepted = fromMicros(created), fromMicros(expires), fromNullMicros(accepted)
	return inv, err
}
