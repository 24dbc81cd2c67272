package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/tink"

	"github.com/veil-data/veil/audit/chain"
)

// forge re-signs line under key (a forger's own key unless it is the log's)
// with edit applied and prev replaced when prev != "", and returns the
// line and its MAC.
func forge(t *testing.T, key tink.MAC, line, prev string, edit func(*body)) (string, string) {
	t.Helper()
	var rec keyedRecord
	if err := jsonUnmarshal(line, &rec); err != nil {
		t.Fatal(err)
	}
	if prev != "" {
		rec.Prev = prev
	}
	edit(&rec.body)
	id, err := chain.PrimaryKeyID(key)
	if err != nil {
		t.Fatal(err)
	}
	rec.Key = id
	data, _ := marshal(rec.keyedBody)
	rec.MAC, _, _ = chain.Sign(key, data)
	b, _ := marshal(rec)
	return string(b) + "\n", rec.MAC
}

// unkeyed rewrites line in the legacy format with a recomputed hash, as a
// forger who drops the MACs would.
func unkeyed(t *testing.T, line, prev string) (string, string) {
	t.Helper()
	var rec keyedRecord
	if err := jsonUnmarshal(line, &rec); err != nil {
		t.Fatal(err)
	}
	rec.Prev = prev
	h, _ := hashOf(rec.body)
	b, _ := marshal(record{body: rec.body, Hash: h})
	return string(b) + "\n", h
}

func writeHeadFile(t *testing.T, l Log, seq uint64, h string) {
	t.Helper()
	if err := writeHead(l.Path, head{Seq: seq, Hash: h}); err != nil {
		t.Fatal(err)
	}
}

func TestTampering(t *testing.T) {
	mallory := newKey(t) // a key that is not the audit key
	tests := []struct {
		name   string
		tamper func(t *testing.T, l Log, ls []string)
		anchor bool // the error names the anchor, not the log
		line   int
		seq    uint64
		want   string
		// appendOK: a head one behind is what an interrupted append leaves,
		// so Append repairs it rather than refuse.
		appendOK bool
	}{
		{"edited entry", func(t *testing.T, l Log, ls []string) {
			ls[2] = strings.Replace(ls[2], "appeal #3", "appeal #9", 1)
			write(t, l.Path, ls)
		}, false, 3, 3, "edited", false},
		{"edited outcome", func(t *testing.T, l Log, ls []string) {
			ls[1] = strings.Replace(ls[1], `"revealed"`, `"refused: no"`, 1)
			write(t, l.Path, ls)
		}, false, 2, 2, "edited", false},
		{"edited entry with its MAC recomputed without the key", func(t *testing.T, l Log, ls []string) {
			ls[2], _ = forge(t, mallory, ls[2], "", func(b *body) { b.Actor = "mallory" })
			write(t, l.Path, ls)
		}, false, 3, 3, "without the audit key", false},
		{"chain recomputed to the end without the key, head rewritten", func(t *testing.T, l Log, ls []string) {
			var h string
			ls[2], h = forge(t, mallory, ls[2], "", func(b *body) { b.Token = "r_other" })
			ls[3], h = forge(t, mallory, ls[3], h, func(*body) {})
			ls[4], h = forge(t, mallory, ls[4], h, func(*body) {})
			write(t, l.Path, ls)
			writeHeadFile(t, l, 5, h)
		}, false, 3, 3, "without the audit key", false},
		{"deleted middle entry", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, append(ls[:2:2], ls[3:]...))
		}, false, 3, 3, "found seq 4", false},
		{"deleted first entry", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, ls[1:])
		}, false, 1, 1, "found seq 2", false},
		{"deleted tail", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, ls[:3])
		}, false, 0, 4, "cut from the end", false},
		{"deleted everything", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, nil)
		}, false, 0, 1, "cut from the end", false},
		{"reordered", func(t *testing.T, l Log, ls []string) {
			ls[1], ls[2] = ls[2], ls[1]
			write(t, l.Path, ls)
		}, false, 2, 2, "found seq 3", false},
		{"duplicated entry", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, append(ls[:3:3], ls[2:]...))
		}, false, 4, 4, "found seq 3", false},
		{"garbage line", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, append(append(ls[:1:1], "not json at all\n"), ls[1:]...))
		}, false, 2, 2, "not an audit entry", false},
		{"blank line", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, append(append(ls[:4:4], "\n"), ls[4:]...))
		}, false, 5, 5, "not an audit entry", false},
		{"extra field", func(t *testing.T, l Log, ls []string) {
			ls[0] = strings.Replace(ls[0], `{"seq"`, `{"note":"x","seq"`, 1)
			write(t, l.Path, ls)
		}, false, 1, 1, "not an audit entry", false},
		{"reformatted line", func(t *testing.T, l Log, ls []string) {
			ls[1] = strings.Replace(ls[1], `"actor":`, `"actor": `, 1)
			write(t, l.Path, ls)
		}, false, 2, 2, "canonical", false},
		{"truncated last line", func(t *testing.T, l Log, ls []string) {
			ls[4] = ls[4][:40]
			write(t, l.Path, ls)
		}, false, 5, 5, "incomplete last line", false},
		{"head missing", func(t *testing.T, l Log, _ []string) {
			os.Remove(HeadPath(l.Path))
		}, false, 0, 0, "head file", false},
		{"head damaged", func(t *testing.T, l Log, _ []string) {
			os.WriteFile(HeadPath(l.Path), []byte("{"), 0o600)
		}, false, 0, 0, "head file is damaged", false},
		{"entry appended outside veil without the key", func(t *testing.T, l Log, ls []string) {
			extra, h := forge(t, mallory, ls[4], lastMAC(t, ls[4]), func(b *body) { b.Seq = 6 })
			write(t, l.Path, append(ls, extra))
			writeHeadFile(t, l, 6, h)
		}, false, 6, 6, "without the audit key", false},

		// What the key and the anchor add.
		{"wiped log with its head deleted", func(t *testing.T, l Log, _ []string) {
			write(t, l.Path, nil)
			os.Remove(HeadPath(l.Path))
		}, true, 0, 1, "the log was wiped", false},
		{"log and head deleted", func(t *testing.T, l Log, _ []string) {
			os.Remove(l.Path)
			os.Remove(HeadPath(l.Path))
		}, false, 0, 1, "it was deleted", false},
		{"truncated log with a rewritten head", func(t *testing.T, l Log, ls []string) {
			write(t, l.Path, ls[:3])
			writeHeadFile(t, l, 3, lastMAC(t, ls[2]))
		}, true, 0, 4, "cut from the end", false},
		{"whole log re-signed with another key", func(t *testing.T, l Log, ls []string) {
			h := genesis
			for i := range ls {
				ls[i], h = forge(t, mallory, ls[i], h, func(*body) {})
			}
			write(t, l.Path, ls)
			writeHeadFile(t, l, 5, h)
		}, false, 1, 1, "without the audit key", false},
		{"log rewritten unkeyed with recomputed hashes", func(t *testing.T, l Log, ls []string) {
			h := genesis
			for i := range ls {
				ls[i], h = unkeyed(t, strings.Replace(ls[i], "appeal #", "appeal #1", 1), h)
			}
			write(t, l.Path, ls)
			writeHeadFile(t, l, 5, h)
		}, true, 0, 5, "rewritten", false},
		{"unkeyed entry after keyed ones", func(t *testing.T, l Log, ls []string) {
			extra, h := unkeyed(t, strings.Replace(ls[4], `"seq":5`, `"seq":6`, 1), lastMAC(t, ls[4]))
			write(t, l.Path, append(ls, extra))
			writeHeadFile(t, l, 6, h)
		}, false, 6, 6, "unkeyed entry after keyed ones", false},
		{"anchor deleted", func(t *testing.T, l Log, _ []string) {
			os.Remove(l.Anchor)
		}, true, 0, 0, "anchor file is missing", false},
		{"anchor rewritten to an earlier entry", func(t *testing.T, l Log, ls []string) {
			b, _ := os.ReadFile(l.Anchor)
			b = []byte(strings.Replace(strings.Replace(string(b), `"seq":5`, `"seq":3`, 1), lastMAC(t, ls[4]), lastMAC(t, ls[2]), 1))
			os.WriteFile(l.Anchor, b, 0o600)
			write(t, l.Path, ls[:3])
			writeHeadFile(t, l, 3, lastMAC(t, ls[2]))
		}, true, 0, 0, "anchor file's MAC does not verify", false},
		{"anchor damaged", func(t *testing.T, l Log, _ []string) {
			os.WriteFile(l.Anchor, []byte("{}\n"), 0o600)
		}, true, 0, 0, "anchor file is damaged", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t, 5)
			tt.tamper(t, l, lines(t, l.Path))
			before, _ := os.ReadFile(l.Path)
			_, err := l.Verify()
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrTampered) {
				t.Fatalf("Verify = %v, want a VerifyError", err)
			}
			t.Log(strings.ReplaceAll(err.Error(), filepath.Dir(filepath.Dir(l.Path)), "…"))
			if ve.Line != tt.line || ve.Seq != tt.seq || !strings.Contains(err.Error(), tt.want) || (ve.Path == l.Anchor) != tt.anchor {
				t.Errorf("Verify = %q (line %d, seq %d), want line %d, seq %d, %q", err, ve.Line, ve.Seq, tt.line, tt.seq, tt.want)
			}
			if tt.appendOK {
				return
			}
			// A log that fails verification is not appended to, and a
			// wiped one does not start a new chain.
			if _, err := l.Append(context.Background(), entry(9)); err == nil {
				t.Error("Append to a tampered log succeeded")
			}
			if after, _ := os.ReadFile(l.Path); string(after) != string(before) {
				t.Error("refused Append changed the log")
			}
		})
	}
}

func lastMAC(t *testing.T, line string) string {
	var rec keyedRecord
	if err := jsonUnmarshal(line, &rec); err != nil {
		t.Fatal(err)
	}
	return rec.MAC
}
