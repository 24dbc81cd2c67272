package anonymize

import (
	"errors"
	"net/netip"
	"time"
)

// Errors of the generalisers. They never carry the input value.
var (
	ErrInvalidDate   = errors.New("anonymize: invalid birth date (want YYYY-MM-DD)")
	ErrFutureDate    = errors.New("anonymize: birth date after the reference date")
	ErrImplausible   = errors.New("anonymize: implausible birth date (age over 130)")
	ErrInvalidIP     = errors.New("anonymize: invalid ip address")
	ErrInvalidPrefix = errors.New("anonymize: invalid prefix length")
)

var ageBands = [...]string{"<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"}

// AgeBands returns the values AgeBand returns, youngest first.
func AgeBands() []string { return append([]string(nil), ageBands[:]...) }

// AgeBand returns the age band of someone born on birthDate (YYYY-MM-DD) as
// of asOf's calendar date: "<18", "18-24", "25-34", "35-44", "45-54",
// "55-64" or "65+". Someone born on 29 February ages on 1 March in common
// years.
func AgeBand(birthDate string, asOf time.Time) (string, error) {
	b, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return "", ErrInvalidDate
	}
	y, m, d := asOf.Date()
	age := y - b.Year()
	if m < b.Month() || (m == b.Month() && d < b.Day()) {
		age--
	}
	switch {
	case age < 0:
		return "", ErrFutureDate
	case age > 130:
		return "", ErrImplausible
	case age < 18:
		return ageBands[0], nil
	case age < 25:
		return ageBands[1], nil
	case age >= 65:
		return ageBands[6], nil
	default: // 25..64 in bands of ten
		return ageBands[2+(age-25)/10], nil
	}
}

// IPPrefix returns the network of ip as a masked CIDR prefix, keeping v4Bits
// of an IPv4 address (IPv4-mapped IPv6 counts as IPv4) or v6Bits of an IPv6
// address: "203.0.113.0/24", "2001:db8:1200::/48". A zone is dropped.
func IPPrefix(ip string, v4Bits, v6Bits int) (string, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", ErrInvalidIP
	}
	a = a.Unmap().WithZone("")
	bits := v6Bits
	if a.Is4() {
		bits = v4Bits
	}
	if bits < 0 || bits > a.BitLen() {
		return "", ErrInvalidPrefix
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return "", ErrInvalidPrefix
	}
	return p.String(), nil
}
