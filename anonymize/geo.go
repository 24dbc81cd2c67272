package anonymize

import (
	"net/netip"

	"github.com/phuslu/iploc"
)

// IPCountryDBVersion names the IP-to-country data compiled into the binary:
// github.com/phuslu/iploc's release, whose date (YYYYMMDD) is that of the
// IP2Location LITE DB1 snapshot it embeds (v1.0.20260915: 15 September
// 2026). The data is CC BY-SA 4.0 and must be credited wherever veil is
// distributed: "This product includes IP2Location LITE data available from
// https://lite.ip2location.com". Record it in reports so a country can be
// traced to the snapshot that produced it.
const IPCountryDBVersion = "iploc " + iploc.Version

// IPCountry returns the ISO 3166-1 alpha-2 country of ip according to the
// embedded database (see IPCountryDBVersion), or "" when the database has no
// country for it: private, loopback, link-local, documentation and other
// unallocated ranges. IPv4-mapped IPv6 is looked up as IPv4 and a zone is
// ignored. It fails with ErrInvalidIP for anything that is not an IP
// address.
//
// The IPv4 table is ready at start-up; the IPv6 table (~11 MB) is
// decompressed on the first IPv6 lookup. Setting IPLOC_IPV4ONLY in the
// environment turns IPv6 lookups off (they return "").
func IPCountry(ip string) (string, error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "", ErrInvalidIP
	}
	a = a.Unmap().WithZone("")
	c := iploc.IPCountry(a)
	// The data marks unassigned ranges "-", which iploc turns into "ZZ";
	// normCountry drops that and any other non-country code.
	return normCountry(c), nil
}
