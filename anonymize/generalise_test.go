package anonymize

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestAgeBand(t *testing.T) {
	asOf := time.Date(2024, 6, 15, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		birth, want string
		err         error
	}{
		{"2024-06-15", "<18", nil},
		{"2006-06-16", "<18", nil}, // 17, turns 18 tomorrow
		{"2006-06-15", "18-24", nil},
		{"1999-06-16", "18-24", nil},
		{"1999-06-15", "25-34", nil},
		{"1989-06-16", "25-34", nil},
		{"1989-06-15", "35-44", nil},
		{"1980-01-01", "35-44", nil},
		{"1979-06-15", "45-54", nil},
		{"1969-06-15", "55-64", nil},
		{"1959-06-16", "55-64", nil},
		{"1959-06-15", "65+", nil},
		{"1900-01-01", "65+", nil},
		{"2024-06-16", "", ErrFutureDate},
		{"1850-01-01", "", ErrImplausible},
		{"2001-02-29", "", ErrInvalidDate},
		{"1990-13-01", "", ErrInvalidDate},
		{"1990-1-1", "", ErrInvalidDate},
		{"15/06/1990", "", ErrInvalidDate},
		{"1990-06-15T00:00:00Z", "", ErrInvalidDate},
		{"", "", ErrInvalidDate},
	}
	for _, tt := range tests {
		got, err := AgeBand(tt.birth, asOf)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("AgeBand(%q) = %q, %v; want %q, %v", tt.birth, got, err, tt.want, tt.err)
		}
		if err != nil && tt.birth != "" && strings.Contains(err.Error(), tt.birth) {
			t.Errorf("error %q echoes the birth date", err)
		}
	}
	if b := AgeBands(); len(b) != 7 || b[0] != "<18" || b[6] != "65+" {
		t.Errorf("AgeBands() = %q", b)
	}
	// Leap-day birthdays age on 1 March in common years.
	leap := "2004-02-29"
	for _, c := range []struct {
		asOf time.Time
		want string
	}{
		{time.Date(2022, 2, 28, 0, 0, 0, 0, time.UTC), "<18"},
		{time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC), "18-24"},
	} {
		if got, _ := AgeBand(leap, c.asOf); got != c.want {
			t.Errorf("AgeBand(%s, %s) = %q, want %q", leap, c.asOf.Format(time.DateOnly), got, c.want)
		}
	}
}

func TestIPPrefix(t *testing.T) {
	tests := []struct {
		ip            string
		v4, v6        int
		want          string
		err           error
		echoForbidden bool
	}{
		{"203.0.113.77", 24, 48, "203.0.113.0/24", nil, false},
		{"203.0.113.77", 16, 48, "203.0.0.0/16", nil, false},
		{"203.0.113.77", 32, 48, "203.0.113.77/32", nil, false},
		{"203.0.113.77", 0, 48, "0.0.0.0/0", nil, false},
		{"2001:db8:1234:5678::1", 24, 48, "2001:db8:1234::/48", nil, false},
		{"2001:db8:12ff:5678::1", 24, 40, "2001:db8:1200::/40", nil, false},
		{"2001:DB8::1", 24, 32, "2001:db8::/32", nil, false},
		{"::ffff:198.51.100.9", 24, 48, "198.51.100.0/24", nil, false},
		{"fe80::1%eth0", 24, 64, "fe80::/64", nil, false},
		{"::1", 24, 128, "::1/128", nil, false},
		{"1.2.3.4", 33, 48, "", ErrInvalidPrefix, false},
		{"1.2.3.4", -1, 48, "", ErrInvalidPrefix, false},
		{"2001:db8::1", 24, 129, "", ErrInvalidPrefix, false},
		{"1.2.3.400", 24, 48, "", ErrInvalidIP, true},
		{"1.2.3", 24, 48, "", ErrInvalidIP, true},
		{"10.0.0.1/8", 24, 48, "", ErrInvalidIP, true},
		{" 1.2.3.4", 24, 48, "", ErrInvalidIP, true},
		{"", 24, 48, "", ErrInvalidIP, false},
		{"example.com", 24, 48, "", ErrInvalidIP, true},
		{"01.02.03.04", 24, 48, "", ErrInvalidIP, true},
	}
	for _, tt := range tests {
		got, err := IPPrefix(tt.ip, tt.v4, tt.v6)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("IPPrefix(%q, %d, %d) = %q, %v; want %q, %v", tt.ip, tt.v4, tt.v6, got, err, tt.want, tt.err)
		}
		if tt.echoForbidden && err != nil && strings.Contains(err.Error(), strings.TrimSpace(tt.ip)) {
			t.Errorf("error %q echoes the address", err)
		}
	}
}

func TestRegion(t *testing.T) {
	tests := []struct{ address, country, want string }{
		// Chinese provinces, municipalities, autonomous regions, SARs, Taiwan.
		{"浙江省杭州市西湖区文三路 100 号", "CN", "CN-ZJ"},
		{"中国浙江省杭州市", "CN", "CN-ZJ"},
		{"中华人民共和国 广东省深圳市南山区", "", "CN-GD"},
		{"北京市海淀区中关村大街 1 号", "CN", "CN-BJ"},
		{"上海市浦东新区世纪大道 8 号", "CN", "CN-SH"},
		{"上海市黄浦区浙江中路 2 号", "CN", "CN-SH"}, // a road named after a province
		{"天津市和平区", "CN", "CN-TJ"},
		{"重庆市渝中区", "CN", "CN-CQ"},
		{"广西壮族自治区南宁市", "CN", "CN-GX"},
		{"内蒙古自治区呼和浩特市", "CN", "CN-NM"},
		{"西藏自治区拉萨市", "CN", "CN-XZ"},
		{"宁夏回族自治区银川市", "CN", "CN-NX"},
		{"新疆维吾尔自治区乌鲁木齐市", "CN", "CN-XJ"},
		{"黑龙江省哈尔滨市", "CN", "CN-HL"},
		{"山西省太原市", "CN", "CN-SX"},
		{"陕西省西安市", "CN", "CN-SN"},
		{"河南省郑州市", "CN", "CN-HA"},
		{"河北省石家庄市", "CN", "CN-HE"},
		{"湖南省长沙市", "CN", "CN-HN"},
		{"湖北省武汉市", "CN", "CN-HB"},
		{"海南省海口市", "CN", "CN-HI"},
		{"香港特别行政区九龙弥敦道", "HK", "CN-HK"},
		{"澳門特別行政區", "MO", "CN-MO"},
		{"台灣臺北市", "TW", "CN-TW"},
		{"台湾省台北市", "", "CN-TW"},
		// City without province.
		{"杭州市西湖区", "CN", "CN-ZJ"},
		{"深圳市南山区科技园", "CN", "CN-GD"},
		// Romanised.
		{"88 Wensan Rd, Hangzhou, Zhejiang Province, China", "CN", "CN-ZJ"},
		{"Chaoyang District, Beijing, China", "CN", "CN-BJ"},
		{"Urumqi, Xinjiang, CN", "CN", "CN-XJ"},
		// Chinese address without a known division: the country.
		{"某某镇某某村", "CN", "CN"},
		// United States.
		{"1600 Pennsylvania Ave NW, Washington, DC 20500, US", "US", "US-DC"},
		{"742 Evergreen Terrace, Springfield, IL 62704, US", "US", "US-IL"},
		{"742 Evergreen Terrace, Springfield, IL 62704-1234", "us", "US-IL"},
		{"1 Infinite Loop, Cupertino, CA 95014, USA", "", "US-CA"},
		{"1 Infinite Loop, Cupertino, CA 95014", "", ""},
		{"1 Main St, Somewhere", "US", "US"},
		{"1 Main St, Springfield, ZZ 62704, US", "US", "US"},
		// Everything else: the country code; unknown: "".
		{"10 Downing Street, London SW1A 2AA", "GB", "GB"},
		{"221B Baker Street, London", " gb ", "GB"},
		{"Hauptstraße 1, 10115 Berlin", "DE", "DE"},
		{"浙江省杭州市", "JP", "JP"},
		{"somewhere", "", ""},
		{"somewhere", "ZZ", ""},
		{"somewhere", "XX", ""},
		{"Pristina", "XK", "XK"},
		{"somewhere", "GBR", ""},
		{"somewhere", "1A", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := Region(tt.address, tt.country); got != tt.want {
			t.Errorf("Region(%q, %q) = %q, want %q", tt.address, tt.country, got, tt.want)
		}
	}
}

// The province table is consistent: codes well-formed, no name a prefix of
// another (which would make the table order matter).
func TestProvinceTable(t *testing.T) {
	codes := map[string]bool{}
	for i, a := range cnDivisions {
		if len(a.code) != 5 || !strings.HasPrefix(a.code, "CN-") {
			t.Errorf("bad code %q", a.code)
		}
		codes[a.code] = true
		for j, b := range cnDivisions {
			if i != j && strings.HasPrefix(b.name, a.name) {
				t.Errorf("%q is a prefix of %q", a.name, b.name)
			}
		}
	}
	if len(codes) != 34 {
		t.Errorf("%d province-level codes, want 34", len(codes))
	}
	for _, c := range cnCities {
		if !codes[c.code] {
			t.Errorf("city %q maps to unknown code %q", c.name, c.code)
		}
	}
	for name, code := range cnDivisionsLatin {
		if !codes[code] {
			t.Errorf("%q maps to unknown code %q", name, code)
		}
	}
}
