package web

import "net/http"

// logout ends the session (the store deletes it, so the old cookie signs nobody in again) and
// clears the cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v != nil {
		if err := s.accounts.Logout(r.Context(), v.token); err != nil {
			return err
		}
	}
	s.clearSession(w, r)
	s.redirect(w, r, "/login", "You are signed out.")
	return nil
}
