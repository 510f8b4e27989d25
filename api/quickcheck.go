package api

import (
	"bytes"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// quickCheck reports whether checkBody would certainly find nothing wrong with body, in one pass
// over its bytes and without allocating: checkBody's token walk costs more than decoding a
// conversion, and nearly every body is clean. It answers false, and leaves the verdict and the
// field to name to checkBody, for a key given twice and for anything it does not read in one
// pass: a key of other characters than a-z, 0-9 and _, a \u escape, text that is not UTF-8,
// nesting deeper than maxQuickDepth, an object of more than maxQuickKeys keys, a body that is
// not JSON. Keys of only those characters are matched by encoding/json to the field of that
// exact name when t's field names are of those characters too (plainNames), so that no field
// can be named in another case.
func quickCheck(body []byte, t reflect.Type) bool {
	if !plainNames(t) {
		return false
	}
	s := quickScanner{b: body}
	return s.value(0) && s.space() == len(body)
}

const (
	maxQuickDepth = 32
	maxQuickKeys  = 64
)

type quickScanner struct {
	b []byte
	i int
}

// space skips white space and returns where the next token starts.
func (s *quickScanner) space() int {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return s.i
		}
	}
	return s.i
}

func (s *quickScanner) value(depth int) bool {
	if depth > maxQuickDepth || s.space() == len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '{':
		return s.object(depth)
	case '[':
		s.i++
		if s.space() < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return true
		}
		for {
			if !s.value(depth + 1) {
				return false
			}
			if s.space() == len(s.b) {
				return false
			}
			s.i++
			switch s.b[s.i-1] {
			case ']':
				return true
			case ',':
			default:
				return false
			}
		}
	case '"':
		_, ok := s.text(false)
		return ok
	}
	// A number, true, false or null: the decoder checks its spelling.
	start := s.i
	for s.i < len(s.b) && (isLower(s.b[s.i]) || isDigit(s.b[s.i]) || strings.IndexByte(".+-E", s.b[s.i]) >= 0) {
		s.i++
	}
	return s.i > start
}

func (s *quickScanner) object(depth int) bool {
	var keys [maxQuickKeys][]byte
	n := 0
	s.i++ // {
	if s.space() < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return true
	}
	for {
		if s.space() == len(s.b) || s.b[s.i] != '"' || n == maxQuickKeys {
			return false
		}
		key, ok := s.text(true)
		if !ok {
			return false
		}
		for _, k := range keys[:n] {
			if bytes.Equal(k, key) {
				return false
			}
		}
		keys[n] = key
		n++
		if s.space() == len(s.b) || s.b[s.i] != ':' {
			return false
		}
		s.i++
		if !s.value(depth+1) || s.space() == len(s.b) {
			return false
		}
		s.i++
		switch s.b[s.i-1] {
		case '}':
			return true
		case ',':
		default:
			return false
		}
	}
}

// text reads the string at s.i and returns its bytes between the quotes; a key (plain) must be
// of a-z, 0-9 and _ alone.
func (s *quickScanner) text(plain bool) ([]byte, bool) {
	s.i++ // "
	start, ascii := s.i, true
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		switch {
		case c == '"':
			out := s.b[start:s.i]
			s.i++
			return out, ascii || utf8.Valid(out)
		case plain && !isLower(c) && !isDigit(c) && c != '_':
			return nil, false
		case c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '\\':
			s.i++
			if s.i == len(s.b) || strings.IndexByte(`"\/bfnrt`, s.b[s.i]) < 0 {
				return nil, false // \u: checkBody reads the escape
			}
		}
	}
	return nil, false
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
