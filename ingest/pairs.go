package ingest

import (
	"crypto/sha256"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/veil-data/veil/anonymize/pii"
	"github.com/veil-data/veil/pipeline"
)

// Reasons a candidate pair is dropped (see pipeline.PairStats).
const (
	dropGreeting  = "greeting"
	dropEmpty     = "empty"
	dropNoAnswer  = "no_answer"
	dropDuplicate = "duplicate"
)

// turnMsg is one desensitised message of a conversation, in order.
type turnMsg struct {
	buyer bool
	text  string
}

// chatPair is one question and its answer, before de-duplication.
type chatPair struct {
	turn         int32
	q, a         string
	lang         string
	placeholders int32
}

// msgClass is what a message holds for training.
type msgClass uint8

const (
	classEmpty    msgClass = iota // nothing to read: blanks, punctuation, emoji
	classGreeting                 // greetings, thanks and acknowledgements only
	classContent
)

// turn is a maximal run of one side's messages: the buyer's, or the
// seller's and bot's (both answer for the shop).
type turn struct {
	buyer bool
	class msgClass // the best class of its messages
	text  string   // its content messages, one a line
}

// turns merges msgs into turns. Greeting and empty messages leave the
// merged text, but a turn of nothing else keeps their class.
func turns(msgs []turnMsg) []turn {
	var out []turn
	var b strings.Builder
	for i, m := range msgs {
		if i == 0 || m.buyer != msgs[i-1].buyer {
			if len(out) > 0 {
				out[len(out)-1].text = b.String()
			}
			b.Reset()
			out = append(out, turn{buyer: m.buyer})
		}
		t := &out[len(out)-1]
		c := classify(m.text)
		t.class = max(t.class, c)
		if c == classContent {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(strings.TrimSpace(stripOpener(m.text)))
		}
	}
	if len(out) > 0 {
		out[len(out)-1].text = b.String()
	}
	return out
}

// makePairs turns a conversation's messages into candidate pairs: each
// buyer turn with the answer turn after it. It counts each dropped
// candidate in st, and returns the others for de-duplication.
func makePairs(msgs []turnMsg, st *pipeline.PairStats) []chatPair {
	ts := turns(msgs)
	var out []chatPair
	for i, q := range ts {
		if !q.buyer {
			continue // an answer to nothing: a bot's opening line
		}
		switch {
		case q.class == classEmpty:
			st.Drop(dropEmpty)
			continue
		case q.class == classGreeting:
			st.Drop(dropGreeting)
			continue
		case i+1 == len(ts):
			st.Drop(dropNoAnswer)
			continue
		}
		a := ts[i+1]
		switch a.class {
		case classEmpty:
			st.Drop(dropEmpty)
			continue
		case classGreeting:
			st.Drop(dropGreeting)
			continue
		}
		out = append(out, chatPair{turn: int32(i), q: q.text, a: a.text, lang: language(q.text + "\n" + a.text),
			placeholders: int32(pii.CountPlaceholders(q.text) + pii.CountPlaceholders(a.text))})
	}
	return out
}

// dedupKey is the key of a pair within a merchant's scope: the merchant
// and the question and answer normalised (lower case, without blanks or
// punctuation, placeholders without their numbers), hashed.
func dedupKey(merchant string, p chatPair) [sha256.Size]byte {
	var b []byte
	b = append(b, merchant...)
	b = append(b, 0)
	b = appendNormal(b, p.q)
	b = append(b, 0)
	b = appendNormal(b, p.a)
	return sha256.Sum256(b)
}

func appendNormal(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		if e := pii.PlaceholderAt(s, i); e > 0 {
			b = append(b, s[i:strings.LastIndexByte(s[:e], '_')]...) // "<PHONE" of "<PHONE_2>"
			b = append(b, '>')
			i = e
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b = utf8.AppendRune(b, unicode.ToLower(r))
		}
	}
	return b
}

// classify says whether a message holds content, or only greetings,
// thanks and acknowledgements (您好, 在吗, 亲, 谢谢, 好的, "hi", "thanks",
// "ok"), or nothing to read.
func classify(text string) msgClass {
	class := classEmpty
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		switch {
		case r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z'):
			j := i
			for j < len(text) && (text[j]|0x20 >= 'a' && text[j]|0x20 <= 'z' || text[j] == '\'') {
				j++
			}
			if !enGreetings[strings.ToLower(text[i:j])] {
				return classContent
			}
			class, i = classGreeting, j
			continue
		case unicode.Is(unicode.Han, r):
			n := zhGreetingAt(text, i)
			if n == 0 {
				return classContent
			}
			class, i = classGreeting, i+n
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return classContent
		}
		i += w
	}
	return class
}

// stripOpener drops the salutations a content message opens with, up to
// the punctuation after them ("亲，您好，已经帮您查询了" -> "已经帮您查询了",
// "Hi there, where is my order?" -> "where is my order?"). Replies such as
// "Yes," or "好的，" stay: they carry the answer.
func stripOpener(text string) string {
	cut, i := 0, 0
	for i < len(text) {
		j := i
		if r, _ := utf8.DecodeRuneInString(text[i:]); unicode.Is(unicode.Han, r) {
			for n, k := 0, i; n < maxGreetingRunes && k < len(text); n++ {
				_, w := utf8.DecodeRuneInString(text[k:])
				k += w
				if zhOpeners[text[i:k]] {
					j = k
				}
			}
		} else {
			k := i
			for k < len(text) && text[k]|0x20 >= 'a' && text[k]|0x20 <= 'z' {
				k++
			}
			if enOpeners[strings.ToLower(text[i:k])] {
				j = k
			}
		}
		if j == i {
			break
		}
		k := j
		for k < len(text) {
			r, w := utf8.DecodeRuneInString(text[k:])
			if !unicode.IsPunct(r) && !unicode.IsSpace(r) && r != '~' {
				break
			}
			k += w
		}
		if k == j {
			break // glued to what follows: "您好吗", "Hiking"
		}
		cut, i = k, k
	}
	if cut == len(text) {
		return text // all salutation: classify keeps it out
	}
	return text[cut:]
}

var zhOpeners = setOf(`您好 你好 亲 亲亲 亲爱的 在吗 在么 在不在 哈喽 嗨 您好呀 你好呀 亲亲您好`)

var enOpeners = setOf(`hi hello hey hiya dear there`)

// zhGreetingAt returns the length of the longest greeting phrase at
// text[i], or 0.
func zhGreetingAt(text string, i int) int {
	best := 0
	for n, k := 0, i; n < maxGreetingRunes && k < len(text); n++ {
		_, w := utf8.DecodeRuneInString(text[k:])
		k += w
		if zhGreetings[text[i:k]] {
			best = k - i
		}
	}
	return best
}

const maxGreetingRunes = 5

var zhGreetings = setOf(`您好 你好 您们好 大家好 亲 亲亲 亲爱的 在吗 在么 在不在 在的 在呢 有人吗 嗯 嗯嗯 哦 哦哦 噢 喔 好 好的 好滴
	好哒 好嘞 好吧 好了 行 行吧 可以 谢谢 谢谢你 谢谢您 多谢 感谢 谢啦 谢了 辛苦了 辛苦 麻烦了 麻烦 不客气 没事 没关系 不用谢 收到
	知道了 明白 明白了 了解 哈 哈哈 哈哈哈 呵呵 嘿嘿 嗨 哈喽 哈罗 早 早上好 上午好 中午好 下午好 晚上好 晚安 再见 拜拜 欢迎光临
	客服 人工 人工客服 请问 宝 宝贝 您 你 了 的 啊 呀 吧 呢 哦 额 唉 哎 嘿 吗 么 啦 哇 是的 对 对的 没问题 好的呢 嗯呢`)

var enGreetings = setOf(`hi hello hey hiya there thanks thank you thx ty tks ok okay k kk yes yeah yep yup sure cool great good morning
	afternoon evening night bye goodbye welcome please np noted got it alright fine much so very lol haha dear sir madam ma'am
	all right appreciate appreciated cheers oh ah hmm ah`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// language tags text zh, en or mixed by its Chinese characters and its
// English words (placeholders aside): the minority language is mixed in
// when it has at least a fifth of the words, two Han characters counting
// as a word. Text with neither is und (undetermined).
func language(text string) string {
	var han, words int
	for i := 0; i < len(text); {
		c := text[i]
		if e := pii.PlaceholderAt(text, i); e > 0 {
			i = e
			continue
		}
		if c|0x20 >= 'a' && c|0x20 <= 'z' {
			j := i
			for j < len(text) && text[j]|0x20 >= 'a' && text[j]|0x20 <= 'z' {
				j++
			}
			if j-i >= 2 {
				words++
			}
			i = j
			continue
		}
		r, w := utf8.DecodeRuneInString(text[i:])
		if unicode.Is(unicode.Han, r) {
			han++
		}
		i += w
	}
	zh := float64(han) / 2
	en := float64(words)
	switch {
	case zh == 0 && en == 0:
		return "und"
	case min(zh, en) >= 0.2*(zh+en):
		return "mixed"
	case zh > en:
		return "zh"
	}
	return "en"
}
