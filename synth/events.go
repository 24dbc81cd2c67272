package synth

import "unicode/utf8"

type evType uint8

// Event types, in the order of schemas.EventTypes.
const (
	evView evType = iota
	evClick
	evFav
	evCart
	evPurchase
	evLogin
	evLoginFailed
	evRegister
	evPayment
	evPaymentFailed
	evCouponRedeem
	evRefund
	numEvTypes
)

var evTypeNames = [numEvTypes]string{
	"view", "click", "fav", "cart", "purchase",
	"login", "login_failed", "register",
	"payment", "payment_failed", "coupon_redeem", "refund",
}

// event is one behaviour event before rendering. Empty strings and
// hasAmount=false mean the field is omitted from the line.
type event struct {
	ts      int64 // unix ms
	typ     evType
	normal  bool // organic traffic: may be picked for mess injection and chat sampling
	userIdx int
	merch   int // merchant index, valid when itemID != ""
	cat     int // category index, valid when itemID != ""

	userID, deviceID, ip         string
	merchantID, itemID, category string
	amount                       int64 // cents
	hasAmount                    bool
	currency, couponID, liveID   string
	card                         string
	birthDate, gender, address   string
	country, phone, email        string
}

// appendEvent renders e as one JSON object (no newline), fields in the
// order of schemas.Events.
func appendEvent(b []byte, e *event, id []byte) []byte {
	b = append(b, `{"event_id":"`...)
	b = append(b, id...)
	b = append(b, `","ts":"`...)
	b = appendTS(b, e.ts)
	b = append(b, `","type":"`...)
	b = append(b, evTypeNames[e.typ]...)
	b = append(b, '"')
	b = appendField(b, "user_id", e.userID)
	b = appendField(b, "device_id", e.deviceID)
	b = appendField(b, "ip", e.ip)
	b = appendField(b, "merchant_id", e.merchantID)
	b = appendField(b, "item_id", e.itemID)
	b = appendField(b, "category", e.category)
	if e.hasAmount {
		b = append(b, `,"amount":`...)
		b = appendAmount(b, e.amount)
	}
	b = appendField(b, "currency", e.currency)
	b = appendField(b, "coupon_id", e.couponID)
	b = appendField(b, "live_session_id", e.liveID)
	b = appendField(b, "payment_card", e.card)
	b = appendField(b, "birth_date", e.birthDate)
	b = appendField(b, "gender", e.gender)
	b = appendField(b, "shipping_address", e.address)
	b = appendField(b, "country", e.country)
	b = appendField(b, "phone", e.phone)
	b = appendField(b, "email", e.email)
	return append(b, '}')
}

func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

// appendJSONString writes s as a JSON string literal.
func appendJSONString(b []byte, s string) []byte {
	if jsonSafe(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// jsonSafe reports whether s can be written between quotes as it is.
func jsonSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.ValidString(s)
}

// timeHeap is a min-heap ordered by less. It is hand-rolled so the hot
// path does not box values through container/heap's interface.
type timeHeap[T any] struct {
	s    []T
	less func(a, b T) bool
}

func (h *timeHeap[T]) len() int { return len(h.s) }
func (h *timeHeap[T]) peek() T  { return h.s[0] }

func (h *timeHeap[T]) push(x T) {
	h.s = append(h.s, x)
	i := len(h.s) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(h.s[i], h.s[p]) {
			break
		}
		h.s[i], h.s[p] = h.s[p], h.s[i]
		i = p
	}
}

func (h *timeHeap[T]) pop() T {
	s := h.s
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	var zero T
	s[n] = zero
	s = s[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(s[r], s[l]) {
			m = r
		}
		if !h.less(s[m], s[i]) {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	h.s = s
	return top
}

// queued is a rendered line waiting in the time heap; seq (push order)
// breaks ties so the output does not depend on heap internals.
type queued struct {
	ts    int64
	seq   uint64
	line  []byte
	clean bool // well-formed without extras: may be replayed as a duplicate
}

func eventBefore(a, b queued) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	return a.seq < b.seq
}
