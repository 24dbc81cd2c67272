package ennames

import (
	"math/rand/v2"
	"strings"
)

// Synthetic shop chat written for veil, added to the training split: hard
// negatives (capitalised words of shop chat that are no names) and names
// in chat turns that presidio's templates lack. The names come from the
// training split's PERSON labels only, so no held-out name is seen.

var negativeTemplates = []string{
	"Dear Customer, Thank You for your order {P}.",
	"Order Status: {S}",
	"Customer Service will reply within 24 hours.",
	"The {B} {P} arrived on {D} but the box was damaged.",
	"Ship it to {n} {T}, {C} please.",
	"Please send the {P} to our {C} office by {D}.",
	"We accept Visa, Mastercard, PayPal and Apple Pay.",
	"{B} Prime members get Free Shipping on {P}.",
	"Sent from my iPhone",
	"Black Friday Sale ends {D}!",
	"Track your package with {K} using the Tracking Number.",
	"Our {C} warehouse ships {P} orders every {D}.",
	"Kind Regards,\nThe {B} Support Team",
	"Best Regards,\nCustomer Care",
	"Return Policy: items can be returned within 30 days.",
	"Is the {B} {P} still In Stock?",
	"Happy New Year from everyone at {B}!",
	"Hello, I ordered a {P} from {B} in {M} and it never came.",
	"Thanks! Great Service as always.",
	"Hi there, Good Morning. My Order Number is {n}.",
	"Hello Support, the {P} stopped working after a week.",
	"Can I change the Delivery Address to {n} {T}, {C}?",
	"The {B} Store on {T} was closed on {D}.",
	"Refund Request for Order {n}",
	"{S}: your parcel left the {C} Sorting Center.",
	"Yes. No. Maybe. OK, Thanks.",
	"Please Note: the {P} ships from {C}.",
	"Subject: Re: Missing {P}",
	"I live in {C}, near {T}.",
	"We are {O}, the official {B} reseller in {C}.",
	"Invoice from {O} for the {P}",
	"{D} or {D} works for me, after {M} 3.",
	"Delivered by {K} to the front door.",
	"Add the {B} {P} to Cart and use Coupon Code SAVE10.",
	"Out of Stock until {M}.",
	"My Account shows the wrong Billing Address.",
	"Where Is My Order? It Was Due On {D}.",
	"GREAT PRODUCT, FAST SHIPPING, WOULD BUY AGAIN",
	"Contact <PHONE_1> or write to <EMAIL_1> for Customer Service.",
	"The Manager at {O} said to call {K}.",
	"华为 HUAWEI Mate 60 Pro 全网通 请问有货吗",
	"耐克NIKE 男子 跑步鞋 AIR ZOOM 运动鞋 请问是这个商品吗",
	"请问 {B} {P} 什么时候发货",
	"小天鹅(LittleSwan)洗衣机 由厂家安装",
	"商品名称: [站点x] 美的(Midea)电饭煲 MB-40 Pro",
	"快递单号 SF1234567 已经发出了，{K} 会联系您",
	"包装清单 硬盘、USB 数据线、WD Backup 软件",
	"您好 LG 27UK850-W 显示器 FreeSync HDR IPS 屏幕",
	"[数字x] OPPO Reno 全面屏手机 Pro 版",
	"QQ:[数字x] 微信也可以",
}

var positiveTemplates = []string{
	"Can you check with {N} about the refund?",
	"{N} said the parcel never arrived.",
	"I spoke to {N} yesterday and she promised a refund.",
	"Please ask {N} to call me back on <PHONE_1>.",
	"{G} from the warehouse will ship it on {D}.",
	"Hi {G}, your order {n} has shipped.",
	"Thanks {G}!",
	"The package was signed for by {N}.",
	"Forward this to {N} and {N2}.",
	"{G}, {G2} and {G3} share this account.",
	"Recipient: {N}",
	"{N}\n{n} {T}\n{C}",
	"Let {N} know when the {P} is back in stock.",
	"This is {G} from Customer Service, how can I help?",
	"Contact {N} at <PHONE_1> for the {B} order.",
	"Send the invoice to {N} <EMAIL_1>",
	"Is {N} the account holder?",
	"According to {N}, the {B} {P} was out of stock.",
	"{N} ordered two {B} {P} on Black Friday.",
	"Return label for {N}, {O}, {C}",
	"Escalated by {G} on {D}.",
	"My husband {N} placed the order in {M}.",
	"Our courier {G} tried to deliver it twice.",
	"Please reach out to {N} in Customer Service.",
	"{N}'s order was delayed again.",
	"Can {G} collect the parcel at the {B} Locker on {T}?",
	"{G} will call you tomorrow.",
	"Dear {N},\nThank You for shopping with {B}.",
	"Best,\n{N}",
	"I was helped by {N} last {D}, she was great.",
	"assigned to {N}",
	"Thank you {N} for the quick reply",
	"Could {G} or {G2} confirm the address?",
	"The gift is for {N}, please add a card.",
	"{N} - {O} - {C}",
	"cc {N}, {N2}",
	"{G} here, the {P} is broken.",
	"Per {N}: refund approved.",
	"Mr. {S1} and Ms. {S2} both ordered the {P}.",
	"Ask {N} about the {P}.",
	"Tell {G} the {P} is ready.",
	"Invite {G} and {G2} to the {B} account.",
	"Email {N} the receipt.",
	"Remind {G} to confirm the address.",
	"Meet {V} at the {B} Store.",
	"The order was placed by {V} on {D}.",
	"{V} will pick up the {P}.",
	"Please leave it with {H} at the front desk.",
	"{H} confirmed the new address on {D}.",
	"I spoke with {H} about order {n}.",
	"Please deliver to {N} at {n} {T}.",
}

var (
	synthProducts = strings.Split("iPhone 15 Pro|Galaxy S24|Air Max 90|PlayStation 5|Kindle Paperwhite|AirPods Pro|"+
		"Surface Laptop|Instant Pot|Echo Dot|Pixel 8|MacBook Air|Switch OLED|Dyson V15|Fire TV Stick|Yoga Mat|"+
		"Running Shoes|Winter Jacket|Coffee Maker|Gift Card|Phone Case", "|")
	synthBrands = strings.Split("Apple|Samsung|Nike|Sony|Amazon|Microsoft|Google|Adidas|Dyson|Lenovo|IKEA|"+
		"Xiaomi|Huawei|Philips|Canon|Zara|Uniqlo|Lego|Nintendo|Dell", "|")
	synthCities = strings.Split("New York|Los Angeles|London|Paris|Berlin|Shanghai|Hong Kong|Toronto|Sydney|"+
		"Chicago|San Francisco|Madrid|Rome|Tokyo|Singapore|Dublin|Amsterdam|Boston|Seattle|Manchester", "|")
	synthStreets = strings.Split("Main Street|Oak Avenue|Park Road|High Street|Elm Street|Maple Drive|"+
		"Church Lane|Market Street|King Street|Victoria Road|Sunset Boulevard|Queen Street", "|")
	synthDays   = strings.Fields("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
	synthMonths = strings.Fields("January February March April May June July August September October November December")
	synthStatus = strings.Split("Shipped|Delivered|Processing|Out for Delivery|Cancelled|Refunded|Pending", "|")
	synthOrgs   = strings.Split("Acme Inc|Global Logistics Ltd|Best Buy|Target Corporation|Blue Sky LLC|"+
		"Northwind Traders|Contoso Ltd|Fabrikam Inc|Green Valley Foods|Bright Home GmbH", "|")
	synthParticles = strings.Fields("van von de der da di del dos bin al")
	synthCouriers  = strings.Split("FedEx|UPS|DHL|USPS|Royal Mail|SF Express|Canada Post", "|")
)

// synthetic returns n negative and n positive texts, with names drawn from
// the PERSON labels of train.
func synthetic(train []doc, n int) []doc {
	var full, single, surnames []string
	for _, d := range train {
		for _, s := range d.person {
			v := d.text[s.Start:s.End]
			if strings.ContainsAny(v, "\n") || strings.ToLower(v) == v {
				continue
			}
			ws := strings.Fields(v)
			switch {
			case len(ws) >= 2:
				full = append(full, v)
				single = append(single, ws[0])
				surnames = append(surnames, ws[len(ws)-1])
			case len(ws) == 1:
				single = append(single, v)
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 2026))
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	var out []doc
	for i := 0; i < 2*n; i++ {
		positive := i%2 == 1
		tmpl := pick(negativeTemplates)
		if positive {
			tmpl = pick(positiveTemplates)
		}
		var b strings.Builder
		d := doc{}
		for len(tmpl) > 0 {
			o := strings.IndexByte(tmpl, '{')
			if o < 0 {
				b.WriteString(tmpl)
				break
			}
			c := strings.IndexByte(tmpl[o:], '}') + o
			b.WriteString(tmpl[:o])
			slotName := tmpl[o+1 : c]
			tmpl = tmpl[c+1:]
			var v string
			name := false
			switch slotName {
			case "N", "N2":
				v, name = pick(full), true
			case "G", "G2", "G3":
				v, name = pick(single), true
			case "H": // names with a hyphen or apostrophe: Anne-Marie, O'Neill, Smith-Jones
				switch rng.IntN(3) {
				case 0:
					v = pick(single) + "-" + pick(single)
				case 1:
					v = pick(single) + " O'" + pick(surnames)
				default:
					v = pick(single) + " " + pick(surnames) + "-" + pick(surnames)
				}
				name = true
			case "V":
				v, name = pick(single)+" "+pick(synthParticles)+" "+pick(surnames), true
			case "S1", "S2":
				v, name = pick(surnames), true
			case "P":
				v = pick(synthProducts)
			case "B":
				v = pick(synthBrands)
			case "C":
				v = pick(synthCities)
			case "T":
				v = pick(synthStreets)
			case "D":
				v = pick(synthDays)
			case "M":
				v = pick(synthMonths)
			case "S":
				v = pick(synthStatus)
			case "O":
				v = pick(synthOrgs)
			case "K":
				v = pick(synthCouriers)
			case "n":
				v = strings.Repeat(string(rune('1'+rng.IntN(9))), 1+rng.IntN(3))
			}
			start := b.Len()
			b.WriteString(v)
			if name {
				d.person = append(d.person, Span{start, b.Len()})
			} else if slotName != "n" {
				d.other = append(d.other, Span{start, b.Len()})
			}
		}
		d.text = b.String()
		d.template = -1
		out = append(out, d)
	}
	return out
}
