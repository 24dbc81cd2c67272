package pii

import "strings"

// Word lists for names, written for this package. They only decide what
// follows a cue; no name is tagged for being on a list.

// cnSurnames are the most common single-character Chinese surnames, less a
// few that are mostly ordinary words (和, 时, 都, 来, 那 …).
var cnSurnames = runeSet(`王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董
袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙
史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿
关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房
滕屈饶解牟艾尤阳穆司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边
卞姬师仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌`)

// cnCompoundSurnames are two-character surnames.
var cnCompoundSurnames = strings.Fields(`欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒
夏侯 轩辕 令狐 端木 西门 南宫 独孤 澹台 万俟 闻人 呼延 申屠 百里 东郭 钟离 太史 第五`)

// cnGivenChars are characters common in Chinese given names. After a weak
// cue ("我是", "本人") or before a title (先生), a name must be made of
// them: "我是王者" is no name, "我是王哲" is.
var cnGivenChars = runeSet(`伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞鑫宇浩凯俊
帅婷雪琳晶颖慧倩莉燕玲丹萌梦琪瑶璐佳欣怡悦妍嘉琦思雨晨曦阳辉斌彬宁波健毅峰锋博文武志国建德成林
森松柏海江河山川东春夏秋冬梅菊荣贵福禄寿喜庆祥瑞安乐康泰顺金银铭鸣龙凤虎鹤晓小一二三天云风雷
光亮洁清源泉涵润泽淼晗昊皓轩宸睿哲瀚铮钧锦霖瑜璇琬婉婧媛嫣姝妮娅蕾蓉芸芝芬芹莹菲萱蕊薇茜茹荷莲
馨香雅淑惠贤仁义礼智信忠孝勤俭诚真善美良友朋宏鸿振兴旺达发富胜利晋升腾跃杨柳桐楠梓榕彤桦逸航远
星月朗昕昱晟暄曜煜炜烨焱灿耀辰旭昌盛茂豪家永长久恒新立正中民珍彩琴翠佩娇巧媚琼娥瑛婕露婵雁蓓仪
眉君菁岚瑗琰韵融艺咏卿聪澜纯毓昭冰爽茗羽希飘育滢馥筠柔竹凝欢霄枫寒伊亚宜可舒影荔宝贝初程梵罡骅
剑纪宽灵玛晴容烁堂唯威韦雯苇阅彦宗曼紫蝶菡儿坤昆伦晖杭凡帆楷炎钰琛彧湘晋沛霏笑颜依语诗歌若汐
雯瑾璟珂珊琳瑞祺禧鑫淇沁泓漫澄溪沐萍琦叶菲静翔虹霓娴婷颂怀德治军兵彪勋宪昭翰林坚铁钢锐`)

// cnNameStop are characters that end a Chinese name: particles, pronouns,
// verbs and the first characters of the words that usually follow one.
var cnNameStop = runeSet(`的想要在了啊呀哦呢吧嘛啦哈是和跟给也就请电手地身收谢您你我他她它们这那有没
不还再都说问买发寄送到去从对同先女啥吗嗯号联微邮，。！？、：；`)

// cnTitles follow a name or surname: 王先生, 张三女士.
var cnTitles = strings.Fields(`先生 女士 小姐 太太 老师 同学 师傅 经理`)

// enGivenNames are common given names. After a weak cue ("I'm", "this
// is"), a name must start with one or end with a surname. Names that are
// mostly ordinary words (Will, May, Mark, Rose …) are left out.
var enGivenNames = wordSet(`james john robert michael william david richard joseph thomas charles
christopher daniel matthew anthony donald steven paul andrew joshua kenneth kevin brian george timothy
ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon
benjamin samuel gregory alexander patrick raymond jack dennis jerry tyler aaron jose adam nathan henry
douglas zachary peter kyle ethan walter noah jeremy christian keith roger terry austin sean gerald
carl harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan alan juan albert
willie elijah wayne randy vincent liam oliver lucas mason logan leo oscar harry charlie alfie freddie
archie theo isaac max finn hugo felix sebastian luca mateo tom tim sam ben dan nick mike jim bob steve
tony alex chris matt andy dave rob ed ted fred greg luke owen evan caleb ian colin neil simon martin
mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret
sandra ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca
sharon laura cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha
katherine christine debra rachel carolyn janet catherine maria heather diane ruth julie olivia joyce
virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah jacqueline
martha gloria teresa ann sara madison frances kathryn janice jean abigail alice judy sophia grace
denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie
kayla alexis lori ava mia amelia isla ella chloe lucy sophie jessie jane kate katie jenny annie
ellie zoe leah clara eva nora elena laura julia sofia lena anne emilie hanna ingrid astrid freya
lars erik johan anders nils sven hans klaus jurgen stefan andreas markus wolfgang pierre jean louis
jacques francois antoine nicolas marco giovanni giuseppe luca francesco alessandro carlos miguel
pedro pablo diego javier manuel antonio luis jorge sergio ivan dmitri sergei vladimir olga natasha
tatiana yuki hiroshi takashi kenji akira satoshi haruto sakura yui aiko raj rahul amit priya ananya
mohammed muhammad ahmed ali omar fatima aisha hassan ines agnes camille manon lea louise juliette
mathilde margaux pauline celine sylvie isabelle nathalie valerie sandrine julien mathieu guillaume
olivier philippe francois laurent thierry sebastien vincent yann remi hugo jules raphael baptiste
lucia carmen rosa dolores pilar elena alba marta nuria alejandro fernando ricardo eduardo alberto
rafael andres emilio joaquin santiago matteo lorenzo davide simone riccardo federico giulia chiara
francesca alessia martina sara giorgia valentina anja lena jana katarina petra eva ivana milan tomas
jakub lukas jan piotr pawel krzysztof agnieszka katarzyna magdalena anna joanna dorota sofie mette
kristian henrik mikael jonas elias emil oskar viktor axel maja elsa alma ebba saga linnea sanna
aino eero jukka mikko ville pekka tuomas hiroko keiko yoko takeshi kenta daiki sota ren minjun
seoyeon jiwoo hyun wei ming jun hao jie lei tao yan ying hui lin ling xin yu`)

// enSurnames are common surnames, English and Chinese (pinyin). A weak
// cue followed by two capitalised words takes them as a name if the last
// is one of these: "this is Jun Cai".
var enSurnames = wordSet(`smith johnson williams brown jones garcia miller davis rodriguez martinez
hernandez lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white
harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill
flores green adams nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans
turner diaz parker cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez
ortiz morgan cooper peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks
chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long
ross foster jimenez powell jenkins perry russell sullivan bell coleman butler henderson barnes
fisher vasquez simmons graham murray ford hamilton wallace west cole hayes bryant gibson ellis
stevens fox marshall owens harrison fernandez mcdonald woods washington kennedy wells vargas henry
chen freeman webb tucker guzman burns crawford olson simpson porter hunter gordon mendez silva
shaw snyder mason dixon munoz hunt hicks holmes palmer wagner black robertson boyd rose stone
salazar mills meyer warren fuller schmidt schneider fischer weber becker hoffmann muller dubois
durand bernard rossi russo ferrari esposito bianchi sato suzuki takahashi tanaka watanabe ito
yamamoto nakamura kobayashi wang li zhang liu yang huang zhao wu zhou xu sun ma zhu hu guo he lin
gao luo zheng liang xie song tang han feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai
du ye cheng su wei lyu lv ding ren shen yao lu cui zhong tan fan jin shi liao jia xia fu fang bai
zou meng xiong qin qiu yin xue yan duan lei hou long tao gu mao hao gong shao wan qian wong chan
cheung leung lau ho tsang ng kwok goh lim teo tay ong chua koh yeo low wee quek sim toh seah
chia foo heng khoo loh neo ooi poh soh yap tham chong chew choo fong hui kok kong kwan lam lum mok
pang poon siew soo tam tse tong tsui yip yong park choi jung kang cho yoon jang shin kwon hwang ahn
song oh seo singh kumar sharma gupta reddy nair menon rao iyer pillai das bose chatterjee mukherjee
abdullah ahmad ibrahim ismail hassan rahman hussain aziz osman yusof tran pham hoang phan vu vo dang
bui do ngo duong ly`)

// enNotName are capitalised words that follow a cue but are no name:
// "I'm Chinese", "this is Customer Service", "Dear Customer".
var enNotName = wordSet(`i i'm im the a an this that it is sorry just not very so here there happy
glad sure fine ok okay interested looking good great still back ready calling writing trying going
asking done new your my our from in at with on for to of and or but hi hello hey dear thanks thank
please yes no also customer customers service support team store shop order account manager sales
department mr mrs ms dr miss sir madam monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december chinese
english american british canadian australian german french japanese korean indian buyer seller bot
assistant agent admin everyone all guys friend waiting unable afraid wondering curious confused
unhappy satisfied disappointed vip member gold platinum returning first second we you he she they
them his her their what when where why how who which can could would will should might must do
does did have has had be been was were are am if as by about out up down over under again today
tomorrow yesterday now then later soon never always maybe probably really actually only even already
almost regarding re fwd note best kind warm many much more most some any every each other another
such same own sent iphone android apple samsung huawei xiaomi amazon taobao tmall jd wechat qq alipay
paypal visa mastercard dhl fedex ups usps sf ems express singles day black christmas year double live
stream coupon refund delivery shipping size color price product item package parcel id passport phone
email address name number card sending trouble new-customer`)
