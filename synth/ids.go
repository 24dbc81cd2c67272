package synth

import (
	"strconv"
)

// luhnDigit returns the check digit that makes digits+check pass the Luhn test.
func luhnDigit(digits []byte) byte {
	sum := 0
	double := true // the rightmost payload digit is doubled
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return byte('0' + (10-sum%10)%10)
}

// luhnValid reports whether a string of digits passes the Luhn test.
func luhnValid(s string) bool {
	if len(s) < 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return luhnDigit([]byte(s[:len(s)-1])) == s[len(s)-1]
}

// Card issuer prefixes: Visa, Mastercard, UnionPay.
var (
	visaBINs     = []string{"4", "4111", "4392", "4485", "4716", "4532"}
	mastercardBN = []string{"51", "52", "53", "54", "55"}
	unionpayBINs = []string{"622202", "622848", "621700", "623668", "625967", "622588"}
)

// cardNumber makes a 16-digit Luhn-valid card number starting with prefix.
func cardNumber(r *rng, prefix string) string {
	b := make([]byte, 0, 16)
	b = append(b, prefix...)
	for len(b) < 15 {
		b = append(b, byte('0'+r.intn(10)))
	}
	b = append(b, luhnDigit(b))
	return string(b)
}

// randomCard picks an issuer; cn users mostly hold UnionPay cards.
func randomCard(r *rng, cn bool) string {
	u := r.float()
	switch {
	case cn && u < 0.65, !cn && u < 0.05:
		return cardNumber(r, pick(r, unionpayBINs))
	case u < 0.85:
		return cardNumber(r, pick(r, visaBINs))
	default:
		return cardNumber(r, pick(r, mastercardBN))
	}
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// residentIDCheck is the ISO 7064 MOD 11-2 check character of the first 17
// digits of a Chinese resident ID number.
func residentIDCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheckChars[sum%11]
}

// residentID builds an 18-character resident ID: region, birth date
// YYYYMMDD, sequence (odd for men, even for women) and check character.
func residentID(region, birth string, seq int, gender string) string {
	switch gender {
	case "M":
		seq |= 1
	case "F":
		seq &^= 1
	}
	b := make([]byte, 0, 18)
	b = append(b, region...)
	b = append(b, birth[0:4]...)
	b = append(b, birth[5:7]...)
	b = append(b, birth[8:10]...)
	b = appendPadded(b, int64(seq%1000), 3)
	b = append(b, residentIDCheck(string(b)))
	return string(b)
}

func appendPadded(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func digits(r *rng, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.intn(10))
	}
	return string(b)
}

const hexDigits = "0123456789abcdef"

func appendHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(uint(i)*4))&0xf])
	}
	return b
}

// appendUUID writes a version-4-shaped UUID. All 64 bits of a bijection of
// k are in it (groups 1, 2 and the top of 5), so distinct k give distinct
// ids; the remaining bits are hash noise.
func appendUUID(b []byte, seed, tag, k uint64) []byte {
	lo := mix64(k ^ key(seed, tag))
	hi := key(seed, tag, k)
	b = appendHex(b, lo>>32, 8)
	b = append(b, '-')
	b = appendHex(b, lo>>16, 4)
	b = append(b, '-')
	b = appendHex(b, 0x4000|hi&0x0fff, 4)
	b = append(b, '-')
	b = appendHex(b, 0x8000|(hi>>16)&0x3fff, 4)
	b = append(b, '-')
	b = appendHex(b, lo&0xffff, 4)
	return appendHex(b, hi>>32, 8)
}

const msPerDay = 86_400_000

// appendTS writes unix milliseconds as RFC 3339 UTC with milliseconds.
func appendTS(b []byte, ms int64) []byte {
	days := ms / msPerDay
	rem := ms % msPerDay
	if rem < 0 {
		rem += msPerDay
		days--
	}
	b = appendDate(b, days)
	b = append(b, 'T')
	b = appendPadded(b, rem/3_600_000, 2)
	b = append(b, ':')
	b = appendPadded(b, rem/60_000%60, 2)
	b = append(b, ':')
	b = appendPadded(b, rem/1000%60, 2)
	b = append(b, '.')
	b = appendPadded(b, rem%1000, 3)
	return append(b, 'Z')
}

func tsString(ms int64) string { return string(appendTS(nil, ms)) }

// appendDate writes the civil date of a day number since 1970-01-01
// (Howard Hinnant's days_from_civil inverse).
func appendDate(b []byte, days int64) []byte {
	y, m, d := civil(days)
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, m, 2)
	b = append(b, '-')
	return appendPadded(b, d, 2)
}

func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// dateString formats the day containing ms as YYYY-MM-DD.
func dateString(ms int64) string {
	days := ms / msPerDay
	if ms < 0 && ms%msPerDay != 0 {
		days--
	}
	return string(appendDate(nil, days))
}

// appendAmount writes cents as a decimal with two places.
func appendAmount(b []byte, cents int64) []byte {
	if cents < 0 {
		b = append(b, '-')
		cents = -cents
	}
	b = strconv.AppendInt(b, cents/100, 10)
	b = append(b, '.')
	return appendPadded(b, cents%100, 2)
}

// userIDOf maps a user index (< 10^8) to a unique 8-digit id through a
// keyed permutation of [0, 10^8), so neighbouring indices (a fraud ring's
// accounts, say) get unrelated ids.
func userIDOf(seed uint64, idx int) string {
	k := key(seed, tagUserID)
	v := uint64(idx)
	for { // cycle-walk a permutation of [0, 2^28) into [0, 10^8)
		v = feistel28(k, v)
		if v < 100_000_000 {
			break
		}
	}
	b := make([]byte, 0, 9)
	b = append(b, 'u')
	return string(appendPadded(b, int64(v), 8))
}

// feistel28 is a 4-round balanced Feistel permutation of [0, 2^28).
func feistel28(k, x uint64) uint64 {
	const half = 14
	const mask = 1<<half - 1
	l, r := x>>half, x&mask
	for i := uint64(0); i < 4; i++ {
		l, r = r, l^(mix64(r^k+i*golden)&mask)
	}
	return l<<half | r
}

// merchantIDOf maps a merchant index (< 9000) to m1000..m9999.
func merchantIDOf(idx int) string {
	v := 1000 + (idx*7919)%9000
	return "m" + strconv.Itoa(v)
}

func deviceID(k uint64) string {
	b := make([]byte, 0, 16)
	b = append(b, "dev-"...)
	return string(appendHex(b, k, 12))
}
