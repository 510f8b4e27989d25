package export

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// sepaLatin reports whether c is in the character set the EPC lets every SEPA bank exchange:
// a-z A-Z 0-9 / - ? : ( ) . , ' + and space. Banks may reject or mangle anything else.
func sepaLatin(c rune) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.ContainsRune("/-?:().,'+ ", c)
}

// transliterations spells letters outside the SEPA set with letters inside it. German umlauts
// and ß take the two-letter forms the German banks' guide allows (Müller stays "Mueller",
// which a payee check still matches); other accented letters lose their accent.
var transliterations = map[rune]string{
	'Ä': "Ae", 'Ö': "Oe", 'Ü': "Ue", 'ä': "ae", 'ö': "oe", 'ü': "ue", 'ß': "ss", 'ẞ': "SS",
	'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o", 'Å': "A", 'å': "a",
	'Ð': "D", 'ð': "d", 'Þ': "Th", 'þ': "th", 'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d",
	'Ħ': "H", 'ħ': "h", 'ı': "i", 'Ŋ': "N", 'ŋ': "n", 'ĸ': "k", 'Ŀ': "L", 'ŀ': "l",
	'ŉ': "n", 'Ŧ': "T", 'ŧ': "t", 'ſ': "s",
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ā': "A", 'Ă': "A", 'Ą': "A",
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'Ç': "C", 'Ć': "C", 'Ĉ': "C", 'Ċ': "C", 'Č': "C", 'ç': "c", 'ć': "c", 'ĉ': "c", 'ċ': "c", 'č': "c",
	'Ď': "D", 'ď': "d",
	'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E", 'Ē': "E", 'Ĕ': "E", 'Ė': "E", 'Ę': "E", 'Ě': "E",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ĕ': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'Ĝ': "G", 'Ğ': "G", 'Ġ': "G", 'Ģ': "G", 'ĝ': "g", 'ğ': "g", 'ġ': "g", 'ģ': "g",
	'Ĥ': "H", 'ĥ': "h",
	'Ì': "I", 'Í': "I", 'Î': "I", 'Ï': "I", 'Ĩ': "I", 'Ī': "I", 'Ĭ': "I", 'Į': "I", 'İ': "I",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ĩ': "i", 'ī': "i", 'ĭ': "i", 'į': "i",
	'Ĳ': "IJ", 'ĳ': "ij", 'Ĵ': "J", 'ĵ': "j", 'Ķ': "K", 'ķ': "k",
	'Ĺ': "L", 'Ļ': "L", 'Ľ': "L", 'ĺ': "l", 'ļ': "l", 'ľ': "l",
	'Ñ': "N", 'Ń': "N", 'Ņ': "N", 'Ň': "N", 'ñ': "n", 'ń': "n", 'ņ': "n", 'ň': "n",
	'Ò': "O", 'Ó': "O", 'Ô': "O", 'Õ': "O", 'Ō': "O", 'Ŏ': "O", 'Ő': "O",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ō': "o", 'ŏ': "o", 'ő': "o",
	'Ŕ': "R", 'Ŗ': "R", 'Ř': "R", 'ŕ': "r", 'ŗ': "r", 'ř': "r",
	'Ś': "S", 'Ŝ': "S", 'Ş': "S", 'Š': "S", 'Ș': "S", 'ś': "s", 'ŝ': "s", 'ş': "s", 'š': "s", 'ș': "s",
	'Ţ': "T", 'Ť': "T", 'Ț': "T", 'ţ': "t", 'ť': "t", 'ț': "t",
	'Ù': "U", 'Ú': "U", 'Û': "U", 'Ũ': "U", 'Ū': "U", 'Ŭ': "U", 'Ů': "U", 'Ű': "U", 'Ų': "U",
	'ù': "u", 'ú': "u", 'û': "u", 'ũ': "u", 'ū': "u", 'ŭ': "u", 'ů': "u", 'ű': "u", 'ų': "u",
	'Ŵ': "W", 'ŵ': "w", 'Ý': "Y", 'Ÿ': "Y", 'Ŷ': "Y", 'ý': "y", 'ÿ': "y", 'ŷ': "y",
	'Ź': "Z", 'Ż': "Z", 'Ž': "Z", 'ź': "z", 'ż': "z", 'ž': "z",
	// Punctuation with a near twin in the set; '&' becomes '+' as in the EPC conversion table.
	'&': "+", '"': "'", '`': "'", '´': "'", '‘': "'", '’': "'", '‚': "'", '“': "'", '”': "'",
	'„': "'", '«': "'", '»': "'", '_': "-", '‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-",
	'[': "(", ']': ")", '{': "(", '}': ")", ';': ",", '!': ".", '…': "...",
}

// sepaText returns s in the SEPA Latin set, at most max characters long: letters are
// transliterated, white space and control characters become one space, and whatever has no
// spelling in the set becomes '.', as the EPC conversion table does, so that the text keeps its
// length and a reader sees something was there. It never splits a transliteration in two.
func sepaText(s string, max int) string {
	var b strings.Builder
	space := true // drops leading spaces and collapses runs
	for _, c := range s {
		var out string
		switch {
		case sepaLatin(c) && c != ' ':
			out = string(c)
		case unicode.IsSpace(c) || unicode.IsControl(c) || c == utf8.RuneError:
			if !space {
				out = " "
			}
		default:
			if t, ok := transliterations[c]; ok {
				out = t
			} else {
				out = "."
			}
		}
		if out == "" {
			continue
		}
		if b.Len()+len(out) > max {
			break
		}
		b.WriteString(out)
		space = out == " "
	}
	return strings.TrimRight(b.String(), " ")
}
