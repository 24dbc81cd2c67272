package zhnames

import (
	"fmt"
	"testing"
)

func TestDebugCosts(t *testing.T) {
	m := get()
	for _, s := range []string{"马上", "为", "您", "上", "马", "单", "号", "给", "安卓", "安", "卓", "官网", "官", "网", "后", "成"} {
		var w win
		w.fill(s, 0)
		c, ok := m.wordCost(&w, 0, w.n)
		fmt.Println(s, c, ok)
	}
	for _, r := range "上为卓号给网后马安官成单" {
		fmt.Printf("%c first %.1f second %.1f single %.1f sur %.1f\n", r, m.first[r-hanLo], m.second[r-hanLo], m.single[r-hanLo], m.surname[r-hanLo])
	}
}
