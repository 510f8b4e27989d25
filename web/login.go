package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/program"
)

type loginData struct {
	Form *form
	Next string
}

// loginPage shows the login form; a signed-in user goes on to where it was going.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, v *viewer) error {
	next := localPath(r.URL.Query().Get("next"))
	if v != nil {
		http.Redirect(w, r, orHome(next, v), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, nil, http.StatusOK, "login", "Sign in", loginData{Form: newForm(nil), Next: next})
	return nil
}

// login checks the email and password and opens a session. A wrong password and an unknown
// email get the same answer; too many failures get 429 with Retry-After.
func (s *Server) login(w http.ResponseWriter, r *http.Request, v *viewer) error {
	f, err := readForm(r)
	if err != nil {
		return err
	}
	next := localPath(f.Get("next"))
	l, err := s.accounts.Login(r.Context(), f.Get("email"), f.Get("password"), s.clientAddress(r))
	if err != nil {
		var th *auth.Throttled
		switch {
		case errors.As(err, &th):
			f.Status = http.StatusTooManyRequests
			f.Problem = pactum.ErrorMessage(err)
			w.Header().Set("Retry-After", retryAfter(th))
		case errors.Is(err, auth.ErrBadLogin):
			f.Status = http.StatusUnauthorized
			f.Problem = "Wrong email or password. Check both and try again."
		default:
			return err
		}
		f.Values.Del("password")
		s.render(w, r, nil, f.Status, "login", "Sign in", loginData{Form: f, Next: next})
		return nil
	}
	caller, err := s.signIn(w, r, v, l)
	if err != nil {
		return err
	}
	http.Redirect(w, r, orHome(next, &viewer{Caller: caller}), http.StatusSeeOther)
	return nil
}

// signIn gives the browser l's session, ending the one it had (someone else may have been
// signed in on it), and returns the Caller the user acts as.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, v *viewer, l auth.Login) (program.Caller, error) {
	if v != nil {
		s.accounts.Logout(r.Context(), v.token) //nolint:errcheck // the old session expires anyway
	}
	s.setSession(w, r, l)
	return callerOf(l.User)
}

// localPath returns next if it is a path on this site, else "": a link that signs in and then
// sends the user to another site is how phishing starts (an open redirect).
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

// orHome is next, or the user's home when there is none.
func orHome(next string, v *viewer) string {
	if next == "" || next == "/" || next == "/login" {
		return home(v.Caller)
	}
	return next
}
