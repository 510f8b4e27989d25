package web

import (
	"net/http"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/live"
)

// liveFeed serves the dashboards' live feed (GET /console/live, /portal/live): the API's
// stream of clicks, conversions and commissions (live.Serve, as GET /api/v1/stream answers it),
// signed in by the session's cookie instead of a key and scoped to the session's caller. The
// browser's EventSource resumes with Last-Event-ID after a drop, and is signed in again on
// every reconnection, so an ended session ends its feed.
func (s *Server) liveFeed(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if s.stream == nil {
		return pactum.Errorf(pactum.EUNAVAILABLE, "the live feed is not served by this process")
	}
	from, resume, err := live.ParseCursor(r.Header.Get("Last-Event-ID"))
	if err != nil {
		return err
	}
	sw := &started{ResponseWriter: w}
	err = live.Serve(r.Context(), sw, s.stream, v.Caller, from, resume)
	if err != nil && sw.wrote {
		// The stream had begun: no error page can follow it. The browser reconnects.
		s.logger.ErrorContext(r.Context(), "web: live feed failed", "err", err)
		return nil
	}
	return err
}

// started tells whether an answer has begun.
type started struct {
	http.ResponseWriter
	wrote bool
}

func (s *started) WriteHeader(code int) {
	s.wrote = true
	s.ResponseWriter.WriteHeader(code)
}

func (s *started) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the connection's writer, for flushes and deadlines.
func (s *started) Unwrap() http.ResponseWriter { return s.ResponseWriter }
