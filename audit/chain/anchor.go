package chain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Anchor is the content of an anchor file, one JSON line:
//
//	{"log":"audit","seq":5,"head":"01…","key":123,"mac":"01…"}
//
// log names the chain (so one log's anchor cannot stand in for
// another's), seq and head are the seq and MAC of the log's last keyed
// entry (0 and Genesis before the first), and mac is the tag, under key,
// of "veil-chain-anchor\n" followed by the line up to and including the
// "key" value, closed with "}".
type Anchor struct {
	Log  string `json:"log"`
	Seq  uint64 `json:"seq"`
	Head string `json:"head"`
	Key  uint32 `json:"key"`
	MAC  string `json:"mac"`
}

// anchorBody is an Anchor without its MAC, in key order.
type anchorBody struct {
	Log  string `json:"log"`
	Seq  uint64 `json:"seq"`
	Head string `json:"head"`
	Key  uint32 `json:"key"`
}

const anchorDomain = "veil-chain-anchor\n"

func (a Anchor) signed() ([]byte, error) {
	b, err := json.Marshal(anchorBody{a.Log, a.Seq, a.Head, a.Key})
	if err != nil {
		return nil, err
	}
	return append([]byte(anchorDomain), b...), nil
}

// Mismatch is a problem a chain's anchor reveals, or a damaged anchor.
// Seq is the entry it concerns, 0 when none.
type Mismatch struct {
	Seq    uint64
	Reason string
}

func (m *Mismatch) Error() string { return m.Reason }

// ReadAnchor reads the anchor of the chain log at path and checks its MAC
// under m. ok is false when the file does not exist.
func ReadAnchor(path, log string, m MAC) (a Anchor, ok bool, err error) {
	a, ok, err = PeekAnchor(path)
	if err != nil || !ok {
		return a, ok, err
	}
	if a.Log != log {
		return Anchor{}, true, &Mismatch{Reason: fmt.Sprintf("anchor file is the anchor of %q, not of %q", a.Log, log)}
	}
	data, err := a.signed()
	if err == nil {
		err = Check(m, data, a.MAC, a.Key)
	}
	if err != nil {
		return Anchor{}, true, &Mismatch{Reason: "anchor file's MAC does not verify: it was edited, or written without the key"}
	}
	return a, true, nil
}

// PeekAnchor reads an anchor without checking its MAC, for a reader that
// does not hold the key and only records what it says (the daily report).
func PeekAnchor(path string) (Anchor, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Anchor{}, false, nil
	}
	if err != nil {
		return Anchor{}, false, fmt.Errorf("chain: read anchor %s: %w", path, err)
	}
	var a Anchor
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil || dec.More() || len(a.Head) != len(Genesis) && len(a.Head) != TagLen {
		return Anchor{}, true, &Mismatch{Reason: "anchor file is damaged"}
	}
	return a, true, nil
}

// WriteAnchor replaces the anchor at path with one at seq and head, signed
// by m's primary key: temp file, fsync, rename, directory sync.
func WriteAnchor(path, log string, m MAC, seq uint64, head string) error {
	b, err := encodeAnchor(log, m, seq, head)
	if err != nil {
		return err
	}
	tmp, err := stage(path, b)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("chain: write anchor %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// InitAnchor creates the anchor of an empty chain (seq 0, Genesis) at path
// unless one exists, and reports whether it did. An existing anchor is
// never replaced: it may record entries that a new key would otherwise
// let someone forget.
func InitAnchor(path, log string, m MAC) (bool, error) {
	b, err := encodeAnchor(log, m, 0, Genesis)
	if err != nil {
		return false, err
	}
	tmp, err := stage(path, b)
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	// A hard link creates path whole, or fails if it exists.
	if err := os.Link(tmp, path); errors.Is(err, os.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("chain: create anchor %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

func encodeAnchor(log string, m MAC, seq uint64, head string) ([]byte, error) {
	id, err := PrimaryKeyID(m)
	if err != nil {
		return nil, err
	}
	a := Anchor{Log: log, Seq: seq, Head: head, Key: id}
	data, err := a.signed()
	if err != nil {
		return nil, fmt.Errorf("chain: encode anchor: %w", err)
	}
	if a.MAC, _, err = Sign(m, data); err != nil {
		return nil, err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("chain: encode anchor: %w", err)
	}
	return append(b, '\n'), nil
}

// stage writes b to a new temporary file beside path (0600) and syncs it.
func stage(path string, b []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("chain: write anchor %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("chain: write anchor %s: %w", path, err)
	}
	return f.Name(), nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Compare checks the end of a log against its anchor a. lastSeq is the
// seq of the log's last entry (0 when empty), keyed how many entries at
// its end are keyed (an unkeyed legacy prefix may come before them), and
// headAt the head of the log's entry with seq a.Seq (Genesis for 0;
// found false when the log has none).
//
// lag is true when exactly one keyed entry follows the anchor: what an
// append interrupted between writing its entry and its anchor leaves. A
// reader reports it; the next append repairs it.
func (a Anchor) Compare(lastSeq, keyed uint64, headAt string, found bool) (lag bool, m *Mismatch) {
	switch {
	case a.Seq > lastSeq && lastSeq == 0:
		return false, &Mismatch{Seq: 1, Reason: fmt.Sprintf("the log is empty but its anchor records %d entries: the log was wiped", a.Seq)}
	case a.Seq > lastSeq:
		return false, &Mismatch{Seq: lastSeq + 1, Reason: fmt.Sprintf("the log ends at seq %d but its anchor records seq %d: entries were cut from the end", lastSeq, a.Seq)}
	case !found || headAt != a.Head:
		return false, &Mismatch{Seq: a.Seq, Reason: fmt.Sprintf("entry %d is not the one the anchor records: the log was rewritten", a.Seq)}
	}
	past := lastSeq - a.Seq
	if a.Seq == 0 {
		past = keyed // an unkeyed prefix is older than any anchor
	}
	switch past {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, &Mismatch{Seq: lastSeq - past + 1, Reason: fmt.Sprintf("the log goes on past the seq %d its anchor records, to seq %d: entries were added outside veil", a.Seq, lastSeq)}
}
