package synth

import (
	"bufio"
	"errors"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/veil-data/veil/schemas"
)

// sink writes JSON Lines into one directory, starting a new part file every
// maxLines lines (0: one file). The producer appends lines into chunks; a
// goroutine compresses and writes them, so generation and gzip overlap.
// Each file is written under a temporary name (".NAME.tmp", which the
// ingest's *.jsonl[.gz] pattern never matches), synced, then renamed.
type sink struct {
	dir      string
	name     func(part int) string
	gz       bool
	maxLines int

	buf       []byte
	part      int
	partLines int
	lines     int
	work      chan chunk
	free      chan []byte
	done      chan struct{}

	// Owned by the writer goroutine until done is closed.
	err   error
	files []string // final paths, in order
}

type chunk struct {
	data  []byte
	part  int
	end   bool // close the part after data
	abort bool
}

const (
	chunkSize  = 256 << 10
	chunksLive = 4
)

func newSink(dir string, name func(int) string, gz bool, maxLines int) (*sink, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	s := &sink{
		dir: dir, name: name, gz: gz, maxLines: maxLines,
		work: make(chan chunk, chunksLive),
		free: make(chan []byte, chunksLive),
		done: make(chan struct{}),
	}
	for i := 0; i < chunksLive; i++ {
		s.free <- make([]byte, 0, chunkSize+4096)
	}
	go s.writeLoop()
	return s, nil
}

func partName(ext string) func(int) string {
	return func(i int) string { return fmt.Sprintf("part-%05d%s", i, ext) }
}

func fixedName(n string) func(int) string { return func(int) string { return n } }

// line appends one line (without its newline).
func (s *sink) line(b []byte) {
	if s.maxLines > 0 && s.partLines == s.maxLines {
		s.send(true)
		s.part++
		s.partLines = 0
	}
	if s.buf == nil {
		s.buf = <-s.free
	}
	s.buf = append(s.buf, b...)
	s.buf = append(s.buf, '\n')
	s.partLines++
	s.lines++
	if len(s.buf) >= chunkSize {
		s.send(false)
	}
}

func (s *sink) send(end bool) {
	s.work <- chunk{data: s.buf, part: s.part, end: end}
	s.buf = nil
}

// failed reports a write error early, without waiting for close.
func (s *sink) failed() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// close finishes the last part (an empty feed still gets one empty part)
// and returns the final paths. With abort, temporary files are removed and
// nothing is renamed.
func (s *sink) close(abort bool) ([]string, error) {
	if abort {
		s.work <- chunk{abort: true}
	} else if s.partLines > 0 || s.lines == 0 {
		s.send(true)
	}
	close(s.work)
	<-s.done
	return s.files, s.err
}

func (s *sink) writeLoop() {
	defer close(s.done)
	var pf *partFile
	for c := range s.work {
		switch {
		case c.abort:
			if pf != nil {
				pf.discard()
				pf = nil
			}
		case s.err != nil: // drain without writing
		default:
			if pf == nil {
				pf, s.err = createPart(filepath.Join(s.dir, s.name(c.part)), s.gz)
			}
			if s.err == nil && len(c.data) > 0 {
				_, s.err = pf.w.Write(c.data)
			}
			if s.err == nil && c.end {
				s.err = pf.commit()
				if s.err == nil {
					s.files = append(s.files, pf.final)
				}
				pf = nil
			}
			if s.err != nil && pf != nil {
				pf.discard()
				pf = nil
			}
		}
		if c.data != nil {
			s.free <- c.data[:0]
		}
	}
	if pf != nil { // closed without a final chunk: never publish a partial file
		pf.discard()
	}
}

// partFile is one output file being written under its temporary name.
type partFile struct {
	final, tmp string
	f          *os.File
	bw         *bufio.Writer
	zw         *gzip.Writer
	w          io.Writer
}

func createPart(final string, gz bool) (*partFile, error) {
	tmp := filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", tmp, err)
	}
	pf := &partFile{final: final, tmp: tmp, f: f, bw: bufio.NewWriterSize(f, 1<<20)}
	pf.w = pf.bw
	if gz {
		// BestSpeed: the feed is benchmark input and should be quick to make.
		// The zero header (no name, no ModTime) keeps the bytes reproducible.
		pf.zw, _ = gzip.NewWriterLevel(pf.bw, gzip.BestSpeed)
		pf.w = pf.zw
	}
	return pf, nil
}

func (pf *partFile) commit() error {
	var errs []error
	if pf.zw != nil {
		errs = append(errs, pf.zw.Close())
	}
	errs = append(errs, pf.bw.Flush(), pf.f.Sync(), pf.f.Close())
	if err := errors.Join(errs...); err != nil {
		os.Remove(pf.tmp)
		return fmt.Errorf("write %s: %w", pf.final, err)
	}
	if err := os.Rename(pf.tmp, pf.final); err != nil {
		os.Remove(pf.tmp)
		return fmt.Errorf("publish %s: %w", pf.final, err)
	}
	return nil
}

func (pf *partFile) discard() {
	pf.f.Close()
	os.Remove(pf.tmp)
}

// writeFileAtomic writes data to path through a synced temporary file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	_, werr := f.Write(data)
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("publish %s: %w", path, err)
	}
	return nil
}

// partition is one landing partition being (re)written: its marker is
// removed first so readers treat it as in progress, and written last.
type partition struct {
	dir string
}

func openPartition(dir string) (*partition, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	err := os.Remove(filepath.Join(dir, schemas.SuccessMarker))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reopen %s: %w", dir, err)
	}
	return &partition{dir: dir}, nil
}

// commit removes data files of an earlier run that this run did not write
// (a re-run with fewer parts must not leave stale ones) and writes _SUCCESS.
func (p *partition) commit(written []string) (string, error) {
	keep := map[string]bool{}
	for _, f := range written {
		keep[filepath.Base(f)] = true
	}
	ents, err := os.ReadDir(p.dir)
	if err != nil {
		return "", fmt.Errorf("list %s: %w", p.dir, err)
	}
	for _, e := range ents {
		n := e.Name()
		ours := strings.HasPrefix(n, "part-") || strings.HasSuffix(n, ".jsonl") ||
			strings.HasSuffix(n, ".jsonl.gz") || strings.HasSuffix(n, ".tmp")
		if e.Type().IsRegular() && ours && !keep[n] {
			if err := os.Remove(filepath.Join(p.dir, n)); err != nil {
				return "", fmt.Errorf("remove stale %s: %w", n, err)
			}
		}
	}
	marker := filepath.Join(p.dir, schemas.SuccessMarker)
	return marker, writeFileAtomic(marker, nil)
}
