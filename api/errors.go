package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/pactum/pactum/answer"
)

// writeError answers err in the SPEC's shape with the status of its code (package answer);
// internal errors are logged and shown only as "internal error".
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	f := answer.Of(r.Context(), err)
	switch {
	case f.Internal:
		a.logger.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case f.Status == http.StatusServiceUnavailable && r.Context().Err() != nil:
		// The client hung up (or half-closed its side), and the store call it started saw its
		// context end: nothing went wrong here.
		a.logger.InfoContext(r.Context(), "api: request canceled by the client", "method", r.Method, "path", r.URL.Path)
	}
	answer.WriteError(w, f.Status, f.Err)
}

// writeJSON answers v as JSON. HTML escaping is off because answers are JSON, never HTML, and
// URLs with "&" stay readable.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer putJSONBuffer(buf)
	if a, ok := v.(jsonAppender); ok {
		buf.Write(a.appendJSON(buf.AvailableBuffer()))
		buf.WriteByte('\n')
		answer.WriteJSON(w, status, buf.Bytes())
		return
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own view types are encoded here, so this is a programming error.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error"}}` + "\n")
	}
	answer.WriteJSON(w, status, buf.Bytes())
}

// jsonAppender is a view that encodes itself, as encoding/json would, without reflection
// (conversion_json.go).
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// jsonBuffers keeps the buffers answers are encoded into: every answer of the conversion path
// would otherwise grow a new one, a few kilobytes in several steps, for the collector to take.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept: a long list's answer is not held for the small
// ones after it.
const maxPooledBuffer = 64 << 10

func putJSONBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuffer {
		buf.Reset()
		jsonBuffers.Put(buf)
	}
}
