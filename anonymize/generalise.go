package anonymize

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Errors of the generalisers. They never carry the input value.
var (
	ErrInvalidDate   = errors.New("anonymize: invalid birth date (want YYYY-MM-DD)")
	ErrFutureDate    = errors.New("anonymize: birth date after the reference date")
	ErrImplausible   = errors.New("anonymize: implausible birth date (age over 130)")
	ErrInvalidAge    = errors.New("anonymize: age outside 0..130")
	ErrInvalidIP     = errors.New("anonymize: invalid ip address")
	ErrInvalidPrefix = errors.New("anonymize: invalid prefix length")
)

// ErrInvalidParam is wrapped by every constructor error: a generaliser
// parameter, as written in a policy, is out of range. The message names the
// parameter; parameters are configuration, never personal data.
var ErrInvalidParam = errors.New("anonymize: invalid generaliser parameter")

func paramError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidParam}, args...)...)
}

// MaxAge is the oldest plausible age in years; older is treated as a data
// error rather than a band.
const MaxAge = 130

// DefaultAgeEdges returns the lower bounds of the default age bands after
// the first: "<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+".
func DefaultAgeEdges() []int { return []int{18, 25, 35, 45, 55, 65} }

// AgeBander maps an age to a band. Bands are [edge[i-1], edge[i]) in
// whole years, plus "<edge[0]" below the first edge and "edge[n-1]+" from
// the last. A band one year wide is labelled by that year alone ("18").
// It is immutable and safe for concurrent use.
type AgeBander struct {
	edges  []int
	labels []string // len(edges)+1, youngest first
}

// NewAgeBander returns the bander for edges: at least one, strictly
// increasing, each in 1..MaxAge. Use DefaultAgeEdges for today's bands.
func NewAgeBander(edges []int) (*AgeBander, error) {
	if len(edges) == 0 {
		return nil, paramError("age band edges: need at least one")
	}
	for i, e := range edges {
		if e < 1 || e > MaxAge {
			return nil, paramError("age band edges[%d]: %d is outside 1..%d", i, e, MaxAge)
		}
		if i > 0 && e <= edges[i-1] {
			return nil, paramError("age band edges[%d]: %d is not above edges[%d] (%d)", i, e, i-1, edges[i-1])
		}
	}
	b := &AgeBander{edges: append([]int(nil), edges...)}
	b.labels = append(b.labels, "<"+strconv.Itoa(edges[0]))
	for i := 1; i < len(edges); i++ {
		lo, hi := edges[i-1], edges[i]-1
		if lo == hi {
			b.labels = append(b.labels, strconv.Itoa(lo))
		} else {
			b.labels = append(b.labels, strconv.Itoa(lo)+"-"+strconv.Itoa(hi))
		}
	}
	b.labels = append(b.labels, strconv.Itoa(edges[len(edges)-1])+"+")
	return b, nil
}

// defaultAgeBander backs AgeBand; its edges are valid by construction.
var defaultAgeBander = func() *AgeBander {
	b, err := NewAgeBander(DefaultAgeEdges())
	if err != nil {
		panic(err)
	}
	return b
}()

// Labels returns the band labels, youngest first.
func (b *AgeBander) Labels() []string { return append([]string(nil), b.labels...) }

// FromAge returns the band of an age in whole years (feeds such as
// Fraud_Data carry an age, not a birth date). It fails with ErrInvalidAge
// outside 0..MaxAge.
func (b *AgeBander) FromAge(age int) (string, error) {
	if age < 0 || age > MaxAge {
		return "", ErrInvalidAge
	}
	i := 0
	for i < len(b.edges) && age >= b.edges[i] {
		i++
	}
	return b.labels[i], nil
}

// FromBirthDate returns the band of someone born on birthDate (YYYY-MM-DD)
// as of asOf's calendar date. Someone born on 29 February ages on 1 March in
// common years.
func (b *AgeBander) FromBirthDate(birthDate string, asOf time.Time) (string, error) {
	bd, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return "", ErrInvalidDate
	}
	y, m, d := asOf.Date()
	age := y - bd.Year()
	if m < bd.Month() || (m == bd.Month() && d < bd.Day()) {
		age--
	}
	switch {
	case age < 0:
		return "", ErrFutureDate
	case age > MaxAge:
		return "", ErrImplausible
	}
	return b.FromAge(age)
}

// AgeBands returns the values AgeBand returns, youngest first.
func AgeBands() []string { return defaultAgeBander.Labels() }

// AgeBand returns the default age band (see DefaultAgeEdges) of someone
// born on birthDate (YYYY-MM-DD) as of asOf's calendar date: "<18",
// "18-24", "25-34", "35-44", "45-54", "55-64" or "65+".
func AgeBand(birthDate string, asOf time.Time) (string, error) {
	return defaultAgeBander.FromBirthDate(birthDate, asOf)
}

// IPPrefixer keeps the network part of IP addresses; see IPPrefix.
type IPPrefixer struct{ v4Bits, v6Bits int }

// NewIPPrefixer returns a prefixer keeping v4Bits (0..32) of IPv4 and
// v6Bits (0..128) of IPv6 addresses.
func NewIPPrefixer(v4Bits, v6Bits int) (*IPPrefixer, error) {
	if v4Bits < 0 || v4Bits > 32 {
		return nil, paramError("ipv4 prefix bits: %d is outside 0..32", v4Bits)
	}
	if v6Bits < 0 || v6Bits > 128 {
		return nil, paramError("ipv6 prefix bits: %d is outside 0..128", v6Bits)
	}
	return &IPPrefixer{v4Bits: v4Bits, v6Bits: v6Bits}, nil
}

// Prefix returns IPPrefix(ip, v4Bits, v6Bits); its parameters are already
// valid, so the only error is ErrInvalidIP.
func (p *IPPrefixer) Prefix(ip string) (string, error) { return IPPrefix(ip, p.v4Bits, p.v6Bits) }

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

// Time truncation units.
const (
	UnitSecond = "second"
	UnitMinute = "minute"
	UnitHour   = "hour"
	UnitDay    = "day"
)

// TimeTruncator coarsens timestamps to the start of their second, minute,
// hour or day.
type TimeTruncator struct{ unit string }

// NewTimeTruncator returns the truncator for unit: "second", "minute",
// "hour" or "day".
func NewTimeTruncator(unit string) (*TimeTruncator, error) {
	switch unit {
	case UnitSecond, UnitMinute, UnitHour, UnitDay:
		return &TimeTruncator{unit: unit}, nil
	}
	return nil, paramError("time unit %q: want second, minute, hour or day", unit)
}

// Truncate returns the start of t's unit on t's wall clock in t's own
// location (the pipeline's timestamps are UTC), so "day" is the calendar
// day there, not a multiple of 24h since year 1. The monotonic reading is
// dropped.
func (tt *TimeTruncator) Truncate(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	switch tt.unit {
	case UnitDay:
		h, mi, s = 0, 0, 0
	case UnitHour:
		mi, s = 0, 0
	case UnitMinute:
		s = 0
	}
	return time.Date(y, mo, d, h, mi, s, 0, t.Location())
}

// TruncateTime truncates t to unit (see TimeTruncator); it fails with
// ErrInvalidParam for an unknown unit.
func TruncateTime(t time.Time, unit string) (time.Time, error) {
	tt, err := NewTimeTruncator(unit)
	if err != nil {
		return time.Time{}, err
	}
	return tt.Truncate(t), nil
}
