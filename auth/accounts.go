package auth

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/pactum/pactum"
)

// Session lifetimes by default: a session ends after 2 hours without a request, and 24 hours
// after the login whatever happens, so that a phone left signed in or a cookie that leaked is
// good for a working day at most (pactum serve --session-idle and --session-max change them).
const (
	DefaultIdle = 2 * time.Hour
	DefaultMax  = 24 * time.Hour
)

// touchEvery is how stale a session's last-seen time may get before a request writes it again:
// one write a minute per active session, not one per page, at the cost of up to a minute of
// idle time counted early.
const touchEvery = time.Minute

// Throttling of logins: an account gets 5 failures free, then waits 1 s, 2 s, 4 s ... up to 15
// minutes before each next try; an address (an office behind one NAT signs in a lot) gets 20.
// Both are forgotten 15 minutes after their last failure, an account also at its next success.
func loginThrottle(free int) *Throttle {
	return &Throttle{Free: free, Base: time.Second, Max: 15 * time.Minute, Forget: 15 * time.Minute, MaxKeys: 100_000}
}

// Accounts signs people in and out: logins (throttled, with one answer for a wrong password and
// an unknown email), sessions with idle and absolute expiry, and invitations accepted with a new
// password. Create it with NewAccounts.
type Accounts struct {
	store  pactum.UserStore
	hasher Hasher
	idle   time.Duration
	max    time.Duration
	now    func() time.Time
	logger *slog.Logger

	byAccount, byAddress *Throttle
}

// Config is what Accounts needs; zero fields take the defaults.
type Config struct {
	Store  pactum.UserStore // required
	Hasher Hasher
	Idle   time.Duration
	Max    time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// NewAccounts returns the Accounts of cfg.
func NewAccounts(cfg Config) *Accounts {
	a := &Accounts{store: cfg.Store, hasher: cfg.Hasher, idle: cfg.Idle, max: cfg.Max, now: cfg.Now, logger: cfg.Logger}
	if a.idle <= 0 {
		a.idle = DefaultIdle
	}
	if a.max <= 0 {
		a.max = DefaultMax
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	a.byAccount, a.byAddress = loginThrottle(5), loginThrottle(20)
	return a
}

// Idle and Max are the session lifetimes in force.
func (a *Accounts) Idle() time.Duration { return a.idle }
func (a *Accounts) Max() time.Duration  { return a.max }

// ErrBadLogin is the one answer to a wrong password and to an email without an account.
var ErrBadLogin = pactum.Errorf(pactum.EUNAUTHORIZED, "wrong email or password")

// ErrNoSession is a session cookie that names no session, or an expired one.
var ErrNoSession = pactum.Errorf(pactum.EUNAUTHORIZED, "your session has ended: sign in again")

// Throttled is a login refused because of earlier failures; Wait is how long until the next try.
type Throttled struct {
	Wait time.Duration
	err  *pactum.Error
}

func (t *Throttled) Error() string { return t.err.Error() }

// Unwrap gives the *pactum.Error (resource_exhausted) that surfaces answer with.
func (t *Throttled) Unwrap() error { return t.err }

func throttled(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &Throttled{Wait: wait, err: pactum.Errorf(pactum.ETOOMANYREQUESTS,
		"too many failed sign-ins: wait %d seconds, then try again", secs)}
}

// Login is a signed-in user with the token of its new session, for the cookie.
type Login struct {
	Token   string
	Session pactum.Session
	User    pactum.User
}

// Login checks email and password, from the client at address, and opens a session. The answer
// to an unknown email takes as long as that to a wrong password (a password is verified against
// a dummy hash) and says the same, so that nobody learns which emails have accounts.
func (a *Accounts) Login(ctx context.Context, email, password, address string) (Login, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := a.now()
	if wait := max(a.byAccount.Wait(email, now), a.byAddress.Wait(address, now)); wait > 0 {
		return Login{}, throttled(wait)
	}
	fail := func() (Login, error) {
		a.byAccount.Fail(email, now)
		a.byAddress.Fail(address, now)
		return Login{}, ErrBadLogin
	}
	if len(password) > 4*MaxPassword {
		return fail() // no account has one: refused before it costs a hash of that size
	}
	u, err := a.store.UserByEmail(ctx, email)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		a.hasher.VerifyNothing(password)
		return fail()
	} else if err != nil {
		return Login{}, err
	}
	ok, rehash, err := a.hasher.Verify(u.PasswordHash, password)
	if err != nil {
		return Login{}, fmt.Errorf("user %d: %w", u.ID, err)
	}
	if !ok {
		return fail()
	}
	a.byAccount.Reset(email)
	if rehash {
		// Made with older parameters: made again with today's, now that the password is here.
		if err := a.store.SetPassword(ctx, u.ID, a.hasher.Hash(password), now); err != nil {
			a.logger.WarnContext(ctx, "auth: could not rehash a password", "user", u.ID, "err", err)
		}
	}
	return a.open(ctx, u, now)
}

// open makes a session for u.
func (a *Accounts) open(ctx context.Context, u pactum.User, now time.Time) (Login, error) {
	token, hash := NewToken()
	s := pactum.Session{Hash: hash, UserID: u.ID, Created: now, LastSeen: now, Expires: now.Add(a.max)}
	if err := a.store.CreateSession(ctx, &s); err != nil {
		return Login{}, err
	}
	return Login{Token: token, Session: s, User: u}, nil
}

// Session returns the live session of a cookie's token and its user, or ErrNoSession. A
// session past its idle or absolute expiry is deleted.
func (a *Accounts) Session(ctx context.Context, token string) (pactum.Session, pactum.User, error) {
	if token == "" {
		return pactum.Session{}, pactum.User{}, ErrNoSession
	}
	s, u, err := a.store.SessionByHash(ctx, HashToken(token))
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return s, u, ErrNoSession
	} else if err != nil {
		return s, u, err
	}
	now := a.now()
	if !now.Before(s.Expires) || now.Sub(s.LastSeen) >= a.idle {
		if err := a.store.DeleteSession(ctx, s.ID); err != nil {
			a.logger.WarnContext(ctx, "auth: could not delete an expired session", "session", s.ID, "err", err)
		}
		return pactum.Session{}, pactum.User{}, ErrNoSession
	}
	if now.Sub(s.LastSeen) >= touchEvery {
		if err := a.store.TouchSession(ctx, s.ID, now); err != nil {
			a.logger.WarnContext(ctx, "auth: could not record a session's use", "session", s.ID, "err", err)
		}
		s.LastSeen = now
	}
	return s, u, nil
}

// Logout ends the session of token; one that is gone already is no error.
func (a *Accounts) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	s, _, err := a.store.SessionByHash(ctx, HashToken(token))
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	return a.store.DeleteSession(ctx, s.ID)
}

// ErrInvitationGone is a link whose invitation is unknown, used or expired: one answer for all.
var ErrInvitationGone = pactum.Errorf(pactum.ENOTFOUND,
	"this invitation link is not valid: it was used already or has expired. Ask whoever invited you for a new one")

// Invitation returns the open invitation of a link's token, or ErrInvitationGone.
func (a *Accounts) Invitation(ctx context.Context, token string) (pactum.Invitation, error) {
	if token == "" {
		return pactum.Invitation{}, ErrInvitationGone
	}
	inv, err := a.store.InvitationByHash(ctx, HashToken(token))
	if pactum.ErrorCode(err) == pactum.ENOTFOUND || err == nil && (!inv.Accepted.IsZero() || !a.now().Before(inv.Expires)) {
		return pactum.Invitation{}, ErrInvitationGone
	}
	return inv, err
}

// Accept uses an invitation's token: it makes the account with password and signs it in.
func (a *Accounts) Accept(ctx context.Context, token, password string) (Login, error) {
	if _, err := a.Invitation(ctx, token); err != nil {
		return Login{}, err
	}
	if err := CheckNewPassword("password", password); err != nil {
		return Login{}, err
	}
	now := a.now()
	u, err := a.store.AcceptInvitation(ctx, HashToken(token), a.hasher.Hash(password), now)
	if pactum.ErrorCode(err) == pactum.ENOTFOUND {
		return Login{}, ErrInvitationGone
	} else if err != nil {
		return Login{}, err
	}
	return a.open(ctx, u, now)
}

// Sweep deletes the sessions that have expired, and returns how many.
func (a *Accounts) Sweep(ctx context.Context) (int64, error) {
	now := a.now()
	return a.store.DeleteExpiredSessions(ctx, now, now.Add(-a.idle))
}
