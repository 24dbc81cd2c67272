package anonymize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Address generalisation levels, coarsest first.
const (
	LevelCountry  = "country"
	LevelProvince = "province"
	LevelCity     = "city"
)

// AddressGeneraliser coarsens shipping addresses to one level:
//
//   - "country": the ISO 3166-1 alpha-2 code of country, or, when country
//     is unknown, the country of the region the address names ("浙江省…"
//     → "CN"); "" when neither is known.
//   - "province": the ISO 3166-2 region code, as Region.
//   - "city": the region code, "/" and the city: "CN-ZJ/杭州市",
//     "CN-BJ/北京市", "US-IL/Springfield". A Chinese city is the
//     prefecture-level unit the address names after its province
//     (…市, …自治州, …地区, …盟; a county-level city when the address skips
//     its prefecture), written as in the address; a municipality is its own
//     city; a romanised address reaches city level only for the
//     municipalities and the large cities veil knows by name, which it
//     writes in Chinese ("Hangzhou, Zhejiang" → "CN-ZJ/杭州市"). A US city
//     is the comma-separated part before "<state> <ZIP>", if it reads as a
//     place name (letters only, no street word), its case normalised when
//     written all upper or all lower.
//
// A level that cannot be found falls back to the next coarser one, so
// "city" may give "CN-HK", "US" or "GB", and every level may give "". No
// digit (house number, postcode) ever survives; a US city part is checked
// for street and building words, but a feed that puts something else
// where the city belongs can still pass a word or two through.
type AddressGeneraliser struct{ level string }

// NewAddressGeneraliser returns the generaliser for level: "country",
// "province" or "city".
func NewAddressGeneraliser(level string) (*AddressGeneraliser, error) {
	switch level {
	case LevelCountry, LevelProvince, LevelCity:
		return &AddressGeneraliser{level: level}, nil
	}
	return nil, paramError("address level %q: want country, province or city", level)
}

// Generalise returns address, in country, at the generaliser's level.
func (g *AddressGeneraliser) Generalise(address, country string) string {
	region, city := locate(address, country)
	switch g.level {
	case LevelCountry:
		if cc := normCountry(country); cc != "" {
			return cc
		}
		if len(region) > 3 && region[2] == '-' {
			return region[:2]
		}
		return region
	case LevelCity:
		if city != "" {
			return region + "/" + city
		}
	}
	return region
}

// AddressLevel generalises address at level (see AddressGeneraliser); it
// fails with ErrInvalidParam for an unknown level.
func AddressLevel(address, country, level string) (string, error) {
	g, err := NewAddressGeneraliser(level)
	if err != nil {
		return "", err
	}
	return g.Generalise(address, country), nil
}

// Region generalises a shipping address to an ISO 3166-2 region code:
//
//   - a Chinese address (country "CN", "HK", "MO", "TW" or unknown) that
//     starts with a province-level division, optionally after "中国", gives
//     that division: "浙江省杭州市…" → "CN-ZJ", "北京市…" → "CN-BJ",
//     "香港…" → "CN-HK"; one that starts with a large city gives the city's
//     division; an English one with the division or a large city as a
//     comma-separated part ("Hangzhou, Zhejiang, China") too;
//   - a US address whose last parts read "<state> <ZIP>" gives the state:
//     "1 Main St, Springfield, IL 62704, US" → "US-IL";
//   - anything else gives the country code ("GB"), and an unknown country
//     gives "".
//
// Only the division is kept: no city, street or postcode survives. It is
// AddressLevel at "province".
func Region(address, country string) string {
	region, _ := locate(address, country)
	return region
}

// locate returns the region code of an address (or its country code, or
// "") and, where it can, the city within it.
func locate(address, country string) (region, city string) {
	cc := normCountry(country)
	switch cc {
	case "", "CN", "HK", "MO", "TW":
		if r, c := chineseRegion(address, cc); r != "" {
			return r, c
		}
	case "US":
		if r, c := usRegion(address); r != "" {
			return r, c
		}
	}
	if cc == "" && endsWithUS(address) {
		if r, c := usRegion(address); r != "" {
			return r, c
		}
	}
	return cc, ""
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
// that start with the city ("杭州市西湖区…") or name it in Latin letters
// ("Hangzhou, China"). Checked after cnDivisions. The city level writes
// name+"市".
var cnCities = []struct{ name, latin, code string }{
	{"石家庄", "shijiazhuang", "CN-HE"}, {"太原", "taiyuan", "CN-SX"}, {"沈阳", "shenyang", "CN-LN"},
	{"大连", "dalian", "CN-LN"}, {"长春", "changchun", "CN-JL"}, {"哈尔滨", "harbin", "CN-HL"},
	{"南京", "nanjing", "CN-JS"}, {"苏州", "suzhou", "CN-JS"}, {"无锡", "wuxi", "CN-JS"},
	{"杭州", "hangzhou", "CN-ZJ"}, {"宁波", "ningbo", "CN-ZJ"}, {"温州", "wenzhou", "CN-ZJ"},
	{"合肥", "hefei", "CN-AH"}, {"福州", "fuzhou", "CN-FJ"}, {"厦门", "xiamen", "CN-FJ"},
	{"南昌", "nanchang", "CN-JX"}, {"济南", "jinan", "CN-SD"}, {"青岛", "qingdao", "CN-SD"},
	{"郑州", "zhengzhou", "CN-HA"}, {"武汉", "wuhan", "CN-HB"}, {"长沙", "changsha", "CN-HN"},
	{"广州", "guangzhou", "CN-GD"}, {"深圳", "shenzhen", "CN-GD"}, {"东莞", "dongguan", "CN-GD"},
	{"佛山", "foshan", "CN-GD"}, {"海口", "haikou", "CN-HI"}, {"三亚", "sanya", "CN-HI"},
	{"成都", "chengdu", "CN-SC"}, {"贵阳", "guiyang", "CN-GZ"}, {"昆明", "kunming", "CN-YN"},
	{"西安", "xi'an", "CN-SN"}, {"兰州", "lanzhou", "CN-GS"}, {"西宁", "xining", "CN-QH"},
	{"台北", "taipei", "CN-TW"}, {"臺北", "", "CN-TW"}, {"呼和浩特", "hohhot", "CN-NM"},
	{"南宁", "nanning", "CN-GX"}, {"拉萨", "lhasa", "CN-XZ"}, {"银川", "yinchuan", "CN-NX"},
	{"乌鲁木齐", "urumqi", "CN-XJ"},
}

// cnMunicipalities are the province-level cities: their own city level.
var cnMunicipalities = map[string]string{
	"CN-BJ": "北京市", "CN-TJ": "天津市", "CN-SH": "上海市", "CN-CQ": "重庆市",
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

// cnCitiesLatin indexes cnCities by Latin name ("xian" spelt both ways).
var cnCitiesLatin = func() map[string]int {
	m := make(map[string]int)
	for i, c := range cnCities {
		if c.latin != "" {
			m[c.latin] = i
			m[strings.ReplaceAll(c.latin, "'", "")] = i
		}
	}
	return m
}()

// latinSuffixes are dropped from an address part before the Latin lookup.
var latinSuffixes = []string{
	" special administrative region", " autonomous region", " municipality",
	" province", " sar", " sheng", " shi", " city",
}

// cnDivisionSuffixes follow a division's short name; longest first so that
// "壮族自治区" is not cut at "自治区". "市" is there for the municipalities.
var cnDivisionSuffixes = []string{
	"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "特別行政區", "自治区", "省", "市",
}

// cnCitySuffixes end a prefecture-level (or county-level) city's name.
var cnCitySuffixes = []string{"自治州", "地区", "市", "盟"}

// maxCNCityRunes bounds a city name before its suffix (the longest,
// 克孜勒苏柯尔克孜, has 8), so that free text never passes for a city.
const maxCNCityRunes = 10

// chineseRegion returns the division of a Chinese address and its city,
// or "" and "".
func chineseRegion(address, cc string) (code, city string) {
	a := strings.TrimSpace(address)
	for _, p := range []string{"中华人民共和国", "中國", "中国"} {
		a = strings.TrimSpace(strings.TrimPrefix(a, p))
	}
	for _, d := range cnDivisions {
		rest, ok := strings.CutPrefix(a, d.name)
		if !ok {
			continue
		}
		if m := cnMunicipalities[d.code]; m != "" {
			return d.code, m
		}
		if strings.HasPrefix(rest, "市") {
			// A city named like its province: 吉林市 in 吉林省.
			return d.code, d.name + "市"
		}
		for _, s := range cnDivisionSuffixes {
			if r, ok := strings.CutPrefix(rest, s); ok {
				rest = r
				break
			}
		}
		return d.code, cnCity(rest)
	}
	for _, c := range cnCities {
		if strings.HasPrefix(a, c.name) {
			return c.code, c.name + "市"
		}
	}
	if cc == "" || cc == "CN" {
		return latinChineseRegion(address)
	}
	return "", ""
}

// cnCity returns the city at the start of s: the shortest run of Han
// characters, none of them a district, county, street or number word,
// ending in a city suffix; "" if there is none.
func cnCity(s string) string {
	s = strings.TrimLeft(s, " \t\u3000")
	end, suffix := -1, ""
	for _, x := range cnCitySuffixes {
		if i := strings.Index(s, x); i > 0 && (end < 0 || i < end) {
			end, suffix = i, x
		}
	}
	if end < 0 {
		return ""
	}
	name := s[:end]
	if utf8.RuneCountInString(name) > maxCNCityRunes {
		return ""
	}
	for _, r := range name {
		if !unicode.Is(unicode.Han, r) || strings.ContainsRune("区县镇乡村路街道巷号楼省", r) {
			return ""
		}
	}
	return name + suffix
}

// latinChineseRegion reads a romanised address part by part: a division
// gives the region; a known city gives its division and its city, kept
// only if it lies in the division the address names.
func latinChineseRegion(address string) (code, city string) {
	cityCode := ""
	for part := range strings.SplitSeq(strings.ToLower(address), ",") {
		part = strings.TrimSpace(part)
		for _, s := range latinSuffixes {
			part = strings.TrimSuffix(part, s)
		}
		if c, ok := cnDivisionsLatin[part]; ok && code == "" {
			code = c
		}
		if i, ok := cnCitiesLatin[part]; ok && city == "" {
			cityCode, city = cnCities[i].code, cnCities[i].name+"市"
		}
	}
	switch {
	case code != "" && cnMunicipalities[code] != "":
		return code, cnMunicipalities[code]
	case code == "":
		return cityCode, city
	case cityCode != code:
		return code, ""
	}
	return code, city
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

// usStreetWords end a street, not a city: a part ending in one is no city.
var usStreetWords = func() map[string]bool {
	m := make(map[string]bool)
	for w := range strings.FieldsSeq(`st street ave avenue rd road blvd boulevard dr drive ln lane
		way ct court pl place ter terrace hwy highway pkwy parkway cir circle sq square
		trl trail aly alley suite ste apt unit fl floor box nw ne sw se
		building bldg tower plaza mall`) {
		m[w] = true
	}
	return m
}()

// usRegion finds "<ST> <ZIP>" (ZIP or ZIP+4) in the address's comma-separated
// parts, scanning from the end, and returns "US-<ST>" and the city in the
// part before it, if that reads as one.
func usRegion(address string) (region, city string) {
	parts := strings.Split(address, ",")
	for i := len(parts) - 1; i >= 0; i-- {
		f := strings.Fields(parts[i])
		if len(f) == 2 && usStates[f[0]] && isZIP(f[1]) {
			if i > 0 {
				city = usCity(parts[i-1])
			}
			return "US-" + f[0], city
		}
	}
	return "", ""
}

// usCity returns part as a city name, or "" if it holds anything but
// letters, spaces, dots, hyphens and apostrophes, has more than four
// words, or ends in a street word. An all-upper or all-lower word is
// title-cased.
func usCity(part string) string {
	words := strings.Fields(part)
	if len(words) == 0 || len(words) > 4 || usStreetWords[strings.ToLower(strings.TrimRight(words[len(words)-1], "."))] {
		return ""
	}
	for i, w := range words {
		letters := false
		for j := 0; j < len(w); j++ {
			switch c := w[j]; {
			case isASCIILetter(c):
				letters = true
			case c == '.' || c == '-' || c == '\'':
			default:
				return ""
			}
		}
		if !letters {
			return ""
		}
		if w == strings.ToUpper(w) || w == strings.ToLower(w) {
			words[i] = titleCase(w)
		}
	}
	return strings.Join(words, " ")
}

// titleCase upper-cases the first letter of w and of each piece after a
// '-', and lower-cases the rest: "WINSTON-SALEM" → "Winston-Salem".
func titleCase(w string) string {
	b := []byte(strings.ToLower(w))
	for i := range b {
		if i == 0 || b[i-1] == '-' {
			b[i] = strings.ToUpper(string(b[i]))[0]
		}
	}
	return string(b)
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
