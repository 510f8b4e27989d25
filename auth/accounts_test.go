package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/store/sqlite/sqlitetest"
)

var cheap = auth.Hasher{Params: auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}

// clock is a settable time for the tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T) (*auth.Accounts, pactum.Store, *clock) {
	t.Helper()
	st := sqlitetest.Open(t)
	c := &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	a := auth.NewAccounts(auth.Config{Store: st, Hasher: cheap, Idle: time.Hour, Max: 8 * time.Hour, Now: c.now})
	u := pactum.User{Email: "boss@example.com", PasswordHash: cheap.Hash("right password"), Role: pactum.RoleAdmin}
	if err := st.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return a, st, c
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	a, _, c := setup(t)
	tests := []struct {
		name, email, password string
		code                  string
	}{
		{"right", "boss@example.com", "right password", ""},
		{"email in another case, with spaces", "  BOSS@example.com ", "right password", ""},
		{"wrong password", "boss@example.com", "wrong password", pactum.EUNAUTHORIZED},
		{"unknown email", "nobody@example.com", "right password", pactum.EUNAUTHORIZED},
		{"huge password", "boss@example.com", strings.Repeat("x", 5000), pactum.EUNAUTHORIZED},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := a.Login(ctx, tt.email, tt.password, "192.0.2.1")
			if pactum.ErrorCode(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Fatalf("Login error = %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				// A wrong password and an unknown email get the very same answer.
				if err != auth.ErrBadLogin {
					t.Fatalf("error %v, want ErrBadLogin", err)
				}
				return
			}
			if l.Token == "" || l.User.Email != "boss@example.com" || !l.Session.Expires.Equal(c.t.Add(8*time.Hour)) {
				t.Fatalf("login %+v", l)
			}
			_ = i
		})
	}
}

func TestLoginThrottle(t *testing.T) {
	ctx := context.Background()
	a, _, c := setup(t)
	for i := range 5 {
		if _, err := a.Login(ctx, "boss@example.com", "guess", "192.0.2.1"); err != auth.ErrBadLogin {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// The sixth failure starts the waits: even the right password must wait now.
	a.Login(ctx, "boss@example.com", "guess", "192.0.2.1")
	_, err := a.Login(ctx, "boss@example.com", "right password", "192.0.2.1")
	var th *auth.Throttled
	if !errors.As(err, &th) || th.Wait != time.Second || pactum.ErrorCode(err) != pactum.ETOOMANYREQUESTS {
		t.Fatalf("after 6 failures: %v, want a 1 s wait (resource_exhausted)", err)
	}
	// The account's throttle holds from another address too.
	if _, err := a.Login(ctx, "boss@example.com", "right password", "198.51.100.9"); !errors.As(err, &th) {
		t.Fatalf("from another address: %v, want throttled", err)
	}
	c.t = c.t.Add(time.Second)
	if _, err := a.Login(ctx, "boss@example.com", "right password", "192.0.2.1"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// A success forgets the account's failures.
	if _, err := a.Login(ctx, "boss@example.com", "guess", "192.0.2.2"); err != auth.ErrBadLogin {
		t.Fatalf("after success, a failure: %v", err)
	}

	// An address that tries many emails is throttled after 20 failures, whatever the email.
	for i := range 21 {
		a.Login(ctx, "user"+string(rune('a'+i))+"@example.com", "guess", "203.0.113.5")
	}
	if _, err := a.Login(ctx, "someone-new@example.com", "guess", "203.0.113.5"); !errors.As(err, &th) {
		t.Fatalf("address after 21 failures: %v, want throttled", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	a, st, c := setup(t)
	start := c.t
	l, err := a.Login(ctx, "boss@example.com", "right password", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, u, err := a.Session(ctx, l.Token); err != nil || u.Email != "boss@example.com" {
		t.Fatalf("Session = %v, %v", u, err)
	}
	// Used every 50 minutes: alive past the 1 h idle limit, until the 8 h absolute one.
	for c.t = start.Add(50 * time.Minute); c.t.Before(start.Add(8 * time.Hour)); c.t = c.t.Add(50 * time.Minute) {
		if _, _, err := a.Session(ctx, l.Token); err != nil {
			t.Fatalf("at %v: %v", c.t.Sub(start), err)
		}
	}
	c.t = start.Add(8 * time.Hour)
	if _, _, err := a.Session(ctx, l.Token); err != auth.ErrNoSession {
		t.Fatalf("at the absolute expiry: %v", err)
	}
	if _, _, err := st.SessionByHash(ctx, auth.HashToken(l.Token)); pactum.ErrorCode(err) != pactum.ENOTFOUND {
		t.Fatalf("expired session still stored: %v", err)
	}

	// Idle for an hour: ended.
	l, _ = a.Login(ctx, "boss@example.com", "right password", "192.0.2.1")
	c.t = c.t.Add(time.Hour)
	if _, _, err := a.Session(ctx, l.Token); err != auth.ErrNoSession {
		t.Fatalf("after an idle hour: %v", err)
	}
	for _, tok := range []string{"", "made-up", l.Token + "x"} {
		if _, _, err := a.Session(ctx, tok); err != auth.ErrNoSession {
			t.Fatalf("Session(%q) = %v", tok, err)
		}
	}
}

func TestLogout(t *testing.T) {
	ctx := context.Background()
	a, _, _ := setup(t)
	l, _ := a.Login(ctx, "boss@example.com", "right password", "192.0.2.1")
	other, _ := a.Login(ctx, "boss@example.com", "right password", "192.0.2.1")
	if err := a.Logout(ctx, l.Token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Session(ctx, l.Token); err != auth.ErrNoSession {
		t.Fatalf("after logout: %v", err)
	}
	if _, _, err := a.Session(ctx, other.Token); err != nil {
		t.Fatalf("logout ended another session: %v", err)
	}
	if err := a.Logout(ctx, l.Token); err != nil {
		t.Fatalf("logging out twice: %v", err)
	}
}

func TestSweep(t *testing.T) {
	ctx := context.Background()
	a, _, c := setup(t)
	a.Login(ctx, "boss@example.com", "right password", "192.0.2.1")
	c.t = c.t.Add(2 * time.Hour)
	if n, err := a.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1", n, err)
	}
}

func TestRehashOnLogin(t *testing.T) {
	ctx := context.Background()
	a, st, _ := setup(t)
	old := auth.Hasher{Params: auth.Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	u, _ := st.UserByEmail(ctx, "boss@example.com")
	if err := st.SetPassword(ctx, u.ID, old.Hash("right password"), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Login(ctx, "boss@example.com", "right password", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	u, _ = st.UserByEmail(ctx, "boss@example.com")
	if !strings.Contains(u.PasswordHash, "m=64,") {
		t.Fatalf("hash %q was not remade with the current parameters", u.PasswordHash)
	}
}

func TestAcceptInvitation(t *testing.T) {
	ctx := context.Background()
	a, st, c := setup(t)
	p := pactum.Partner{Name: "Anna", Email: "anna@example.com", Kind: "influencer", Status: "active", Currency: "EUR", PayoutMethod: "manual"}
	if err := st.CreatePartner(ctx, &p); err != nil {
		t.Fatal(err)
	}
	token, hash := auth.NewToken()
	inv := pactum.Invitation{Hash: hash, Email: "anna@example.com", Role: pactum.RolePartner, PartnerID: p.ID, Created: c.t, Expires: c.t.Add(48 * time.Hour)}
	if err := st.CreateInvitation(ctx, &inv); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Invitation(ctx, token); err != nil {
		t.Fatalf("open invitation: %v", err)
	}
	if _, err := a.Accept(ctx, token, "short"); pactum.ErrorField(err) != "password" {
		t.Fatalf("short password: %v, want an error on password", err)
	}
	l, err := a.Accept(ctx, token, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if l.User.Role != pactum.RolePartner || l.User.PartnerID != p.ID || l.Token == "" {
		t.Fatalf("accepted: %+v", l)
	}
	if _, err := a.Accept(ctx, token, "another password here"); err != auth.ErrInvitationGone {
		t.Fatalf("second accept: %v", err)
	}
	if _, err := a.Login(ctx, "anna@example.com", "a long enough password", "192.0.2.1"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
	// Expired links are gone too.
	token2, hash2 := auth.NewToken()
	st.CreateInvitation(ctx, &pactum.Invitation{Hash: hash2, Email: "late@example.com", Role: pactum.RoleAdmin, Created: c.t, Expires: c.t.Add(time.Hour)})
	c.t = c.t.Add(time.Hour)
	if _, err := a.Invitation(ctx, token2); err != auth.ErrInvitationGone {
		t.Fatalf("expired invitation: %v", err)
	}
}
