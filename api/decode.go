package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/pactum/pactum"
)

// maxBodyBytes bounds request bodies: an offer with many events and rules fits many times over.
const maxBodyBytes = 1 << 20

// decode reads r's JSON body into v, a pointer to an input struct. Unknown fields, wrong types,
// malformed JSON and trailing data are invalid_argument errors that name the field when there is
// one, with array indices ("events[1].name"), which encoding/json's own errors leave out.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return pactum.Errorf(pactum.EINVALID, "request body is larger than %d bytes", tooBig.Limit)
	} else if err != nil {
		return pactum.Errorf(pactum.EINVALID, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return pactum.Errorf(pactum.EINVALID, "request body is empty; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(body, reflect.TypeOf(v), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return pactum.Errorf(pactum.EINVALID, "request body has data after the JSON object")
	}
	return nil
}

func decodeError(body []byte, t reflect.Type, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return pactum.Errorf(pactum.EINVALID, "request body is not valid JSON: %s (at byte %d)", syntax.Error(), syntax.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return pactum.Errorf(pactum.EINVALID, "request body is not valid JSON: it ends too early")
	case errors.As(err, &typ) && typ.Field == "":
		return pactum.Errorf(pactum.EINVALID, "request body must be a JSON object, not %s", typ.Value)
	}
	// The body is valid JSON that does not fit the input struct: walk it to find where.
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&doc) == nil {
		if e := mismatch(doc, t, ""); e != nil {
			return e
		}
	}
	// What fits as a whole but failed was a key given twice, the first time with a value that
	// does not fit (the walk above saw only the last).
	if path := duplicateKey(body); path != "" {
		return pactum.FieldError(path, "is given twice; give it once")
	}
	if errors.As(err, &typ) {
		return pactum.FieldError(typ.Field, "must be %s, not %s", jsonKind(typ.Type), typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return pactum.FieldError(name, "unknown field")
	}
	return pactum.Errorf(pactum.EINVALID, "request body does not fit: %v", err)
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// mismatch returns the first place where the decoded JSON value v does not fit type t, as an
// invalid_argument error naming the field, or nil. It mirrors encoding/json's rules for the
// kinds our input structs use: case-insensitive keys, null fits anything.
func mismatch(v any, t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || t == rawMessageType {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return pactum.FieldError(path, "must be an object, not %s", describe(v))
		}
		// Sorted so that a body with several problems always reports the same one.
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			f, ok := fieldByJSONName(t, key)
			if !ok {
				return pactum.FieldError(join(path, key), "unknown field")
			}
			if e := mismatch(obj[key], f.Type, join(path, key)); e != nil {
				return e
			}
		}
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			return pactum.FieldError(path, "must be an array, not %s", describe(v))
		}
		for i, val := range arr {
			if e := mismatch(val, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); e != nil {
				return e
			}
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			return pactum.FieldError(path, "must be a string, not %s", describe(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return pactum.FieldError(path, "must be true or false, not %s", describe(v))
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return pactum.FieldError(path, "must be an integer, not %s", describe(v))
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || reflect.New(t).Elem().OverflowInt(i) {
			return pactum.FieldError(path, "must be an integer, not %s", n)
		}
	}
	return nil
}

// duplicateKey returns the path ("items[0].category") of the first key that an object of body
// holds twice (in any case, as encoding/json matches keys), or "".
func duplicateKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	// walk reads one value; stop is true once a duplicate is found or the body cannot be read.
	var walk func(path string) (dup string, stop bool)
	walk = func(path string) (string, bool) {
		tok, err := dec.Token()
		if err != nil {
			return "", true
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				key, ok := k.(string)
				if err != nil || !ok {
					return "", true
				}
				if seen[strings.ToLower(key)] {
					return join(path, key), true
				}
				seen[strings.ToLower(key)] = true
				if dup, stop := walk(join(path, key)); stop {
					return dup, true
				}
			}
			_, err = dec.Token()
			return "", err != nil
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				if dup, stop := walk(fmt.Sprintf("%s[%d]", path, i)); stop {
					return dup, true
				}
			}
			_, err = dec.Token()
			return "", err != nil
		}
		return "", false
	}
	dup, _ := walk("")
	return dup
}

func fieldByJSONName(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "the number " + string(v)
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}
