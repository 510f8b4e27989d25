package program

import (
	"context"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
)

// Users of the web UI. Admins manage them: list, invite, remove. Signing in, sessions and
// passwords are package auth's; who may do what once signed in is the Caller of the user's role,
// the same as an API key's.

// InvitationLifetime is how long an invitation's link works: long enough for a partner to find
// the message, short enough that a link forwarded by mistake goes stale.
const InvitationLifetime = 7 * 24 * time.Hour

// UserInput names an account to invite or create: its email and role, and the partner or
// advertiser it acts for.
type UserInput struct {
	Email        string
	Role         string
	PartnerID    int64
	AdvertiserID int64
}

// Validate returns the account in describes, checked, without a password.
func (in UserInput) Validate() (pactum.User, error) {
	u := pactum.User{Email: strings.ToLower(strings.TrimSpace(in.Email)), Role: in.Role,
		PartnerID: in.PartnerID, AdvertiserID: in.AdvertiserID}
	return u, ValidateUser(&u)
}

// ValidateUser checks an account's email, role and owner before it is stored.
func ValidateUser(u *pactum.User) error {
	if err := CheckEmail("email", u.Email); err != nil {
		return err
	}
	if err := CheckOneOf("role", u.Role, pactum.RoleAdmin, pactum.RoleAdvertiser, pactum.RolePartner); err != nil {
		return err
	}
	return checkOwner(u.Role, u.PartnerID, u.AdvertiserID, "user")
}

// CreateUser validates u and stores it with passwordHash (auth.Hasher's); `pactum users create
// --email` makes accounts this way.
func CreateUser(ctx context.Context, st pactum.UserStore, in UserInput, passwordHash string, now time.Time) (pactum.User, error) {
	u, err := in.Validate()
	if err != nil {
		return u, err
	}
	u.PasswordHash, u.CreatedAt = passwordHash, now.UTC()
	return u, st.CreateUser(ctx, &u)
}

// InviteUser makes a one-time invitation for in, from user by (0 for none), and returns it with
// its token, which only this answer shows: the link that carries it is how the invited person
// sets a password. An email that has an account already is a conflict.
func (s *Service) InviteUser(ctx context.Context, c Caller, in UserInput, by int64) (pactum.Invitation, string, error) {
	if err := c.Allow("invite users", pactum.RoleAdmin); err != nil {
		return pactum.Invitation{}, "", err
	}
	u, err := in.Validate()
	if err != nil {
		return pactum.Invitation{}, "", err
	}
	if _, err := s.store.UserByEmail(ctx, u.Email); err == nil {
		return pactum.Invitation{}, "", &pactum.Error{Code: pactum.ECONFLICT, Field: "email",
			Message: "a user with this email exists already"}
	} else if !isNotFound(err) {
		return pactum.Invitation{}, "", err
	}
	token, hash := auth.NewToken()
	now := s.now().UTC()
	inv := pactum.Invitation{Hash: hash, Email: u.Email, Role: u.Role, PartnerID: u.PartnerID,
		AdvertiserID: u.AdvertiserID, CreatedBy: by, Created: now, Expires: now.Add(InvitationLifetime)}
	if err := s.store.CreateInvitation(ctx, &inv); err != nil {
		return inv, "", err
	}
	return inv, token, nil
}

// ListUsers lists every account.
func (s *Service) ListUsers(ctx context.Context, c Caller, p pactum.Page) (Page[pactum.User], error) {
	if err := c.Allow("manage users", pactum.RoleAdmin); err != nil {
		return Page[pactum.User]{}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.User, error) { return s.store.ListUsers(ctx, pg) }
	return collect(p, fetch, func(u pactum.User) int64 { return u.ID }, nil)
}

// ListInvitations lists the invitations that were not used yet, expired ones included (so that
// an admin sees which to send again).
func (s *Service) ListInvitations(ctx context.Context, c Caller, p pactum.Page) (Page[pactum.Invitation], error) {
	if err := c.Allow("manage users", pactum.RoleAdmin); err != nil {
		return Page[pactum.Invitation]{}, err
	}
	fetch := func(pg pactum.Page) ([]pactum.Invitation, error) { return s.store.ListInvitations(ctx, pg) }
	open := func(inv pactum.Invitation) bool { return inv.Accepted.IsZero() }
	return collect(p, fetch, func(inv pactum.Invitation) int64 { return inv.ID }, open)
}

// DeleteUser removes account id and ends its sessions. An admin cannot remove its own account
// (self), so that a program is never left without anyone who can sign in by mistake.
func (s *Service) DeleteUser(ctx context.Context, c Caller, id, self int64) error {
	if err := c.Allow("manage users", pactum.RoleAdmin); err != nil {
		return err
	}
	if id == self {
		return pactum.PreconditionError("id", "you cannot remove your own account; another admin can")
	}
	return orNotFound(s.store.DeleteUser(ctx, id), "user", id)
}

// DeleteInvitation withdraws invitation id: its link stops working.
func (s *Service) DeleteInvitation(ctx context.Context, c Caller, id int64) error {
	if err := c.Allow("manage users", pactum.RoleAdmin); err != nil {
		return err
	}
	return orNotFound(s.store.DeleteInvitation(ctx, id), "invitation", id)
}
