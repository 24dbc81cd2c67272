package ingest

import (
	"bytes"
	"io"
)

const (
	// maxLine bounds one record; a longer line is quarantined, not read
	// into memory.
	maxLine = 1 << 20
	// lineBuf is the line reader's initial buffer; it grows for long
	// lines up to a little more than maxLine.
	lineBuf = 256 << 10
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// lineReader splits a JSON Lines stream into physical lines. A line ends
// at "\n", "\r\n" or a bare "\r" (files written on old Macs and by some
// exporters), so that records are never merged; a UTF-8 byte-order mark
// at the start of the stream is dropped, since Excel and Windows tools
// write one. Lines are numbered as a text editor numbers them, blank ones
// included, so that a quarantine row points at the physical line.
type lineReader struct {
	r          io.Reader
	buf        []byte
	start, end int   // unread bytes are buf[start:end]
	err        error // the reader's error once it has returned one (io.EOF at the end)
	no         int64 // the number of the line next returned last
	started    bool  // the BOM check is done
	afterCR    bool  // the last line ended with "\r": a "\n" next belongs to it
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, lineBuf)}
}

// next returns the next line without its end, or ok false at the end of
// the stream or on a read error (l.err; a partial line before an error is
// not returned). A line longer than maxLine is skipped to its end and
// returned as tooLong, without its text. text is valid until the next call.
func (l *lineReader) next() (text []byte, tooLong, ok bool) {
	if !l.started {
		for l.end-l.start < len(utf8BOM) && l.err == nil {
			l.fill()
		}
		if bytes.HasPrefix(l.buf[l.start:l.end], utf8BOM) {
			l.start += len(utf8BOM)
		}
		l.started = true
	}
	scanned := 0 // bytes of buf[start:end] known to hold no line end
	for {
		if l.afterCR && l.start < l.end {
			if l.buf[l.start] == '\n' {
				l.start++
			}
			l.afterCR = false
		}
		if !l.afterCR {
			if i := indexEOL(l.buf[l.start+scanned : l.end]); i >= 0 {
				i += l.start + scanned
				text = l.buf[l.start:i]
				l.afterCR = l.buf[i] == '\r'
				l.start = i + 1
				l.no++
				if tooLong || len(text) > maxLine {
					return nil, true, true
				}
				return text, false, true
			}
			scanned = l.end - l.start
		}
		if l.err != nil {
			if l.err != io.EOF || l.end == l.start && !tooLong {
				return nil, false, false
			}
			// The last line has no line end.
			text = l.buf[l.start:l.end]
			l.start = l.end
			l.no++
			if tooLong || len(text) > maxLine {
				return nil, true, true
			}
			return text, false, true
		}
		if scanned > maxLine {
			// Too long: drop what is buffered and look for its end.
			tooLong, l.start, l.end, scanned = true, 0, 0, 0
		}
		l.fill()
	}
}

// fill reads more input after what is buffered, making room first.
func (l *lineReader) fill() {
	if l.start > 0 && l.end == len(l.buf) || l.start == l.end {
		n := copy(l.buf, l.buf[l.start:l.end])
		l.start, l.end = 0, n
	}
	if l.end == len(l.buf) {
		grown := make([]byte, min(2*len(l.buf), maxLine+lineBuf))
		copy(grown, l.buf[:l.end])
		l.buf = grown
	}
	n, err := l.r.Read(l.buf[l.end:])
	l.end += n
	if err != nil {
		l.err = err
	}
}

// indexEOL returns the index of the first "\n" or "\r" in b, or -1. Two
// passes of IndexByte (the second only over the line) beat a byte loop.
func indexEOL(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	head := b
	if i >= 0 {
		head = b[:i]
	}
	if j := bytes.IndexByte(head, '\r'); j >= 0 {
		return j
	}
	return i
}

// blank reports whether a line holds only spaces and tabs: it is skipped,
// not counted as a record.
func blank(text []byte) bool {
	for _, c := range text {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
