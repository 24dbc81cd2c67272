package anonymize

import (
	"errors"
	"strings"
	"testing"
)

// The public addresses below belong to operators whose allocation has not
// moved in years, so a database refresh should not change them. 1.1.1.1 is
// left out: IP2Location puts it in AU (APNIC's research range), other
// databases in US.
func TestIPCountry(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"8.8.8.8", "US"},              // Google Public DNS
		{"9.9.9.9", "US"},              // Quad9
		{"114.114.114.114", "CN"},      // 114DNS, China
		{"223.5.5.5", "CN"},            // AliDNS
		{"180.76.76.76", "CN"},         // Baidu DNS
		{"81.2.69.142", "GB"},          // a long-standing UK test address
		{"::ffff:8.8.8.8", "US"},       // IPv4-mapped: looked up as IPv4
		{"2001:4860:4860::8888", "US"}, // Google Public DNS over IPv6
		{"2400:3200::1", "CN"},         // AliDNS over IPv6
		{"240e::1", "CN"},              // China Telecom
		{"2a00:1450:4001::1", "DE"},    // Google, Frankfurt
		// No country: private, shared, loopback, link-local, multicast,
		// documentation, unspecified, broadcast, ULA.
		{"10.0.0.1", ""},
		{"172.16.5.4", ""},
		{"192.168.1.1", ""},
		{"100.64.0.1", ""},
		{"127.0.0.1", ""},
		{"169.254.1.1", ""},
		{"224.0.0.1", ""},
		{"203.0.113.1", ""},
		{"0.0.0.0", ""},
		{"255.255.255.255", ""},
		{"::1", ""},
		{"fe80::1%eth0", ""},
		{"fc00::1", ""},
		{"2001:db8::1", ""},
	}
	for _, tt := range tests {
		got, err := IPCountry(tt.ip)
		if got != tt.want || err != nil {
			t.Errorf("IPCountry(%q) = %q, %v; want %q", tt.ip, got, err, tt.want)
		}
	}
	for _, ip := range []string{"", "1.2.3.400", "8.8.8", "8.8.8.8/32", " 8.8.8.8", "dns.google", "01.02.03.04", "2001:db8::g"} {
		got, err := IPCountry(ip)
		if got != "" || !errors.Is(err, ErrInvalidIP) {
			t.Errorf("IPCountry(%q) = %q, %v; want ErrInvalidIP", ip, got, err)
		}
		if err != nil && ip != "" && strings.Contains(err.Error(), strings.TrimSpace(ip)) {
			t.Errorf("error %q echoes the address", err)
		}
	}
}

func TestIPCountryDBVersion(t *testing.T) {
	// "iploc v1.0.YYYYMMDD": the date is the data's.
	v, ok := strings.CutPrefix(IPCountryDBVersion, "iploc v1.0.")
	if !ok || len(v) != 8 || strings.Trim(v, "0123456789") != "" {
		t.Errorf("IPCountryDBVersion = %q", IPCountryDBVersion)
	}
}

func BenchmarkIPCountry(b *testing.B) {
	ips := []string{"8.8.8.8", "114.114.114.114", "2400:3200::1", "192.168.1.1"}
	if _, err := IPCountry(ips[2]); err != nil { // load the IPv6 table outside the loop
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := IPCountry(ips[i%len(ips)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
