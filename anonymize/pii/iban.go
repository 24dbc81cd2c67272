package pii

// IBANs (ISO 13616): a country code, two check digits and a domestic
// account number (BBAN) of letters and digits, written compact
// ("GB82WEST12345698765432") or in groups of four split by single spaces
// ("DE89 3704 0044 0532 0130 00"). One is taken only at the length its
// country's registry entry gives and when its check digits hold (the
// whole read as a number, letters as 10–35, is 1 mod 97), so an order
// number or a word rarely passes by chance.

// ibanLengths is the length of an IBAN per country code, from the SWIFT
// IBAN registry; 0 for a country without IBANs.
var ibanLengths = func() (m [26 * 26]uint8) {
	for cc, n := range map[string]uint8{
		"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
		"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
		"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
		"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
		"IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
		"LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
		"MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
		"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
		"SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
		"TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
	} {
		m[int(cc[0]-'A')*26+int(cc[1]-'A')] = n
	}
	return m
}()

// bbanFormats gives, for the countries whose accounts chat most often
// names, the layout of the BBAN from the registry: runs of n (digits), a
// (upper-case letters) and c (either). A country not listed takes any
// letters and digits.
var bbanFormats = map[string]string{
	"AD": "8n12c", "AE": "19n", "AL": "8n16c", "AT": "16n", "AZ": "4a20c", "BA": "16n", "BE": "12n",
	"BG": "4a6n8c", "BH": "4a14c", "BR": "23n1a1c", "CH": "5n12c", "CR": "18n", "CY": "8n16c",
	"CZ": "20n", "DE": "18n", "DK": "14n", "DO": "4c20n", "EE": "16n", "EG": "25n", "ES": "20n",
	"FI": "14n", "FO": "14n", "FR": "10n11c2n", "GB": "4a14n", "GE": "2a16n", "GI": "4a15c",
	"GL": "14n", "GR": "7n16c", "HR": "17n", "HU": "24n", "IE": "4a14n", "IL": "19n", "IS": "22n",
	"IT": "1a10n12c", "JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c", "LB": "4n20c", "LI": "5n12c",
	"LT": "16n", "LU": "3n13c", "LV": "4a13c", "MC": "10n11c2n", "ME": "18n", "MK": "3n10c2n",
	"MT": "4a5n18c", "MU": "4a19n3a", "NL": "4a10n", "NO": "11n", "PK": "4a16c", "PL": "24n",
	"PT": "21n", "QA": "4a21c", "RO": "4a16c", "RS": "18n", "RU": "14n15c", "SA": "2n18c", "SE": "20n",
	"SI": "15n", "SK": "20n", "SM": "1a10n12c", "TN": "20n", "TR": "6n16c", "UA": "6n19c",
}

// bbanFits reports whether the BBAN b (letters in upper case) follows
// the layout f.
func bbanFits(b []byte, f string) bool {
	k := 0
	for i := 0; i < len(f); i++ {
		n := 0
		for ; isDigit(f[i]); i++ {
			n = n*10 + int(f[i]-'0')
		}
		if k+n > len(b) {
			return false
		}
		for _, c := range b[k : k+n] {
			if f[i] == 'n' && !isDigit(c) || f[i] == 'a' && !isUpper(c) {
				return false
			}
		}
		k += n
	}
	return k == len(b)
}

// ibanLength returns the IBAN length of the country code at s[0:2], in
// either case, or 0.
func ibanLength(a, b byte) int {
	a, b = a|0x20, b|0x20
	if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
		return 0
	}
	return int(ibanLengths[int(a-'a')*26+int(b-'a')])
}

// ibanStart reports whether the word text[i:j] may start an IBAN: a
// country with IBANs, then two digits. The scan marks such words.
func ibanStart(text string, i, j int) bool {
	return j-i >= 4 && isDigit(text[i+2]) && isDigit(text[i+3]) && ibanLength(text[i], text[i+1]) > 0
}

// ValidIBAN reports whether s, compact or split by blanks, dashes or dots,
// is an IBAN of the right length for its country whose check digits hold.
func ValidIBAN(s string) bool {
	var buf [40]byte
	d := buf[:0]
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && c != '-' && c != '.' {
			if len(d) == len(buf) || !isAlnum(c) {
				return false
			}
			d = append(d, c)
		}
	}
	return validIBAN(d)
}

// validIBAN checks the letters and digits of an IBAN.
func validIBAN(d []byte) bool {
	if len(d) < 5 || !isLetter(d[0]) || !isLetter(d[1]) || !isDigit(d[2]) || !isDigit(d[3]) ||
		ibanLength(d[0], d[1]) != len(d) {
		return false
	}
	// The remainder mod 97 of the digits of BBAN + country + check, each
	// letter read as two digits (A = 10 … Z = 35).
	r := 0
	for k := range d {
		c := d[(k+4)%len(d)]
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case isLetter(c):
			r = (r*100 + int(c|0x20-'a') + 10) % 97
		default:
			return false
		}
	}
	if r != 1 {
		return false
	}
	f, ok := bbanFormats[string([]byte{d[0] &^ 0x20, d[1] &^ 0x20})]
	if !ok {
		return true
	}
	var up [40]byte
	b := up[:0]
	for _, c := range d[4:] {
		if isLetter(c) {
			c &^= 0x20
		}
		b = append(b, c)
	}
	return bbanFits(b, f)
}

// appendIBANs appends the IBANs that start at the words the scan marked.
func appendIBANs(dst []Span, text string, hits []hit) []Span {
	for _, h := range hits {
		if h.kind != cueIBAN {
			continue
		}
		if e := ibanAt(text, h.start, h.end); e > 0 {
			dst = append(dst, Span{IBAN, h.start, e})
		}
	}
	return dst
}

// ibanAt returns the end of the IBAN whose first word is text[i:j], or 0:
// the word alone, or the word of four and groups of four after single
// blanks up to the country's length, the last group of 1–4.
func ibanAt(text string, i, j int) int {
	n := ibanLength(text[i], text[i+1])
	var buf [40]byte
	if j-i == n {
		if validIBAN(append(buf[:0], text[i:j]...)) {
			return j
		}
		return 0
	}
	if j-i != 4 {
		return 0
	}
	d := append(buf[:0], text[i:j]...)
	p := j
	for len(d) < n && p+1 < len(text) && text[p] == ' ' {
		q := p + 1
		for q < len(text) && isAlnum(text[q]) && q-p <= 4 {
			q++
		}
		g := q - p - 1
		if g == 0 || q < len(text) && isWordByte(text[q]) || g < 4 && len(d)+g != n {
			break
		}
		d = append(d, text[p+1:q]...)
		p = q
	}
	if len(d) == n && validIBAN(d) {
		return p
	}
	return 0
}
