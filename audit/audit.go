// Package audit keeps veil's append-only, keyed and anchored audit log of
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
//	 "prev":"000...000","key":1234567,"mac":"0100126d87..."}
//
// seq counts from 1 without gaps; time is UTC to the microsecond; outcome
// is "revealed" or "refused: <why>". The log records tokens (pseudonymous)
// and never a revealed value. key is the id of the audit key that made the
// entry's MAC, and
//
//	mac = hex(Tink HMAC-SHA256 tag, under key, of the canonical entry without its "mac" key)
//
// where the canonical entry is the line above up to and including the
// "key" value, closed with "}" (tag format: package chain). prev is the
// head of the entry before (64 zeros for the first); an entry's head is
// its mac. So the MAC covers the whole history before the entry.
//
// The key is the Tink MAC keyset audit.json in the keys folder, encrypted
// under the re-identification KEK (see package chain for why a MAC, and why
// that KEK): re-identifying needs that KEK anyway, and the pipeline's KEK,
// which opens the token keysets, is not needed. `veil keys rotate` adds a
// key; the old ones stay to verify old entries.
//
// Beside the log, <log>.head holds {"seq":N,"hash":"<head>"} of the last
// entry; beside the keys, the anchor (AnchorPath, format in package chain)
// holds its seq and head under a MAC of its own. Both are replaced
// atomically after every append: first the entry is fsynced, then the
// head, then the anchor.
//
// # Legacy, unkeyed entries
//
// Logs written before the key have entries with "hash" in place of "key"
// and "mac": hash = hex(SHA-256(prev + canonical entry without "hash")).
// They verify, and Result.Legacy counts them, so that veil audit verify
// warns "unkeyed (legacy)": someone who can write the log could have
// rewritten them. The first keyed entry appended after them chains to the
// last one's hash, and from then on its MAC protects them too. Only a
// prefix may be unkeyed: an unkeyed entry after a keyed one fails. New
// entries are always keyed.
//
// # What it detects, and what it does not
//
// Verify reports the first entry that was edited, deleted, inserted,
// reordered, damaged or rewritten without the key (its MAC fails);
// through the head file and the anchor, entries cut from the end; through
// the anchor, a log emptied or deleted. Append refuses a log that fails
// verification, and refuses to start a new chain where the anchor records
// entries. What a local check cannot catch: someone who holds the audit
// key (the re-identification KEK) rewriting log, head and anchor together,
// or someone restoring older copies of all three. For that, ship the
// anchor (it is small) and the log to write-once storage (S3 Object Lock,
// a WORM bucket, a ticket) after each re-identification, and compare; each
// day's report also records the anchor's seq and head as the pipeline saw
// it.
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

	"github.com/veil-data/veil/audit/chain"
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

// AnchorFile is the anchor's name in the keys folder.
const AnchorFile = "audit-anchor.json"

// AnchorPath returns the anchor of the audit log of the keys folder
// keysDir: beside the keys, not beside the log, so that whoever can write
// the log's folder cannot also rewrite where it ended.
func AnchorPath(keysDir string) string { return filepath.Join(keysDir, AnchorFile) }

// ChainName names the audit log's chain in its anchor.
const ChainName = "reidentify-audit"

// genesis is the prev of the first entry.
var genesis = chain.Genesis

const timeLayout = "2006-01-02T15:04:05.000000Z"

// Log is an audit log with what verifies it. All three fields are needed.
type Log struct {
	Path   string    // the JSON Lines log (ResolvePath)
	Anchor string    // its anchor file (AnchorPath)
	Key    chain.MAC // the audit keyset (keys.OpenAuditKey)
}

func (l Log) check() error {
	switch {
	case l.Path == "":
		return errors.New("audit: no log path")
	case l.Anchor == "":
		return errors.New("audit: no anchor path")
	case l.Key == nil:
		return errors.New("audit: no audit key: it is the keyset audit.json, under the re-identification key-encryption key")
	}
	return nil
}

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
	Prev    string    // head of the entry before; set by Append
	Key     uint32    // id of the key of MAC; set by Append; 0 for a legacy entry
	MAC     string    // this entry's MAC; set by Append; empty for a legacy entry
	Hash    string    // a legacy entry's hash; empty for a keyed one
}

// Head is what the next entry's Prev holds: the MAC, or a legacy hash.
func (e Entry) Head() string {
	if e.MAC != "" {
		return e.MAC
	}
	return e.Hash
}

// Legacy reports whether e is an unkeyed entry of the first format.
func (e Entry) Legacy() bool { return e.MAC == "" }

// body is an entry's canonical form without key, MAC or hash, in key order.
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

// keyedBody is what a keyed entry's MAC covers.
type keyedBody struct {
	body
	Key uint32 `json:"key"`
}

// keyedRecord is a keyed log line.
type keyedRecord struct {
	keyedBody
	MAC string `json:"mac"`
}

// record is a legacy log line: the body, then the hash.
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

// hashOf returns the legacy hash of b, which chains to b.Prev.
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

func (b body) entry() (Entry, error) {
	t, err := time.Parse(timeLayout, b.Time)
	if err != nil {
		return Entry{}, err
	}
	return Entry{Seq: b.Seq, Time: t, Actor: b.Actor, Action: b.Action, Field: b.Field, Token: b.Token,
		Reason: b.Reason, Outcome: b.Outcome, Prev: b.Prev}, nil
}

func (e Entry) validate() error {
	for _, f := range []struct{ name, v string }{{"actor", e.Actor}, {"action", e.Action}, {"reason", e.Reason}, {"outcome", e.Outcome}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("audit: entry has no %s", f.name)
		}
	}
	// encoding/json would replace invalid UTF-8, and the line would no
	// longer verify as what was meant.
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
	if err := dec.Decode(&h); err != nil || len(h.Hash) != len(genesis) && len(h.Hash) != chain.TagLen {
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

// Append verifies the log and appends e to it, filling Seq, Time (when
// zero), Prev, Key and MAC, and returns the entry as written. The log and
// its folder are created (0600, 0700) if absent. Appends are serialised by
// an exclusive lock on the log file; the entry is fsynced before the head
// and then the anchor are replaced. A log that fails verification is not
// appended to, so a tampered log stops re-identification until someone
// looks at it; that includes a missing or empty log whose anchor records
// entries, so a wiped log does not quietly start a new chain. The one
// tolerated inconsistency is a head or anchor one entry behind the log,
// which an append interrupted between its writes leaves; Append repairs
// it. Verifying costs one read of the log per append; re-identifications
// are rare enough for that.
func (l Log) Append(ctx context.Context, e Entry) (Entry, error) {
	if err := l.check(); err != nil {
		return Entry{}, err
	}
	if err := e.validate(); err != nil {
		return Entry{}, err
	}
	keyID, err := chain.PrimaryKeyID(l.Key)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return Entry{}, fmt.Errorf("audit: create folder of %s: %w", l.Path, err)
	}
	if _, err := os.Lstat(l.Path); errors.Is(err, os.ErrNotExist) {
		// Not even an empty log is left behind for a deleted one.
		if err := l.deleted(); err != nil {
			return Entry{}, fmt.Errorf("audit: refusing to start a new chain: %w", err)
		}
	}
	f, err := os.OpenFile(l.Path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: open %s: %w", l.Path, err)
	}
	defer f.Close()
	if err := chain.LockFile(f, true); err != nil {
		return Entry{}, fmt.Errorf("audit: lock %s: %w", l.Path, err)
	}
	defer chain.UnlockFile(f)

	st, err := l.scan(f, false, true)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: refusing to append to a log that fails verification: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Entry{}, fmt.Errorf("audit: append to %s: %w", l.Path, err)
	}

	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Seq, e.Prev, e.Key, e.Hash = st.lastSeq+1, st.lastHash, keyID, ""
	kb := keyedBody{body: e.body(), Key: keyID}
	data, err := marshal(kb)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: encode entry: %w", err)
	}
	if e.MAC, _, err = chain.Sign(l.Key, data); err != nil {
		return Entry{}, fmt.Errorf("audit: %w", err)
	}
	line, err := marshal(keyedRecord{keyedBody: kb, MAC: e.MAC})
	if err != nil {
		return Entry{}, fmt.Errorf("audit: encode entry: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Truncate(st.size) // drop a partial line rather than leave garbage
		return Entry{}, fmt.Errorf("audit: append to %s: %w", l.Path, err)
	}
	if err := f.Sync(); err != nil {
		return Entry{}, fmt.Errorf("audit: sync %s: %w", l.Path, err)
	}
	if err := writeHead(l.Path, head{Seq: e.Seq, Hash: e.MAC}); err != nil {
		return Entry{}, err
	}
	if err := chain.WriteAnchor(l.Anchor, ChainName, l.Key, e.Seq, e.MAC); err != nil {
		return Entry{}, fmt.Errorf("audit: %w", err)
	}
	return e, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
