package pactum

import (
	"strconv"
	"time"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced, and <, >, & escaped so that the answer stays inert if a
// browser is ever tricked into reading it as HTML.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			// Valid JSON, but not valid in JavaScript string literals before ES2019.
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// JSONObject writes a JSON object member by member, for the answers written by hand because they
// are on a hot path (a conversion's, a postback's, an error's). Start one with NewJSONObject; End
// closes it and returns the bytes. Keys are written as given: callers pass constants.
type JSONObject struct {
	b    []byte
	more bool
}

// NewJSONObject starts an object at the end of b.
func NewJSONObject(b []byte) JSONObject { return JSONObject{b: append(b, '{')} }

// End closes the object and returns b with it.
func (o *JSONObject) End() []byte { return append(o.b, '}') }

// Key writes a member's key; its value is the caller's to write next (through Raw, or another
// method of o).
func (o *JSONObject) Key(k string) {
	if o.more {
		o.b = append(o.b, ',', '"')
	} else {
		o.b = append(o.b, '"')
	}
	o.more = true
	o.b = append(o.b, k...)
	o.b = append(o.b, '"', ':')
}

// Str writes a string member (AppendJSONString).
func (o *JSONObject) Str(k, v string) {
	o.Key(k)
	o.b = AppendJSONString(o.b, v)
}

// Int writes an integer member.
func (o *JSONObject) Int(k string, v int64) {
	o.Key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// Bool writes a boolean member.
func (o *JSONObject) Bool(k string, v bool) {
	o.Key(k)
	o.b = strconv.AppendBool(o.b, v)
}

// Time writes t as encoding/json does (time.Time's MarshalJSON: RFC 3339 with nanoseconds).
func (o *JSONObject) Time(k string, t time.Time) {
	o.Key(k)
	o.b = append(o.b, '"')
	o.b = t.AppendFormat(o.b, time.RFC3339Nano)
	o.b = append(o.b, '"')
}

// Raw writes a member whose value is JSON already, as it is (nil: null).
func (o *JSONObject) Raw(k string, v []byte) {
	o.Key(k)
	if v == nil {
		v = []byte("null")
	}
	o.b = append(o.b, v...)
}

// Object writes a member that is an object, its members written by members.
func (o *JSONObject) Object(k string, members func(*JSONObject)) {
	o.Key(k)
	e := NewJSONObject(o.b)
	members(&e)
	o.b = e.End()
}

// Objects writes an array of n objects, the members of the i-th written by members (null when
// isNil, as encoding/json writes a nil slice).
func (o *JSONObject) Objects(k string, isNil bool, n int, members func(e *JSONObject, i int)) {
	o.List(k, isNil, n, func(b []byte, i int) []byte {
		e := NewJSONObject(b)
		members(&e, i)
		return e.End()
	})
}

// List writes an array of n elements, each appended by elem (null when isNil).
func (o *JSONObject) List(k string, isNil bool, n int, elem func(b []byte, i int) []byte) {
	o.Key(k)
	if isNil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i := range n {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = elem(o.b, i)
	}
	o.b = append(o.b, ']')
}

// JSONNullable writes *v through put, or null when v is nil.
func JSONNullable[T any](o *JSONObject, k string, v *T, put func(*JSONObject, string, T)) {
	if v == nil {
		o.Raw(k, nil)
		return
	}
	put(o, k, *v)
}
