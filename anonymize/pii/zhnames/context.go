package zhnames

import (
	"strings"
	"unicode/utf8"
)

// Context flags of a word in model.ctx.
const (
	ctxTitle    = 1 << iota // a job title or role before a name: 记者, 主帅
	ctxBefore               // a weak cue before a name: 和, 给, 叫
	ctxSpeech               // a verb of saying after a name: 说, 表示
	ctxAfter                // a weak cue after a name: 的, 在, 也
	ctxVeto                 // after a name-like word, makes it a place or brand: 路, 公司
	ctxSurTitle             // after a surname, makes it a form of address: 先生, 总
	ctxPlace                // before a place more often than a person: 在, 前往
	ctxNever                // a word jieba tags as a name that is almost never one: 谢谢, 牛仔
)

// Bonuses taken off a name's cost by a cue, and the cost added after a
// verb of place; chosen on CLUENER's odd lines like the model weights.
var (
	titleCue  float32 = 9 // a title or role before: 记者, 收件人
	strongCue float32 = 6 // a verb of saying or a colon after: 说, 表示
	startCue  float32 = 2 // the start of a message or sentence, or its end
	weakCue   float32 = 1 // a list separator, a particle, a verb beside it
	placeCue  float32 = 2 // after a verb of place: 在, 前往
)

// context returns the change in cost of a name at characters [s, e) of w:
// lower after a title or list separator and before a verb of saying,
// infCost before what makes it a place, a company or a brand.
func (m *model) context(text string, w *win, s, e int) float32 {
	var c float32
	after := m.ctxAfterAt(w, e)
	switch {
	case after&ctxVeto != 0:
		return infCost
	case after == 0 && m.oneClass[w.r[min(e, w.n-1)]-hanLo] == 0 && m.longVeto(w, e+1):
		return infCost // a place named with one more character: 林达海渔广场
	case after&ctxSpeech != 0 || m.longCtxAt(w, e)&ctxSurTitle != 0:
		c -= strongCue // 说, 表示; a title after: 温家宝总理
	case after&ctxAfter != 0 && e+1 < w.n && m.ctxAfterAt(w, e+1)&ctxSpeech != 0:
		c -= strongCue // 也坦言
	case after&ctxAfter != 0:
		if w.r[e] == '的' && (e+1 == w.n && strings.HasPrefix(text[w.off[e+1]:], "《") || m.ctxAfterAt(w, e+1)&ctxTitle != 0) {
			c -= strongCue // an author or kin: 金庸的《天龙八部》, 范曾的作品, 陈冲的经纪人
			break
		}
		c -= weakCue
	case e == w.n:
		if strings.HasPrefix(text[w.off[e]:], "》") {
			return infCost // the end of a title: 黄飞鸿》
		}
		if strings.HasPrefix(text[w.off[e]:], "（化名") || strings.HasPrefix(text[w.off[e]:], "(化名") {
			c -= strongCue // a pseudonym of a person: 钱海洋（化名）
			break
		}
		c -= punctCue(text[w.off[e]:], false)
	case m.classAfter(w, e)&(classVerb|classAdverb|classPrep|classConj|classParticle) != 0:
		c -= weakCue // 张捷赶到, 于海显然
	}
	before := m.ctxBeforeAt(w, s)
	switch {
	case before&ctxTitle != 0:
		c -= titleCue
	case before&ctxBefore != 0:
		c -= weakCue
	case before&ctxPlace != 0:
		c += placeCue
	case m.titleSuffix(w, s):
		c -= titleCue
	case s == 0:
		c -= m.punctBefore(text, w.off[0])
	case m.classBefore(w, s)&(classVerb|classPrep|classConj) != 0:
		c -= weakCue
	}
	return c
}

// ctxAfterAt returns the flags of the words that start at character e.
func (m *model) ctxAfterAt(w *win, e int) uint8 {
	if e >= w.n || !hasBit(m.ctxHead, w.r[e]) {
		return 0
	}
	var f uint8
	for j := e + 1; j <= min(w.n, e+4); j++ {
		f |= m.ctx.get(w.key(e, j))
	}
	return f
}

// ctxBeforeAt returns the flags of the words that end at character s.
func (m *model) ctxBeforeAt(w *win, s int) uint8 {
	if s == 0 || !hasBit(m.ctxTail, w.r[s-1]) {
		return 0
	}
	var f uint8
	for i := max(0, s-4); i < s; i++ {
		f |= m.ctx.get(w.key(i, s))
	}
	return f
}

// punctCue returns the bonus of the punctuation next to a name: a list
// separator or a colon before or after it, a full stop after it.
func punctCue(s string, before bool) float32 {
	if s == "" {
		return startCue // the start or the end of the text
	}
	var r rune
	if before {
		r, _ = utf8.DecodeLastRuneInString(s)
	} else {
		r, _ = utf8.DecodeRuneInString(s)
	}
	switch r {
	case '：', ':':
		if !before {
			return strongCue // a speaker: 王小明：你好
		}
		return weakCue
	case '、', '，', ',', '（', '(', '“', '"':
		return weakCue
	case '。', '！', '？', '）', ')', '”':
		if !before {
			return weakCue
		}
		if r != '）' && r != ')' && r != '”' {
			return startCue // a sentence starts
		}
	case ' ', '\n', '!', '?', '~', '～':
		if before {
			return startCue
		}
		return weakCue
	}
	return 0
}

// ctxWords lists the context words by flag.
var ctxWords = map[uint8]string{
	ctxTitle: `记者 编辑 通讯员 经理 总经理 总监 总裁 董事长 董事 主席 总理 部长 局长 厅长 处长 科长 市长 省长
县长 镇长 村长 书记 主任 院长 校长 所长 站长 行长 社长 会长 团长 队长 组长 班长 老师 教授 讲师 博士 医生 护士
律师 法官 警官 民警 教练 主教练 主帅 球员 队员 选手 前锋 中锋 后卫 门将 导演 演员 歌手 主持人 作家 作者 诗人
画家 创始人 发言人 负责人 分析师 研究员 工程师 设计师 同学 师傅 客服 收件人 联系人 寄件人 网友 市民 村民 患者
嫌疑人 被告人 被告 原告 老板 店主 卖家 买家 快递员 配送员 司机 员工 职员 秘书 助理 代表 委员 专家 学者 大师 先生
秘书长 参谋长 署长 司令 司令员 政委 裁判 队友 搭档 妻子 丈夫 儿子 女儿 父亲 母亲 爸爸 妈妈 哥哥 姐姐 弟弟 妹妹
朋友 同事 男友 女友 老公 老婆 粉丝 歌星 影星 明星 球星 艺人 书法家 收藏家 藏家 评论家 作曲家 歌唱家 科学家
企业家 经济学家 摄影师 建筑师 会计师 首席 副总 副主席 副市长 副部长 副院长 副校长 副局长 主管 大使 外长 首相
总统 将军 上校 少将 中将 上将 警察 交警 检察官 犯罪嫌疑人 死者 病人 学生 教师 院士 硕士 博士生 研究生
主播 译者 制片人 编剧 监制 主演 饰演 扮演 扮演者 冠军 运动员 中场 演奏家 钢琴家 小说家 女士 男子 女子 少年 少女
老人 师兄 师姐 师弟 师妹 学长 学姐 前妻 前夫 岳父 岳母 外公 外婆 爷爷 奶奶 我叫 我是 本人 名叫 叫做 姓名 顾客 顾问
理事长 摄影 主编 总编 厂长 馆长 店长 营长 连长 排长 班主任 辅导员 讲解员 播音员 解说员 评论员 观察员 翻译 代言人
经纪人 股东 创办人 合伙人 投资人 董事会主席 执行董事 总工程师 审计师 策划 制作人 出品人 歌唱 作词 作曲 主唱
作品 画作 小说 著作 遗作 新作 代表作 主妇 女孩 男孩 富豪 皇帝 国王 公主 硕士生 本科生 大学生 新秀 士兵 刑警 保安 店员 业主 户主 车主 房东 租客 邻居
居民 老太 老汉 网红 博主 主持 掌门 掌门人 球迷 乘客 游客 旅客 孩子 小孩 女婿 儿媳 孙子 孙女`,
	ctxBefore: `和 与 及 跟 叫 给 找 问 向 由 被 让 请 称 对 陪 替 帮 是 名为 署名 签名 转告 通知 联系
采访 会见 会晤 接见 邀请 感谢 祝贺 表扬 任命 提名 嫁给 娶了 认识 见到 遇到 找到 委托 起诉 状告 逮捕 抓获 签下
签约 引进 力推 看中 说服 惹怒 激怒 怒斥 批评 指责 称赞 赞扬 支持 反对 喜欢 崇拜 模仿 追随 师从 拜师`,
	ctxSpeech: `说 表示 认为 告诉 指出 称 介绍 透露 强调 回忆 解释 坦言 笑道 问道 答道 回答 说道 感叹 承认 坦承
曾经 先生 女士 小姐 同学 老师 师傅 教授 博士 医生 律师 同志 本人 自己 出生 毕业 担任 出任 当选 执导 主演 饰演 撰文
写道 笑称 直言 声称 否认 回应 证实 说过 谈到 提到 告诉记者 对记者 夫妇 夫人
导演 等人 将军 元帅 身价 去世 逝世 病逝 搭档 书记 主编 所长 会长 院长 教练 老先生 画作 执教 曾任 生前 本人 亲自 笑着 摇头 点头
提醒 回复 留言 发帖 发文 评论 评价 呼吁 感慨 举例 补充 总结 表态 发言 致辞 讲话 谈及 问道 喊道 叹道 骂道
告诫 坦然 直说 补充道 解释道 表明 声明 宣称 断言 指责 批评 称赞 赞扬 怒斥 回忆说 透露说 接受采访 接受记者`,
	ctxAfter: `曾 也 还 都 已 就 则 却 和 与 等 在 是 的 之 因 从 将 把 被 对 向 给 打 来 去 到 看 拿 买 发 收 取
带 要 想 会 能 可 又 再 才 只 正 刚 便 提出 建议 希望 发现 宣布 获得 带领 率领 创作 指导 接受 表演 演唱 参加 加盟`,
	ctxVeto: `路 街 巷 村 镇 乡 县 市 省 区 州 城 港 湾 岛 桥 站 寺 庙 庄 屯 堡 府 宫 殿 楼 阁 塔 亭 园 苑 馆 厂
矿 店 铺 牌 杯 奖 号 族 氏 家族 公司 集团 银行 大学 学院 学校 中学 小学 医院 酒店 饭店 宾馆 大厦 广场 中心
基金 科技 股份 有限 旗舰 专卖 品牌 运动 服饰 电器 家电 汽车 超市 书院 实业 控股 传媒 影业 工作室 鞋 牌子
商城 商场 山 江 河 湖 海 系列 体育 理财 国际 新城 商务 一日游 购物 花市 小镇 峡湾 公园 景区 古镇 古城 民俗 蜡像 新闻社
杂志 集团 金店 珠宝 金行 银楼
纪念馆 纪念堂 故居 研究会 画展 源头 童话 战队 地铁 餐厅 专场 景区 风景区 水库 大桥 大道 码头 机场 车站`,
	ctxNever: `谢谢 师傅 荣耀 华为 高峰 顾问 阳光 文明 黄金 白金 金刚 周一 周二 周三 周四 周五 周六 周日 周末
马克 卫星 陆军 武功 王朝 康复 雷达 洪水 胡子 叶子 孔雀 白领 沙滩 宁静 安静 梅花 兰花 桂花 杜鹃 荣誉 吉祥
童子 毛巾 麦子 米粉 林子 燕子 高潮 石英 胡同 金色 白色 黄色 蓝天 白云 白雪 温泉 古老 冷笑 齐全
齐声 安抚 关怀 许可 祝贺 陈列 陈述 卓越 凌厉 史诗 华丽 金黄 白白 宁可 孙子 王子 司马 龙王 白龙 小米 王者`,
	ctxPlace: `在 到 去 来自 位于 前往 游览 经过 抵达 赴 飞往 回到 途经 住在 来到 出发 往 至 从 离开 走进 参观 入住`,
	ctxSurTitle: `先生 女士 小姐 太太 夫人 老师 同学 师傅 经理 总 董 局长 部长 主任 老板 阿姨 大爷 大妈 大哥 大姐
哥 姐 叔 老 某 氏 家 队 教练 医生 律师 记者 博士 教授 所长 大师 院长 校长 处长 科长 书记 主席 总监 董事长 行长 会长
县长 市长 省长 厅长 法官 警官 队长 局 处 科 工 师傅 大夫 护士 姓 哥哥 姐姐 女儿 儿子 妻子 丈夫`,
}

// notGiven are characters that never stand in a given name: particles,
// pronouns and what makes a surname a pseudonym or a form of address
// (陈某, 杜氏, 裴总, 陆姐).
const notGiven = `某氏总哈哦呢啊呀吧嘛啦嗯呵哇喔噢咯哟么吗呗的了着过们个您你我他她它这那哪谁啥姐哥叔
姨婆嫂爷奶妈爸舅妻`

// placeEnd are last characters that make a name-like word a place or an
// organisation or a product: 武胜路, 沈河区, 张家口, 陈列柜.
const placeEnd = `河园路街巷村镇乡县市省区州港湾桥站寺庙庄屯堡府宫殿楼阁塔苑馆厂矿店铺牌杯奖号族岛祠沟洞坊坝原城网湖井节谷梨口塘坡沱嘴坪坳柜箱锅盒机器`

// translit are characters of transliterated foreign words; a candidate
// whose given characters are all of them, inside a run of them, is part of
// one (费耶诺德, 雷尼尔).
const translit = `阿埃艾安奥巴拜班邦贝本比彼宾波伯布蔡查达戴丹道德迪蒂丁杜多厄恩法菲费芬弗福盖戈哥格
古圭哈海汉豪赫亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库奎拉莱兰朗劳勒雷黎里利莉林琳卢鲁路伦罗洛马玛
麦曼梅门蒙米敏明莫姆穆纳娜南内尼涅宁努诺欧帕潘佩皮珀普奇齐乔切琼丘萨赛桑瑟森沙莎尚舍什施史斯松苏索
塔泰坦汤唐特提田托瓦万威韦维温沃乌伍西希谢辛休雅亚延扬耶伊因英尤于约泽扎詹兹佐摩娃契奈迈佛芒嫩娅`

// foreignChars stand almost only in transliterations: a candidate whose
// given characters are all of them is a foreign word (桑普, 史莱克).
const foreignChars = `埃奥拜贝彼宾布迪蒂厄恩菲弗盖戈格圭赫基卡坎考柯克肯库奎拉莱朗劳勒里卢鲁伦洛玛曼姆穆纳
内尼涅努诺帕珀普奇切萨赛瑟森舍斯索塔泰坦特托瓦韦维沃乌希耶伊约泽扎兹佐尔夫丝茨`

// extraWords are words of online shopping and chat that jieba's dictionary
// lacks or undercounts, added with frequency extraFreq: without them a name
// is cheaper than 安卓 or 包邮.
var extraWords = strings.Fields(`安卓 包邮 京豆 金豆 白条 花呗 借呗 余额宝 夏凉被 凉席 客服 快递员 配送员 运单号
订单号 单号 售后单 服务单 退款单 发票 专票 普票 好评 差评 追评 晒单 下单 拍下 改价 补差价 优惠券 满减 秒杀 预售
定金 尾款 到货 发货 收货 签收 拒收 自提 物流 官网 官方 旗舰店 小妹 妹纸 亲亲 荣幸 蓝牙 高清 高端 高配 金色
白色 黑色 蓝色 粉色 安装 安心 安排 方便 马上 任何 周末 周一 周二 周三 周四 周五 周六 周日 单独 单价 单子`)

const extraFreq = 2000

// commonGiven are characters common in Chinese given names, written for
// veil: jieba's name entries lack many modern ones (彬, 珊), so each of
// these counts as givenPrior more names.
const commonGiven = `伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫宇浩凯俊帅婷雪琳晶颖慧倩莉燕玲丹萌
梦琪瑶璐佳欣怡悦妍嘉琦思雨晨曦阳辉斌彬宁波健毅峰锋博文武志国建德成林森松柏海江河山川东春夏秋冬梅
菊荣贵福禄寿喜庆祥瑞安乐康泰顺金银铭鸣龙凤虎鹤晓小一二三天云风雷光亮洁清源泉涵润泽淼晗昊皓轩宸睿
哲瀚铮钧锦霖瑜璇琬婉婧媛嫣姝妮娅蕾蓉芸芝芬芹莹菲萱蕊薇茜茹荷莲馨香雅淑惠贤仁义礼智信忠孝勤俭诚真
善美良友朋宏鸿振兴旺达发富胜利晋升腾跃杨柳桐楠梓榕彤桦逸航远星月朗昕昱晟暄曜煜炜烨焱灿耀辰旭昌盛
茂豪家永长久恒新立正中民珍彩琴翠佩娇巧媚琼娥瑛婕露婵雁蓓仪眉君菁岚瑗琰韵融艺咏卿聪澜纯毓昭冰爽茗
羽希飘育滢馥筠柔竹凝欢霄枫寒伊亚宜可舒影荔宝贝初程梵罡骅剑纪宽灵玛晴容烁堂唯威韦雯苇阅彦宗曼紫蝶
菡儿坤昆伦晖杭凡帆楷炎钰琛彧湘沛霏笑颜依语诗歌若汐瑾璟珂珊祺禧淇沁泓漫澄溪沐叶翔虹霓娴颂怀治兵彪
勋宪翰坚铁钢锐伯兆培锡懿蔚姗珠麟麒骏驰栋梁材杉柯钦铠镇钊炫熠焕晔昀曙淳渊溢潇震霆莺鹃姣娉嫦嬿岩嵩
崇巍屹州洲浦滨漪玮璋琨瑄珺珑芊芮芷苓茵荃莎蔓蕙薰`

// translitWide are characters frequent in transliterated places and
// teams that are also found in Chinese names; a name of the dictionary
// with one of them needs a cue (桑德兰, 马德里, 夏威夷).
const translitWide = `巴里亚西拉塔沙普科威夷吉纳隆坡兰丹迪利莉娜妮娅雅安卡哈汉罗尼马`

// classAfter returns the classes of the words that start at character e.
func (m *model) classAfter(w *win, e int) uint8 {
	if e >= w.n {
		return 0
	}
	i := w.info[e]
	return (i[0] | i[1] | i[2] | i[3]) &^ personWord
}

// classBefore returns the classes of the words that end at character s.
func (m *model) classBefore(w *win, s int) uint8 {
	var f uint8
	for i := max(0, s-4); i < s; i++ {
		f |= w.info[i][s-i-1]
	}
	return f &^ personWord
}

// titleSuffix reports whether a word of two to four characters ends at
// character s with a character that ends titles and trades: 医药学家,
// 理财师, 驾驶员, 刑警, 志愿者.
func (m *model) titleSuffix(w *win, s int) bool {
	if s < 2 {
		return false
	}
	switch w.r[s-1] {
	case '家', '师', '员', '警', '官', '者':
	default:
		return false
	}
	for i := max(0, s-4); i <= s-2; i++ {
		if w.cost[i][s-i-1] < infCost && w.info[i][s-i-1]&personWord == 0 {
			return true
		}
	}
	return false
}

// longCtxAt returns the flags of the context words of two characters or
// more that start at character e.
func (m *model) longCtxAt(w *win, e int) uint8 {
	if e >= w.n || !hasBit(m.ctxHead, w.r[e]) {
		return 0
	}
	var f uint8
	for j := e + 2; j <= min(w.n, e+4); j++ {
		f |= m.ctx.get(w.key(e, j))
	}
	return f
}
