package appeals

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/veil-data/veil/audit/chain"
	"github.com/veil-data/veil/risk/blacklist"
	"github.com/veil-data/veil/risk/features"
	"github.com/veil-data/veil/schemas"
)

// The decision log is JSON Lines at <warehouse>/_appeals/decisions.jsonl,
// one decision a line, append-only, keyed and anchored as the
// re-identification log is (package audit/chain): each entry carries the
// Tink HMAC-SHA256 tag, under the keyset appeals.json (pipeline KEK), of
// its JSON with "mac" empty, which includes the MAC of the entry before;
// the anchor <keys>/appeals-anchor.json, replaced on every append, records
// the seq and MAC of the last entry. An edited, inserted, reordered or
// removed entry, entries cut from the end, or a log wiped while its anchor
// records entries, fail verification, and a log that fails it takes no
// decision and yields no lifts: a forged lift would unblock a fraudster,
// a deleted one re-block an innocent.

// ChainName names the decision log's chain in its anchor.
const ChainName = "appeals"

// AnchorFile is the anchor's name in the keys folder.
const AnchorFile = "appeals-anchor.json"

// LogFile is the log's path under the warehouse root.
const LogFile = "_appeals/decisions.jsonl"

// maxLine bounds a log line; maxReason keeps an entry well under it.
const (
	maxLine   = 1 << 20
	maxReason = 16 << 10
)

// ErrTampered is matched (errors.Is) by every *VerifyError.
var ErrTampered = errors.New("appeals decision log fails verification")

// VerifyError names the first bad entry of the log.
type VerifyError struct {
	Path   string
	Line   int    // 1-based line; 0 when the problem is not one line
	Seq    uint64 // the entry's seq, or the seq expected there; 0 if unknown
	Reason string
}

func (e *VerifyError) Error() string {
	switch {
	case e.Line > 0:
		return fmt.Sprintf("appeals: %s line %d (seq %d): %s", e.Path, e.Line, e.Seq, e.Reason)
	case e.Seq > 0:
		return fmt.Sprintf("appeals: %s (seq %d): %s", e.Path, e.Seq, e.Reason)
	}
	return fmt.Sprintf("appeals: %s: %s", e.Path, e.Reason)
}

// Is makes errors.Is(err, ErrTampered) true.
func (e *VerifyError) Is(target error) bool { return target == ErrTampered }

// Entry is one decision line. Field order is the canonical form the MAC
// covers; Key and MAC come last.
type Entry struct {
	Seq       uint64    `json:"seq"`
	Case      string    `json:"case"`
	UserToken string    `json:"user_token"`
	Decision  string    `json:"decision"`
	DecidedAt time.Time `json:"decided_at"`
	By        string    `json:"by"`
	Reason    string    `json:"reason"`
	Prev      string    `json:"prev"`
	Key       uint32    `json:"key"`
	MAC       string    `json:"mac,omitempty"`
}

// macInput is what an entry's MAC covers: its JSON without the MAC.
func macInput(e Entry) ([]byte, error) {
	e.MAC = ""
	return json.Marshal(e)
}

// InitAnchor creates the anchor of an empty log at path unless one exists,
// and reports whether it did. `veil keys init` calls it with the key, and
// the first use of a keys folder made before the log does too.
func InitAnchor(path string, key chain.MAC) (bool, error) {
	created, err := chain.InitAnchor(path, ChainName, key)
	if err != nil {
		return false, fmt.Errorf("appeals: %w", err)
	}
	return created, nil
}

// Log is an opened decision log: its entries as read, and whether they
// verified. Decisions and Lifts are served only from a log that verified.
type Log struct {
	files   Files
	key     chain.MAC
	entries []Entry
	err     error // the verification failure, if any
}

// Open reads the log (a missing file is an empty log) and verifies it
// against key and its anchor. A log that fails verification is returned
// with the failure, which Verify reports and every other use refuses; err
// is for what kept it from being read at all.
func Open(files Files, key chain.MAC) (*Log, error) {
	if key == nil || files.Anchor == "" || files.Log == "" {
		return nil, errors.New("appeals: the decision log needs its file, its anchor and the keyset appeals.json")
	}
	l := &Log{files: files, key: key}
	f, err := os.Open(files.Log)
	if errors.Is(err, os.ErrNotExist) {
		l.err = l.verify(nil)
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("appeals: open %s: %w", files.Log, err)
	}
	defer f.Close()
	if err := chain.LockFile(f, false); err != nil {
		return nil, fmt.Errorf("appeals: lock %s: %w", files.Log, err)
	}
	defer chain.UnlockFile(f)
	l.err = l.verify(f)
	return l, nil
}

// Verify reports whether the log verified when it was opened, naming its
// first bad entry (a *VerifyError) if not.
func (l *Log) Verify() error { return l.err }

// Entries are the log's entries in order, nil if it failed verification.
func (l *Log) Entries() ([]Entry, error) {
	if l.err != nil {
		return nil, l.err
	}
	return l.entries, nil
}

// verify reads every entry of r (nil: no file) and checks it: strict JSON,
// seq from 1 without gaps, chained to the entry before, its MAC right under
// the key, a known decision on a case not decided before, and the end of
// the log the one the anchor records.
func (l *Log) verify(r io.Reader) error {
	l.entries = nil
	a, hasAnchor, aerr := chain.ReadAnchor(l.files.Anchor, ChainName, l.key)
	bad := func(line int, seq uint64, reason string) error {
		return &VerifyError{Path: l.files.Log, Line: line, Seq: seq, Reason: reason}
	}
	decided := map[string]bool{}
	prev, headAt, found := chain.Genesis, chain.Genesis, a.Seq == 0
	if r != nil {
		br := bufio.NewReaderSize(r, maxLine)
		for n := 1; ; n++ {
			line, err := br.ReadSlice('\n')
			if errors.Is(err, io.EOF) && len(line) == 0 {
				break
			}
			seq := uint64(n)
			if errors.Is(err, io.EOF) {
				// An append writes whole lines: the rest of one is damage,
				// and the next entry would be glued to it.
				return bad(n, seq, "damaged entry: the last line is incomplete")
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				return bad(n, seq, "damaged entry: line too long")
			}
			if err != nil {
				return fmt.Errorf("appeals: read %s: %w", l.files.Log, err)
			}
			var e Entry
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil || dec.More() {
				return bad(n, seq, "damaged entry: not one decision in JSON")
			}
			if e.Seq != seq || e.Prev != prev {
				return bad(n, seq, "out of sequence: an entry was removed, inserted or reordered")
			}
			data, err := macInput(e)
			if err == nil {
				err = chain.Check(l.key, data, e.MAC, e.Key)
			}
			if err != nil {
				return bad(n, seq, "entry was edited, or written without the appeals key: its MAC does not verify")
			}
			// Append refuses both; a MAC-valid entry that breaks them was
			// written by someone holding the key outside veil.
			if e.Decision != Uphold && e.Decision != Lift {
				return bad(n, seq, "unknown decision")
			}
			if decided[e.Case] {
				return bad(n, seq, "a second decision on a decided case")
			}
			decided[e.Case] = true
			prev = e.MAC
			if seq == a.Seq {
				headAt, found = prev, true
			}
			l.entries = append(l.entries, e)
		}
	}
	switch {
	case aerr != nil:
		return bad(0, 0, "anchor "+l.files.Anchor+": "+aerr.Error())
	case !hasAnchor:
		return bad(0, 0, "anchor "+l.files.Anchor+" is missing: restore it from backup (veil keys init makes the anchor of a new log)")
	}
	n := uint64(len(l.entries))
	if _, m := a.Compare(n, n, headAt, found); m != nil {
		l.entries = nil
		return bad(0, m.Seq, "against its anchor: "+m.Reason)
	}
	return nil
}

// Decide appends the decision on c, signed, synced and anchored, and
// returns it as written. It refuses an unknown decision, a case already
// decided, and a log that fails verification, checked again under the
// exclusive lock so that an edit since Open is caught too. The reason is
// stored as given: the caller desensitises it (see RedactReason).
func (l *Log) Decide(c Case, decision, by, reason string, at time.Time) (Entry, error) {
	if decision != Uphold && decision != Lift {
		return Entry{}, fmt.Errorf("appeals: decision %q: want %s or %s", decision, Uphold, Lift)
	}
	if c.ID == "" || c.UserToken == "" {
		return Entry{}, errors.New("appeals: a decision needs a case with its user token")
	}
	if by == "" || reason == "" {
		return Entry{}, errors.New("appeals: a decision needs who made it and why")
	}
	if len(reason) > maxReason || len(by) > 256 {
		return Entry{}, fmt.Errorf("appeals: a reason is at most %d bytes and a name 256", maxReason)
	}
	if err := os.MkdirAll(filepath.Dir(l.files.Log), 0o700); err != nil {
		return Entry{}, fmt.Errorf("appeals: %w", err)
	}
	f, err := os.OpenFile(l.files.Log, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return Entry{}, fmt.Errorf("appeals: open %s: %w", l.files.Log, err)
	}
	defer f.Close()
	if err := chain.LockFile(f, true); err != nil {
		return Entry{}, fmt.Errorf("appeals: lock %s: %w", l.files.Log, err)
	}
	defer chain.UnlockFile(f)
	if l.err = l.verify(f); l.err != nil {
		return Entry{}, fmt.Errorf("appeals: decision on case %s refused: %w", c.ID, l.err)
	}
	if d, ok := l.decisionOn(c.ID); ok {
		return Entry{}, fmt.Errorf("appeals: case %s was decided already (%s, seq %d): a decision is final", c.ID, d.Decision, d.Seq)
	}
	id, err := chain.PrimaryKeyID(l.key)
	if err != nil {
		return Entry{}, fmt.Errorf("appeals: %w", err)
	}
	e := Entry{Seq: uint64(len(l.entries)) + 1, Case: c.ID, UserToken: c.UserToken, Decision: decision,
		DecidedAt: at.UTC().Truncate(time.Millisecond), By: by, Reason: reason, Prev: chain.Genesis, Key: id}
	if n := len(l.entries); n > 0 {
		e.Prev = l.entries[n-1].MAC
	}
	data, err := macInput(e)
	if err != nil {
		return Entry{}, fmt.Errorf("appeals: %w", err)
	}
	if e.MAC, _, err = chain.Sign(l.key, data); err != nil {
		return Entry{}, fmt.Errorf("appeals: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return Entry{}, fmt.Errorf("appeals: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return Entry{}, fmt.Errorf("appeals: write %s: %w", l.files.Log, err)
	}
	if err := f.Sync(); err != nil {
		return Entry{}, fmt.Errorf("appeals: sync %s: %w", l.files.Log, err)
	}
	l.entries = append(l.entries, e)
	// Interrupted here, the anchor lags one entry: Compare accepts that,
	// and the next append moves it.
	if err := chain.WriteAnchor(l.files.Anchor, ChainName, l.key, e.Seq, e.MAC); err != nil {
		return Entry{}, fmt.Errorf("appeals: %w", err)
	}
	return e, nil
}

// DecideOn is Decide on the case id of cases (Cases as of at), refusing
// an id that names no case: a decision must answer an appeal that came in.
func (l *Log) DecideOn(cases []Case, id, decision, by, reason string, at time.Time) (Entry, error) {
	c, ok := Find(cases, id)
	if !ok {
		return Entry{}, fmt.Errorf("appeals: no case %q in %s: a decision must answer an appeal that came in", id, schemas.AppealsClean.Name)
	}
	return l.Decide(c, decision, by, reason, at)
}

// decisionOn returns the decision on case id, if any.
func (l *Log) decisionOn(id string) (Entry, bool) {
	i := slices.IndexFunc(l.entries, func(e Entry) bool { return e.Case == id })
	if i < 0 {
		return Entry{}, false
	}
	return l.entries[i], true
}

// Lifts are the log's lift decisions made before asOf, in time order, as
// blacklist lifts of the appellant's user token. A log that failed
// verification yields none; LiftsChecked says why.
func (l *Log) Lifts(asOf int64) []blacklist.Lift {
	lifts, _ := l.LiftsChecked(asOf)
	return lifts
}

// LiftsChecked is Lifts with the verification failure as its error.
func (l *Log) LiftsChecked(asOf int64) ([]blacklist.Lift, error) {
	if l.err != nil {
		return nil, l.err
	}
	var out []blacklist.Lift
	for _, e := range l.entries {
		if at := e.DecidedAt.UnixMilli(); e.Decision == Lift && at < asOf {
			out = append(out, blacklist.Lift{Entity: features.User, Token: e.UserToken, At: at, Case: e.Case})
		}
	}
	slices.SortStableFunc(out, func(a, b blacklist.Lift) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	return out, nil
}
