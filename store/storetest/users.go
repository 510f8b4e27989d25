package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/pactum/pactum"
)

func userID(u pactum.User) int64             { return u.ID }
func invitationID(i pactum.Invitation) int64 { return i.ID }

func testUsers(t *testing.T, s pactum.Store) {
	adv := newAdvertiser(t, s, "Shop")
	anna := newPartner(t, s, "anna")
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

	admin := pactum.User{Email: "Boss@Example.com", PasswordHash: "$argon2id$x", Role: pactum.RoleAdmin, CreatedAt: t0}
	partner := pactum.User{Email: "anna@example.com", PasswordHash: "$argon2id$y", Role: pactum.RolePartner, PartnerID: anna.ID, CreatedAt: t0}
	advertiser := pactum.User{Email: "shop@example.com", PasswordHash: "$argon2id$z", Role: pactum.RoleAdvertiser, AdvertiserID: adv.ID, CreatedAt: t0}
	for _, u := range []*pactum.User{&admin, &partner, &advertiser} {
		must(t, s.CreateUser(ctx, u))
		wantStamped(t, "CreatedAt", u.CreatedAt)
		wantEqual(t, "UpdatedAt", u.UpdatedAt, u.CreatedAt)
	}
	if admin.Email != "boss@example.com" {
		t.Fatalf("email stored as %q, want lower case", admin.Email)
	}
	for _, u := range []pactum.User{admin, partner, advertiser} {
		got, err := s.User(ctx, u.ID)
		must(t, err)
		wantEqual(t, "User", got, u)
	}
	got, err := s.UserByEmail(ctx, "BOSS@example.COM")
	must(t, err)
	wantEqual(t, "UserByEmail in another case", got, admin)
	_, err = s.UserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, err = s.User(ctx, advertiser.ID+10)
	wantCode(t, err, pactum.ENOTFOUND, "")

	wantCode(t, s.CreateUser(ctx, &pactum.User{Email: "ANNA@example.com", PasswordHash: "h", Role: pactum.RoleAdmin}), pactum.ECONFLICT, "email")
	wantCode(t, s.CreateUser(ctx, &pactum.User{Email: "ghost@example.com", PasswordHash: "h", Role: pactum.RolePartner, PartnerID: anna.ID + 100}), pactum.EINVALID, "partner_id")
	wantCode(t, s.CreateUser(ctx, &pactum.User{Email: "ghost@example.com", PasswordHash: "h", Role: pactum.RoleAdvertiser, AdvertiserID: adv.ID + 100}), pactum.EINVALID, "advertiser_id")

	all, err := s.ListUsers(ctx, pactum.Page{})
	must(t, err)
	wantEqual(t, "ListUsers", ids(all, userID), []int64{admin.ID, partner.ID, advertiser.ID})
	wantEqual(t, "ListUsers one by one", pageAll(t, func(p pactum.Page) ([]pactum.User, error) { return s.ListUsers(ctx, p) }, userID),
		[]int64{admin.ID, partner.ID, advertiser.ID})

	t1 := t0.Add(time.Hour)
	must(t, s.SetPassword(ctx, partner.ID, "$argon2id$new", t1))
	got, err = s.User(ctx, partner.ID)
	must(t, err)
	if got.PasswordHash != "$argon2id$new" || !got.UpdatedAt.Equal(t1) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("after SetPassword: %+v", got)
	}
	wantCode(t, s.SetPassword(ctx, advertiser.ID+10, "h", t1), pactum.ENOTFOUND, "")

	// Removing a user ends its sessions; its id is not given out again.
	sess := pactum.Session{Hash: hash("tok-adv"), UserID: advertiser.ID, Created: t0, LastSeen: t0, Expires: t0.Add(24 * time.Hour)}
	must(t, s.CreateSession(ctx, &sess))
	must(t, s.DeleteUser(ctx, advertiser.ID))
	_, _, err = s.SessionByHash(ctx, hash("tok-adv"))
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.DeleteUser(ctx, advertiser.ID), pactum.ENOTFOUND, "")
	again := pactum.User{Email: "shop@example.com", PasswordHash: "h", Role: pactum.RoleAdmin}
	must(t, s.CreateUser(ctx, &again))
	if again.ID <= advertiser.ID {
		t.Fatalf("new user got id %d after %d was deleted: ids are reused", again.ID, advertiser.ID)
	}
}

func testSessions(t *testing.T, s pactum.Store) {
	u := pactum.User{Email: "boss@example.com", PasswordHash: "h", Role: pactum.RoleAdmin}
	must(t, s.CreateUser(ctx, &u))
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := pactum.Session{Hash: hash("tok-a"), UserID: u.ID, Created: t0, LastSeen: t0, Expires: t0.Add(24 * time.Hour)}
	b := pactum.Session{Hash: hash("tok-b"), UserID: u.ID, Created: t0, LastSeen: t0, Expires: t0.Add(time.Hour)}
	must(t, s.CreateSession(ctx, &a))
	must(t, s.CreateSession(ctx, &b))
	got, gotUser, err := s.SessionByHash(ctx, hash("tok-a"))
	must(t, err)
	wantEqual(t, "SessionByHash", got, a)
	wantEqual(t, "SessionByHash user", gotUser, u)
	_, _, err = s.SessionByHash(ctx, hash("tok-x"))
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, _, err = s.SessionByHash(ctx, nil)
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.CreateSession(ctx, &pactum.Session{Hash: hash("tok-a"), UserID: u.ID, Expires: t0}), pactum.ECONFLICT, "token")
	wantCode(t, s.CreateSession(ctx, &pactum.Session{Hash: hash("tok-c"), UserID: u.ID + 5, Expires: t0}), pactum.EINVALID, "user_id")

	t1 := t0.Add(30 * time.Minute)
	must(t, s.TouchSession(ctx, a.ID, t1))
	got, _, err = s.SessionByHash(ctx, hash("tok-a"))
	must(t, err)
	wantEqual(t, "LastSeen", got.LastSeen, t1)

	// Sweeping at t0+2h with a 1 h idle limit: b is past its absolute expiry; a was seen at t1,
	// more than an hour before, so it goes too unless touched.
	must(t, s.TouchSession(ctx, a.ID, t0.Add(90*time.Minute)))
	n, err := s.DeleteExpiredSessions(ctx, t0.Add(2*time.Hour), t0.Add(time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, want 1", n)
	}
	_, _, err = s.SessionByHash(ctx, hash("tok-b"))
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, _, err = s.SessionByHash(ctx, hash("tok-a"))
	must(t, err)

	must(t, s.DeleteSession(ctx, a.ID))
	must(t, s.DeleteSession(ctx, a.ID)) // logging out twice is no error
	_, _, err = s.SessionByHash(ctx, hash("tok-a"))
	wantCode(t, err, pactum.ENOTFOUND, "")

	for _, tok := range []string{"tok-d", "tok-e"} {
		must(t, s.CreateSession(ctx, &pactum.Session{Hash: hash(tok), UserID: u.ID, Created: t0, LastSeen: t0, Expires: t0.Add(time.Hour)}))
	}
	must(t, s.DeleteUserSessions(ctx, u.ID))
	for _, tok := range []string{"tok-d", "tok-e"} {
		_, _, err = s.SessionByHash(ctx, hash(tok))
		wantCode(t, err, pactum.ENOTFOUND, "")
	}
}

func testInvitations(t *testing.T, s pactum.Store) {
	anna := newPartner(t, s, "anna")
	boss := pactum.User{Email: "boss@example.com", PasswordHash: "h", Role: pactum.RoleAdmin}
	must(t, s.CreateUser(ctx, &boss))
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	inv := pactum.Invitation{Hash: hash("inv-1"), Email: "Anna@Example.com", Role: pactum.RolePartner, PartnerID: anna.ID,
		CreatedBy: boss.ID, Created: t0, Expires: t0.Add(7 * 24 * time.Hour)}
	must(t, s.CreateInvitation(ctx, &inv))
	if inv.ID <= 0 || inv.Email != "anna@example.com" {
		t.Fatalf("created invitation %+v", inv)
	}
	got, err := s.InvitationByHash(ctx, hash("inv-1"))
	must(t, err)
	wantEqual(t, "InvitationByHash", got, inv)
	_, err = s.InvitationByHash(ctx, hash("inv-x"))
	wantCode(t, err, pactum.ENOTFOUND, "")
	wantCode(t, s.CreateInvitation(ctx, &pactum.Invitation{Hash: hash("inv-2"), Email: "x@example.com", Role: pactum.RolePartner,
		PartnerID: anna.ID + 9, Expires: t0}), pactum.EINVALID, "partner_id")
	cli := pactum.Invitation{Hash: hash("inv-3"), Email: "ops@example.com", Role: pactum.RoleAdmin, Created: t0, Expires: t0.Add(time.Hour)}
	must(t, s.CreateInvitation(ctx, &cli))
	list, err := s.ListInvitations(ctx, pactum.Page{})
	must(t, err)
	wantEqual(t, "ListInvitations", ids(list, invitationID), []int64{inv.ID, cli.ID})

	// Expired: refused, nothing made.
	_, err = s.AcceptInvitation(ctx, hash("inv-3"), "$argon2id$p", t0.Add(time.Hour))
	wantCode(t, err, pactum.ENOTFOUND, "")
	_, err = s.UserByEmail(ctx, "ops@example.com")
	wantCode(t, err, pactum.ENOTFOUND, "")

	// Accepted once, by one of two at the same moment.
	at := t0.Add(time.Hour)
	var wg sync.WaitGroup
	users := make([]pactum.User, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { users[i], errs[i] = s.AcceptInvitation(ctx, hash("inv-1"), "$argon2id$p", at) })
	}
	wg.Wait()
	won := 0
	for i := range 2 {
		if errs[i] == nil {
			won = i
		} else {
			wantCode(t, errs[i], pactum.ENOTFOUND, "")
		}
	}
	if errs[0] == nil && errs[1] == nil || errs[0] != nil && errs[1] != nil {
		t.Fatalf("two accepts of one invitation: %v, %v; want exactly one to succeed", errs[0], errs[1])
	}
	u := users[won]
	if u.Email != "anna@example.com" || u.Role != pactum.RolePartner || u.PartnerID != anna.ID || u.PasswordHash != "$argon2id$p" {
		t.Fatalf("accepted user %+v", u)
	}
	stored, err := s.UserByEmail(ctx, "anna@example.com")
	must(t, err)
	wantEqual(t, "accepted user", stored, u)
	got, err = s.InvitationByHash(ctx, hash("inv-1"))
	must(t, err)
	wantEqual(t, "Accepted", got.Accepted, at)

	// An invitation for an email that has an account by now: a conflict, and it stays unused.
	dup := pactum.Invitation{Hash: hash("inv-4"), Email: "ANNA@example.com", Role: pactum.RoleAdmin, Created: t0, Expires: t0.Add(48 * time.Hour)}
	must(t, s.CreateInvitation(ctx, &dup))
	_, err = s.AcceptInvitation(ctx, hash("inv-4"), "h", at)
	wantCode(t, err, pactum.ECONFLICT, "email")
	got, err = s.InvitationByHash(ctx, hash("inv-4"))
	must(t, err)
	if !got.Accepted.IsZero() {
		t.Fatal("a refused accept marked the invitation used")
	}
	must(t, s.DeleteInvitation(ctx, dup.ID))
	wantCode(t, s.DeleteInvitation(ctx, dup.ID), pactum.ENOTFOUND, "")
	_, err = s.AcceptInvitation(ctx, hash("inv-4"), "h", at)
	wantCode(t, err, pactum.ENOTFOUND, "")
}
