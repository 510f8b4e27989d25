package pactum

// CountryCode returns s in upper case if it names a country (two ASCII letters, in any case),
// else "". Proxies send XX for unknown and codes such as T1 (Tor) that are no country; Unicode
// letters that upper-case to ASCII ("ıt") are not one either.
func CountryCode(s string) string {
	if len(s) != 2 || s == "XX" || s == "xx" {
		return ""
	}
	upper := true
	for i := range 2 {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			upper = false
		default:
			return ""
		}
	}
	if upper {
		return s
	}
	return string([]byte{s[0] &^ 0x20, s[1] &^ 0x20})
}
