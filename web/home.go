package web

import "net/http"

// home sends a signed-in user to the first page of its area, and anyone else to the login.
func (s *Server) home(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if v == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, home(v.Caller), http.StatusSeeOther)
	return nil
}
