package zhnames

import "testing"

func benchTexts(b *testing.B, texts []string) {
	n := 0
	for _, t := range texts {
		n += len(t)
	}
	Append(nil, texts[0]) // load the tables outside the timing
	var dst []Span
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, t := range texts {
			dst = Append(dst[:0], t)
		}
	}
}

// BenchmarkAppend reports MB/s on CLUENER's news text and on JD's chat
// lines, and skips each when the real data is absent.
func BenchmarkAppend(b *testing.B) {
	b.Run("cluener", func(b *testing.B) {
		var texts []string
		for _, l := range readCLUENER(b) {
			texts = append(texts, l.text)
		}
		benchTexts(b, texts)
	})
	b.Run("jddc", func(b *testing.B) {
		benchTexts(b, readJDDC(b))
	})
}
