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
// when its segmentation is cheaper by a margin (e^4). Its cost is a prior
// for a name token, the surname's share of names and each given
// character's share of first, second or only given characters; cues take
// from it: a title or role before (记者, 副总经理, 收件人), a verb of saying
// or a colon after (说, 表示, "王小明："), weaker ones (、, 和, the verb or
// particle after, the start of a message or sentence); vetoes forbid it: a form of address after the surname
// (王先生, 裴总), a place or brand after (路, 公司, 运动鞋, 》), a given
// character that is a particle or a pseudonym's 某, a transliteration
// around it (布鲁京斯). So 高兴, 安全 and 马上 stay words, and 王小明明天
// is 王小明 + 明天. Titles of works (《…》), placeholders ([姓名x],
// <PHONE_1>) and what follows one are skipped. A name right after a name
// and a list separator needs less margin, and a name found once is found
// where it repeats. A run of transliteration characters (穆里尼奥,
// 西摩尔·霍夫曼) is a name only beside a title or a verb of saying.
//
// Candidates are rejected with a few table reads before any segmenting:
// the next character must be able to start a given name, the word through
// the surname must not be too common (订单, 安全), and an upper bound of
// the name's gain must reach the margin. Nothing is allocated unless a
// name is found.
//
// # Measured (go test -run 'Eval|JDDC|Chat' -v; go test -bench Append)
//
// CLUENER2020's train.json (10,748 lines of news and social text; its
// name labels, used for evaluation only: it has no licence), a detection
// right when it overlaps a labelled name. The weights were chosen on the
// odd lines (TestSweep); on the held-out even lines: recall of (a)
// Chinese names (2–4 Han characters starting with a surname) 0.726, of
// (b) all name labels 0.489, precision 0.915 (odd lines 0.732, 0.517,
// 0.926). About a quarter of the wrong ones are persons CLUENER leaves
// unlabelled (蔡康永, 黄奇帆, 记者柳杰); the rest are places, teams and
// works (洪崖洞, 梅亨, 万圣节). JD's masked chat (jddc-chat, 12,136
// lines): 4 lines with a detection: an agent's nickname JD left (客服阳阳),
// two brands (乐扣乐扣, 吉选) and the rest of a masked address.
// testdata/chat.tsv (chat lines written for veil): 23 of 29 names, no
// wrong detection. Speed on one core of a loaded machine (load average
// 3–9 on 2 cores): 45–100 MB/s on CLUENER's news, 110–250 MB/s on JD's
// chat, about what the rest of pii.Find costs on the same chat.
//
// The targets, recall (a) 0.80 at precision 0.95, are not reached. The
// margin trades one for the other (held out): e^3 gives 0.771 at 0.885,
// e^4 0.726 at 0.915, e^5 0.647 at 0.931, e^6 0.597 at 0.937; e^4 is kept
// because a redactor that blanks ordinary words spoils the chat it
// cleans. What it misses are names the dictionary holds as words (李娜,
// 许嵩, beside jieba's 谢谢 and 文明, all tagged nr), given names whose
// characters make common words (张永和, 于海显然), and transliterated
// names without a title or a verb of saying by them: transliterations
// name teams and places as often as people.
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
// name characters of commonGiven, and the cue and veto words are written
// for veil.
package zhnames
