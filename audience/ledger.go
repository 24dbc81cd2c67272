package audience

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/veil-data/veil/audit/chain"
)

// The ledger is the record of every audience query: who asked, which
// merchant, which expression against which day, what was released or why
// not, and what it cost. It is the one source of truth for the privacy
// budget and for stored noisy answers, so it is append-only, chained and
// keyed like the re-identification log (package audit/chain): each entry
// carries a Tink HMAC-SHA256 tag over its JSON (with "mac" empty), which
// includes the MAC of the entry before, under the keyset
// audience-ledger.json (pipeline KEK); an anchor beside the keys,
// replaced on every append, records the seq and MAC of the last entry. An
// edited, removed, reordered, re-hashed or cut entry, or a ledger emptied
// or deleted while its anchor records entries, fails verification, and a
// ledger that fails it answers no query: a wiped ledger would otherwise
// hand every merchant a fresh budget. Entries of the first, unkeyed
// format (SHA-256 in "hash") are accepted as a prefix; the first keyed
// entry after them covers them. JSON Lines at
// <warehouse>/_audience/ledger.jsonl; exports' member digests beside it in
// members/.

// LedgerChain names the ledger's chain in its anchor.
const LedgerChain = "audience-ledger"

// LedgerAnchorFile is the ledger anchor's name in the keys folder.
const LedgerAnchorFile = "audience-ledger-anchor.json"

// LedgerFiles says where a ledger is and what verifies it. All three are
// needed.
type LedgerFiles struct {
	Dir    string    // the ledger's folder, <warehouse>/_audience
	Anchor string    // its anchor, <keys>/audience-ledger-anchor.json
	Key    chain.MAC // the keyset audience-ledger.json (keys.OpenLedgerKey)
}

// InitLedgerAnchor creates the anchor of a new ledger (seq 0) at path
// unless one exists, and reports whether it did.
func InitLedgerAnchor(path string, key chain.MAC) (bool, error) {
	created, err := chain.InitAnchor(path, LedgerChain, key)
	if err != nil {
		return false, fmt.Errorf("audience ledger: %w", err)
	}
	return created, nil
}

// Entry is one ledger line.
type Entry struct {
	Seq        int64     `json:"seq"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Merchant   string    `json:"merchant"`
	Action     string    `json:"action"` // size or export
	Expression string    `json:"expression"`
	ExprHash   string    `json:"expr_hash"`
	DT         string    `json:"dt"`
	Data       string    `json:"data,omitempty"` // Data.Fingerprint
	// EpsilonMicros is the privacy cost charged by this entry, in
	// millionths; 0 when a stored answer was served or nothing drawn.
	EpsilonMicros int64  `json:"epsilon_micros"`
	Noisy         *int64 `json:"noisy,omitempty"`
	Reused        bool   `json:"reused,omitempty"`
	Exported      *int64 `json:"exported,omitempty"`
	K             *int64 `json:"k,omitempty"`
	L             *int64 `json:"l,omitempty"`
	Verdict       string `json:"verdict"` // released or refused
	Reason        string `json:"reason,omitempty"`
	Period        string `json:"period"`
	SpentMicros   int64  `json:"spent_micros"` // the merchant's spend in Period after this entry
	Members       string `json:"members,omitempty"`
	Prev          string `json:"prev"`
	// Hash is a legacy entry's SHA-256; Key and MAC a keyed entry's key id
	// and tag. They come last, so what they cover is the line before them.
	Hash string `json:"hash,omitempty"`
	Key  uint32 `json:"key,omitempty"`
	MAC  string `json:"mac,omitempty"`
}

// head is what the next entry's Prev holds.
func (e Entry) head() string {
	if e.MAC != "" {
		return e.MAC
	}
	return e.Hash
}

// Verdicts.
const (
	Released = "released"
	Refused  = "refused"
)

// Ledger is an open, locked ledger. Close releases the lock.
type Ledger struct {
	files   LedgerFiles
	f       *os.File
	entries []Entry
}

var zeroHash = chain.Genesis

// OpenLedger opens (creating) the ledger, takes an exclusive lock for the
// whole query, so that two queries cannot both spend the last of a budget,
// and verifies the chain and its anchor.
func OpenLedger(files LedgerFiles) (*Ledger, error) {
	if files.Key == nil || files.Anchor == "" {
		return nil, errors.New("audience ledger: no key or anchor: the ledger is keyed by audience-ledger.json in the keys folder")
	}
	if err := os.MkdirAll(filepath.Join(files.Dir, "members"), 0o700); err != nil {
		return nil, fmt.Errorf("audience ledger: %w", err)
	}
	path := filepath.Join(files.Dir, "ledger.jsonl")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audience ledger: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("audience ledger: lock: %w", err)
	}
	l := &Ledger{files: files, f: f}
	if err := l.load(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Close releases the lock.
func (l *Ledger) Close() error {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}

// Entries are the ledger's entries in order.
func (l *Ledger) Entries() []Entry { return l.entries }

func (l *Ledger) load() error {
	a, hasAnchor, aerr := chain.ReadAnchor(l.files.Anchor, LedgerChain, l.files.Key)
	if _, err := l.f.Seek(0, 0); err != nil {
		return err
	}
	sc := bufio.NewScanner(l.f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	prev, keyed := zeroHash, uint64(0)
	headAt, found := zeroHash, a.Seq == 0
	for n := 1; sc.Scan(); n++ {
		var e Entry
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return fmt.Errorf("audience ledger line %d: %w", n, err)
		}
		if e.Seq != int64(n) || e.Prev != prev {
			return fmt.Errorf("audience ledger line %d: out of sequence (entry removed, inserted or reordered)", n)
		}
		switch {
		case e.MAC != "" && e.Hash == "":
			data, err := macInput(e)
			if err == nil {
				err = chain.Check(l.files.Key, data, e.MAC, e.Key)
			}
			if err != nil {
				return fmt.Errorf("audience ledger line %d (seq %d): entry was edited, or written without the ledger key: its MAC does not verify", n, e.Seq)
			}
			keyed++
		case e.MAC == "" && e.Key == 0 && keyed == 0:
			if h := legacyHash(e); h != e.Hash {
				return fmt.Errorf("audience ledger line %d (seq %d): entry was edited", n, e.Seq)
			}
		default:
			return fmt.Errorf("audience ledger line %d (seq %d): an unkeyed entry after keyed ones, or a damaged one: the ledger was rewritten", n, e.Seq)
		}
		prev = e.head()
		if uint64(e.Seq) == a.Seq {
			headAt, found = prev, true
		}
		l.entries = append(l.entries, e)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("audience ledger: %w", err)
	}
	switch {
	case aerr != nil:
		return fmt.Errorf("audience ledger: anchor %s: %w", l.files.Anchor, aerr)
	case !hasAnchor:
		return fmt.Errorf("audience ledger: anchor %s is missing: restore it, or compare the ledger with the copies shipped to write-once storage (veil keys init makes the anchor of a new keys folder)", l.files.Anchor)
	}
	// An anchor one entry behind is what an append interrupted before its
	// anchor leaves; the entry is keyed, and the next append moves it.
	if _, m := a.Compare(uint64(len(l.entries)), keyed, headAt, found); m != nil {
		return fmt.Errorf("audience ledger: anchor %s (seq %d): %s", l.files.Anchor, m.Seq, m.Reason)
	}
	return nil
}

// macInput is what a keyed entry's MAC covers: its JSON without the MAC.
func macInput(e Entry) ([]byte, error) {
	e.MAC, e.Hash = "", ""
	return json.Marshal(e)
}

// legacyHash is SHA-256 over the entry's JSON in the first format, which
// ended with an empty "hash" and had no key or MAC.
func legacyHash(e Entry) string {
	e.Hash, e.Key, e.MAC = "", 0, ""
	b, _ := json.Marshal(e)
	b = append(b[:len(b)-1], `,"hash":""}`...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Append chains, signs, writes and syncs e, moves the anchor, and returns
// e as written.
func (l *Ledger) Append(e Entry) (Entry, error) {
	e.Seq = int64(len(l.entries)) + 1
	e.Prev = zeroHash
	if n := len(l.entries); n > 0 {
		e.Prev = l.entries[n-1].head()
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	id, err := chain.PrimaryKeyID(l.files.Key)
	if err != nil {
		return Entry{}, fmt.Errorf("audience ledger: %w", err)
	}
	e.Key, e.Hash, e.MAC = id, "", ""
	data, err := macInput(e)
	if err != nil {
		return Entry{}, err
	}
	if e.MAC, _, err = chain.Sign(l.files.Key, data); err != nil {
		return Entry{}, fmt.Errorf("audience ledger: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return Entry{}, err
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return Entry{}, fmt.Errorf("audience ledger: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return Entry{}, fmt.Errorf("audience ledger: %w", err)
	}
	l.entries = append(l.entries, e)
	if err := chain.WriteAnchor(l.files.Anchor, LedgerChain, l.files.Key, uint64(e.Seq), e.MAC); err != nil {
		return Entry{}, fmt.Errorf("audience ledger: %w", err)
	}
	return e, nil
}

// Spent is merchant's privacy spend in period, in millionths of epsilon.
func (l *Ledger) Spent(merchant, period string) int64 {
	var s int64
	for _, e := range l.entries {
		if e.Merchant == merchant && e.Period == period {
			s += e.EpsilonMicros
		}
	}
	return s
}

// Stored returns the noisy answer drawn earlier for the same merchant,
// expression and data, if any.
func (l *Ledger) Stored(merchant, exprHash, dt, data string) (int64, bool) {
	for _, e := range l.entries {
		if e.Merchant == merchant && e.ExprHash == exprHash && e.DT == dt && e.Data == data && e.Noisy != nil {
			return *e.Noisy, true
		}
	}
	return 0, false
}

// member digests: 8 bytes of SHA-256 per member, sorted. Enough to count a
// symmetric difference between two exports (a collision among a few
// million members is ~1e-7 likely and only makes a difference look
// smaller, which refuses more, never less).

func digests(members []string) []uint64 {
	d := make([]uint64, len(members))
	for i, m := range members {
		sum := sha256.Sum256([]byte(m))
		d[i] = uint64(sum[0])<<56 | uint64(sum[1])<<48 | uint64(sum[2])<<40 | uint64(sum[3])<<32 |
			uint64(sum[4])<<24 | uint64(sum[5])<<16 | uint64(sum[6])<<8 | uint64(sum[7])
	}
	slices.Sort(d)
	return d
}

// writeMembers stores an export's digests and returns the file name.
func (l *Ledger) writeMembers(seq int64, d []uint64) (string, error) {
	name := fmt.Sprintf("export-%08d.bin", seq)
	b := make([]byte, 0, 8*len(d))
	for _, x := range d {
		b = append(b, byte(x>>56), byte(x>>48), byte(x>>40), byte(x>>32), byte(x>>24), byte(x>>16), byte(x>>8), byte(x))
	}
	tmp := filepath.Join(l.files.Dir, "members", name+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return "", fmt.Errorf("audience ledger: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(l.files.Dir, "members", name)); err != nil {
		return "", fmt.Errorf("audience ledger: %w", err)
	}
	return name, nil
}

func (l *Ledger) readMembers(name string) ([]uint64, error) {
	b, err := os.ReadFile(filepath.Join(l.files.Dir, "members", name))
	if err != nil {
		return nil, fmt.Errorf("audience ledger: members of an earlier export: %w", err)
	}
	if len(b)%8 != 0 {
		return nil, errors.New("audience ledger: members file damaged")
	}
	d := make([]uint64, len(b)/8)
	for i := range d {
		p := b[8*i:]
		d[i] = uint64(p[0])<<56 | uint64(p[1])<<48 | uint64(p[2])<<40 | uint64(p[3])<<32 |
			uint64(p[4])<<24 | uint64(p[5])<<16 | uint64(p[6])<<8 | uint64(p[7])
	}
	return d, nil
}

// symDiff counts the elements in exactly one of two sorted sets.
func symDiff(a, b []uint64) int64 {
	var n int64
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i++
			j++
		case a[i] < b[j]:
			n++
			i++
		default:
			n++
			j++
		}
	}
	return n + int64(len(a)-i) + int64(len(b)-j)
}
