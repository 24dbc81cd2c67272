package outlier

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNthElementMatchesLibstdcxx runs libstdc++'s own nth_element (built
// from testdata/nth_element_ref.cc with the local g++) on the same inputs
// and wants the same permutation, including the heap-select fallback,
// which real trees rarely reach.
func TestNthElementMatchesLibstdcxx(t *testing.T) {
	gxx, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("no g++ to build the libstdc++ reference")
	}
	bin := filepath.Join(t.TempDir(), "nthref")
	if out, err := exec.Command(gxx, "-O1", "-std=c++17", "-o", bin, "testdata/nth_element_ref.cc").CombinedOutput(); err != nil {
		t.Skipf("g++ cannot build the reference: %v\n%s", err, out)
	}
	type tc struct {
		vals       []float64
		nth, depth int
	}
	r := rand.New(rand.NewPCG(1, 2))
	var cases []tc
	for range 400 {
		n := 1 + r.IntN(120)
		levels := 1 + r.IntN(6) // few distinct values: ties everywhere
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(r.IntN(levels))
			if r.IntN(4) == 0 {
				v[i] = r.NormFloat64()
			}
		}
		depth := -1
		if r.IntN(2) == 0 {
			depth = r.IntN(3)
		}
		cases = append(cases, tc{v, r.IntN(n), depth})
	}
	var in strings.Builder
	fmt.Fprintln(&in, len(cases))
	for _, c := range cases {
		fmt.Fprintln(&in, len(c.vals), c.nth, c.depth)
		for _, x := range c.vals {
			in.WriteString(strconv.FormatFloat(x, 'g', -1, 64) + " ")
		}
		in.WriteString("\n")
	}
	cmd := exec.Command(bin)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for ci, c := range cases {
		if !sc.Scan() {
			t.Fatalf("reference stopped at case %d", ci)
		}
		n := len(c.vals)
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		cmp := idxLess{data: c.vals, d: 1}
		if c.depth < 0 {
			nthElement(s, c.nth, cmp)
		} else {
			introselect(s, 0, c.nth, n, c.depth, cmp)
		}
		want := strings.Fields(sc.Text())
		for i := range s {
			if strconv.Itoa(s[i]) != want[i] {
				t.Fatalf("case %d (n=%d nth=%d depth=%d): position %d is %d, libstdc++ %s", ci, n, c.nth, c.depth, i, s[i], want[i])
			}
		}
	}
}
