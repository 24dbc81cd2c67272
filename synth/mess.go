package synth

import (
	"bytes"
	"unicode/utf8"
)

// Reasons a generated event line is invalid; the ingest stage should
// quarantine every one of them. The names are the truth's, not the
// pipeline's.
const (
	BadTruncated      = "truncated_json"
	BadTimestamp      = "bad_timestamp"
	BadUnknownType    = "unknown_type"
	BadNegativeAmount = "negative_amount"
	BadMissingUserID  = "missing_user_id"
	BadWrongDay       = "wrong_day"
)

var badReasons = []string{BadTruncated, BadTimestamp, BadUnknownType, BadMissingUserID, BadWrongDay, BadNegativeAmount}

var badTimestamps = []string{
	"2026-11-19 08:15:02",  // no T, no zone
	"19/11/2026 08:15:02",  // locale format
	"1763540102123",        // epoch millis as a string
	"2026-13-45T25:61:00Z", // out of range
	"",                     // empty
	"yesterday",            // free text
}

var unknownTypes = []string{"pageview", "search", "share", "add_to_wishlist", "checkout"}

// corrupt renders e into line as an invalid line and returns the reason.
func (g *dayGen) corrupt(line []byte, e *event) ([]byte, string) {
	r := g.rm
	var reason string
	switch {
	case g.owedNegative > 0 && e.hasAmount:
		reason = BadNegativeAmount
		g.owedNegative--
	default:
		reason = pick(r, badReasons)
		if reason == BadNegativeAmount && !e.hasAmount {
			// Few events carry an amount: owe the corruption to the next
			// one that does, and spoil this line another way.
			g.owedNegative++
			reason = pick(r, badReasons[:len(badReasons)-1])
		}
	}
	switch reason {
	case BadNegativeAmount:
		e.amount = -max(e.amount, 100)
	case BadMissingUserID:
		e.userID = ""
	case BadWrongDay:
		if r.chance(0.8) {
			e.ts -= msPerDay * int64(r.between(1, 3)) // late arrival
		} else {
			e.ts += msPerDay
		}
	}
	line = appendEvent(line, e, g.id)
	switch reason {
	case BadTruncated:
		cut := r.between(len(line)/4, len(line)-2)
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		line = line[:cut]
	case BadTimestamp:
		line = splice(line, `"ts":"`, pick(r, badTimestamps))
	case BadUnknownType:
		line = splice(line, `"type":"`, pick(r, unknownTypes))
	}
	return line, reason
}

// splice replaces the string value following prefix with v.
func splice(line []byte, prefix, v string) []byte {
	i := bytes.Index(line, []byte(prefix))
	if i < 0 {
		return line
	}
	i += len(prefix)
	j := i + bytes.IndexByte(line[i:], '"')
	out := make([]byte, 0, len(line)+len(v))
	out = append(out, line[:i]...)
	out = append(out, v...)
	return append(out, line[j:]...)
}

var extraFields = []string{
	`"user_agent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(TB/10.31.0)"`,
	`"user_agent":"Mozilla/5.0 (Linux; Android 14; 23127PN0CC) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36"`,
	`"debug_trace":"trace-`,
	`"client_version":"10.31.0"`,
	`"sdk_build":20261101`,
}

// addExtra appends a field the contract does not declare.
func (g *dayGen) addExtra(line []byte) []byte {
	line = line[:len(line)-1] // drop '}'
	line = append(line, ',')
	f := pick(g.rm, extraFields)
	line = append(line, f...)
	if f == `"debug_trace":"trace-` {
		line = appendHex(line, g.rm.u64(), 16)
		line = append(line, '"')
	}
	return append(line, '}')
}
