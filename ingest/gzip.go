package ingest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// A gzip file is read member by member: a member's bytes are genuine only
// once its CRC-32 and length have checked out at its end. gzip reports a
// truncation, a bad CRC or a corrupt stream only where it finds it, after
// it has handed out the member's data before that point, and nothing
// vouches for that data: a flipped bit can decode to a different but
// well-formed line. So the rule is: a record is kept only if every byte
// of it, and the line end after it, lies in members that checked out.
// Under files.on_damaged_file: fail (the default) a damaged file fails
// the run, so what was handed out is never committed. Under quarantine
// the file is checked first (checkGzip) and then read only up to the last
// line end inside its verified members; the rest is one damaged_file row.

// ErrDamagedFile is wrapped by the error of a run that met a damaged
// compressed landing file under files.on_damaged_file: fail.
var ErrDamagedFile = errors.New("damaged landing file")

// Damage kinds of a gzip file.
const (
	damageNotGzip   = "not_gzip"         // no gzip header at the start
	damageTruncated = "truncated"        // the file ends inside a member
	damageChecksum  = "bad_checksum"     // a member's CRC-32 or length does not match
	damageCorrupt   = "corrupt"          // a member's header or deflate data is invalid
	damageTrailing  = "trailing_garbage" // bytes after the last member that are not a member
)

var damageText = map[string]string{
	damageNotGzip:   "not gzip (no gzip header)",
	damageTruncated: "gzip stream truncated",
	damageChecksum:  "gzip CRC-32 or length mismatch",
	damageCorrupt:   "corrupt gzip data",
	damageTrailing:  "bytes after the last gzip member",
}

// damageError says how a gzip file is damaged. It carries no content.
type damageError struct {
	kind     string
	verified int64 // the file's bytes up to the end of its last verified member
}

func (e *damageError) Error() string {
	return fmt.Sprintf("%s after %d verified bytes", damageText[e.kind], e.verified)
}

// gzipReader reads the members of a gzip file one after another and
// keeps track of how much of the file is verified. With track set it also
// notes line ends (for checkGzip).
type gzipReader struct {
	src      *bufio.Reader // over raw, so a member's end is found exactly
	raw      *countReader
	zr       *gzip.Reader
	inMember bool
	members  int
	dmg      *damageError
	// verifiedRaw is the file offset after the last verified member.
	verifiedRaw int64

	track   bool
	out     int64 // decompressed bytes handed out
	eols    int64 // line ends in them
	lastEOL int64 // the offset after the last of them
	cr      bool  // the last byte handed out was "\r"
	// cut and cutLines are lastEOL and eols when the last member checked
	// out: where verified lines end.
	cut, cutLines int64
}

func newGzipReader(raw *countReader) *gzipReader {
	return &gzipReader{src: bufio.NewReaderSize(raw, 64<<10), raw: raw}
}

func (g *gzipReader) Read(p []byte) (int, error) {
	for {
		if g.dmg != nil {
			return 0, g.dmg
		}
		if !g.inMember {
			if err := g.openMember(); err != nil {
				return 0, err
			}
		}
		n, err := g.zr.Read(p)
		if g.track {
			g.note(p[:n])
		}
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, io.EOF):
			// The member ended and its CRC-32 and length checked out.
			g.inMember = false
			g.members++
			g.verifiedRaw = g.raw.n - int64(g.src.Buffered())
			g.cut, g.cutLines = g.lastEOL, g.eols
			if n > 0 {
				return n, nil
			}
		default:
			if g.raw.err != nil {
				return n, g.raw.err // I/O, not the file's fault
			}
			kind := damageCorrupt
			switch {
			case errors.Is(err, io.ErrUnexpectedEOF):
				kind = damageTruncated
			case errors.Is(err, gzip.ErrChecksum):
				kind = damageChecksum
			}
			g.dmg = &damageError{kind: kind, verified: g.verifiedRaw}
			return n, g.dmg
		}
	}
}

// openMember reads the next member's header; io.EOF at the file's clean
// end. A file of no bytes at all holds no member and no damage: it is
// empty, like an empty .jsonl.
func (g *gzipReader) openMember() error {
	head, err := g.src.Peek(2)
	if len(head) == 0 && errors.Is(err, io.EOF) {
		return io.EOF
	}
	if g.raw.err != nil {
		return g.raw.err
	}
	if len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		kind := damageTrailing
		if g.members == 0 {
			kind = damageNotGzip
		}
		g.dmg = &damageError{kind: kind, verified: g.verifiedRaw}
		return g.dmg
	}
	if g.zr == nil {
		g.zr, err = gzip.NewReader(g.src)
	} else {
		err = g.zr.Reset(g.src)
	}
	if err != nil {
		if g.raw.err != nil {
			return g.raw.err
		}
		kind := damageCorrupt
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			kind = damageTruncated
		}
		g.dmg = &damageError{kind: kind, verified: g.verifiedRaw}
		return g.dmg
	}
	g.zr.Multistream(false) // Reset turns it back on
	g.inMember = true
	return nil
}

// note counts the line ends of b ("\n", "\r\n" or a bare "\r", as
// lineReader splits) and remembers where the last one ends.
func (g *gzipReader) note(b []byte) {
	if len(b) == 0 {
		return
	}
	n := int64(bytes.Count(b, []byte{'\n'}))
	if bytes.IndexByte(b, '\r') >= 0 {
		n += int64(bytes.Count(b, []byte{'\r'}) - bytes.Count(b, []byte("\r\n")))
	}
	if g.cr && b[0] == '\n' {
		n-- // the "\n" of a "\r\n" split between two reads
	}
	if n > 0 || g.cr && b[0] == '\n' {
		g.lastEOL = g.out + int64(max(bytes.LastIndexByte(b, '\n'), bytes.LastIndexByte(b, '\r'))) + 1
	}
	g.eols += n
	g.out += int64(len(b))
	g.cr = b[len(b)-1] == '\r'
}

// gzipCheck is what checkGzip found.
type gzipCheck struct {
	dmg *damageError // nil: the file is whole
	// cut is how many decompressed bytes to read: up to the last line
	// end inside verified members; lines is how many line ends precede
	// it, so the damage starts at line lines+1.
	cut, lines int64
	// unverified counts the line ends decoded after the last verified
	// member, before the damage.
	unverified int64
	sha256     string // of the file as stored
}

// checkGzip reads a gzip file to its end and says whether it is whole
// and, if not, how much of it can be kept.
func checkGzip(path string, buf []byte) (gzipCheck, error) {
	f, err := os.Open(path)
	if err != nil {
		return gzipCheck{}, err
	}
	defer f.Close()
	raw := &countReader{r: f, h: sha256.New()}
	g := newGzipReader(raw)
	g.track = true
	for {
		_, err := g.Read(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && g.dmg == nil {
			return gzipCheck{}, err
		}
		if g.dmg != nil {
			break
		}
	}
	if _, err := io.Copy(io.Discard, raw); err != nil {
		return gzipCheck{}, err
	}
	c := gzipCheck{dmg: g.dmg, sha256: hex.EncodeToString(raw.h.Sum(nil))}
	if g.dmg != nil {
		c.cut, c.lines, c.unverified = g.cut, g.cutLines, g.eols-g.cutLines
	}
	return c, nil
}
