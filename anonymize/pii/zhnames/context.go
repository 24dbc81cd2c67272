package zhnames

import "strings"

// context returns the change in cost of a name at text[s:e] from what
// stands around it: lower after a title or list separator and before a
// verb of saying, +Inf before what makes it a place, a company or a brand.
func (m *model) context(text string, s, e int) float32 {
	var c float32
	rest := text[e:]
	for _, v := range vetoAfter {
		if strings.HasPrefix(rest, v) {
			return infCost
		}
	}
	for _, v := range cueAfter {
		if strings.HasPrefix(rest, v) {
			c -= cueBonus
			break
		}
	}
	head := text[:s]
	for _, t := range cueBefore {
		if strings.HasSuffix(head, t) {
			c -= cueBonus
			break
		}
	}
	return c
}

// cueBonus is what a cue on either side takes off a name's cost.
const cueBonus = 2

// cueBefore are words that often stand right before a person's name: job
// titles and roles, list separators, verbs of addressing.
var cueBefore = strings.Fields(`记者 编辑 通讯员 经理 总经理 副总经理 总监 总裁 董事长 董事 主席 总理 部长 局长
厅长 处长 科长 市长 省长 县长 镇长 村长 书记 主任 院长 校长 所长 站长 行长 社长 会长 团长 队长 组长 班长
老师 教授 讲师 博士 医生 护士 律师 法官 警官 民警 教练 主教练 主帅 球员 队员 选手 前锋 中锋 后卫 门将
导演 演员 歌手 主持人 作家 作者 诗人 画家 创始人 发言人 负责人 分析师 研究员 工程师 设计师 同学 师傅
客服 收件人 联系人 寄件人 、 和 与 及 跟 叫 给 找 问 向 由 被 让 请 称 对 陪 替 帮 为 ， : ：`)

// cueAfter are words that often follow a person's name.
var cueAfter = strings.Fields(`说 表示 认为 告诉 指出 称 介绍 透露 强调 回忆 解释 坦言 笑 问 答 回答 曾 也 还
都 已 就 则 却 先生 女士 小姐 同学 老师 师傅 教授 博士 医生 律师 、 ， 。 ： : ！ ？ 和 与 等 在 是 的 之 因 从
将 把 被 对 向 给 打 来 去 到 看 拿 买 发 收 取 带 要 想 会 能 可`)

// vetoAfter are words that turn what precedes into a place, an
// organisation or a brand: 中山路, 李宁运动鞋, 张家村.
var vetoAfter = strings.Fields(`路 街 巷 村 镇 乡 县 市 省 区 州 城 港 湾 岛 桥 站 寺 庙 庄 屯 堡 府 宫 殿 楼 阁
塔 亭 园 苑 馆 厂 矿 店 铺 牌 杯 奖 号 族 氏 家族 公司 集团 银行 大学 学院 学校 中学 小学 医院
酒店 饭店 宾馆 大厦 广场 中心 基金 科技 股份 有限 旗舰 专卖 品牌 运动 服饰 电器 家电 汽车 超市 书院 实业
控股 传媒 影业 工作室 鞋 牌子 商城 商场 山 江 河 湖 海`)

// notGiven are characters that never stand in a given name: particles,
// pronouns and what makes a surname a pseudonym or a form of address
// (陈某, 杜氏, 裴总, 陆姐).
const notGiven = `某氏总哈哦呢啊呀吧嘛啦嗯呵哇喔噢咯哟么吗呗的了着过们个您你我他她它这那哪谁啥姐哥叔
姨婆嫂爷奶妈爸伯舅`

// placeEnd are last characters that make a name-like word a place or an
// organisation: 武胜路, 沈河区, 荣田路.
const placeEnd = `路街巷村镇乡县市省区州港湾桥站寺庙庄屯堡府宫殿楼阁塔苑馆厂矿店铺牌杯奖号族`

// translit are characters of transliterated foreign words; a candidate
// whose given characters are all of them, inside a run of them, is part of
// one (费耶诺德, 雷尼尔).
const translit = `阿埃艾安奥巴拜班邦贝本比彼宾波伯布蔡查达戴丹道德迪蒂丁杜多厄恩法菲费芬弗福盖戈哥格
古圭哈海汉豪赫亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库奎拉莱兰朗劳勒雷黎里利莉林琳卢鲁路伦罗洛马玛
麦曼梅门蒙米敏明莫姆穆纳娜南内尼涅宁努诺欧帕潘佩皮珀普奇齐乔切琼丘萨赛桑瑟森沙莎尚舍什施史斯松苏索
塔泰坦汤唐特提田托瓦万威韦维温沃乌伍西希谢辛休雅亚延扬耶伊因英尤于约泽扎詹兹佐`

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

// titles make what precedes them a surname alone (王先生, 裴总), which
// this package leaves to the cue detector.
var titles = strings.Fields(`先生 女士 小姐 太太 夫人 老师 同学 师傅 经理 总 董 局长 部长 主任 老板 阿姨 大爷 大妈
大哥 大姐 哥 姐 叔 老 某 氏 家 队 教练 医生 律师 记者 博士 教授`)

func titleAt(text string, p int) bool {
	for _, t := range titles {
		if strings.HasPrefix(text[p:], t) {
			return true
		}
	}
	return false
}
