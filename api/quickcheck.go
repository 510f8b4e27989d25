package api

import (
	"bytes"
	"reflect"
	"sync"
	"unicode/utf8"

	"github.com/pactum/pactum/internal/jsonwalk"
)

// quickCheck reports whether checkBody would certainly find nothing wrong with body, in one pass
// over its bytes (jsonwalk): checkBody's token walk costs more than decoding a conversion, and
// nearly every body is clean. It answers false, and leaves the verdict and the field to name to
// checkBody, for a key given twice and for anything it does not read in one pass: a key of other
// characters than a-z, 0-9 and _, a \u escape, text that is not UTF-8, nesting deeper than
// jsonwalk.MaxDepth, an object of more than maxQuickKeys keys, a body that is not JSON. Keys of
// only those characters are matched by encoding/json to the field of that exact name when t's
// field names are of those characters too (plainNames), so that no field can be named in
// another case.
func quickCheck(body []byte, t reflect.Type) bool {
	if !plainNames(t) {
		return false
	}
	w := jsonwalk.New(body)
	return quickValue(w) && w.End()
}

const maxQuickKeys = 64

func quickValue(w *jsonwalk.Walker) bool {
	switch w.Next() {
	case '{':
		var keys [maxQuickKeys][]byte
		n := 0
		return w.Object(func(key []byte) bool {
			if n == maxQuickKeys || !plainKey(key) {
				return false
			}
			for _, k := range keys[:n] {
				if bytes.Equal(k, key) {
					return false
				}
			}
			keys[n] = key
			n++
			return quickValue(w)
		})
	case '[':
		return w.Array(func() bool { return quickValue(w) })
	case '"':
		// A \u escape may spell a surrogate or a character checkBody must see; the other
		// escapes are ASCII, so the text is UTF-8 as it is.
		text, ok := w.Text()
		return ok && !bytes.Contains(text, []byte(`\u`)) && utf8.Valid(text)
	}
	return w.Skip()
}

func plainKey(key []byte) bool {
	for _, c := range key {
		if !isLower(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

var plainTypes sync.Map // reflect.Type -> bool

// plainNames reports whether every JSON field name of t and of the types it holds is of a-z,
// 0-9 and _ alone.
func plainNames(t reflect.Type) bool {
	if v, ok := plainTypes.Load(t); ok {
		return v.(bool)
	}
	ok := plainNamesOf(t, map[reflect.Type]bool{})
	plainTypes.Store(t, ok)
	return ok
}

func plainNamesOf(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return true
	}
	seen[t] = true
	for i := range t.NumField() {
		f := t.Field(i)
		name := jsonName(f)
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" || f.Anonymous {
			return false // Go's name, or an embedded struct's fields: checkBody decides
		}
		for j := range len(name) {
			if c := name[j]; !isLower(c) && !isDigit(c) && c != '_' {
				return false
			}
		}
		if !plainNamesOf(f.Type, seen) {
			return false
		}
	}
	return true
}
