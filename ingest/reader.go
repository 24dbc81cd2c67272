package ingest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/veil-data/veil/anonymize/policy"
	"github.com/veil-data/veil/ingest/csvfeed"
	"github.com/veil-data/veil/pipeline"
)

const (
	// chunkLines is how many lines travel together to a parse worker.
	chunkLines = 2048
	// maxLine bounds one record; a longer line is quarantined, not read
	// into memory.
	maxLine = 1 << 20
)

// line is one landing record: its bytes and where it came from.
type line struct {
	file int // index into the files being read
	no   int64
	text string
	// reason is set when the line could not be read whole
	// (line_too_long, truncated_file) or its CSV row was rejected
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

// readFiles streams the lines of files, in order, as chunks. It computes
// each file's SHA-256 and record count into stats as it goes. The returned
// channel is closed when all files are read or ctx is cancelled; a read
// error that is not the file's fault (I/O) is returned through errc.
func readFiles(ctx context.Context, landing string, files []string, pol *policy.Compiled, stats *pipeline.Stats) (<-chan *chunk, <-chan error) {
	out := make(chan *chunk, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(out)
		defer close(errc)
		seq := 0
		for i, path := range files {
			in, err := readFile(ctx, landing, i, path, pol, &seq, out)
			if err != nil {
				errc <- err
				return
			}
			stats.Inputs = append(stats.Inputs, in)
		}
	}()
	return out, errc
}

func readFile(ctx context.Context, landing string, idx int, path string, pol *policy.Compiled, seq *int, out chan<- *chunk) (pipeline.InputFile, error) {
	rel, err := filepath.Rel(landing, path)
	if err != nil {
		rel = filepath.Base(path)
	}
	in := pipeline.InputFile{Path: filepath.ToSlash(rel)}
	var format *policy.Format
	if isCSV(path) {
		if format = pol.FormatFor(strings.TrimSuffix(path, ".gz")); format == nil {
			return in, fmt.Errorf("landing file %s is CSV, and the policy of feed %s declares no format that matches it (formats: match)", in.Path, pol.Feed.Name)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return in, fmt.Errorf("open %s: %w", in.Path, err)
	}
	defer f.Close()
	h := sha256.New()
	counted := &countReader{r: f, h: h}
	var r io.Reader = counted
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(counted)
		if err != nil {
			// Not even a gzip header: the whole file is one bad record.
			c := &chunk{seq: *seq, lines: []line{{file: idx, no: 1, reason: "unreadable_file"}}}
			*seq++
			if err := send(ctx, out, c); err != nil {
				return in, err
			}
			in.Records = 1
			return in, drain(counted, h, &in)
		}
		defer zr.Close()
		r = zr
	}
	if format != nil {
		n, err := readCSV(ctx, r, idx, format, seq, out)
		if err != nil {
			if ferr := counted.err; ferr != nil {
				return in, fmt.Errorf("read %s: %w", in.Path, ferr)
			}
			return in, fmt.Errorf("read %s: %w", in.Path, err)
		}
		in.Records = n
		return in, drain(counted, h, &in)
	}
	br := bufio.NewReaderSize(r, 256<<10)
	c := newChunk(*seq)
	var no int64
	for {
		text, tooLong, err := readLine(br)
		if len(text) > 0 || tooLong {
			no++
			l := line{file: idx, no: no}
			if tooLong {
				l.reason = "line_too_long"
			} else if err != nil && !errors.Is(err, io.EOF) {
				// The file ends inside this line (a truncated gzip
				// stream): the partial line is not a record.
				l.reason = "truncated_file"
			} else {
				start := len(c.buf)
				c.buf = append(c.buf, text...)
				l.text = unsafeString(c.buf[start:])
			}
			c.lines = append(c.lines, l)
		}
		if len(c.lines) == chunkLines || (err != nil && len(c.lines) > 0) {
			if err := send(ctx, out, c); err != nil {
				return in, err
			}
			*seq++
			c = newChunk(*seq)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ferr := counted.err; ferr != nil {
				return in, fmt.Errorf("read %s: %w", in.Path, ferr)
			}
			// A decoding error (corrupt or truncated gzip) is the
			// file's fault: what was read counts, the rest is one
			// quarantined record, and the run goes on.
			if no == 0 || len(text) == 0 {
				no++
				c.lines = append(c.lines, line{file: idx, no: no, reason: "truncated_file"})
				if err := send(ctx, out, c); err != nil {
					return in, err
				}
				*seq++
			}
			break
		}
	}
	in.Records = no
	return in, drain(counted, h, &in)
}

// isCSV reports whether a landing file is CSV (optionally gzip).
func isCSV(path string) bool {
	return strings.HasSuffix(path, ".csv") || strings.HasSuffix(path, ".csv.gz")
}

// readCSV decodes a CSV file with its format into chunks of rows. A row
// the decoder rejects travels as a line with a reason, so it is counted
// and quarantined like any other; a file the decoder cannot open at all
// (a configured column missing from the header) fails the run, since no
// row of it can be read as configured.
func readCSV(ctx context.Context, r io.Reader, idx int, format *policy.Format, seq *int, out chan<- *chunk) (int64, error) {
	fr, err := format.Decoder.Open(r)
	if err != nil {
		return 0, err
	}
	var n int64
	c := newCSVChunk(*seq, format)
	for {
		row, err := fr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		n++
		l := line{file: idx, no: int64(row.Line)}
		if row.Reject != nil {
			l.reason, l.field = row.Reject.Reason, row.Reject.Field
		}
		c.lines = append(c.lines, l)
		c.rows = append(c.rows, row)
		if len(c.lines) == chunkLines {
			if err := send(ctx, out, c); err != nil {
				return n, err
			}
			*seq++
			c = newCSVChunk(*seq, format)
		}
	}
	if len(c.lines) > 0 {
		if err := send(ctx, out, c); err != nil {
			return n, err
		}
		*seq++
	}
	return n, nil
}

func newCSVChunk(seq int, f *policy.Format) *chunk {
	return &chunk{seq: seq, lines: make([]line, 0, chunkLines), format: f, rows: make([]csvfeed.Row, 0, chunkLines)}
}

// drain reads the rest of the file so the checksum covers all of it.
func drain(c *countReader, h hash.Hash, in *pipeline.InputFile) error {
	if _, err := io.Copy(io.Discard, c); err != nil {
		return fmt.Errorf("read %s: %w", in.Path, err)
	}
	in.Bytes = c.n
	in.SHA256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

func newChunk(seq int) *chunk {
	return &chunk{seq: seq, lines: make([]line, 0, chunkLines), buf: make([]byte, 0, chunkLines*384)}
}

func send(ctx context.Context, out chan<- *chunk, c *chunk) error {
	select {
	case out <- c:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readLine returns the next line without its newline. A line longer than
// maxLine is skipped to its end and reported as tooLong.
func readLine(br *bufio.Reader) (text []byte, tooLong bool, err error) {
	b, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		acc := append([]byte(nil), b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = br.ReadSlice('\n')
			if len(acc) <= maxLine {
				acc = append(acc, b...)
			}
		}
		if len(acc) > maxLine {
			return nil, true, err
		}
		b = acc
	}
	b = bytes.TrimRight(b, "\r\n")
	return b, false, err
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

// relPaths returns files relative to the landing root, slash-separated.
func relPaths(landing string, files []string) []string {
	out := make([]string, len(files))
	for i, f := range files {
		rel, err := filepath.Rel(landing, f)
		if err != nil {
			rel = filepath.Base(f)
		}
		out[i] = filepath.ToSlash(rel)
	}
	return out
}
