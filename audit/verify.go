package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
	Head    string `json:"head"` // hash of the last entry; 64 zeros for an empty log
}

// Verify checks the log at path and its head file: every line canonical,
// every hash right, seq counting from 1 without gaps, each entry chained to
// the one before, and the last entry the one the head records. It returns
// the first problem as a *VerifyError naming its line and seq. A missing
// log is an error (wrapping os.ErrNotExist), not an empty log.
func Verify(path string) (Result, error) {
	_, res, err := read(path, false)
	return res, err
}

// Load verifies the log at path like Verify and returns its entries.
func Load(path string) ([]Entry, Result, error) {
	return read(path, true)
}

func read(path string, keep bool) ([]Entry, Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Result{}, fmt.Errorf("audit: open %s: %w", path, err)
	}
	defer f.Close()
	// Shared: an append in progress finishes before we read.
	if err := lock(f, false); err != nil {
		return nil, Result{}, fmt.Errorf("audit: lock %s: %w", path, err)
	}
	defer unlock(f)
	st, err := scanEntries(f, path, keep)
	if err != nil {
		return nil, Result{}, err
	}
	h, hasHead, err := readHead(path)
	if err != nil {
		return nil, Result{}, err
	}
	if err := checkHead(path, st, h, hasHead); err != nil {
		return nil, Result{}, err
	}
	return st.entries, Result{Entries: st.n, Head: st.lastHash}, nil
}

// state is what a scan learnt of a log.
type state struct {
	n        int
	lastSeq  uint64
	lastHash string // genesis when empty
	lastPrev string // prev of the last entry
	size     int64  // bytes read
	entries  []Entry
}

func scan(r io.ReadSeeker, path string) (state, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return state{}, fmt.Errorf("audit: read %s: %w", path, err)
	}
	return scanEntries(r, path, false)
}

// scanEntries checks every line of r; see Verify.
func scanEntries(r io.Reader, path string, keep bool) (state, error) {
	st := state{lastHash: genesis}
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		st.size += int64(len(raw))
		if err == io.EOF && len(raw) == 0 {
			return st, nil
		}
		want := st.lastSeq + 1
		bad := func(seq uint64, reason string, args ...any) (state, error) {
			return state{}, &VerifyError{Path: path, Line: line, Seq: seq, Reason: fmt.Sprintf(reason, args...)}
		}
		if err == io.EOF {
			return bad(want, "incomplete last line: an interrupted write, or the end of the log was cut")
		}
		if err != nil {
			return state{}, fmt.Errorf("audit: read %s: %w", path, err)
		}
		raw = raw[:len(raw)-1]

		var rec record
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil || dec.More() {
			return bad(want, "not an audit entry (garbage or a damaged line)")
		}
		e, err := rec.entry()
		if err != nil {
			return bad(want, "entry has a malformed time")
		}
		sum, err := hashOf(rec.body)
		if err != nil {
			return bad(want, "entry cannot be encoded")
		}
		if sum != rec.Hash {
			return bad(rec.Seq, "entry was edited: its hash does not match its content")
		}
		if c, err := marshal(rec); err != nil || !bytes.Equal(c, raw) {
			return bad(rec.Seq, "entry is not in canonical form: the line was edited")
		}
		if rec.Seq != want {
			return bad(want, "found seq %d where seq %d belongs: entries deleted, inserted or reordered", rec.Seq, want)
		}
		if rec.Prev != st.lastHash {
			return bad(rec.Seq, "entry does not chain to the one before: an entry before it was deleted, inserted or rewritten")
		}
		st.n++
		st.lastSeq, st.lastPrev, st.lastHash = rec.Seq, rec.Prev, rec.Hash
		if keep {
			st.entries = append(st.entries, e)
		}
	}
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
		return fail(st.lastSeq, "the last entry's hash differs from the one its head records: the log was rewritten")
	}
	return nil
}
