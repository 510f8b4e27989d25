package pactum

import (
	"context"
	"time"
)

// User is a person who signs in to the web UI with an email and a password, in one of the
// roles of API keys (RoleAdmin, RoleAdvertiser with AdvertiserID, RolePartner with PartnerID).
type User struct {
	ID int64
	// Email is kept in lower case, so that one address is one account however it is typed.
	Email string
	// PasswordHash is the encoded argon2id hash (package auth), parameters included.
	PasswordHash string
	Role         string
	PartnerID    int64
	AdvertiserID int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Session is a signed-in browser. Only the SHA-256 of its token is kept; the token is in the
// browser's cookie.
type Session struct {
	ID       int64
	Hash     []byte
	UserID   int64
	Created  time.Time
	LastSeen time.Time // idle expiry counts from here
	Expires  time.Time // absolute expiry
}

// Invitation lets whoever holds its one-time link make an account with a role: it is how an
// admin brings in a partner (Pactum sends no email: the admin passes the link on). Only the
// SHA-256 of its token is kept.
type Invitation struct {
	ID           int64
	Hash         []byte
	Email        string // lower case, as User.Email
	Role         string
	PartnerID    int64
	AdvertiserID int64
	CreatedBy    int64 // the admin user who invited, 0 for the CLI or an API key
	Created      time.Time
	Expires      time.Time
	Accepted     time.Time // zero until the link was used
}

// UserStore keeps the web UI's accounts: users, their sessions and invitations.
type UserStore interface {
	// CreateUser stores u and sets its ID; an email taken already is ECONFLICT on "email", an
	// owner that does not exist EINVALID on "partner_id" or "advertiser_id".
	CreateUser(ctx context.Context, u *User) error
	User(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	ListUsers(ctx context.Context, p Page) ([]User, error)
	// SetPassword replaces user id's password hash.
	SetPassword(ctx context.Context, id int64, hash string, now time.Time) error
	// DeleteUser deletes user id with its sessions.
	DeleteUser(ctx context.Context, id int64) error

	CreateSession(ctx context.Context, s *Session) error
	// SessionByHash returns the session whose token has this SHA-256, with its user; expiry is
	// the caller's to check.
	SessionByHash(ctx context.Context, hash []byte) (Session, User, error)
	// TouchSession records that session id was used at seen.
	TouchSession(ctx context.Context, id int64, seen time.Time) error
	DeleteSession(ctx context.Context, id int64) error
	// DeleteUserSessions ends every session of a user (a new password, a removed account).
	DeleteUserSessions(ctx context.Context, userID int64) error
	// DeleteExpiredSessions deletes the sessions whose absolute expiry is before now or that
	// were last seen before idleSince, and returns how many.
	DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int64, error)

	CreateInvitation(ctx context.Context, inv *Invitation) error
	InvitationByHash(ctx context.Context, hash []byte) (Invitation, error)
	ListInvitations(ctx context.Context, p Page) ([]Invitation, error)
	DeleteInvitation(ctx context.Context, id int64) error
	// AcceptInvitation makes the invitation's user with passwordHash and marks the invitation
	// used, in one transaction: an invitation already used, or expired at now, is ENOTFOUND, so
	// that a link works once.
	AcceptInvitation(ctx context.Context, hash []byte, passwordHash string, now time.Time) (User, error)
}
