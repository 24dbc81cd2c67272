// Package audit keeps veil's append-only, hash-chained audit log of
// re-identifications.
//
// # Format
//
// The log is JSON Lines, one entry a line, every line in this exact
// (canonical) form, keys in this order, no spaces, HTML characters not
// escaped, "\n" after each line:
//
//	{"seq":1,"time":"2026-11-20T09:14:03.123456Z","actor":"alice","action":"reidentify",
//	 "field":"user_id","token":"r_...","reason":"appeal #123","outcome":"revealed",
//	 "prev":"000...000","hash":"9f2c..."}
//
// seq counts from 1 without gaps; time is UTC to the microsecond; outcome
// is "revealed" or "refused: <why>". The log records tokens (pseudonymous)
// and never a revealed value. prev is the hash of the entry before (64
// zeros for the first), and
//
//	hash = hex(SHA-256(prev + canonical entry without its "hash" key))
//
// where prev is the 64 hex characters and the canonical entry is the line
// above up to and including the "prev" value, closed with "}".
//
// Beside the log, <log>.head holds {"seq":N,"hash":"..."} of the last entry,
// replaced atomically after every append.
//
// # What it detects, and what it does not
//
// Verify reports the first entry that was edited, deleted, inserted,
// reordered or damaged, and, through the head file, entries cut from the
// end. The chain is unkeyed: someone who can write both files can rewrite
// the whole log and recompute every hash and the head. To catch that, ship
// the head (it is small) to write-once storage (S3 Object Lock, a WORM
// bucket, a ticket) after each re-identification, and compare it with the
// local one: a log whose head no longer matches a shipped head at the same
// seq has been rewritten.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// ActionReidentify is the action of a re-identification attempt.
const ActionReidentify = "reidentify"

// OutcomeRevealed is the outcome of a re-identification that returned a
// value.
const OutcomeRevealed = "revealed"

// Refused returns the outcome of a refused attempt.
func Refused(why string) string { return "refused: " + why }

// EnvLog is the environment variable that names the audit log when no flag
// does.
const EnvLog = "VEIL_AUDIT_LOG"

// ResolvePath returns the audit log to use: the flag value if set, else
// $VEIL_AUDIT_LOG if set, else audit/reidentify.jsonl beside the keys
// folder (demo/keys gives demo/audit/reidentify.jsonl): next to the keys
// whose use it records, and outside the keys folder so that a copy of the
// keys does not carry the log.
func ResolvePath(flag, keysDir string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv(EnvLog); env != "" {
		return env
	}
	return filepath.Join(filepath.Dir(filepath.Clean(keysDir)), "audit", "reidentify.jsonl")
}

// HeadPath returns the head file of the log at path.
func HeadPath(path string) string { return path + ".head" }

// genesis is the prev of the first entry.
var genesis = strings.Repeat("0", sha256.Size*2)

const timeLayout = "2006-01-02T15:04:05.000000Z"

// Entry is one audit log entry.
type Entry struct {
	Seq     uint64    // set by Append
	Time    time.Time // set by Append when zero; kept in UTC to the microsecond
	Actor   string    // who: the OS user or a name given explicitly
	Action  string    // ActionReidentify
	Field   string    // the token's field
	Token   string    // the token, never the value
	Reason  string    // why, e.g. the appeal or ticket number
	Outcome string    // OutcomeRevealed or Refused(why)
	Prev    string    // hash of the entry before; set by Append
	Hash    string    // this entry's hash; set by Append
}

// body is an entry's canonical form without its hash, in key order.
type body struct {
	Seq     uint64 `json:"seq"`
	Time    string `json:"time"`
	Actor   string `json:"actor"`
	Action  string `json:"action"`
	Field   string `json:"field"`
	Token   string `json:"token"`
	Reason  string `json:"reason"`
	Outcome string `json:"outcome"`
	Prev    string `json:"prev"`
}

// record is a log line: the body, then the hash.
type record struct {
	body
	Hash string `json:"hash"`
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// hashOf returns the hash of b, which chains to b.Prev.
func hashOf(b body) (string, error) {
	c, err := marshal(b)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	io.WriteString(h, b.Prev)
	h.Write(c)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (e Entry) body() body {
	return body{Seq: e.Seq, Time: e.Time.UTC().Format(timeLayout), Actor: e.Actor, Action: e.Action,
		Field: e.Field, Token: e.Token, Reason: e.Reason, Outcome: e.Outcome, Prev: e.Prev}
}

func (r record) entry() (Entry, error) {
	t, err := time.Parse(timeLayout, r.Time)
	if err != nil {
		return Entry{}, err
	}
	return Entry{Seq: r.Seq, Time: t, Actor: r.Actor, Action: r.Action, Field: r.Field, Token: r.Token,
		Reason: r.Reason, Outcome: r.Outcome, Prev: r.Prev, Hash: r.Hash}, nil
}

func (e Entry) validate() error {
	for _, f := range []struct{ name, v string }{{"actor", e.Actor}, {"action", e.Action}, {"reason", e.Reason}, {"outcome", e.Outcome}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("audit: entry has no %s", f.name)
		}
	}
	// encoding/json would replace invalid UTF-8, and the line would no
	// longer hash to what was meant.
	for _, v := range []string{e.Actor, e.Action, e.Field, e.Token, e.Reason, e.Outcome} {
		if !utf8.ValidString(v) {
			return errors.New("audit: entry has a field that is not valid UTF-8")
		}
	}
	return nil
}

// head is the content of the head file.
type head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// readHead returns the head, or ok == false if the file does not exist.
func readHead(path string) (h head, ok bool, err error) {
	b, err := os.ReadFile(HeadPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return head{}, false, nil
	}
	if err != nil {
		return head{}, false, fmt.Errorf("audit: read head %s: %w", HeadPath(path), err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil || len(h.Hash) != len(genesis) {
		return head{}, true, &VerifyError{Path: HeadPath(path), Reason: "head file is damaged"}
	}
	return h, true, nil
}

// writeHead replaces the head file atomically: temp file, fsync, rename,
// directory sync.
func writeHead(path string, h head) error {
	b, err := marshal(h)
	if err != nil {
		return err
	}
	hp := HeadPath(path)
	f, err := os.CreateTemp(filepath.Dir(hp), "."+filepath.Base(hp)+".tmp-*")
	if err != nil {
		return fmt.Errorf("audit: write head %s: %w", hp, err)
	}
	_, werr := f.Write(append(b, '\n'))
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), hp)
	}
	if werr != nil {
		os.Remove(f.Name())
		return fmt.Errorf("audit: write head %s: %w", hp, werr)
	}
	syncDir(filepath.Dir(hp))
	return nil
}

// Append verifies the log at path and appends e to it, filling Seq, Time
// (when zero), Prev and Hash, and returns the entry as written. The log and
// its folder are created (0600, 0700) if absent. Appends are serialised by
// an exclusive lock on the log file; the entry is fsynced before the head
// is replaced. A log that fails verification is not appended to, so a
// tampered log stops re-identification until someone looks at it. The one
// tolerated inconsistency is a head one entry behind the log, which an
// append interrupted between the two writes leaves; Append repairs it.
// Verifying costs one read of the log per append; re-identifications are
// rare enough for that.
func Append(ctx context.Context, path string, e Entry) (Entry, error) {
	if err := e.validate(); err != nil {
		return Entry{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Entry{}, fmt.Errorf("audit: create folder of %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: open %s: %w", path, err)
	}
	defer f.Close()
	if err := lock(f, true); err != nil {
		return Entry{}, fmt.Errorf("audit: lock %s: %w", path, err)
	}
	defer unlock(f)

	st, err := scan(f, path)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: refusing to append to a log that fails verification: %w", err)
	}
	h, hasHead, err := readHead(path)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: refusing to append: %w", err)
	}
	lagsByOne := st.n > 0 && (hasHead && h.Seq+1 == st.lastSeq && h.Hash == st.lastPrev || !hasHead && st.n == 1)
	if !lagsByOne {
		if err := checkHead(path, st, h, hasHead); err != nil {
			return Entry{}, fmt.Errorf("audit: refusing to append: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Entry{}, fmt.Errorf("audit: append to %s: %w", path, err)
	}

	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Seq, e.Prev = st.lastSeq+1, st.lastHash
	b := e.body()
	if e.Hash, err = hashOf(b); err != nil {
		return Entry{}, fmt.Errorf("audit: encode entry: %w", err)
	}
	line, err := marshal(record{body: b, Hash: e.Hash})
	if err != nil {
		return Entry{}, fmt.Errorf("audit: encode entry: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Truncate(st.size) // drop a partial line rather than leave garbage
		return Entry{}, fmt.Errorf("audit: append to %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return Entry{}, fmt.Errorf("audit: sync %s: %w", path, err)
	}
	if err := writeHead(path, head{Seq: e.Seq, Hash: e.Hash}); err != nil {
		return Entry{}, err
	}
	return e, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
