package edge

import (
	_ "embed"
	"net/http"
	"strconv"
)

// sdkJS is the direct-linking script (sdk.js): for offers whose partners link straight to the
// shop, it keeps the click id from the landing URL in a first-party cookie and reports
// conversions to /pixel with it.
//
//go:embed sdk.js
var sdkJS []byte

var (
	jsType       = []string{"application/javascript; charset=utf-8"}
	sdkCache     = []string{"public, max-age=3600"}
	sdkLength    = []string{strconv.Itoa(len(sdkJS))}
	allowAnyHost = []string{"*"}
)

// serveSDK answers the script. An hour of caching keeps shops' pages fast and still lets a new
// version reach them the same day.
func serveSDK(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h["Content-Type"] = jsType
	h["Content-Length"] = sdkLength
	h["Cache-Control"] = sdkCache
	h["X-Content-Type-Options"] = noSniff
	// Shops load it from their own pages; nothing in it is private.
	h["Access-Control-Allow-Origin"] = allowAnyHost
	w.WriteHeader(http.StatusOK)
	w.Write(sdkJS) //nolint:errcheck // the visitor has gone; nothing to do
}
