package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/veil-data/veil/audit/chain"
)

// ErrTampered is matched (errors.Is) by every VerifyError.
var ErrTampered = errors.New("audit log fails verification")

// VerifyError names the first bad entry of a log.
type VerifyError struct {
	Path   string
	Line   int    // 1-based line of the log; 0 when the problem is not one line
	Seq    uint64 // the entry's seq, or the seq expected there; 0 if unknown
	Reason string
}

func (e *VerifyError) Error() string {
	switch {
	case e.Line > 0 && e.Seq > 0:
		return fmt.Sprintf("audit: %s line %d (seq %d): %s", e.Path, e.Line, e.Seq, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("audit: %s line %d: %s", e.Path, e.Line, e.Reason)
	case e.Seq > 0:
		return fmt.Sprintf("audit: %s (seq %d): %s", e.Path, e.Seq, e.Reason)
	}
	return fmt.Sprintf("audit: %s: %s", e.Path, e.Reason)
}

// Is makes errors.Is(err, ErrTampered) true.
func (e *VerifyError) Is(target error) bool { return target == ErrTampered }

// Result describes a log that verified.
type Result struct {
	Entries int    `json:"entries"`
	Head    string `json:"head"` // head of the last entry; 64 zeros for an empty log
	// Legacy counts the unkeyed entries of the first format at the start
	// of the log; Protected is true when a keyed entry follows them, whose
	// MAC then covers them.
	Legacy    int  `json:"legacy_unkeyed"`
	Protected bool `json:"legacy_protected,omitempty"`
	// Keys are the ids of the audit keys the entries were made with.
	Keys []uint32 `json:"key_ids"`
	// AnchorSeq is the seq the anchor records: the last keyed entry.
	AnchorSeq uint64 `json:"anchor_seq"`
}

// InitAnchor creates the anchor of a new chain (seq 0) at path unless one
// exists, and reports whether it did. veil keys init calls it when it
// creates the audit key.
func InitAnchor(path string, key chain.MAC) (bool, error) {
	created, err := chain.InitAnchor(path, ChainName, key)
	if err != nil {
		return false, fmt.Errorf("audit: %w", err)
	}
	return created, nil
}

// Verify checks the log, its head file and its anchor: every line
// canonical, every MAC right under the audit key (every legacy hash
// right), seq counting from 1 without gaps, each entry chained to the one
// before, and the last entry the one the head and the anchor record. It
// returns the first problem as a *VerifyError naming its line and seq. A
// missing log is an error (wrapping os.ErrNotExist), not an empty log; a
// missing log whose anchor records entries is a *VerifyError.
func (l Log) Verify() (Result, error) {
	_, res, err := l.read(false)
	return res, err
}

// Load verifies the log like Verify and returns its entries.
func (l Log) Load() ([]Entry, Result, error) {
	return l.read(true)
}

func (l Log) read(keep bool) ([]Entry, Result, error) {
	if err := l.check(); err != nil {
		return nil, Result{}, err
	}
	f, err := os.Open(l.Path)
	if errors.Is(err, os.ErrNotExist) {
		if verr := l.deleted(); verr != nil {
			return nil, Result{}, verr
		}
	}
	if err != nil {
		return nil, Result{}, fmt.Errorf("audit: open %s: %w", l.Path, err)
	}
	defer f.Close()
	// Shared: an append in progress finishes before we read.
	if err := chain.LockFile(f, false); err != nil {
		return nil, Result{}, fmt.Errorf("audit: lock %s: %w", l.Path, err)
	}
	defer chain.UnlockFile(f)
	st, err := l.scan(f, keep, false)
	if err != nil {
		return nil, Result{}, err
	}
	res := Result{Entries: st.n, Head: st.lastHash, Legacy: st.legacy, Protected: st.legacy > 0 && st.keyed > 0,
		AnchorSeq: st.anchor.Seq}
	for id := range st.keys {
		res.Keys = append(res.Keys, id)
	}
	slices.Sort(res.Keys)
	return st.entries, res, nil
}

// deleted returns a *VerifyError when the log, found missing, is
// recorded by its anchor as holding entries.
func (l Log) deleted() error {
	if a, ok, err := chain.ReadAnchor(l.Anchor, ChainName, l.Key); err == nil && ok && a.Seq > 0 {
		return &VerifyError{Path: l.Path, Seq: 1, Reason: fmt.Sprintf("the log is missing but its anchor %s records %d entries: it was deleted", l.Anchor, a.Seq)}
	}
	return nil
}

// state is what a scan learnt of a log.
type state struct {
	n, legacy, keyed int
	lastSeq          uint64
	lastHash         string // head of the last entry; genesis when empty
	lastPrev         string // prev of the last entry
	size             int64  // bytes read
	entries          []Entry
	keys             map[uint32]bool
	anchor           chain.Anchor
	anchorHead       string // head of the entry at anchor.Seq
	anchorFound      bool
}

// scan reads the anchor, checks every line of the log open in f, and
// compares the end of the log with its head file and anchor. With
// appending, a head or anchor one entry behind is what an interrupted
// append leaves, and is accepted for the append to repair.
func (l Log) scan(f *os.File, keep, appending bool) (state, error) {
	// The anchor is read first, for the scan to note the entry it names,
	// and judged last, so that a bad entry is reported as the first
	// problem.
	a, ok, aerr := chain.ReadAnchor(l.Anchor, ChainName, l.Key)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return state{}, fmt.Errorf("audit: read %s: %w", l.Path, err)
	}
	st, err := l.scanEntries(f, keep, a)
	if err != nil {
		return state{}, err
	}
	h, hasHead, err := readHead(l.Path)
	if err != nil {
		return state{}, err
	}
	headLags := st.n > 0 && (hasHead && h.Seq+1 == st.lastSeq && h.Hash == st.lastPrev || !hasHead && st.n == 1)
	if !appending || !headLags {
		if err := checkHead(l.Path, st, h, hasHead); err != nil {
			return state{}, err
		}
	}
	var m *chain.Mismatch
	switch {
	case errors.As(aerr, &m):
		return state{}, &VerifyError{Path: l.Anchor, Reason: m.Reason}
	case aerr != nil:
		return state{}, fmt.Errorf("audit: %w", aerr)
	case !ok:
		return state{}, &VerifyError{Path: l.Anchor, Reason: "the anchor file is missing: restore it, or compare the log with the copies shipped to write-once storage"}
	}
	lag, m := a.Compare(st.lastSeq, uint64(st.keyed), st.anchorHead, st.anchorFound)
	if m != nil {
		return state{}, &VerifyError{Path: l.Anchor, Seq: m.Seq, Reason: m.Reason}
	}
	if lag && !appending {
		return state{}, &VerifyError{Path: l.Anchor, Seq: st.lastSeq, Reason: fmt.Sprintf("the log goes on past the seq %d its anchor records, to seq %d: an append was interrupted (the next one repairs it), or an entry was added outside veil", a.Seq, st.lastSeq)}
	}
	return st, nil
}

// scanEntries checks every line of r; see Verify.
func (l Log) scanEntries(r io.Reader, keep bool, a chain.Anchor) (state, error) {
	st := state{lastHash: genesis, keys: map[uint32]bool{}, anchor: a}
	if a.Seq == 0 {
		st.anchorHead, st.anchorFound = genesis, true
	}
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		st.size += int64(len(raw))
		if err == io.EOF && len(raw) == 0 {
			return st, nil
		}
		want := st.lastSeq + 1
		bad := func(seq uint64, reason string, args ...any) (state, error) {
			return state{}, &VerifyError{Path: l.Path, Line: line, Seq: seq, Reason: fmt.Sprintf(reason, args...)}
		}
		if err == io.EOF {
			return bad(want, "incomplete last line: an interrupted write, or the end of the log was cut")
		}
		if err != nil {
			return state{}, fmt.Errorf("audit: read %s: %w", l.Path, err)
		}
		raw = raw[:len(raw)-1]

		e, reason := l.parse(raw)
		if reason != "" {
			seq := e.Seq
			if seq == 0 {
				seq = want
			}
			return bad(seq, "%s", reason)
		}
		if e.Seq != want {
			return bad(want, "found seq %d where seq %d belongs: entries deleted, inserted or reordered", e.Seq, want)
		}
		if e.Prev != st.lastHash {
			return bad(e.Seq, "entry does not chain to the one before: an entry before it was deleted, inserted or rewritten")
		}
		if e.Legacy() && st.keyed > 0 {
			return bad(e.Seq, "unkeyed entry after keyed ones: the log was rewritten without the audit key")
		}
		st.n++
		if e.Legacy() {
			st.legacy++
		} else {
			st.keyed++
			st.keys[e.Key] = true
		}
		st.lastSeq, st.lastPrev, st.lastHash = e.Seq, e.Prev, e.Head()
		if e.Seq == a.Seq {
			st.anchorHead, st.anchorFound = e.Head(), true
		}
		if keep {
			st.entries = append(st.entries, e)
		}
	}
}

// anyRecord is a line of either format, to tell which it is.
type anyRecord struct {
	body
	Key  *uint32 `json:"key"`
	MAC  *string `json:"mac"`
	Hash *string `json:"hash"`
}

// parse decodes and checks one line: its format, its MAC or hash, and that
// it is canonical. A non-empty reason says what is wrong; e.Seq is then set
// when the line told it.
func (l Log) parse(raw []byte) (e Entry, reason string) {
	var rec anyRecord
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil || dec.More() {
		return Entry{}, "not an audit entry (garbage or a damaged line)"
	}
	keyed := rec.Key != nil && rec.MAC != nil && rec.Hash == nil
	legacy := rec.Key == nil && rec.MAC == nil && rec.Hash != nil
	if !keyed && !legacy {
		return Entry{}, "not an audit entry (garbage or a damaged line)"
	}
	e, err := rec.body.entry()
	if err != nil {
		return Entry{Seq: rec.Seq}, "entry has a malformed time"
	}
	var canon []byte
	if keyed {
		kb := keyedBody{body: rec.body, Key: *rec.Key}
		data, err := marshal(kb)
		if err != nil {
			return Entry{Seq: rec.Seq}, "entry cannot be encoded"
		}
		if err := chain.Check(l.Key, data, *rec.MAC, kb.Key); err != nil {
			return Entry{Seq: rec.Seq}, "entry was edited, or written without the audit key: its MAC does not verify"
		}
		e.Key, e.MAC = kb.Key, *rec.MAC
		canon, err = marshal(keyedRecord{keyedBody: kb, MAC: e.MAC})
	} else {
		sum, err := hashOf(rec.body)
		if err != nil {
			return Entry{Seq: rec.Seq}, "entry cannot be encoded"
		}
		if sum != *rec.Hash {
			return Entry{Seq: rec.Seq}, "entry was edited: its hash does not match its content"
		}
		e.Hash = sum
		canon, err = marshal(record{body: rec.body, Hash: sum})
	}
	if err != nil || !bytes.Equal(canon, raw) {
		return Entry{Seq: rec.Seq}, "entry is not in canonical form: the line was edited"
	}
	return e, ""
}

// checkHead compares the end of the log with its head file.
func checkHead(path string, st state, h head, hasHead bool) error {
	fail := func(seq uint64, reason string, args ...any) error {
		return &VerifyError{Path: path, Seq: seq, Reason: fmt.Sprintf(reason, args...)}
	}
	switch {
	case !hasHead && st.n == 0:
		return nil
	case !hasHead:
		return fail(0, "head file %s is missing: it must be restored (or compared with the copy shipped to write-once storage)", HeadPath(path))
	case h.Seq > st.lastSeq:
		return fail(st.lastSeq+1, "the log ends at seq %d but its head records seq %d: entries were cut from the end", st.lastSeq, h.Seq)
	case h.Seq < st.lastSeq:
		return fail(h.Seq+1, "the log goes on past the seq %d its head records, to seq %d: an append was interrupted, or entries were added outside veil", h.Seq, st.lastSeq)
	case h.Hash != st.lastHash:
		return fail(st.lastSeq, "the last entry's head differs from the one its head file records: the log was rewritten")
	}
	return nil
}
