// Package zhnames finds Chinese person names in running text without a
// cue: a name as a sentence's subject, after a job title (记者李华), in a
// list (张伟、李娜和王芳) or glued to the next word (王小明明天来).
//
// # Method
//
// At each character that can start a surname (surnames.txt, single and
// compound), a few characters around it are segmented twice with a
// unigram word model: once as words only, once with a name token (the
// surname and one or two given-name characters) there. The name is kept
// when its segmentation is cheaper by a margin (e^3). Its cost is a prior
// for a name token, the surname's share of names and each given
// character's share of first, second or only given characters; a word
// jieba tags as a name (nr) may stand for the name at its own cost, but
// its word costs e^2 more. Cues take from the cost: a title or role
// before (记者, 副总经理, 收件人, a word ending in 家/师/员/警/官/者:
// 医药学家), a verb of saying, a title or a colon after (说, 表示, 总理,
// "王小明："), one after an adverb (也坦言), 的《 (an author), （化名）;
// weaker ones (、, 和, the verb or particle after, the start of a
// message or sentence). jieba's nr tag is noisy (谢谢, 文明, 黄金周,
// 段时间), so a two-character nr word stands as a name only with a verb
// of saying after it, a title before it or a name beside it in a list,
// a three-character one gains e^2 only when its given name is no common
// word (王羲之, not 于长江) and it is no part of words (not 管弦乐队,
// 黄金周), and a short list of nr words that are almost never names
// (谢谢, 师傅, 荣耀, weekdays) is never one.
// Vetoes forbid a name: a form of address after the surname (王先生,
// 裴总) unless a word ends before it (宋春华会长), a place, brand or
// something named after a person after it (路, 公司, 运动鞋, 纪念馆, 》,
// also one character later: 林达海渔广场), a last character that ends
// places (路, 湖, 口: 张家口), a given character that is a particle or
// a pseudonym's 某, a transliteration around it (布鲁京斯, 多罗迈特).
// So 高兴, 安全 and 马上 stay words, and 王小明明天 is 王小明 + 明天.
// Titles of works (《…》), placeholders ([姓名x], <PHONE_1>) and what
// follows one are skipped.
//
// A name of a frequent surname (王, 李, 吴: cost at most e^4.6) and two
// given characters both common in their places (王建国, 李志强, not
// 杨一直), or one common alone that makes no word with the surname (王刚,
// not 李宁), needs e^2.25 less margin: such a name is rarely words by
// chance.
//
// Names in a text help each other: a name right after a name and a list
// separator needs less margin, and so does one right before a found name
// (李娜、张伟); a name found once is found where it repeats, and the
// given name of a three-character name where it stands alone (王小明…
// 小明说). A run of transliteration characters (穆里尼奥, 西摩尔·霍夫曼)
// is a name only beside a title or a verb of saying.
//
// Candidates are rejected with a few table reads (bit sets, so they stay
// in cache) before any segmenting: the next character must be able to
// start a given name, the word through the surname must not be too common
// (订单, 安全), and an upper bound of the name's gain must reach the
// margin. Nothing is allocated unless a name is found.
//
// # Measured (go test -run 'Eval|JDDC|Chat' -v; go test -bench Append)
//
// CLUENER2020's train.json (10,748 lines of news and social text; its
// name labels, used for evaluation only: it has no licence), a detection
// right when it overlaps a labelled name. The weights were chosen on the
// odd lines (TestSweep); on the held-out even lines: recall of (a)
// Chinese names (2–4 Han characters starting with a surname) 0.808, of
// (b) all name labels 0.548, precision 0.911 (odd lines 0.825, 0.581,
// 0.931). Before the frequent-surname margin, title and speech cues of
// 9 and 6 (were 8 and 5), 者 among title endings, 河, 园 among place
// endings, 巴 among marks of transliterated places, e^2 for a
// three-character dictionary name that is no part of words (was e^0.5
// for any) and e^3.5 less margin in a list (was e^3): even 0.788,
// 0.536, 0.914; odd 0.806, 0.568, 0.931. The version before the rules above on dictionary names, titles
// and roles around names, rare given characters, lists and places had
// 0.726, 0.489 and 0.915 at margin e^4. Of the 95 wrong detections on
// the even lines at 0.914, read one by one, 22 are persons CLUENER leaves
// unlabelled (赵小卓, 黄文波, 李杰先生, 孙楠, 公交司机冉涌, 穆帅), a
// nickname (江红) or game characters (楚留香 three times, 甄姬); counting
// them precision is 0.934. The rest are places, teams, works, brands and
// nr noise (白水河, 易胜博, 任天堂, 黄金周). JD's masked chat (jddc-chat,
// 12,136 lines): 8 lines with a detection: a courier's name JD left
// unmasked (配送员:张盼盼, right), agents' nicknames (客服阳阳, 京东帅人),
// brands (乐扣乐扣, 吉选, 马芬蛋糕, 高德) and the rest of a masked
// address.
// testdata/chat.tsv (chat lines written for veil): 24 of 29 names, no
// wrong detection.
//
// Speed: the candidates and the cheap rejections are those of the version
// before, and fewer candidates reach the segmentation (JD's chat: 335
// of 15,680 against 542; CLUENER: about 4,400 of 32,700 against 5,953).
// CPU time of a pass (perf stat task-clock, least of six, on a loaded
// machine): JD's chat 3.2–3.9 ms as before (3.2–3.8), CLUENER 18–20 ms
// (before 18–22); best of eight runs, 217 MB/s on the chat (before 199),
// about what pii.Find costs on the same lines (232 MB/s beside 220 in
// one run), and 74 MB/s on the news (before 78). Measurements on this
// machine vary by 10%. Since, the lookups of context words longer than
// any that starts or ends at a character are skipped, and the cue after
// a candidate is read only when its largest value would change the
// answer: a pass over JD's chat 4.1 ms against 4.5 ms (task-clock, best
// of ten, the machine more loaded than above), with the same detections.
//
// Recall (a) 0.80 held out is reached; precision 0.95 is not (odd lines
// 0.825 at 0.931). The margin trades one for the other: on the odd lines
// e^2.9 gives 0.829 at 0.922, e^3 0.825 at 0.931, e^3.2 0.816 at 0.931;
// most weights move along that line, about one wrong detection for each
// name found (the frequent-surname margin did better: six for one).
// Letting a dictionary name stand at the start of a sentence with a
// verb after it (金庸又在…) gained 13 names held out for 6 wrong
// (precision 0.910), and on chat it finds brands (李宁的鞋子, 温馨提示:
// JD 16 lines); with an adverb after it only, it gained nothing held out
// (both measured before the last margin). What it misses are names the
// dictionary holds as words (金庸, 成龙, 黄胄: jieba tags them nr beside
// 谢谢 and 阳光), given names whose characters make common words (张永和,
// 郭建设, 钱海洋), the preposition 于 as a surname (于海), and
// transliterated names without a title or a verb of saying by them:
// transliterations name teams and places as often as people (allowing
// them with weaker cues on both sides costs two wrong for each right).
//
// gse's own part-of-speech tagging (nr, nrfg, nrt; internal/gsebaseline,
// a module of its own) was measured first on all lines: recall (a) 0.79,
// (b) 0.71, precision 0.33 at 2 MB/s with its dictionary; with its HMM
// 0.91, 0.79 and 0.33 at 0.1 MB/s. Two of three names it tags are wrong
// and it is two orders of magnitude too slow, so veil does not depend on
// it; its dictionary is what this package's tables come from.
//
// # Data and licences
//
// words.txt and given.txt are derived by internal/gen from jieba's
// dict.txt and idf.txt (MIT licence, Copyright (c) 2013 Sun Junyi) as
// github.com/go-ego/gse v0.80.3 ships them (data/dict/zh); they are
// embedded, so nothing is downloaded at run time. surnames.txt, the given
// name characters of commonGiven, and the cue, veto and never-a-name
// words are written for veil.
package zhnames
