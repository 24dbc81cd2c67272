package residual

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"os"
	"strings"
	"sync"
	"unsafe"

	"github.com/veil-data/veil/internal/bytesize"
)

// A day's raw values outgrow memory (10M events: tens of millions of
// needles, several GiB as a Go map and again as Needles), so a Spill holds
// them in bounded memory: Needles up to a budget, and beyond it buckets on
// disk chosen by a keyed hash of the value. Scan then runs the caller's
// scan once per shard (a run of buckets whose needles fit the budget) with
// a Scanner that owns that shard's needles; exact matches are looked up
// only in the shard a value hashes to, substring matches in every shard,
// and the hits are merged so that the Result is the one a single
// in-memory scan gives. A day that fits the budget never touches disk.
//
// Bucket files hold raw values, so they are encrypted with AES-256-GCM
// under a key made for the Spill and kept only in its memory: the files
// are unreadable once the process ends, whether or not they were removed.

// spillBuckets is the number of bucket files; shards group them.
const spillBuckets = 256

// needleCost estimates the bytes a needle costs in memory beyond its own
// length: its arena end and exact-table slot (with the table's slack), and
// the substring index (chain, offset, hash tables, filters).
const needleCost = 80

// DefaultBudget is the memory for needles when VEIL_RESIDUAL_MEMORY is
// not set.
const DefaultBudget = 512 << 20

// BudgetFromEnv returns VEIL_RESIDUAL_MEMORY as bytes (a number with an
// optional KiB, MiB or GiB suffix), or DefaultBudget.
func BudgetFromEnv() (int64, error) {
	s := os.Getenv("VEIL_RESIDUAL_MEMORY")
	if strings.TrimSpace(s) == "" {
		return DefaultBudget, nil
	}
	n, err := bytesize.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("VEIL_RESIDUAL_MEMORY: %w", err)
	}
	return n, nil
}

// Spill is a set of needles kept within a memory budget. Add and Merge
// may be called from many goroutines; Scan ends adding. Close removes the
// bucket files.
type Spill struct {
	budget int64
	dir    string // parent of the bucket directory; "" is os.TempDir

	mu      sync.Mutex
	mem     *Needles // needles not yet spilled
	seed    maphash.Seed
	aead    cipher.AEAD
	tmp     string // bucket directory, once spilled
	buckets [spillBuckets]*bucketWriter
	cost    [spillBuckets]int64 // estimated memory of each bucket's needles
	tokens  bool                // some spilled needle is token-shaped
	total   Result              // counts of the last Scan
	nTokens int
}

// NewSpill returns an empty Spill that keeps at most budget bytes of
// needles in memory (budget <= 0: DefaultBudget) and writes beyond it
// under dir ("" for the system's temporary directory).
func NewSpill(budget int64, dir string) *Spill {
	if budget <= 0 {
		budget = DefaultBudget
	}
	return &Spill{budget: budget, dir: dir, mem: NewNeedles(DefaultMinLen), seed: maphash.MakeSeed()}
}

// memCost estimates the memory of n's needles with their index.
func memCost(n *Needles) int64 { return int64(len(n.data)) + needleCost*int64(len(n.ends)) }

// Size estimates the memory of n's needles with their substring index, in
// bytes: what a holder of several sets weighs against a Spill's budget.
func (n *Needles) Size() int64 { return memCost(n) }

// Budget is the memory the Spill keeps needles in.
func (s *Spill) Budget() int64 { return s.budget }

// Add adds v.
func (s *Spill) Add(v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mem.Add(v)
	return s.maybeFlush()
}

// Merge adds every needle of n; n is not changed.
func (s *Spill) Merge(n *Needles) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n.ends {
		s.mem.Add(n.at(i))
		if i&1023 == 0 {
			if err := s.maybeFlush(); err != nil {
				return err
			}
		}
	}
	return s.maybeFlush()
}

// Spilled reports whether some needles are on disk.
func (s *Spill) Spilled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tmp != ""
}

// TokenShaped is the number of token-shaped needles, known after Scan.
func (s *Spill) TokenShaped() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tmp == "" {
		return s.mem.TokenShaped()
	}
	return s.nTokens
}

func (s *Spill) maybeFlush() error {
	if memCost(s.mem) <= s.budget {
		return nil
	}
	return s.flush()
}

// flush writes the needles in memory to their buckets and empties it.
func (s *Spill) flush() error {
	if s.tmp == "" {
		dir, err := os.MkdirTemp(s.dir, "veil-residual-*")
		if err != nil {
			return fmt.Errorf("residual spill: %w", err)
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("residual spill key: %w", err)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return fmt.Errorf("residual spill key: %w", err)
		}
		if s.aead, err = cipher.NewGCM(block); err != nil {
			return fmt.Errorf("residual spill key: %w", err)
		}
		s.tmp = dir
	}
	n := s.mem
	if n.tokens > 0 {
		s.tokens = true
	}
	for i := range n.ends {
		v := n.at(i)
		b := s.bucket(v)
		w := s.buckets[b]
		if w == nil {
			f, err := os.OpenFile(s.bucketPath(b), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("residual spill: %w", err)
			}
			w = &bucketWriter{f: f, aead: s.aead, id: uint32(b)}
			s.buckets[b] = w
		}
		if err := w.add(v); err != nil {
			return err
		}
		s.cost[b] += int64(len(v)) + needleCost
	}
	s.mem = NewNeedles(DefaultMinLen)
	return nil
}

// bucket is v's bucket: the top byte of its keyed hash.
func (s *Spill) bucket(v string) int { return int(maphash.String(s.seed, v) >> 56) }

func (s *Spill) bucketPath(b int) string { return fmt.Sprintf("%s/b%03d", s.tmp, b) }

// Close removes the bucket files.
func (s *Spill) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range s.buckets {
		if w != nil {
			w.f.Close()
			s.buckets[i] = nil
		}
	}
	if s.tmp == "" {
		return nil
	}
	err := os.RemoveAll(s.tmp)
	s.tmp = ""
	return err
}

// shards groups the buckets into runs whose needles fit the budget; a
// bucket larger than the budget is a shard of its own.
func (s *Spill) shards() [][2]int {
	var out [][2]int
	lo, sum := 0, int64(0)
	for b := range spillBuckets {
		if b > lo && sum+s.cost[b] > s.budget {
			out = append(out, [2]int{lo, b})
			lo, sum = b, 0
		}
		sum += s.cost[b]
	}
	return append(out, [2]int{lo, spillBuckets})
}

// load reads buckets [lo, hi) into one Needles.
func (s *Spill) load(lo, hi int) (*Needles, error) {
	n := NewNeedles(DefaultMinLen)
	for b := lo; b < hi; b++ {
		if s.buckets[b] == nil {
			continue
		}
		if err := readBucket(s.bucketPath(b), s.aead, uint32(b), n.Add); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// bucketWriter appends length-prefixed values to a bucket file in sealed
// chunks; the nonce is the bucket and the chunk's number, unique under
// the Spill's key.
type bucketWriter struct {
	f     *os.File
	aead  cipher.AEAD
	id    uint32
	chunk uint64
	buf   []byte
}

const chunkSize = 32 << 10

func (w *bucketWriter) add(v string) error {
	w.buf = binary.AppendUvarint(w.buf, uint64(len(v)))
	w.buf = append(w.buf, v...)
	if len(w.buf) >= chunkSize {
		return w.seal()
	}
	return nil
}

func (w *bucketWriter) nonce(chunk uint64) []byte {
	var n [12]byte
	binary.LittleEndian.PutUint32(n[:4], w.id)
	binary.LittleEndian.PutUint64(n[4:], chunk)
	return n[:]
}

// seal writes the buffer as one chunk: its sealed length, then it sealed.
func (w *bucketWriter) seal() error {
	if len(w.buf) == 0 {
		return nil
	}
	out := make([]byte, 4, 4+len(w.buf)+w.aead.Overhead())
	out = w.aead.Seal(out, w.nonce(w.chunk), w.buf, nil)
	binary.LittleEndian.PutUint32(out[:4], uint32(len(out)-4))
	w.chunk++
	clear(w.buf)
	w.buf = w.buf[:0]
	if _, err := w.f.Write(out); err != nil {
		return fmt.Errorf("residual spill: %w", err)
	}
	return nil
}

// readBucket calls add with every value of a bucket file, in order.
func readBucket(path string, aead cipher.AEAD, id uint32, add func(string)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("residual spill: %w", err)
	}
	w := bucketWriter{id: id}
	for chunk := uint64(0); len(b) > 0; chunk++ {
		if len(b) < 4 || int(binary.LittleEndian.Uint32(b[:4])) > len(b)-4 {
			return fmt.Errorf("residual spill: bucket %d: truncated chunk", id)
		}
		size := int(binary.LittleEndian.Uint32(b[:4]))
		plain, err := aead.Open(b[4:4], w.nonce(chunk), b[4:4+size], nil)
		if err != nil {
			return fmt.Errorf("residual spill: bucket %d: %w", id, err)
		}
		for len(plain) > 0 {
			l, k := binary.Uvarint(plain)
			if k <= 0 || uint64(len(plain)-k) < l {
				return fmt.Errorf("residual spill: bucket %d: bad record", id)
			}
			// A view, not a copy: Needles.Add copies what it keeps.
			v := plain[k : k+int(l)]
			add(unsafe.String(unsafe.SliceData(v), len(v)))
			plain = plain[k+int(l):]
		}
		b = b[4+size:]
	}
	return nil
}
