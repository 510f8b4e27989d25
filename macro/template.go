package macro

import "strings"

// Template is a compiled URL template. It is immutable and safe for concurrent use.
type Template struct {
	src   string
	parts []part
}

// part is literal text followed by a macro; the last part of a template may have none.
type part struct {
	text string // literal text, braces already escaped
	name Name   // NumNames when no macro follows
}

// Compile compiles s. It never fails: a {name} it does not know expands to nothing, so that no
// raw macro ever reaches a partner or a shop, and a brace that is not part of a {name} is text.
// Literal braces are written percent-encoded: a URL cannot carry a raw brace (RFC 3986), and an
// expanded URL can then never be mistaken for a template.
func Compile(s string) *Template {
	t := &Template{src: s}
	var text strings.Builder
	for i := 0; i < len(s); {
		name, n, ok := macroAt(s[i:])
		if !ok {
			switch s[i] {
			case '{':
				text.WriteString("%7B")
			case '}':
				text.WriteString("%7D")
			default:
				text.WriteByte(s[i])
			}
			i++
			continue
		}
		i += n
		if slot, known := lookup(name); known {
			t.parts = append(t.parts, part{text: text.String(), name: slot})
			text.Reset()
		}
	}
	if text.Len() > 0 || len(t.parts) == 0 {
		t.parts = append(t.parts, part{text: text.String(), name: NumNames})
	}
	return t
}

// macroAt reports whether s starts with a macro, and returns its name and its length with the
// braces. A name is 1 to 64 letters, digits, '_', '-' or '.': anything else between braces, such
// as JSON or a space, is left as text.
func macroAt(s string) (name string, n int, ok bool) {
	if len(s) < 3 || s[0] != '{' {
		return "", 0, false
	}
	for i := 1; i < len(s) && i <= 65; i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-', c == '.':
		case c == '}' && i > 1:
			return s[1:i], i + 1, true
		default:
			return "", 0, false
		}
	}
	return "", 0, false
}

// Expand appends the template to dst with each macro replaced by its value from v,
// query-escaped, and returns the extended slice.
func (t *Template) Expand(dst []byte, v *Values) []byte {
	for _, p := range t.parts {
		dst = append(dst, p.text...)
		if p.name < NumNames {
			dst = appendEscaped(dst, v[p.name])
		}
	}
	return dst
}

// String returns the template's source text.
func (t *Template) String() string {
	return t.src
}
