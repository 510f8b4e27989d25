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
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pactum/pactum"
)

// maxBodyBytes bounds request bodies: an offer with many events and rules fits many times over.
const maxBodyBytes = 1 << 20

// decode reads r's JSON body into v, a pointer to an input struct. Unknown fields, wrong types,
// malformed JSON, trailing data, keys given twice and text that is not valid UTF-8 are
// invalid_argument errors that name the field when there is one, with array indices
// ("events[1].name"), which encoding/json's own errors leave out.
func decode(r *http.Request, v any) error {
	body, err := readAll(r)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return pactum.Errorf(pactum.EINVALID, "request body is empty; send a JSON object")
	}
	return decodeBytes(body, v)
}

// readAll reads r's body, bounded by maxBodyBytes, without the white space around it.
func readAll(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, pactum.Errorf(pactum.EINVALID, "request body is larger than %d bytes", tooBig.Limit)
	} else if err != nil {
		return nil, pactum.Errorf(pactum.EINVALID, "could not read the request body")
	}
	return bytes.TrimSpace(body), nil
}

// decodeBytes decodes body into v as decode does.
func decodeBytes(body []byte, v any) error {
	// encoding/json would take the last of two values of a key and replace invalid UTF-8 with
	// U+FFFD: both would change what the client sent without a word. Refuse them first.
	if t := reflect.TypeOf(v); !quickCheck(body, t) {
		if err := checkBody(body, t); err != nil {
			return err
		}
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

// checkBody walks the JSON body and refuses, naming the field, the first key that an object
// holds twice (in any case, as encoding/json matches keys) and the first string, key or value,
// that is not valid UTF-8 or holds an unpaired UTF-16 surrogate escape ("\ud800"). A body that
// is not valid JSON passes: the decoder says what is wrong with it.
func checkBody(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var last int64 // where the token before the current one ended
	// next reads a token and checks the text it was read from.
	next := func(path string) (json.Token, error) {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		end := dec.InputOffset()
		raw := body[last:end]
		last = end
		if _, ok := tok.(string); ok && !validJSONText(raw) {
			return nil, pactum.FieldError(path, "must be valid UTF-8 text")
		}
		return tok, nil
	}
	// walk reads one value; stop is true once a problem is found or the body cannot be read.
	var walk func(path string, t reflect.Type) (problem error, stop bool)
	walk = func(path string, t reflect.Type) (error, bool) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == rawMessageType {
			t = nil // a rule set: its own parser checks it (rules.Parse)
		}
		tok, err := next(path)
		if err != nil {
			return pactumError(err), true
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]string{} // lower case -> the key as first spelled
			for dec.More() {
				k, err := next(path)
				if err != nil {
					return pactumError(err), true
				}
				key, ok := k.(string)
				if !ok {
					return nil, true
				}
				if first, dup := seen[strings.ToLower(key)]; dup {
					return pactum.FieldError(join(path, first), "is given twice; give it once"), true
				}
				seen[strings.ToLower(key)] = key
				var ft reflect.Type
				if t != nil && t.Kind() == reflect.Struct {
					f, ok := fieldByJSONName(t, key)
					if ok && jsonName(f) != key {
						// encoding/json would take "NAME" for "name"; the API takes names as
						// documented, so that what a client sends means one thing.
						return pactum.FieldError(join(path, key), "unknown field; did you mean %q?", jsonName(f)), true
					}
					ft = f.Type
				}
				if problem, stop := walk(join(path, key), ft); stop {
					return problem, true
				}
			}
			_, err = dec.Token()
			return nil, err != nil
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				var et reflect.Type
				if t != nil && t.Kind() == reflect.Slice {
					et = t.Elem()
				}
				if problem, stop := walk(fmt.Sprintf("%s[%d]", path, i), et); stop {
					return problem, true
				}
			}
			_, err = dec.Token()
			return nil, err != nil
		}
		return nil, false
	}
	problem, _ := walk("", t)
	return problem
}

// pactumError keeps the *pactum.Error of a check and drops the decoder's own errors (a syntax
// error), which decoding the body reports better.
func pactumError(err error) error {
	var pe *pactum.Error
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

// validJSONText reports whether raw, the bytes a string token was read from (with the
// delimiters before it), is valid UTF-8 and has no unpaired surrogate escape.
func validJSONText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		if i >= len(raw) || raw[i] != 'u' {
			continue // \n, \\, \" and the like: one character escaped
		}
		r, ok := hex4(raw, i+1)
		if !ok {
			return true // not an escape the decoder reads: it reports the syntax error
		}
		i += 4
		switch {
		case utf16.IsSurrogate(r) && r < 0xdc00: // a high surrogate: a low one must follow
			if i+2 >= len(raw) || raw[i+1] != '\\' || raw[i+2] != 'u' {
				return false
			}
			low, ok := hex4(raw, i+3)
			if !ok || low < 0xdc00 || low > 0xdfff {
				return false
			}
			i += 6
		case utf16.IsSurrogate(r): // a low surrogate alone
			return false
		}
	}
	return true
}

// hex4 reads the four hex digits at raw[i:].
func hex4(raw []byte, i int) (rune, bool) {
	if i+4 > len(raw) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(raw[i:i+4]), 16, 32)
	return rune(n), err == nil
}

// jsonName is the name a struct field has in JSON.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
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
