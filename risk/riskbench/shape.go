package riskbench

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"

	"github.com/veil-data/veil/internal/worldgen"
)

// Every choice about a user, device, IP or card is a function of a hash of
// its number, so a user looks the same on every day without the generator
// storing anything about it; per-event choices come from the day's stream.

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// Event types in percent of all events: the scored ones as issue 10
// gives them (login 4.3, purchase 1.5, payment 1.4, login_failed 0.5,
// coupon_redeem 0.3, register 0.1, payment_failed 0.1: 8.2% in all, though
// the summary says ~7.7%), the rest browsing.
var (
	types   = []string{"login", "purchase", "payment", "login_failed", "coupon_redeem", "register", "payment_failed", "view", "click", "cart", "fav"}
	typeLaw = worldgen.NewLaw(4.3, 1.5, 1.4, 0.5, 0.3, 0.1, 0.1, 55, 22, 10, 5.3)
)

// Scored is the share of scored events the generator aims at.
const Scored = 0.082

// pickUser draws a user of a population of n: the density falls as
// rank^-0.4, so the busiest users have hundreds of events a day and most
// a handful a month. The rank is scattered over the population so that
// a user's number says nothing about its activity.
func pickUser(x float64, n uint32) uint32 {
	r := uint32(float64(n) * math.Pow(x, 1/0.6))
	return uint32(worldgen.Mix(uint64(min(r, n-1))^0xa5a5) % uint64(n))
}

// devicesOf is how many devices a user has: most 1 or 2.
var deviceLaw = worldgen.NewLaw(62, 29, 6, 2, 1)

// device picks the device of user u for an event: the first device
// mostly. A household (one user in 25, grouped four by four) shares the
// first device of its head.
func device(u uint32, x float64) uint64 {
	h := worldgen.Mix(uint64(u) ^ 0xde)
	n := deviceLaw.Pick(unit(h)) + 1
	j := 0
	if x >= 0.7 {
		j = int(float64(n) * (x - 0.7) / 0.3)
	}
	if j == 0 && h%25 == 0 {
		u &^= 3
	}
	return uint64(u)<<3 | uint64(j)
}

// IPs: each user has a home address shared with about one other user;
// one user in ten works behind an office NAT (a pool of n/200 addresses,
// ~20 users each); a fifth of events come from a mobile carrier's
// addresses (n/20 of them, any user). Address numbers are then spread so
// that a /24 prefix holds 64 consecutive numbers.
func ip(u uint32, n uint32, x, y float64) uint32 {
	h := worldgen.Mix(uint64(u) ^ 0x1b)
	switch {
	case x < 0.2:
		return n + uint32(y*float64(max(n/20, 1)))
	case h%10 == 0 && x < 0.5:
		return n + n/20 + uint32(h>>8)%max(n/200, 1)
	}
	return uint32(h>>16) % max(n/2, 1)
}

// card picks the user's card for a payment: one in five users has a
// second card; one in fifty pays with its household head's first card.
func card(u uint32, x float64) uint64 {
	h := worldgen.Mix(uint64(u) ^ 0xca)
	j := 0
	if h%5 == 0 && x < 0.3 {
		j = 1
	}
	if j == 0 && h%50 == 0 {
		u &^= 3
	}
	return uint64(u)<<1 | uint64(j)
}

// token appends a token shaped like veil's (a prefix and 40 base64url
// characters: Tink's 5-byte key prefix and 25 bytes) for number x in a
// domain, distinct for distinct (domain, x).
func token(dst []byte, prefix string, domain, x uint64) []byte {
	var raw [30]byte
	copy(raw[:5], []byte{0x01, 0x2a, 0x5c, 0x33, byte(domain)})
	h := worldgen.Mix(x ^ domain<<56)
	binary.BigEndian.PutUint64(raw[5:], h)
	binary.BigEndian.PutUint64(raw[13:], worldgen.Mix(h+1))
	binary.BigEndian.PutUint64(raw[21:], worldgen.Mix(h+2))
	raw[29] = byte(worldgen.Mix(h + 3))
	dst = append(dst, prefix...)
	n := len(dst)
	dst = append(dst, make([]byte, 40)...)
	base64.RawURLEncoding.Encode(dst[n:], raw[:])
	return dst
}

// Token domains.
const (
	domUser = iota + 1
	domDevice
	domIP
	domCard
)

// prefix appends the /24 network of address number a, as the policy
// generalises an IPv4 address.
func prefix(dst []byte, a uint32) []byte {
	net := a >> 6
	dst = strconv.AppendUint(dst, uint64(10+net>>16), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(net>>8&0xff), 10)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, uint64(net&0xff), 10)
	return append(dst, ".0/24"...)
}
