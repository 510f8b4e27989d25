package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/program"
)

type invitationData struct {
	Form       *form
	Invitation pactum.Invitation
}

// invitationPage shows the form that sets an invited user's password.
func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	inv, err := s.accounts.Invitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.invitationGone(w, r, v, err)
	}
	s.render(w, r, v, http.StatusOK, "invitation", "Set your password", invitationData{Form: newForm(nil), Invitation: inv})
	return nil
}

// acceptInvitation makes the account, signs it in and sends it home.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	token := r.PathValue("token")
	inv, err := s.accounts.Invitation(r.Context(), token)
	if err != nil {
		return s.invitationGone(w, r, v, err)
	}
	l, err := s.accounts.Accept(r.Context(), token, f.Get("password"))
	if err != nil {
		if err == auth.ErrInvitationGone {
			return s.invitationGone(w, r, v, err)
		}
		f.Values.Set("password", "")
		if err := f.fail(err, nil); err != nil {
			return err
		}
		s.render(w, r, v, f.Status, "invitation", "Set your password", invitationData{Form: f, Invitation: inv})
		return nil
	}
	caller, err := s.signIn(w, r, v, l)
	if err != nil {
		return err
	}
	s.redirect(w, r, home(caller), "Welcome to Pactum. Your password is set: sign in with "+l.User.Email+" from now on.")
	return nil
}

func (s *Server) invitationGone(w http.ResponseWriter, r *http.Request, v *viewer, err error) error {
	if err != auth.ErrInvitationGone {
		return err
	}
	s.renderError(w, r, v, http.StatusNotFound, pactum.ErrorMessage(err)+".")
	return nil
}

// callerOf is the Caller a user acts as.
func callerOf(u pactum.User) (program.Caller, error) {
	return program.NewCaller(u.Role, u.PartnerID, u.AdvertiserID)
}

func retryAfter(th *auth.Throttled) string {
	return strconv.Itoa(int((th.Wait + time.Second - 1) / time.Second))
}
