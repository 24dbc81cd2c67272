package pii

// ValidLuhn reports whether digits (ASCII digits only, at least two) pass
// the Luhn check used by bank card numbers.
func ValidLuhn(digits string) bool {
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return false
		}
	}
	return len(digits) >= 2 && luhn([]byte(digits))
}

func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// ValidCNResidentID reports whether s is a valid 18-character resident
// identity number of the People's Republic of China: 17 digits and a check
// character (digit or X, either case) satisfying ISO 7064 MOD 11-2, a
// province-level code in the first two digits and a real birth date (year
// 1880–2099) in digits 7–14. The county code (digits 3–6) is not checked.
func ValidCNResidentID(s string) bool { return validResidentID([]byte(s)) }

var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

func validResidentID(d []byte) bool {
	if len(d) != 18 {
		return false
	}
	sum := 0
	for k, w := range residentIDWeights {
		if !isDigit(d[k]) {
			return false
		}
		sum += int(d[k]-'0') * w
	}
	check := d[17]
	if check == 'x' {
		check = 'X'
	}
	if check != "10X98765432"[sum%11] {
		return false
	}
	return provinceCode(num(d[0:2])) && validDate(num(d[6:10]), num(d[10:12]), num(d[12:14]))
}

func num(d []byte) int {
	v := 0
	for _, b := range d {
		v = v*10 + int(b-'0')
	}
	return v
}

// provinceCode reports whether c is the code of a province-level division
// (GB/T 2260) as used by resident IDs: 11–15 north, 21–23 north-east,
// 31–37 east, 41–46 south-central, 50–54 south-west, 61–65 north-west,
// 71 Taiwan, 81 Hong Kong, 82 Macau, 83 Taiwan residence permits.
func provinceCode(c int) bool {
	switch {
	case c >= 11 && c <= 15, c >= 21 && c <= 23, c >= 31 && c <= 37,
		c >= 41 && c <= 46, c >= 50 && c <= 54, c >= 61 && c <= 65:
		return true
	}
	return c == 71 || c == 81 || c == 82 || c == 83
}

func validDate(y, m, d int) bool {
	if y < 1880 || y > 2099 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}
