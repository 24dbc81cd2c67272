package pii

import "strings"

// Word lists for addresses. Written for this package from the official
// names (GB/T 2260 provinces, USPS Publication 28 street suffixes, ISO
// 3166 codes); kept short on purpose.

// provinces are the province-level divisions of China, without 省/市/自治区.
var provinces = strings.Fields(`北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建
江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆
香港 澳门`)

// provinceSuffixes may follow a province name.
var provinceSuffixes = strings.Fields(`特别行政区 壮族自治区 回族自治区 维吾尔自治区 自治区 省 市`)

// Suffixes of the named levels of a Chinese address, longest first within
// each kind.
var (
	adminSuffixes = strings.Fields(`特别行政区 自治区 自治州 自治县 自治旗 开发区 新区 街道 地区
省 市 州 盟 区 县 旗 镇 乡 村`)
	roadSuffixes     = strings.Fields(`大道 大街 胡同 公路 路 街 道 巷 弄 段`)
	compoundSuffixes = strings.Fields(`工业园 产业园 科技园 小区 花园 公寓 大厦 广场 中心 家园 新村
社区 山庄 别墅 公馆 大楼 宿舍 校区 商城 大院 苑 园 城 府 庭 湾 阁 院 坊 里`)
	// numberSuffixes follow the digits of a number level: 318号, 2单元.
	numberSuffixes = strings.Fields(`号楼 号院 号 栋 幢 座 单元 室 层 楼 弄 户 门 期 排 组 区 舍`)
)

// notPlace are ordinary words that end in a suffix character.
var notPlace = strings.Fields(`知道 味道 渠道 频道 难道 报道 顺道 通道 一道 超市 城市 上市 门市 都市
夜市 一路 走路 顺路 线路 网路 思路 出路 道路 后路 小区里 哪里 这里 那里 心里 家里 公里 千里`)

// placeStop are characters that do not occur in place names but often
// right before one ("我家在", "寄到"): a Chinese address never spans them.
var placeStop = runeSet(`的了吗呢吧啊呀哦嗯是在我你您他她它们请把给要想就也还再很这那哪么什怎到寄送改写叫住址
帮烦亲号话或及但而且因为所以果可以能让被已件货姓`)

// chineseNumerals are the characters of numbers written in Chinese.
var chineseNumerals = runeSet(`〇零一二三四五六七八九十百千两`)

// English street suffixes (USPS Publication 28 and common British and
// Australian ones), lower case, with their abbreviations.
var streetSuffixes = wordSet(`street st road rd avenue ave av lane ln boulevard blvd drive dr way
court ct place pl terrace ter tce crescent cres close cl parkway pkwy highway hwy square sq circle cir
trail trl row walk alley aly grove gr gardens gdns hill hills heights hts park plaza plz point pt ridge
rdg run path pike loop mews parade pde esplanade esp quay wharf green rise vale view commons crossing
xing expressway expy freeway fwy junction jct landing manor meadow meadows mill mills orchard pass
port ports ranch route rte spur station summit turnpike tpke valley vista village bypass causeway cove
creek estates field fields flats forest fork harbor harbour haven island isle key knoll lake lakes
lodge mount mountain oval prairie rapids shore shores springs stream track trace tunnel viaduct wells
bridge brook camp canyon cape center centre corner corners crest curve dale dam estate falls ferry ford
fort garden gateway glen hollow inlet keys land lock locks motorway overpass pines plains ramp river
shoal skyway spring throughway underpass ville wall stravenue utca út útja tér u ul ulica körút sor
rkp krt sgt fasor köz sétány str forge radial`)

// streetPrefixes open a street name in Romance languages: "Rue de
// Rivoli", "Via Roma 131".
var streetPrefixes = wordSet(`rue avenue av boulevard bd via viale corso piazza largo calle carrer
avenida av rua travessa praça camino chemin allée allee impasse quai place plaza strada ul al aleja
ulica`)

// streetWords are the street endings written as a word of their own after
// a name: "Villacher Strasse 89", "Trenerys gate 232".
var streetWords = wordSet(`straße strasse gasse weg allee platz straat laan gracht vej gade gata gate
gatan vägen veien`)

// streetEndings end one-word street names in Germanic and Nordic
// languages: "Hauptstraße 12", "Rooseveltlaan 110", "Harjukuja 54".
var streetEndings = strings.Fields(`straße strasse str. weg allee platz gasse damm ufer
chaussee gracht laan straat vej gade vägen gatan veien gata katu tie kuja utca ulica`)

// unitWords introduce an apartment or suite: "Apt. 5B", "Suite 200".
var unitWords = wordSet(`apt apt. apartment suite ste ste. unit flat fl fl. floor room rm bldg
building level lvl box`)

// regionCodes are US states, Canadian provinces and Australian states, as
// written before a postcode.
var regionCodes = wordSet(`AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN
MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR ON QC BC AB MB SK
NS NB NL PE YT NT NU NSW VIC QLD TAS ACT`)

// countryCodes and countryNames end an address.
var (
	countryCodes = wordSet(`US USA GB UK DE FR CN SG JP CA AU NZ IE IT ES NL BE CH AT SE NO DK FI PT
PL CZ HK TW KR IN MY TH VN PH ID BR MX RU ZA`)
	countryNames = []string{"United States of America", "United States", "United Kingdom",
		"England", "Scotland", "Wales", "Ireland", "Germany", "France", "China", "Singapore", "Japan",
		"Canada", "Australia", "New Zealand", "Italy", "Spain", "Netherlands", "Belgium",
		"Switzerland", "Austria", "Sweden", "Norway", "Denmark", "Finland", "Iceland", "Portugal",
		"Poland", "Czech Republic", "Hungary", "Greece", "Cyprus", "Estonia", "Hong Kong", "Taiwan",
		"South Korea", "Korea", "India", "Malaysia", "Thailand", "Vietnam", "Philippines",
		"Indonesia", "Brazil", "Mexico", "Russia", "South Africa", "Tunisia", "Slovenia", "Slovakia",
		"Croatia", "Serbia", "Romania", "Bulgaria", "Ukraine", "Lithuania", "Latvia", "Luxembourg",
		"Liechtenstein", "Monaco", "Malta", "Turkey", "Israel", "Egypt", "Morocco", "Algeria", "Nigeria",
		"Kenya", "Argentina", "Chile", "Colombia", "Peru", "Uruguay", "Venezuela", "Greenland",
		"Pakistan", "Bangladesh", "Sri Lanka", "Nepal", "Saudi Arabia", "United Arab Emirates", "Qatar",
		"Northern Ireland", "Bosnia and Herzegovina", "Montenegro", "Albania",
		"North Macedonia", "Belarus", "Moldova", "Armenia", "Kazakhstan", "Lebanon"}
)

func runeSet(s string) map[rune]bool {
	m := make(map[rune]bool)
	for _, r := range s {
		if r != '\n' {
			m[r] = true
		}
	}
	return m
}

// words is a set of lower-case words (or upper-case codes) with a filter
// by first byte and length that turns most words away before a map look-up
// hashes them.
type words struct {
	m    map[string]bool
	lens [27]uint64 // by first letter (26: any other byte): bit len(w)
}

func wordSet(s string) words {
	ws := words{m: make(map[string]bool)}
	for _, w := range strings.Fields(s) {
		ws.add(w)
	}
	return ws
}

func (ws *words) add(w string) {
	ws.m[w] = true
	ws.lens[firstBucket(w[0])] |= 1 << min(len(w), 63)
}

// has reports whether w, exactly as written, is in the set.
func (ws *words) has(w string) bool {
	return len(w) > 0 && ws.lens[firstBucket(w[0])]&(1<<min(len(w), 63)) != 0 && ws.m[w]
}

// mayHave is the filter alone, in any ASCII case.
func (ws *words) mayHave(w string) bool {
	return len(w) > 0 && ws.lens[firstBucket(w[0])]&(1<<min(len(w), 63)) != 0
}

func firstBucket(c byte) int {
	if c|0x20 >= 'a' && c|0x20 <= 'z' {
		return int(c | 0x20 - 'a')
	}
	return 26
}

func direction(w string) bool {
	switch strings.TrimSuffix(w, ".") {
	case "N", "S", "E", "W", "NE", "NW", "SE", "SW", "North", "South", "East", "West":
		return true
	}
	return false
}

func ordinal(w string) bool {
	n := 0
	for n < len(w) && isDigit(w[n]) {
		n++
	}
	if n == 0 {
		return false
	}
	if len(w)-n != 2 { // no allocation: 2nd, 3RD, 4th
		return false
	}
	switch string([]byte{w[n] | 0x20, w[n+1] | 0x20}) {
	case "st", "nd", "rd", "th":
		return isLetter(w[n]) && isLetter(w[n+1])
	}
	return false
}

func connector(w string) bool {
	switch w {
	case "de", "la", "le", "du", "des", "del", "di", "da", "do", "dos", "das", "van", "von", "der", "den",
		"dei", "della", "delle", "degli", "dello",
		"of", "the", "y", "e", "el", "l'", "d'", "am", "an", "im", "upon", "on", "sur", "en":
		return true
	}
	return false
}
