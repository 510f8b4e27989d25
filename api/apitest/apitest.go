// Package apitest checks HTTP exchanges with the API against its OpenAPI document
// (api/openapi.json), so that tests that drive the API also keep the document true: a request
// the document refuses must not succeed, and every answer must be one the document describes,
// field by field.
//
// Only tests import this package. It brings in kin-openapi and the JSON Schema validator that
// kin-openapi uses (santhosh-tekuri/jsonschema), libraries for tests that must not enter the
// binary; cmd/pactum's TestBinaryLeavesOutTestLibraries checks that they do not. It lives here
// rather than in a _test.go file so that the API's scenario tests and the end-to-end tests of
// cmd/pactum share one checker.
package apitest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pactum/pactum/api"
)

// Handler returns next with every request it serves, and the answer, checked against the
// document: a mismatch fails t, naming the operation and the field.
func Handler(t testing.TB, next http.Handler) http.Handler {
	c := load(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := readAll(t, &r.Body)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		if err := c.check(r, body, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
			t.Errorf("OpenAPI: %v", err)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// Transport returns a RoundTripper that sends requests with next (http.DefaultTransport when
// nil) and checks each request and its answer as Handler does, for tests of a running server.
func Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{t: t, c: load(t), next: next}
}

type roundTripper struct {
	t    testing.TB
	c    *contract
	next http.RoundTripper
}

func (rt roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	body := readAll(rt.t, &r.Body)
	resp, err := rt.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	answer := readAll(rt.t, &resp.Body)
	if err := rt.c.check(r, body, resp.StatusCode, resp.Header, answer); err != nil {
		rt.t.Errorf("OpenAPI: %v", err)
	}
	return resp, nil
}

// readAll reads *body and puts back a reader of the same bytes, for the next reader.
func readAll(t testing.TB, body *io.ReadCloser) []byte {
	if *body == nil || *body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(*body)
	if err != nil {
		t.Fatalf("OpenAPI check: reading a body: %v", err)
	}
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b
}

// contract is the loaded document and the operations it describes.
type contract struct {
	doc *openapi3.T
	// mux finds a request's operation with the API's own matching rules (Go's ServeMux, whose
	// {name} wildcards are OpenAPI's path templates): routes holds each operation by pattern.
	mux    *http.ServeMux
	routes map[string]*routers.Route
	// Bodies are checked with the JSON Schema 2020-12 validator that kin-openapi uses, but with
	// each schema compiled once: kin-openapi compiles a schema on every validation, which made
	// the API's tests take 70% more CPU. kin-openapi checks the rest (parameters, security,
	// statuses, headers).
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema // by JSON pointer into the document
}

// docURL names the document for the JSON Schema compiler; it is never fetched.
const docURL = "https://pactum.invalid/api/v1/openapi.json"

var loaded = sync.OnceValues(func() (*contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("loading api/openapi.json: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("api/openapi.json is not a valid OpenAPI document: %w", err)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI()))
	if err != nil {
		return nil, err
	}
	c := &contract{doc: doc, mux: http.NewServeMux(), routes: map[string]*routers.Route{},
		compiler: jsonschema.NewCompiler(), compiled: map[string]*jsonschema.Schema{}}
	c.compiler.DefaultDraft(jsonschema.Draft2020)
	c.compiler.AssertFormat()
	if err := c.compiler.AddResource(docURL, raw); err != nil {
		return nil, err
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			pattern := method + " " + path
			c.routes[pattern] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
			c.mux.Handle(pattern, http.NotFoundHandler()) // only its pattern is used
		}
	}
	return c, nil
})

func load(t testing.TB) *contract {
	t.Helper()
	c, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Document returns the loaded document, for tests that look at it as a whole.
func Document(t testing.TB) *openapi3.T {
	t.Helper()
	return load(t).doc
}

// options are the validator's settings: a status the operation does not describe is an error,
// and the bearer scheme is checked for the form of its header only (the API checks the key).
var options = &openapi3filter.Options{
	IncludeResponseStatus: true,
	MultiError:            true,
	SkipSettingDefaults:   true,
	ExcludeRequestBody:    true, // checkBody
	ExcludeResponseBody:   true,
	AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
		scheme, key, _ := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
			return errors.New(`no "Authorization: Bearer <key>" header`)
		}
		return nil
	},
}

// check returns what in one exchange the document does not allow, or nil. A request the
// document refuses may be answered with an error (tests send bad requests on purpose), but not
// with a success: then the API accepts what its contract says it does not.
func (c *contract) check(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	if r.Method == http.MethodHead {
		return nil // a GET's answer without its body: nothing to check that GET does not
	}
	route, params := c.find(r)
	what := r.Method + " " + r.URL.RequestURI()
	if route == nil {
		// Not an operation: the API's catch-all answers 404 in the error shape.
		if status != http.StatusNotFound {
			return fmt.Errorf("%s is not described, yet was answered %d", what, status)
		}
		if p := c.validate("/components/schemas/Error", "application/json", body); p != "" {
			return fmt.Errorf("%s (no operation) answered 404 not in the error shape: %s", what, p)
		}
		return nil
	}
	what += " (" + route.Operation.OperationID + ")"
	ctx := context.Background()
	op := "/paths/" + pointerToken(route.Path) + "/" + strings.ToLower(route.Method)

	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(reqBody))
	if len(reqBody) > 0 {
		// The API reads every body as JSON whatever its type (curl -d sends a form's type),
		// except where an operation describes another media type.
		mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		if mt == "" || mt == "application/x-www-form-urlencoded" && !describes(route.Operation, mt) {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: options}
	var refused []string
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		refused = append(refused, describe(err))
	}
	if rb := route.Operation.RequestBody; rb == nil {
		if len(reqBody) > 0 {
			refused = append(refused, "a body, but the operation takes none")
		}
	} else if len(reqBody) == 0 {
		if rb.Value.Required {
			refused = append(refused, "no body, but the operation needs one")
		}
	} else if p := c.checkBody(orRef(rb.Ref, op+"/requestBody"), rb.Value.Content, req.Header, reqBody); p != "" {
		refused = append(refused, "body: "+p)
	}

	var problems []string
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: options}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		problems = append(problems, fmt.Sprintf("answer %d: %s", status, describe(err)))
	} else if resp := route.Operation.Responses.Status(status); resp == nil {
		// A status kin-openapi lets through undescribed (304, redirects): no body to check.
	} else if len(resp.Value.Content) == 0 {
		if len(body) > 0 {
			problems = append(problems, fmt.Sprintf("answer %d has a body, but the document describes none", status))
		}
	} else if p := c.checkBody(orRef(resp.Ref, op+"/responses/"+strconv.Itoa(status)), resp.Value.Content, header, body); p != "" {
		problems = append(problems, fmt.Sprintf("answer %d: %s", status, p))
	}
	if len(refused) > 0 && status < 400 {
		problems = append(problems, fmt.Sprintf("the request does not match the document, yet was answered %d: %s", status, strings.Join(refused, "; ")))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", what, strings.Join(problems, "; "))
	}
	return nil
}

// describes reports whether op takes a request body of media type mt.
func describes(op *openapi3.Operation, mt string) bool {
	return op.RequestBody != nil && op.RequestBody.Value != nil && op.RequestBody.Value.Content.Get(mt) != nil
}

// checkBody checks a body against the media type its Content-Type names in content, the
// content of the request body or response at the JSON pointer at. It returns what is wrong,
// or "".
func (c *contract) checkBody(at string, content openapi3.Content, header http.Header, body []byte) string {
	ct := header.Get("Content-Type")
	mt := content.Get(ct)
	for key, v := range content {
		if v == mt {
			return c.validate(at+"/content/"+pointerToken(key)+"/schema", key, body)
		}
	}
	return fmt.Sprintf("Content-Type %q is not described", ct)
}

// validate checks body, of media type mediaType, against the schema at the JSON pointer at.
func (c *contract) validate(at, mediaType string, body []byte) string {
	var v any = string(body)
	switch mediaType {
	case "application/json":
		var err error
		if v, err = jsonschema.UnmarshalJSON(bytes.NewReader(body)); err != nil {
			return fmt.Sprintf("not JSON: %v", err)
		}
	case "application/x-www-form-urlencoded":
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return fmt.Sprintf("not a form: %v", err)
		}
		fields := map[string]any{}
		for k, vs := range form {
			fields[k] = vs[len(vs)-1]
		}
		v = fields
	}
	c.mu.Lock()
	sch, ok := c.compiled[at]
	if !ok {
		var err error
		if sch, err = c.compiler.Compile(docURL + "#" + at); err != nil {
			c.mu.Unlock()
			return fmt.Sprintf("the schema at %s does not compile: %v", at, err)
		}
		c.compiled[at] = sch
	}
	c.mu.Unlock()
	var verr *jsonschema.ValidationError
	if err := sch.Validate(v); errors.As(err, &verr) {
		return strings.Join(slices.Compact(leaves(verr)), "; ")
	} else if err != nil {
		return err.Error()
	}
	return ""
}

// orRef is the JSON pointer of a request body or response: where its $ref points, or at.
func orRef(ref, at string) string {
	if r, ok := strings.CutPrefix(ref, "#"); ok {
		return r
	}
	return at
}

// pointerToken escapes s as one token of a JSON pointer in a URL fragment ("/api/v1/{id}"
// becomes "~1api~1v1~1%7Bid%7D").
func pointerToken(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
	return url.PathEscape(s)
}

// find returns the operation r is for and its path parameters, or nil.
func (c *contract) find(r *http.Request) (*routers.Route, map[string]string) {
	_, pattern := c.mux.Handler(r)
	route := c.routes[pattern]
	if route == nil {
		return nil, nil
	}
	params := map[string]string{}
	names := strings.Split(route.Path, "/")
	values := strings.Split(r.URL.Path, "/")
	for i, name := range names {
		if strings.HasPrefix(name, "{") && i < len(values) {
			params[strings.Trim(name, "{}")] = values[i]
		}
	}
	return route, params
}

// describe says where an exchange and the document disagree: each value at fault by its JSON
// pointer, with what the schema wanted, rather than kin-openapi's dump of schema and value.
func describe(err error) string {
	var lines []string
	var walk func(prefix string, err error)
	walk = func(prefix string, err error) {
		var verr *jsonschema.ValidationError
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				walk(prefix, x)
			}
		case *openapi3filter.RequestError:
			switch {
			case e.Parameter != nil:
				prefix += fmt.Sprintf("parameter %s in %s: ", e.Parameter.Name, e.Parameter.In)
			case e.RequestBody != nil:
				prefix += "body: "
			}
			if e.Err == nil {
				lines = append(lines, prefix+e.Reason)
			} else {
				walk(prefix, e.Err)
			}
		case *openapi3filter.ResponseError:
			if e.Err == nil {
				lines = append(lines, prefix+e.Reason)
				return
			}
			if !strings.HasPrefix(e.Reason, "response body doesn't match") {
				prefix += e.Reason + ": "
			}
			walk(prefix, e.Err)
		case *openapi3.SchemaError:
			if errors.As(e, &verr) {
				for _, l := range leaves(verr) {
					lines = append(lines, prefix+l)
				}
			} else {
				lines = append(lines, fmt.Sprintf("%sat '/%s': %s", prefix, strings.Join(e.JSONPointer(), "/"), e.Reason))
			}
		default:
			lines = append(lines, prefix+err.Error())
		}
	}
	walk("", err)
	return strings.Join(slices.Compact(lines), "; ")
}

// leaves lists the innermost failures of a JSON Schema validation, each at its instance
// location: the groups above them ("allOf failed") say nothing more.
func leaves(verr *jsonschema.ValidationError) []string {
	var out []string
	var walk func(u jsonschema.OutputUnit)
	walk = func(u jsonschema.OutputUnit) {
		if len(u.Errors) == 0 && u.Error != nil {
			out = append(out, fmt.Sprintf("at '%s': %s", u.InstanceLocation, u.Error))
		}
		for _, e := range u.Errors {
			walk(e)
		}
	}
	walk(*verr.DetailedOutput())
	return out
}
