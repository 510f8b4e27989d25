package edge

import (
	_ "embed"
	"net/http"
	"strconv"
)

// Header values shared by every answer. net/http copies header maps before writing them, and
// nothing appends to these in place, so one slice serves all requests.
var (
	noStore        = []string{"no-store"}
	htmlType       = []string{"text/html; charset=utf-8"}
	textType       = []string{"text/plain; charset=utf-8"}
	gifType        = []string{"image/gif"}
	noSniff        = []string{"nosniff"}
	retryAfter     = []string{"1"}
	notFoundLength = []string{strconv.Itoa(len(notFoundPage))}
	gifLength      = []string{strconv.Itoa(len(pixelGIF))}
	busyLength     = []string{strconv.Itoa(len(busyBody))}
)

//go:embed notfound.html
var notFoundPage []byte

// pixelGIF is a 1x1 transparent GIF89a.
var pixelGIF = []byte{
	'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff,
	0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b,
}

var busyBody = []byte("Tracking is briefly unavailable. Please try again in a moment.\n")

// notFound answers the page for a link that is not valid. It names no URL: nothing from the
// request may become a place to go.
func notFound(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = htmlType
	h["Content-Length"] = notFoundLength
	h["Cache-Control"] = noStore
	h["X-Content-Type-Options"] = noSniff
	w.WriteHeader(http.StatusNotFound)
	w.Write(notFoundPage) //nolint:errcheck // the visitor has gone; nothing to do
}

// unavailable answers 503 with Retry-After, for a click that could not be made durable or a
// server at its limit of requests in flight.
func unavailable(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = textType
	h["Content-Length"] = busyLength
	h["Cache-Control"] = noStore
	h["Retry-After"] = retryAfter
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write(busyBody) //nolint:errcheck // the visitor has gone; nothing to do
}

func writeGIF(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = gifType
	h["Content-Length"] = gifLength
	h["Cache-Control"] = noStore
	w.WriteHeader(http.StatusOK)
	w.Write(pixelGIF) //nolint:errcheck // the visitor has gone; nothing to do
}
