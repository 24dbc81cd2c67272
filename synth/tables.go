package synth

// Fixed reference data the generator draws from. Region codes are real
// administrative division codes (GB/T 2260), so resident ID numbers built on
// them pass a region check.

type categoryInfo struct {
	name               string
	zh, en             []string // what buyers call an item of it in chats
	minPrice, maxPrice float64  // CNY
	weight             float64  // share of browsing
}

var categories = []categoryInfo{
	{"beauty", []string{"口红", "粉底液", "眼影盘"}, []string{"lipstick", "foundation", "eyeshadow palette"}, 39, 899, 9},
	{"skincare", []string{"面霜", "精华液", "面膜"}, []string{"face cream", "serum", "sheet masks"}, 59, 1299, 8},
	{"electronics", []string{"蓝牙耳机", "充电宝", "机械键盘"}, []string{"earbuds", "power bank", "keyboard"}, 99, 4999, 7},
	{"phones", []string{"手机", "手机壳", "平板"}, []string{"phone", "phone case", "tablet"}, 49, 9999, 4},
	{"apparel", []string{"连衣裙", "羽绒服", "卫衣"}, []string{"dress", "down jacket", "hoodie"}, 49, 999, 14},
	{"shoes", []string{"运动鞋", "靴子", "帆布鞋"}, []string{"sneakers", "boots", "canvas shoes"}, 99, 1299, 8},
	{"home", []string{"四件套", "收纳盒", "台灯"}, []string{"bedding set", "storage box", "desk lamp"}, 29, 1999, 7},
	{"kitchen", []string{"炒锅", "保温杯", "刀具套装"}, []string{"wok", "thermos", "knife set"}, 19, 999, 5},
	{"toys", []string{"积木", "毛绒玩具", "遥控车"}, []string{"building blocks", "plush toy", "RC car"}, 19, 599, 4},
	{"books", []string{"书", "绘本", "教辅"}, []string{"book", "picture book", "workbook"}, 15, 199, 4},
	{"food", []string{"零食礼包", "坚果", "咖啡豆"}, []string{"snack box", "mixed nuts", "coffee beans"}, 9, 299, 9},
	{"sports", []string{"瑜伽垫", "跑步鞋", "哑铃"}, []string{"yoga mat", "running shoes", "dumbbells"}, 39, 1999, 4},
	{"baby", []string{"纸尿裤", "奶粉", "婴儿车"}, []string{"diapers", "formula", "stroller"}, 29, 2999, 4},
	{"pets", []string{"猫粮", "狗粮", "猫砂"}, []string{"cat food", "dog food", "cat litter"}, 15, 499, 3},
	{"jewelry", []string{"项链", "手链", "耳钉"}, []string{"necklace", "bracelet", "earrings"}, 99, 9999, 2},
	{"bags", []string{"双肩包", "手提包", "行李箱"}, []string{"backpack", "handbag", "suitcase"}, 59, 2999, 3},
	{"appliances", []string{"空气炸锅", "吹风机", "扫地机器人"}, []string{"air fryer", "hair dryer", "robot vacuum"}, 129, 5999, 3},
	{"health", []string{"维生素", "护腰", "血压计"}, []string{"vitamins", "back brace", "blood pressure monitor"}, 29, 699, 2},
}

// cnRegion is a county-level division with its real 6-digit code.
type cnRegion struct {
	code     string
	province string // includes 省/市/自治区
	city     string // empty for the four municipalities
	district string
}

var cnRegions = []cnRegion{
	{"110101", "北京市", "", "东城区"},
	{"110105", "北京市", "", "朝阳区"},
	{"110108", "北京市", "", "海淀区"},
	{"310104", "上海市", "", "徐汇区"},
	{"310115", "上海市", "", "浦东新区"},
	{"310105", "上海市", "", "长宁区"},
	{"120104", "天津市", "", "南开区"},
	{"500103", "重庆市", "", "渝中区"},
	{"330106", "浙江省", "杭州市", "西湖区"},
	{"330110", "浙江省", "杭州市", "余杭区"},
	{"440305", "广东省", "深圳市", "南山区"},
	{"440304", "广东省", "深圳市", "福田区"},
	{"440106", "广东省", "广州市", "天河区"},
	{"320106", "江苏省", "南京市", "鼓楼区"},
	{"320508", "江苏省", "苏州市", "姑苏区"},
	{"510107", "四川省", "成都市", "武侯区"},
	{"510104", "四川省", "成都市", "锦江区"},
	{"420111", "湖北省", "武汉市", "洪山区"},
	{"430104", "湖南省", "长沙市", "岳麓区"},
	{"370202", "山东省", "青岛市", "市南区"},
	{"350203", "福建省", "厦门市", "思明区"},
	{"410105", "河南省", "郑州市", "金水区"},
	{"610113", "陕西省", "西安市", "雁塔区"},
	{"210102", "辽宁省", "沈阳市", "和平区"},
	{"230103", "黑龙江省", "哈尔滨市", "南岗区"},
	{"530102", "云南省", "昆明市", "五华区"},
	{"340104", "安徽省", "合肥市", "蜀山区"},
	{"360111", "江西省", "南昌市", "青山湖区"},
	{"130104", "河北省", "石家庄市", "桥西区"},
	{"140105", "山西省", "太原市", "小店区"},
	{"520102", "贵州省", "贵阳市", "南明区"},
	{"460106", "海南省", "海口市", "龙华区"},
	{"450103", "广西壮族自治区", "南宁市", "青秀区"},
	{"150105", "内蒙古自治区", "呼和浩特市", "赛罕区"},
	{"650102", "新疆维吾尔自治区", "乌鲁木齐市", "天山区"},
	{"540102", "西藏自治区", "拉萨市", "城关区"},
	{"640104", "宁夏回族自治区", "银川市", "兴庆区"},
}

var cnStreets = []string{
	"文三路", "中山路", "人民路", "解放路", "建设路", "学院路", "科技路", "滨江路",
	"和平路", "新华路", "青年路", "幸福路", "朝阳路", "东风路", "胜利路", "花园路",
	"光明路", "长江路", "黄河路", "天府大道", "深南大道", "延安西路", "五一路", "北京路",
}

var cnCompounds = []string{
	"阳光花园", "金色家园", "翠苑小区", "桂花城", "万科城", "碧桂园", "华润城", "世纪新城",
	"锦绣华庭", "东方明珠苑", "滨江国际", "龙湖春江郦城", "保利香槟国际", "绿地海珀",
}

type pinyinChar struct{ hanzi, pinyin string }

var cnSurnames = []pinyinChar{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"},
	{"黄", "huang"}, {"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"徐", "xu"}, {"孙", "sun"},
	{"马", "ma"}, {"朱", "zhu"}, {"胡", "hu"}, {"郭", "guo"}, {"何", "he"}, {"高", "gao"},
	{"林", "lin"}, {"罗", "luo"}, {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"}, {"宋", "song"},
	{"唐", "tang"}, {"许", "xu"}, {"韩", "han"}, {"冯", "feng"}, {"邓", "deng"}, {"曹", "cao"},
	{"彭", "peng"}, {"曾", "zeng"}, {"肖", "xiao"}, {"田", "tian"}, {"董", "dong"}, {"潘", "pan"},
	{"袁", "yuan"}, {"蔡", "cai"}, {"蒋", "jiang"}, {"余", "yu"}, {"叶", "ye"}, {"杜", "du"},
}

var cnGivenF = []pinyinChar{
	{"芳", "fang"}, {"娜", "na"}, {"敏", "min"}, {"静", "jing"}, {"丽", "li"}, {"艳", "yan"},
	{"娟", "juan"}, {"霞", "xia"}, {"秀", "xiu"}, {"婷", "ting"}, {"慧", "hui"}, {"欣", "xin"},
	{"怡", "yi"}, {"雪", "xue"}, {"琳", "lin"}, {"颖", "ying"}, {"倩", "qian"}, {"萍", "ping"},
	{"梦", "meng"}, {"佳", "jia"}, {"晓", "xiao"}, {"雨", "yu"}, {"思", "si"}, {"涵", "han"},
}

var cnGivenM = []pinyinChar{
	{"伟", "wei"}, {"强", "qiang"}, {"磊", "lei"}, {"军", "jun"}, {"洋", "yang"}, {"勇", "yong"},
	{"杰", "jie"}, {"涛", "tao"}, {"明", "ming"}, {"超", "chao"}, {"刚", "gang"}, {"鹏", "peng"},
	{"浩", "hao"}, {"宇", "yu"}, {"博", "bo"}, {"文", "wen"}, {"俊", "jun"}, {"建", "jian"},
	{"国", "guo"}, {"海", "hai"}, {"志", "zhi"}, {"斌", "bin"}, {"辉", "hui"}, {"轩", "xuan"},
}

var cnMobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159", "166",
	"175", "176", "177", "178", "180", "181", "182", "183", "185", "186",
	"187", "188", "189", "191", "195", "198", "199",
}

// Virtual-operator number ranges, popular with fraudsters registering in bulk.
var cnVirtualPrefixes = []string{"170", "171", "162", "165", "167"}

type weighted struct {
	v string
	w float64
}

var cnEmailDomains = []weighted{
	{"qq.com", 30}, {"163.com", 25}, {"126.com", 10}, {"sina.com", 5}, {"foxmail.com", 5},
	{"gmail.com", 8}, {"outlook.com", 5}, {"hotmail.com", 3}, {"139.com", 4}, {"yeah.net", 3},
	{"aliyun.com", 2},
}

var intlEmailDomains = []weighted{
	{"gmail.com", 40}, {"outlook.com", 15}, {"yahoo.com", 12}, {"hotmail.com", 10},
	{"icloud.com", 10}, {"proton.me", 3},
}

// ipPrefix is a block a.[bLo..bHi].x.y.
type ipPrefix struct{ a, bLo, bHi int }

type countryInfo struct {
	code     string
	weight   float64
	currency string
	fxRate   float64 // CNY per unit of currency
	broad    []ipPrefix
	mobile   []ipPrefix
	v6       []string // first hextet(s) of common IPv6 allocations
	v6Share  float64
	first    [2][]string // female, male given names (non-CN)
	last     []string
	domain   string // an extra local email domain
}

var westernF = []string{"Jane", "Emily", "Olivia", "Sophia", "Emma", "Ava", "Mia", "Charlotte", "Amelia", "Grace", "Chloe", "Hannah", "Laura", "Anna", "Sarah", "Lisa"}
var westernM = []string{"John", "Michael", "David", "James", "Robert", "Daniel", "Thomas", "Matthew", "Lucas", "Oliver", "Liam", "Noah", "Ethan", "Paul", "Mark", "Kevin"}
var westernLast = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor", "Anderson", "Moore", "Martin", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Clark", "Doe", "Evans"}

var countries = []countryInfo{
	{code: "CN", weight: 80, currency: "CNY", fxRate: 1,
		broad: []ipPrefix{{116, 224, 239}, {183, 0, 63}, {180, 96, 175}, {218, 0, 95}, {221, 192, 239},
			{114, 80, 111}, {125, 64, 127}, {61, 128, 191}, {222, 64, 95}, {113, 64, 127},
			{120, 192, 239}, {36, 96, 127}, {59, 32, 63}, {101, 80, 95}, {106, 32, 63}, {119, 96, 127}},
		mobile: []ipPrefix{{223, 104, 104}, {112, 96, 111}, {117, 128, 143}, {39, 128, 191}, {111, 0, 63}},
		v6:     []string{"240e", "2408", "2409"}, v6Share: 0.12},
	{code: "US", weight: 6, currency: "USD", fxRate: 7.1,
		broad:  []ipPrefix{{73, 0, 255}, {24, 0, 255}, {98, 0, 255}, {68, 32, 95}, {71, 0, 255}, {76, 0, 127}, {108, 0, 63}},
		mobile: []ipPrefix{{172, 56, 63}, {174, 192, 255}, {166, 128, 191}},
		v6:     []string{"2601", "2600:1700", "2607:fb90"}, v6Share: 0.2,
		first: [2][]string{westernF, westernM}, last: westernLast},
	{code: "GB", weight: 2.5, currency: "USD", fxRate: 7.1,
		broad:  []ipPrefix{{81, 96, 111}, {86, 128, 191}, {90, 192, 223}, {82, 0, 47}},
		mobile: []ipPrefix{{31, 48, 55}, {92, 40, 41}},
		v6:     []string{"2a00", "2a02"}, v6Share: 0.1,
		first: [2][]string{westernF, westernM}, last: westernLast, domain: "btinternet.com"},
	{code: "DE", weight: 2, currency: "EUR", fxRate: 7.8,
		broad:  []ipPrefix{{84, 128, 191}, {87, 128, 191}, {91, 0, 63}, {79, 192, 255}},
		mobile: []ipPrefix{{80, 187, 187}, {109, 40, 47}},
		v6:     []string{"2003", "2a02"}, v6Share: 0.15,
		first: [2][]string{{"Lena", "Marie", "Hannah", "Laura", "Julia", "Sophie"}, {"Lukas", "Felix", "Jonas", "Leon", "Paul", "Max"}},
		last:  []string{"Mueller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"}, domain: "gmx.de"},
	{code: "SG", weight: 2, currency: "USD", fxRate: 7.1,
		broad:  []ipPrefix{{118, 200, 201}, {175, 156, 159}, {116, 14, 15}},
		mobile: []ipPrefix{{111, 65, 65}, {42, 60, 61}},
		v6:     []string{"2406", "2401"}, v6Share: 0.1,
		first: [2][]string{{"Hui Min", "Wei Ling", "Mei Ling", "Xin Yi", "Rachel", "Priya"}, {"Jun Jie", "Wei Jie", "Kai Wen", "Ryan", "Arjun", "Marcus"}},
		last:  []string{"Tan", "Lim", "Lee", "Ng", "Ong", "Wong", "Goh", "Chua"}},
	{code: "JP", weight: 2, currency: "USD", fxRate: 7.1,
		broad:  []ipPrefix{{126, 0, 255}, {133, 200, 207}, {153, 128, 255}, {60, 32, 47}},
		mobile: []ipPrefix{{49, 96, 111}, {1, 66, 79}},
		v6:     []string{"240b", "2400"}, v6Share: 0.15,
		first: [2][]string{{"Yui", "Aoi", "Hina", "Sakura", "Yuki", "Mei"}, {"Haruto", "Sota", "Ren", "Yuto", "Kenji", "Takumi"}},
		last:  []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"}, domain: "yahoo.co.jp"},
	{code: "FR", weight: 1.5, currency: "EUR", fxRate: 7.8,
		broad:  []ipPrefix{{86, 192, 255}, {88, 120, 127}, {92, 128, 191}, {78, 192, 255}},
		mobile: []ipPrefix{{37, 160, 175}},
		v6:     []string{"2a01"}, v6Share: 0.15,
		first: [2][]string{{"Camille", "Lea", "Manon", "Chloe", "Ines", "Louise"}, {"Louis", "Hugo", "Jules", "Arthur", "Lucas", "Gabriel"}},
		last:  []string{"Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Laurent", "Girard"}, domain: "orange.fr"},
	{code: "CA", weight: 1, currency: "USD", fxRate: 7.1,
		broad:  []ipPrefix{{24, 112, 127}, {70, 48, 79}, {99, 224, 255}, {142, 112, 127}},
		mobile: []ipPrefix{{72, 136, 143}},
		v6:     []string{"2607"}, v6Share: 0.1,
		first: [2][]string{westernF, westernM}, last: westernLast},
	{code: "AU", weight: 1, currency: "USD", fxRate: 7.1,
		broad:  []ipPrefix{{1, 120, 127}, {49, 176, 191}, {101, 160, 191}, {110, 140, 143}},
		mobile: []ipPrefix{{120, 144, 159}},
		v6:     []string{"2001:8003"}, v6Share: 0.1,
		first: [2][]string{westernF, westernM}, last: westernLast, domain: "bigpond.com"},
}

// Hosting and proxy ranges the fraud patterns come from.
var hostingPrefixes = []ipPrefix{
	{45, 32, 95}, {103, 0, 255}, {185, 0, 255}, {47, 74, 254}, {119, 28, 29},
	{139, 59, 60}, {8, 208, 219}, {194, 5, 5}, {91, 108, 108},
}

type usCity struct{ city, state, zip3 string }

var usCities = []usCity{
	{"Springfield", "IL", "627"}, {"Austin", "TX", "787"}, {"Seattle", "WA", "981"},
	{"Brooklyn", "NY", "112"}, {"San Jose", "CA", "951"}, {"Denver", "CO", "802"},
	{"Portland", "OR", "972"}, {"Chicago", "IL", "606"}, {"Miami", "FL", "331"},
	{"Boston", "MA", "021"}, {"Atlanta", "GA", "303"}, {"Phoenix", "AZ", "850"},
}

var usStreets = []string{
	"Evergreen Terrace", "Maple Avenue", "Oak Street", "Pine Street", "Cedar Lane", "Elm Street",
	"Washington Avenue", "Lake View Drive", "Sunset Boulevard", "Park Avenue", "Hillcrest Road",
	"Main Street", "Highland Avenue", "Willow Way",
}

var usAreaCodes = []string{"212", "415", "312", "646", "213", "617", "206", "512", "305", "702", "404", "303"}
var caAreaCodes = []string{"416", "604", "514", "403", "613"}

type ukCity struct{ city, outward string }

var ukCities = []ukCity{{"London", "SW1A"}, {"London", "NW1"}, {"London", "E1"}, {"Manchester", "M1"}, {"Bristol", "BS1"}, {"Leeds", "LS1"}, {"Edinburgh", "EH1"}}
var ukStreets = []string{"High Street", "Station Road", "Church Lane", "Victoria Road", "Baker Street", "King Street", "Mill Lane", "Queen's Road"}

type cityZip struct{ city, zip string }

var deCities = []cityZip{{"Berlin", "10115"}, {"München", "80331"}, {"Hamburg", "20095"}, {"Köln", "50667"}, {"Frankfurt am Main", "60311"}}
var deStreets = []string{"Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße", "Lindenstraße", "Goethestraße"}
var frCities = []cityZip{{"Paris", "750"}, {"Lyon", "690"}, {"Marseille", "130"}}
var frStreets = []string{"Rue de Rivoli", "Avenue Victor Hugo", "Boulevard Haussmann", "Rue de la République", "Rue Saint-Honoré"}
var sgStreets = []string{"Anson Road", "Orchard Road", "Tampines Street 81", "Ang Mo Kio Avenue 3", "Jurong West Street 42", "Bukit Timah Road"}

type jpArea struct{ area, ward, city, zip string }

var jpAreas = []jpArea{
	{"Jingumae", "Shibuya-ku", "Tokyo", "150-0001"}, {"Roppongi", "Minato-ku", "Tokyo", "106-0032"},
	{"Umeda", "Kita-ku", "Osaka", "530-0001"}, {"Yamashitacho", "Naka-ku", "Yokohama", "231-0023"},
}

type caCity struct{ city, prov, fsa string }

var caCities = []caCity{{"Toronto", "ON", "M5V"}, {"Vancouver", "BC", "V6B"}, {"Montreal", "QC", "H2X"}}

type auCity struct{ city, state, pc string }

var auCities = []auCity{{"Sydney", "NSW", "2000"}, {"Melbourne", "VIC", "3000"}, {"Brisbane", "QLD", "4000"}}
var auStreets = []string{"George Street", "Collins Street", "Queen Street", "Pitt Street", "Flinders Lane"}

// Shop names are built from these parts.
var shopZhA = []string{"悦心", "星辰", "小鹿", "山海", "暖阳", "青禾", "初见", "木子", "云朵", "橙心", "简约", "拾光"}
var shopZhB = []string{"官方旗舰店", "专营店", "优选店", "生活馆", "数码专营", "美妆店", "服饰店", "母婴店"}
var shopEnA = []string{"Luma", "Nova", "Maple", "Blue Fern", "Sunny", "Pebble", "Orchid", "Harbor", "Aster", "Juniper"}
var shopEnB = []string{"Store", "Official Store", "Outlet", "Shop", "Boutique", "Mart"}

// UTC hour weights of browsing; traffic follows China (UTC+8) evenings.
var hourWeights = func() []float64 {
	local := []float64{5, 3, 2, 1.2, 1, 1, 1.5, 3, 4.5, 5.5, 6, 6, 6.5, 6, 5.5, 5.5, 5.5, 5, 5.5, 6.5, 8, 9.5, 9, 7}
	w := make([]float64, 24)
	for h := range w {
		w[h] = local[(h+8)%24]
	}
	return w
}()
