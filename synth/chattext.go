package synth

// Customer-service phrasebook. Placeholders: {item} {order} {tracking} {n}
// {shop} {price} {v} (a PII value).

type topicText struct {
	open, seller, buyer []string
}

type phrasebook struct {
	topics                  map[string]topicText
	greet, auto, survey     []string // bot
	sellerClose, buyerClose []string
	sellerFill, buyerFill   []string            // small talk that fits any topic
	pii                     map[string][]string // PII sentences by type
	joiner                  string              // between a reply and a PII sentence
}

var zhBook = phrasebook{
	topics: map[string]topicText{
		"delivery": {
			open:   []string{"你好，我的订单{order}怎么还没发货？", "请问我买的{item}什么时候能发货呀", "快递三天没更新了，帮我查一下{order}", "亲，{item}到哪了？说好昨天到的", "在吗？包裹显示已签收但是我没收到"},
			seller: []string{"亲，您好，已经帮您查询了，包裹在中转站，预计{n}天内送达哦", "亲，仓库今天下午统一发货，请耐心等待~", "您的快递单号是{tracking}，可以在快递官网查询物流", "抱歉让您久等了，已经联系快递加急处理", "亲，已经帮您登记了，快递员今天会联系您"},
			buyer:  []string{"好的，麻烦尽快", "能不能改发顺丰？", "我周末不在家，可以放驿站吗？", "那大概几号能到？", "快递员电话打不通啊"},
		},
		"refund": {
			open:   []string{"{item}收到有质量问题，我要退款", "尺码不合适，可以退货吗？", "申请了退款怎么还没到账？订单号{order}", "东西到了有破损，怎么处理？", "我想取消订单，还没发货吧"},
			seller: []string{"非常抱歉给您带来不便，麻烦拍一下照片发给我们", "可以的亲，支持七天无理由退货，运费险会补偿运费", "退款已经同意了，1-3个工作日原路退回", "亲，请在订单页面点击申请售后，选择退货退款", "已经帮您拦截快递了，退款会自动到账"},
			buyer:  []string{"照片已经发了，你们看一下", "退款会退到哪里？", "好的，我已经寄回去了，单号{tracking}", "能不能直接换一个新的？", "运费谁出？"},
		},
		"size": {
			open:   []string{"这款{item}有没有大一号的？", "我身高165体重110斤，穿什么码？", "{item}有现货吗？今天能发吗", "这个颜色和图片一样吗？有没有色差", "{item}尺码偏大还是偏小？"},
			seller: []string{"亲，根据您的身高体重建议选M码哦", "现货的亲，今天下单今天发", "这款偏小一码，建议拍大一码", "实物拍摄的，会有轻微色差，介意慎拍哦", "亲，L码目前缺货，预计{n}天后补货"},
			buyer:  []string{"那我拍M码吧", "好的，谢谢", "如果不合适可以换吗？", "有没有优惠？", "那我先加购物车了"},
		},
		"product": {
			open:   []string{"这个{item}是正品吗？", "{item}保质期到什么时候？", "这个{item}和直播间的是同一款吗？", "请问{item}支持全国联保吗？"},
			seller: []string{"我们是官方授权店铺，保证正品，支持专柜验货", "亲，保质期到2028年3月，放心购买", "是同一款的亲，直播间有专属优惠券", "支持全国联保的，凭发票保修一年"},
			buyer:  []string{"那我放心了", "直播间的券怎么领？", "好的，我下单了", "有赠品吗？"},
		},
		"invoice": {
			open:   []string{"可以开发票吗？", "订单{order}的发票什么时候开？", "发票抬头开错了，能重开吗？"},
			seller: []string{"可以的亲，请提供发票抬头和税号", "电子发票会在确认收货后48小时内发到您的邮箱", "亲，可以重开的，请把正确的抬头发给我"},
			buyer:  []string{"抬头是个人", "好的，我确认收货了", "发到我邮箱就行"},
		},
		"address": {
			open:   []string{"地址写错了，能改吗？订单{order}", "我搬家了，能不能帮我改一下收货地址", "收件人电话填错了"},
			seller: []string{"亲，还没发货可以修改，请把新地址发给我", "好的，请提供正确的收货信息", "已经帮您修改好了，请核对一下"},
			buyer:  []string{"好的我发给你", "改好了吗？", "谢谢，辛苦了"},
		},
		"coupon": {
			open:   []string{"为什么我的优惠券用不了？", "双十一的价格还能保价吗？", "领的满300减50的券怎么不能用"},
			seller: []string{"亲，这张券需要满{price}元才能使用哦", "亲，保价期内可以申请差价退款", "这张券仅限指定商品使用，{item}不在范围内哦"},
			buyer:  []string{"那我再凑一单", "怎么申请保价？", "好吧"},
		},
	},
	greet:       []string{"您好，我是{shop}的智能客服，请问有什么可以帮您？", "亲，欢迎光临{shop}，请描述您的问题，小蜜马上为您解答~"},
	auto:        []string{"您的问题已收到，人工客服将尽快为您处理", "亲，当前咨询人数较多，请稍候~"},
	survey:      []string{"感谢您的咨询，请对本次服务进行评价~", "本次服务已结束，祝您购物愉快！"},
	sellerClose: []string{"还有其他问题随时联系我们哦，祝您生活愉快", "不客气亲，有问题随时找我"},
	buyerClose:  []string{"好的谢谢", "收到，谢谢", "好的，辛苦了"},
	sellerFill:  []string{"好的亲，稍等我查一下", "亲，还在吗？", "已经帮您备注了哦", "亲，您看一下这个链接", "抱歉亲，让您久等了"},
	buyerFill:   []string{"在吗？", "嗯嗯", "好的", "？？", "麻烦快点", "那就这样吧"},
	pii: map[string][]string{
		"phone":          {"我的手机号是{v}", "电话{v}，快递到了打我电话", "联系方式：{v}", "手机{v}，有事打我"},
		"email":          {"我的邮箱是{v}", "发票发到{v}", "邮箱{v}"},
		"bank_card":      {"退款退到这张卡：{v}", "我用的银行卡是{v}", "卡号{v}，麻烦核对一下"},
		"cn_resident_id": {"身份证号{v}，海关清关要用", "实名信息身份证：{v}", "我的身份证号码是{v}"},
		"address":        {"地址改成{v}", "寄到{v}", "新地址：{v}"},
		"person_name":    {"收件人写{v}", "我叫{v}", "收货人：{v}"},
		"passport":       {"护照号{v}", "我的护照号码是{v}"},
		"wechat_id":      {"加我微信{v}细聊", "微信号{v}"},
		"qq_id":          {"我QQ是{v}", "QQ：{v}"},
	},
	joiner: "，",
}

var enBook = phrasebook{
	topics: map[string]topicText{
		"delivery": {
			open:   []string{"Hi, my order {order} still hasn't shipped, any update?", "When will the {item} be shipped?", "Tracking hasn't updated for 3 days, can you check order {order}?", "Where is my {item}? It was supposed to arrive yesterday.", "The parcel shows delivered but I never got it."},
			seller: []string{"Hello! I checked your order, the parcel is at the sorting center and should arrive within {n} days.", "Sorry for the delay, our warehouse ships all orders this afternoon.", "Your tracking number is {tracking}.", "I've asked the courier to expedite it.", "I've logged a claim, the courier will contact you today."},
			buyer:  []string{"OK, please hurry.", "Can you use express shipping?", "I won't be home this weekend, can they leave it at a locker?", "So when exactly will it arrive?", "The courier isn't answering the phone."},
		},
		"refund": {
			open:   []string{"The {item} arrived damaged, I want a refund.", "The size doesn't fit, can I return it?", "I requested a refund for {order} a week ago and got nothing.", "Can I cancel my order? It hasn't shipped yet."},
			seller: []string{"So sorry about that! Could you send us a photo?", "Sure, you can return it within 7 days, return shipping is covered.", "Your refund has been approved, it will reach your original payment method in 1-3 business days.", "Please open an after-sales request on the order page."},
			buyer:  []string{"Photo sent.", "Where will the refund go?", "I've shipped it back, tracking {tracking}.", "Can you just send a replacement?"},
		},
		"size": {
			open:   []string{"Do you have the {item} one size up?", "I'm 5'6\" and 120 lb, which size should I get?", "Is the {item} in stock?", "Does the color match the photos?"},
			seller: []string{"Based on your measurements we'd suggest M.", "Yes, it's in stock and ships today.", "This model runs small, we recommend one size up.", "Size L is out of stock, restocking in about {n} days."},
			buyer:  []string{"I'll take M then.", "Thanks!", "Can I exchange it if it doesn't fit?", "Any discount?"},
		},
		"product": {
			open:   []string{"Is this {item} authentic?", "Is the {item} the same one shown in the live stream?", "Does the {item} come with a warranty?"},
			seller: []string{"We're an authorized store, all products are 100% authentic.", "Yes it's the same, there's a special coupon in the live room.", "It comes with a one-year warranty."},
			buyer:  []string{"Great, thanks.", "How do I get the live-room coupon?", "OK, ordering now."},
		},
		"invoice": {
			open:   []string{"Can I get an invoice?", "When will I receive the invoice for {order}?"},
			seller: []string{"Sure, please tell us the name to put on the invoice.", "The e-invoice is sent within 48 hours after you confirm receipt."},
			buyer:  []string{"Just my personal name.", "OK, I've confirmed receipt."},
		},
		"address": {
			open:   []string{"I entered the wrong address for {order}, can you change it?", "I moved, can you update my shipping address?"},
			seller: []string{"It hasn't shipped yet, please send me the new address.", "Done, please double-check it."},
			buyer:  []string{"Sending it now.", "Thanks a lot."},
		},
		"coupon": {
			open:   []string{"Why can't I use my coupon?", "Is there price protection after Singles' Day?"},
			seller: []string{"This coupon needs a minimum spend of {price} CNY.", "Yes, you can claim the price difference within the protection period."},
			buyer:  []string{"I'll add another item then.", "How do I claim it?"},
		},
	},
	greet:       []string{"Hi, I'm the virtual assistant of {shop}. How can I help you today?", "Welcome to {shop}! Please describe your question."},
	auto:        []string{"Your question has been received, an agent will reply shortly.", "We're busy right now, thanks for your patience."},
	survey:      []string{"Thanks for contacting us! Please rate this conversation.", "This chat has ended. Happy shopping!"},
	sellerClose: []string{"Anything else I can help with? Have a nice day!", "You're welcome, feel free to reach out anytime."},
	buyerClose:  []string{"Thanks!", "Got it, thank you.", "OK thanks"},
	sellerFill:  []string{"One moment please, let me check.", "Are you still there?", "I've added a note to your order.", "Sorry for keeping you waiting."},
	buyerFill:   []string{"Hello?", "ok", "Sure.", "??", "Please be quick.", "Alright."},
	pii: map[string][]string{
		"phone":          {"my phone is {v}", "you can call me at {v}", "my number is {v}"},
		"email":          {"email me at {v}", "please send the invoice to {v}", "my email is {v}"},
		"bank_card":      {"card {v}", "I paid with card {v}, please refund to it", "refund to my card {v} please"},
		"cn_resident_id": {"my Chinese ID number is {v}", "ID card: {v}"},
		"address":        {"please ship to {v}", "my address is {v}", "new address: {v}"},
		"person_name":    {"this is {v}", "the order is under {v}", "my name is {v}"},
		"passport":       {"my passport number is {v}", "passport no. {v}"},
		"wechat_id":      {"my WeChat is {v}"},
		"qq_id":          {"my QQ is {v}"},
	},
	joiner: ", ",
}

// Appeal statements by who appeals: "innocent" for a hijacked account,
// else the fraud pattern the appellant was flagged for. {v} is an optional
// PII sentence.
var appealTexts = map[string]map[string][]string{
	"innocent": {
		"zh": {"我的账号被盗了，那些登录不是我本人操作的，请解除限制。{v}", "本人从未进行异常操作，账号突然被冻结，麻烦尽快处理。{v}", "昨天收到异地登录提醒，我已经改了密码，请帮我恢复账号。{v}"},
		"en": {"My account was hacked, those logins were not me. Please lift the block. {v}", "I never did anything unusual and my account got frozen. Please review it. {v}"},
	},
	PatternCouponRing: {
		"zh": {"我是正常用户，优惠券是自己领的，为什么封我号？{v}", "这些订单都是帮朋友买的，不是刷单，请解封。{v}"},
		"en": {"I am a genuine customer and only used a welcome coupon. Please remove the restriction. {v}"},
	},
	PatternCardTesting: {
		"zh": {"我绑卡的时候输错了几次卡号，不是盗刷，请解除限制。{v}"},
		"en": {"I mistyped my card number a few times, this is not fraud. {v}"},
	},
	PatternLiveBots: {
		"zh": {"我只是在直播间抢了一件商品，不是机器人，请核实。{v}"},
		"en": {"I just bought one item in the live stream, I'm not a bot. {v}"},
	},
}
