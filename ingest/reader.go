package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"time"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/ingest/csvfeed"
	"github.com/veil-data/veil/pipeline"
)

// chunkLines is how many lines travel together to a parse worker.
const chunkLines = 2048

// line is one landing record: its bytes and where it came from.
type line struct {
	file int   // index into the files being read
	no   int64 // physical line in the file, 1-based, blank lines counted
	text string
	// reason is set when the line could not be read whole
	// (line_too_long, damaged_file) or its CSV row was rejected
	// (bad_csv, invalid_value, with field).
	reason, field string
}

// chunk is a batch of consecutive lines of one file. seq orders chunks
// for the collector, so output order is input order whatever the workers
// do.
type chunk struct {
	seq   int
	lines []line
	buf   []byte // backing store of the lines' text
	// format is set for a CSV file: then rows[i] is lines[i] decoded.
	format *policy.Format
	rows   []csvfeed.Row
}

// What readFiles does with a damaged gzip file.
type damageMode int

const (
	// damageFails returns ErrDamagedFile (files.on_damaged_file: fail).
	damageFails damageMode = iota
	// damageQuarantines checks the file first, reads it up to the last
	// line end in its verified members and accounts for the rest as one
	// damaged_file line (files.on_damaged_file: quarantine).
	damageQuarantines
	// damageReadsAll reads straight through and stops at the damage
	// without an error, for RawValues: an unverified value is one more
	// needle, never a record.
	damageReadsAll
)

// readFiles streams the lines of files, in order, as chunks. It computes
// each file's SHA-256 and record count into stats as it goes. The returned
// channel is closed when all files are read or ctx is cancelled; an error
// (I/O, or a damaged file under damageFails) is returned through errc.
func readFiles(ctx context.Context, files []pipeline.LandingFile, pol *policy.Compiled, mode damageMode, stats *pipeline.Stats) (<-chan *chunk, <-chan error) {
	return readPlaced(ctx, files, nil, time.Time{}, pol, mode, stats)
}

// readPlaced is readFiles where files may include historical ones: file i
// is historical when arrivals[i] is set, and then only its rows placed on
// day are passed on; the others are counted in stats.OtherPartition (and
// in the file's records) when the reader is done, and not in RecordsIn,
// which the caller adds them to.
func readPlaced(ctx context.Context, files []pipeline.LandingFile, arrivals []time.Time, day time.Time, pol *policy.Compiled, mode damageMode, stats *pipeline.Stats) (<-chan *chunk, <-chan error) {
	out := make(chan *chunk, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(out)
		defer close(errc)
		fr := fileReader{pol: pol, mode: mode, out: out, day: day}
		defer func() { stats.OtherPartition += fr.other }()
		for i, f := range files {
			fr.arrival = time.Time{}
			if i < len(arrivals) {
				fr.arrival = arrivals[i]
			}
			in, dmg, err := fr.read(ctx, i, f)
			if err != nil {
				errc <- err
				return
			}
			stats.Inputs = append(stats.Inputs, in)
			if dmg != nil {
				stats.DamagedFiles = append(stats.DamagedFiles, *dmg)
			}
		}
	}()
	return out, errc
}

// fileReader reads landing files into chunks, numbering them.
type fileReader struct {
	pol     *policy.Compiled
	mode    damageMode
	out     chan<- *chunk
	seq     int
	scratch []byte // checkGzip's buffer
	// arrival is set while a historical file is read: its rows not placed
	// on day are counted in other, not passed on.
	arrival, day time.Time
	other        int64
}

func (fr *fileReader) read(ctx context.Context, idx int, lf pipeline.LandingFile) (pipeline.InputFile, *pipeline.DamagedFile, error) {
	in := pipeline.InputFile{Path: lf.Rel}
	var format *policy.Format
	if policy.IsCSV(lf.Rel) {
		name := lf.Rel[strings.LastIndexByte(lf.Rel, '/')+1:]
		if policy.IsGzip(name) {
			name = name[:len(name)-len(".gz")]
		}
		if format = fr.pol.FormatFor(name); format == nil {
			return in, nil, fmt.Errorf("landing file %s is CSV, and the policy of feed %s declares no format that matches it (formats: match)", in.Path, fr.pol.Feed.Name)
		}
	}
	if !fr.arrival.IsZero() {
		var err error
		if format, err = historicalFormat(fr.pol, lf.Rel); err != nil {
			return in, nil, err
		}
	}
	gz := policy.IsGzip(lf.Rel)
	var check gzipCheck
	if gz && fr.mode == damageQuarantines {
		if fr.scratch == nil {
			fr.scratch = make([]byte, lineBuf)
		}
		var err error
		if check, err = checkGzip(lf.Path, fr.scratch); err != nil {
			return in, nil, fmt.Errorf("read %s: %w", in.Path, err)
		}
	}
	f, err := os.Open(lf.Path)
	if err != nil {
		return in, nil, fmt.Errorf("open %s: %w", in.Path, err)
	}
	defer f.Close()
	counted := &countReader{r: f, h: sha256.New()}
	var r io.Reader = counted
	var g *gzipReader
	if gz {
		g = newGzipReader(counted)
		r = g
		if check.dmg != nil {
			r = io.LimitReader(g, check.cut)
		}
	}
	var n int64
	if format != nil {
		n, err = fr.readCSV(ctx, r, idx, format)
	} else {
		n, err = fr.readJSONL(ctx, r, idx)
	}
	switch {
	case err == nil:
	case counted.err != nil:
		return in, nil, fmt.Errorf("read %s: %w", in.Path, counted.err)
	case g != nil && g.dmg != nil && fr.mode == damageReadsAll:
	case g != nil && g.dmg != nil:
		return in, nil, damaged(in.Path, f, g.dmg)
	default:
		return in, nil, fmt.Errorf("read %s: %w", in.Path, err)
	}
	if check.dmg != nil {
		// What could not be verified is one record, quarantined.
		n++
		c := &chunk{seq: fr.seq, lines: []line{{file: idx, no: check.lines + 1, reason: "damaged_file"}}}
		if err := fr.send(ctx, c); err != nil {
			return in, nil, err
		}
	}
	in.Records = n
	if err := drain(counted, &in); err != nil {
		return in, nil, err
	}
	if check.dmg == nil {
		return in, nil, nil
	}
	if in.SHA256 != check.sha256 {
		return in, nil, fmt.Errorf("landing file %s changed while it was read", in.Path)
	}
	return in, &pipeline.DamagedFile{Path: in.Path, Damage: check.dmg.kind,
		BytesLost: in.Bytes - check.dmg.verified, UnverifiedLines: check.unverified}, nil
}

// damaged is the error of a damaged file under on_damaged_file: fail.
func damaged(rel string, f *os.File, dmg *damageError) error {
	size := int64(-1)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return fmt.Errorf("landing file %s is damaged: %s, %d of its %d bytes verified; nothing of its partition is committed (the policy's files.on_damaged_file: quarantine would keep the records of its verified gzip members and quarantine the rest): %w",
		rel, damageText[dmg.kind], dmg.verified, size, ErrDamagedFile)
}

// readJSONL cuts a JSON Lines stream into chunks of records: every line
// that is not blank, numbered by its physical line.
func (fr *fileReader) readJSONL(ctx context.Context, r io.Reader, idx int) (int64, error) {
	lr := newLineReader(r)
	c := newChunk(fr.seq)
	var n int64
	for {
		text, tooLong, ok := lr.next()
		if !ok {
			break
		}
		if !tooLong && blank(text) {
			continue
		}
		n++
		l := line{file: idx, no: lr.no}
		if tooLong {
			l.reason = "line_too_long"
		} else {
			start := len(c.buf)
			c.buf = append(c.buf, text...)
			l.text = unsafeString(c.buf[start:])
		}
		c.lines = append(c.lines, l)
		if len(c.lines) == chunkLines {
			if err := fr.send(ctx, c); err != nil {
				return n, err
			}
			c = newChunk(fr.seq)
		}
	}
	if len(c.lines) > 0 {
		if err := fr.send(ctx, c); err != nil {
			return n, err
		}
	}
	if !errors.Is(lr.err, io.EOF) {
		return n, lr.err
	}
	return n, nil
}

// send passes c on and numbers the next chunk.
func (fr *fileReader) send(ctx context.Context, c *chunk) error {
	select {
	case fr.out <- c:
		fr.seq++
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readCSV decodes a CSV file with its format into chunks of rows. A row
// the decoder rejects travels as a line with a reason, so it is counted
// and quarantined like any other; a file the decoder cannot open at all
// (a configured column missing from the header) fails the run, since no
// row of it can be read as configured.
func (fr *fileReader) readCSV(ctx context.Context, r io.Reader, idx int, format *policy.Format) (int64, error) {
	dec, err := format.Decoder.Open(r)
	if err != nil {
		return 0, err
	}
	var n int64
	c := newCSVChunk(fr.seq, format)
	for {
		row, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if len(c.lines) > 0 {
				if serr := fr.send(ctx, c); serr != nil {
					return n, serr
				}
			}
			return n, err
		}
		n++
		if !fr.arrival.IsZero() && !format.Place(row.Values, row.Present, fr.arrival).Equal(fr.day) {
			fr.other++ // another day's run reads it
			continue
		}
		l := line{file: idx, no: int64(row.Line)}
		if row.Reject != nil {
			l.reason, l.field = row.Reject.Reason, row.Reject.Field
		}
		c.lines = append(c.lines, l)
		c.rows = append(c.rows, row)
		if len(c.lines) == chunkLines {
			if err := fr.send(ctx, c); err != nil {
				return n, err
			}
			c = newCSVChunk(fr.seq, format)
		}
	}
	if len(c.lines) > 0 {
		if err := fr.send(ctx, c); err != nil {
			return n, err
		}
	}
	return n, nil
}

func newCSVChunk(seq int, f *policy.Format) *chunk {
	return &chunk{seq: seq, lines: make([]line, 0, chunkLines), format: f, rows: make([]csvfeed.Row, 0, chunkLines)}
}

// drain reads the rest of the file so the checksum covers all of it.
func drain(c *countReader, in *pipeline.InputFile) error {
	if _, err := io.Copy(io.Discard, c); err != nil {
		return fmt.Errorf("read %s: %w", in.Path, err)
	}
	in.Bytes = c.n
	in.SHA256 = hex.EncodeToString(c.h.Sum(nil))
	return nil
}

func newChunk(seq int) *chunk {
	return &chunk{seq: seq, lines: make([]line, 0, chunkLines), buf: make([]byte, 0, chunkLines*384)}
}

// countReader counts and hashes the raw bytes read from the file, and
// remembers an I/O error so it is not mistaken for bad content.
type countReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	err error
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		c.err = err
	}
	return n, err
}

// relPaths returns the files' paths relative to the landing root.
func relPaths(files []pipeline.LandingFile) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Rel
	}
	return out
}
