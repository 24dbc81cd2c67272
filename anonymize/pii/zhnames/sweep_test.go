package zhnames

import (
	"fmt"
	"testing"
)

func TestSweep(t *testing.T) {
	recs := readCLUENER(t)
	m := get()
	for _, nt := range []float32{5.3, 7, 9} {
		for _, mg := range []float32{0, 2, 4} {
			nameToken, margin = nt, mg
			var zl, zf, d, r int
			for _, l := range recs {
				spans := Append(nil, l.text)
				for _, n := range l.names {
					hit := false
					for _, s := range spans {
						hit = hit || s.Start < n[1] && n[0] < s.End
					}
					if chineseName(m, l.text[n[0]:n[1]]) {
						zl++
						if hit {
							zf++
						}
					}
				}
				for _, s := range spans {
					d++
					for _, n := range l.names {
						if s.Start < n[1] && n[0] < s.End {
							r++
							break
						}
					}
				}
			}
			fmt.Printf("nameToken %.1f margin %.1f: recall(a) %.3f precision %.3f\n", nt, mg, float64(zf)/float64(zl), float64(r)/float64(d))
		}
	}
}
