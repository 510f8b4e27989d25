// Package jsonwalk reads JSON in one pass over its bytes, checking it as it goes and decoding
// nothing it is not asked for: for the few places where encoding/json's reflection or token
// reader costs more than the work (the API's check of every body, the reports' read of every
// breakdown). Callers walk the values they expect and Skip the rest; every method answers false
// for JSON that is not valid, and the caller then falls back to encoding/json, which says why.
package jsonwalk

import "bytes"

// MaxDepth bounds how deeply a Walker nests objects and arrays (encoding/json's bound is higher:
// a caller falls back to it).
const MaxDepth = 64

// Walker reads one JSON text.
type Walker struct {
	b     []byte
	i     int
	depth int
}

// New returns a Walker at the start of b.
func New(b []byte) *Walker { return &Walker{b: b} }

func (w *Walker) space() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

// Next returns the first byte of the next value after white space, 0 at the end.
func (w *Walker) Next() byte {
	w.space()
	if w.i == len(w.b) {
		return 0
	}
	return w.b[w.i]
}

// End reports whether only white space is left.
func (w *Walker) End() bool {
	w.space()
	return w.i == len(w.b)
}

// eat takes c, after white space, if it comes next.
func (w *Walker) eat(c byte) bool {
	if w.Next() == c && w.i < len(w.b) {
		w.i++
		return true
	}
	return false
}

// Text reads a string and returns what is between its quotes, escapes as they are (each checked).
func (w *Walker) Text() ([]byte, bool) {
	if !w.eat('"') {
		return nil, false
	}
	start := w.i
	for ; w.i < len(w.b); w.i++ {
		switch c := w.b[w.i]; {
		case c == '"':
			w.i++
			return w.b[start : w.i-1], true
		case c < 0x20:
			return nil, false
		case c == '\\':
			w.i++
			if w.i == len(w.b) {
				return nil, false
			}
			switch w.b[w.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if w.i+4 >= len(w.b) {
					return nil, false
				}
				for _, h := range w.b[w.i+1 : w.i+5] {
					if !isHex(h) {
						return nil, false
					}
				}
				w.i += 4
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

// Object reads an object, calling member for each key (as Text returns it, escapes as they are)
// with the walker at its value, which member reads.
func (w *Walker) Object(member func(key []byte) bool) bool {
	if !w.eat('{') || w.depth == MaxDepth {
		return false
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.eat('}') {
		return true
	}
	for {
		key, ok := w.Text()
		if !ok || !w.eat(':') || !member(key) {
			return false
		}
		if w.eat('}') {
			return true
		}
		if !w.eat(',') {
			return false
		}
	}
}

// Array reads an array, calling elem for each element, which elem reads.
func (w *Walker) Array(elem func() bool) bool {
	if !w.eat('[') || w.depth == MaxDepth {
		return false
	}
	w.depth++
	defer func() { w.depth-- }()
	if w.eat(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if w.eat(']') {
			return true
		}
		if !w.eat(',') {
			return false
		}
	}
}

// Skip reads and checks a value of any kind.
func (w *Walker) Skip() bool {
	switch c := w.Next(); {
	case c == '"':
		_, ok := w.Text()
		return ok
	case c == '{':
		return w.Object(func([]byte) bool { return w.Skip() })
	case c == '[':
		return w.Array(w.Skip)
	case c == '-' || isDigit(c):
		return w.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(w.b[w.i:], []byte(lit)) {
			w.i += len(lit)
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// number reads a number as JSON spells one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (w *Walker) number() bool {
	if w.b[w.i] == '-' {
		w.i++
	}
	digits := func() bool {
		start := w.i
		for w.i < len(w.b) && isDigit(w.b[w.i]) {
			w.i++
		}
		return w.i > start
	}
	switch {
	case w.i < len(w.b) && w.b[w.i] == '0':
		w.i++
	case !digits():
		return false
	}
	if w.i < len(w.b) && w.b[w.i] == '.' {
		w.i++
		if !digits() {
			return false
		}
	}
	if w.i < len(w.b) && (w.b[w.i] == 'e' || w.b[w.i] == 'E') {
		w.i++
		if w.i < len(w.b) && (w.b[w.i] == '+' || w.b[w.i] == '-') {
			w.i++
		}
		if !digits() {
			return false
		}
	}
	return true
}
