package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pactum/pactum"
)

// This file reads JSON strictly, value by value, so that every mistake in a rule set is reported
// with the JSON path of the value at fault, which encoding/json's errors do not give: its
// DisallowUnknownFields names a key but not where it is, and it silently keeps the last of two
// equal keys.

// object calls fn with each member of the JSON object raw, in order. Two equal keys are an error:
// which one the user meant is a guess.
func object(raw json.RawMessage, path string, fn func(key string, val json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return pactum.FieldError(path, "must be an object")
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return pactum.FieldError(path, "is not valid JSON")
		}
		key, _ := tok.(string)
		if seen[key] {
			return pactum.FieldError(join(path, key), "appears twice")
		}
		seen[key] = true
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return pactum.FieldError(join(path, key), "is not valid JSON")
		}
		if err := fn(key, val); err != nil {
			return err
		}
	}
	return nil
}

// unknownKey is the error for a key that object's caller does not know.
func unknownKey(path, key string, known ...string) error {
	return pactum.FieldError(join(path, key), "is not a known key (known: %s)", strings.Join(known, ", "))
}

// list returns the elements of the JSON array raw.
func list(raw json.RawMessage, path string) ([]json.RawMessage, error) {
	var elems []json.RawMessage
	if kind(raw) != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, pactum.FieldError(path, "must be a list")
	}
	return elems, nil
}

// str returns the JSON string raw.
func str(raw json.RawMessage, path string) (string, error) {
	var s string
	if kind(raw) != '"' || json.Unmarshal(raw, &s) != nil {
		return "", pactum.FieldError(path, "must be a string")
	}
	return s, nil
}

// decimalText returns the text of a decimal given as a JSON string. A JSON number is refused
// with a hint: parsers read it as binary floating point, which money must never pass through.
func decimalText(raw json.RawMessage, path string) (string, error) {
	switch c := kind(raw); {
	case c == '"':
		return str(raw, path)
	case c == '-' || '0' <= c && c <= '9':
		return "", pactum.FieldError(path, "must be a string such as \"12.50\": quote money and percentages, "+
			"so that no JSON parser turns them into binary floating point")
	}
	return "", pactum.FieldError(path, "must be a decimal string such as \"12.50\"")
}

// integer returns the JSON whole number raw.
func integer(raw json.RawMessage, path string) (int64, error) {
	var n int64
	if c := kind(raw); !(c == '-' || '0' <= c && c <= '9') || json.Unmarshal(raw, &n) != nil {
		return 0, pactum.FieldError(path, "must be a whole number such as 500")
	}
	return n, nil
}

// boolean returns the JSON true or false raw.
func boolean(raw json.RawMessage, path string) (bool, error) {
	var b bool
	if c := kind(raw); (c != 't' && c != 'f') || json.Unmarshal(raw, &b) != nil {
		return false, pactum.FieldError(path, "must be true or false")
	}
	return b, nil
}

// kind returns the first byte of a JSON value, which says its type.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// join returns the path of key inside the object at path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// index returns the path of element i of the list at path.
func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}
