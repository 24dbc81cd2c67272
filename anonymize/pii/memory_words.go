package pii

import "strings"

// The conversation memory finds a person's given name or surname alone
// only when it is not a common word: a name part that is also a word
// ("Will", "Rose", 明天) would otherwise mask that word wherever it
// recurs. Short parts (under 3 letters, one Han character) are never
// found alone.

// enCommonWords are English words, in lower case, that are also given
// names or surnames, and chat words a detector may take for a name.
var enCommonWords = setOf(`
	the and you your for are but not all any can had her was one our out day get has him his how man new now
	old see two way who boy did its let put say she too use thanks thank hello please sorry okay yes hey
	order item price cash card bill mark will may june july april august march may rose grace hope faith joy
	summer autumn winter spring guy art ray dawn eve amber ruby jade pearl crystal sky river brook lily iris
	daisy ivy holly heather olive hazel violet rich rob pat jack frank chase hunter gene don dean lane ward
	king young white black brown green gray grey long short hill wood woods stone bell rice cook baker
	miller carter parker taylor page love happy sunny star angel baby dear honey sweet buddy mister miss
	madam sir lord god christian major sergeant judge doctor north south east west new monday tuesday
	wednesday thursday friday saturday sunday today tomorrow good great fine best nice well free wait
	ship shipping delivery store shop team support service customer seller buyer bot admin
`)

// zhCommonWords are two-character Chinese words that are also given names
// or are read as one in chat.
var zhCommonWords = setOf(`
	今天 明天 后天 昨天 时间 小时 快递 订单 商品 客服 问题 谢谢 您好 你好 可以 什么 怎么 这个 那个 一下
	一个 已经 没有 现在 发货 退款 地址 电话 手机 老师 先生 女士 小姐 师傅 经理 同学 朋友 宝贝 亲爱 收到
	好的 知道 工作 平安 快乐 开心 幸福 美丽 国庆 春节 中秋 新年 元旦 东西 包裹 物流 售后 店铺 质量 颜色
	尺码 大小 衣服 鞋子 优惠 活动 红包 京东 天猫 淘宝 支付 付款 价格 便宜 一样 真的 放心 辛苦 麻烦 稍等
	小王 小李 小张 小刘 小陈 老板 大家 自己 我们 你们 他们 她们 东方 明白 文明 光明 和平
`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
