package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"slices"
	"time"
)

// The OpenAPI 3.1 description of /api/v1 (SPEC section 8) is openapi.json, kept by hand and
// embedded so that the binary serves the contract it was built and tested with. Two tests keep
// it true: TestOpenAPIRoutes (every route Register mounts is described, and every described
// operation is mounted) and the scenario tests, whose every request and answer api/apitest
// checks against it.
//
// To add a route: mount it in Register as usual (a.handle records its pattern), then describe
// it in openapi.json under paths, with the same path ({id} is the same in both) and method, an
// operationId, its parameters and request body, and every status it answers. Reuse what is in
// components: parameters (Limit, Cursor, the *IDFilter, From, To), responses (BadRequest,
// Unauthorized, Forbidden, NotFound, Conflict, FailedPrecondition, InternalError, Unavailable;
// every authenticated operation answers 401, 500 and 503), and schemas (ID, Money and
// MoneyInCurrency for an object with a currency, List for a list, Error). A resource answers a
// fixed set of fields: close its schema with additionalProperties false and list its required
// ones, so that the tests notice when an answer changes shape. An endpoint that is not JSON
// (server-sent events, a file) names its media type under content.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPIETag identifies this build's document, so that clients and caches can revalidate
// rather than fetch it again.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPIDoc)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}()

// OpenAPI returns the OpenAPI document that GET /api/v1/openapi.json serves.
func OpenAPI() []byte {
	return bytes.Clone(openAPIDoc)
}

// Routes returns the patterns Register mounted, such as "GET /api/v1/offers/{id}", in the order
// it mounted them. The catch-all that answers unknown paths with 404 is not a route.
func (a *API) Routes() []string {
	return slices.Clone(a.routes)
}

// registerOpenAPI mounts the document. It needs no key: it describes the public contract, and
// tools (client generators, API explorers) fetch it before they have one.
func (a *API) registerOpenAPI(mux *http.ServeMux) {
	const pattern = "GET /api/v1/openapi.json"
	a.routes = append(a.routes, pattern)
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("ETag", openAPIETag)
		// An hour of freshness, then revalidation with the ETag: a new release serves a new
		// document, which clients see within the hour.
		h.Set("Cache-Control", "public, max-age=3600")
		// ServeContent answers If-None-Match with 304, and HEAD and ranges as usual.
		http.ServeContent(w, r, "openapi.json", time.Time{}, bytes.NewReader(openAPIDoc))
	})
}
