package anonymize

import "strings"

// Region generalises a shipping address to an ISO 3166-2 region code:
//
//   - a Chinese address (country "CN", "HK", "MO", "TW" or unknown) that
//     starts with a province-level division, optionally after "中国", gives
//     that division: "浙江省杭州市…" → "CN-ZJ", "北京市…" → "CN-BJ",
//     "香港…" → "CN-HK"; an English one with the division as a
//     comma-separated part ("Hangzhou, Zhejiang, China") too;
//   - a US address whose last parts read "<state> <ZIP>" gives the state:
//     "1 Main St, Springfield, IL 62704, US" → "US-IL";
//   - anything else gives the country code ("GB"), and an unknown country
//     gives "".
//
// Only the division is kept: no city, street or postcode survives.
func Region(address, country string) string {
	cc := normCountry(country)
	switch cc {
	case "", "CN", "HK", "MO", "TW":
		if r := chineseRegion(address, cc); r != "" {
			return r
		}
	case "US":
		if r := usRegion(address); r != "" {
			return r
		}
	}
	if cc == "" {
		if r := usRegion(address); r != "" && endsWithUS(address) {
			return r
		}
	}
	return cc
}

// normCountry returns an upper-case ISO 3166-1 alpha-2 code, or "" for
// anything else, including the user-assigned codes (AA, QM–QZ, XA–XZ, ZZ)
// that feeds use for "unknown" — except XK, in wide use for Kosovo.
func normCountry(c string) string {
	c = strings.TrimSpace(c)
	if len(c) != 2 || !isASCIILetter(c[0]) || !isASCIILetter(c[1]) {
		return ""
	}
	c = strings.ToUpper(c)
	switch {
	case c == "AA", c == "ZZ", c[0] == 'X' && c != "XK", c[0] == 'Q' && c[1] >= 'M':
		return ""
	}
	return c
}

func isASCIILetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

// cnDivisions maps the short Chinese name of every province-level division
// to its ISO 3166-2:CN code. Names are matched as prefixes, so the full
// forms (浙江省, 内蒙古自治区, 香港特别行政区, …) match too; no short name is
// a prefix of another.
var cnDivisions = []struct{ name, code string }{
	// municipalities
	{"北京", "CN-BJ"}, {"天津", "CN-TJ"}, {"上海", "CN-SH"}, {"重庆", "CN-CQ"},
	// provinces
	{"河北", "CN-HE"}, {"山西", "CN-SX"}, {"辽宁", "CN-LN"}, {"吉林", "CN-JL"},
	{"黑龙江", "CN-HL"}, {"江苏", "CN-JS"}, {"浙江", "CN-ZJ"}, {"安徽", "CN-AH"},
	{"福建", "CN-FJ"}, {"江西", "CN-JX"}, {"山东", "CN-SD"}, {"河南", "CN-HA"},
	{"湖北", "CN-HB"}, {"湖南", "CN-HN"}, {"广东", "CN-GD"}, {"海南", "CN-HI"},
	{"四川", "CN-SC"}, {"贵州", "CN-GZ"}, {"云南", "CN-YN"}, {"陕西", "CN-SN"},
	{"甘肃", "CN-GS"}, {"青海", "CN-QH"}, {"台湾", "CN-TW"}, {"臺灣", "CN-TW"},
	// autonomous regions
	{"内蒙古", "CN-NM"}, {"广西", "CN-GX"}, {"西藏", "CN-XZ"}, {"宁夏", "CN-NX"},
	{"新疆", "CN-XJ"},
	// special administrative regions
	{"香港", "CN-HK"}, {"澳门", "CN-MO"}, {"澳門", "CN-MO"},
	// traditional spellings of Taiwan
	{"台灣", "CN-TW"},
}

// cnCities maps capitals and large cities to their division, for addresses
// that start with the city ("杭州市西湖区…"). Checked after cnDivisions.
var cnCities = []struct{ name, code string }{
	{"石家庄", "CN-HE"}, {"太原", "CN-SX"}, {"沈阳", "CN-LN"}, {"大连", "CN-LN"},
	{"长春", "CN-JL"}, {"哈尔滨", "CN-HL"}, {"南京", "CN-JS"}, {"苏州", "CN-JS"},
	{"无锡", "CN-JS"}, {"杭州", "CN-ZJ"}, {"宁波", "CN-ZJ"}, {"温州", "CN-ZJ"},
	{"合肥", "CN-AH"}, {"福州", "CN-FJ"}, {"厦门", "CN-FJ"}, {"南昌", "CN-JX"},
	{"济南", "CN-SD"}, {"青岛", "CN-SD"}, {"郑州", "CN-HA"}, {"武汉", "CN-HB"},
	{"长沙", "CN-HN"}, {"广州", "CN-GD"}, {"深圳", "CN-GD"}, {"东莞", "CN-GD"},
	{"佛山", "CN-GD"}, {"海口", "CN-HI"}, {"三亚", "CN-HI"}, {"成都", "CN-SC"},
	{"贵阳", "CN-GZ"}, {"昆明", "CN-YN"}, {"西安", "CN-SN"}, {"兰州", "CN-GS"},
	{"西宁", "CN-QH"}, {"台北", "CN-TW"}, {"臺北", "CN-TW"}, {"呼和浩特", "CN-NM"},
	{"南宁", "CN-GX"}, {"拉萨", "CN-XZ"}, {"银川", "CN-NX"}, {"乌鲁木齐", "CN-XJ"},
}

// cnDivisionsLatin maps romanised names (lower case) to the same codes.
var cnDivisionsLatin = map[string]string{
	"beijing": "CN-BJ", "tianjin": "CN-TJ", "shanghai": "CN-SH", "chongqing": "CN-CQ",
	"hebei": "CN-HE", "shanxi": "CN-SX", "liaoning": "CN-LN", "jilin": "CN-JL",
	"heilongjiang": "CN-HL", "jiangsu": "CN-JS", "zhejiang": "CN-ZJ", "anhui": "CN-AH",
	"fujian": "CN-FJ", "jiangxi": "CN-JX", "shandong": "CN-SD", "henan": "CN-HA",
	"hubei": "CN-HB", "hunan": "CN-HN", "guangdong": "CN-GD", "hainan": "CN-HI",
	"sichuan": "CN-SC", "guizhou": "CN-GZ", "yunnan": "CN-YN", "shaanxi": "CN-SN",
	"gansu": "CN-GS", "qinghai": "CN-QH", "taiwan": "CN-TW",
	"inner mongolia": "CN-NM", "nei mongol": "CN-NM", "guangxi": "CN-GX",
	"tibet": "CN-XZ", "xizang": "CN-XZ", "ningxia": "CN-NX", "xinjiang": "CN-XJ",
	"hong kong": "CN-HK", "hongkong": "CN-HK", "macau": "CN-MO", "macao": "CN-MO",
}

// latinSuffixes are dropped from an address part before the Latin lookup.
var latinSuffixes = []string{
	" special administrative region", " autonomous region", " municipality",
	" province", " sar", " sheng", " shi",
}

func chineseRegion(address, cc string) string {
	a := strings.TrimSpace(address)
	for _, p := range []string{"中华人民共和国", "中國", "中国"} {
		a = strings.TrimSpace(strings.TrimPrefix(a, p))
	}
	for _, d := range cnDivisions {
		if strings.HasPrefix(a, d.name) {
			return d.code
		}
	}
	for _, d := range cnCities {
		if strings.HasPrefix(a, d.name) {
			return d.code
		}
	}
	if cc == "" || cc == "CN" {
		for part := range strings.SplitSeq(strings.ToLower(address), ",") {
			part = strings.TrimSpace(part)
			for _, s := range latinSuffixes {
				part = strings.TrimSuffix(part, s)
			}
			if code, ok := cnDivisionsLatin[part]; ok {
				return code
			}
		}
	}
	return ""
}

// usStates holds the USPS codes with an ISO 3166-2:US subdivision: the
// states, DC and the inhabited territories.
var usStates = func() map[string]bool {
	m := make(map[string]bool)
	for c := range strings.FieldsSeq(`AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA
		ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT
		VT VA WA WV WI WY DC AS GU MP PR VI`) {
		m[c] = true
	}
	return m
}()

// usRegion finds "<ST> <ZIP>" (ZIP or ZIP+4) in the address's comma-separated
// parts, scanning from the end, and returns "US-<ST>".
func usRegion(address string) string {
	parts := strings.Split(address, ",")
	for i := len(parts) - 1; i >= 0; i-- {
		f := strings.Fields(parts[i])
		if len(f) == 2 && usStates[f[0]] && isZIP(f[1]) {
			return "US-" + f[0]
		}
	}
	return ""
}

func isZIP(s string) bool {
	if len(s) != 5 && !(len(s) == 10 && s[5] == '-') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && i != 5 {
			return false
		}
	}
	return true
}

func endsWithUS(address string) bool {
	i := strings.LastIndexByte(address, ',')
	switch strings.ToUpper(strings.TrimSpace(strings.TrimRight(address[i+1:], "."))) {
	case "US", "USA", "UNITED STATES", "UNITED STATES OF AMERICA", "U.S.A", "U.S":
		return true
	}
	return false
}
