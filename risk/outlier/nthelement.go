package outlier

import "math/bits"

// This file reproduces libstdc++'s std::nth_element (gcc 12, the one
// scikit-learn's _partition_nodes is compiled with) step for step. The
// comparator is a strict total order (split value, then point index), so the
// set left of nth is fixed whatever the algorithm; what only this emulation
// gives is the ORDER inside each side, which becomes the order of points in
// the tree's leaves and so decides which of equally distant points enters a
// k-NN heap first.

// idxLess orders point indices by their value on one dimension, then by
// index, as sklearn's IndexComparator does.
type idxLess struct {
	data []float64
	d    int
	dim  int
}

func (c idxLess) less(a, b int) bool {
	va, vb := c.data[a*c.d+c.dim], c.data[b*c.d+c.dim]
	if va == vb {
		return a < b
	}
	return va < vb
}

// nthElement is std::nth_element(s, s+nth, s+len(s), c).
func nthElement(s []int, nth int, c idxLess) {
	n := len(s)
	if n == 0 || nth == n {
		return
	}
	introselect(s, 0, nth, n, 2*(bits.Len(uint(n))-1), c)
}

func introselect(s []int, first, nth, last, depth int, c idxLess) {
	for last-first > 3 {
		if depth == 0 {
			heapSelect(s, first, nth+1, last, c)
			s[first], s[nth] = s[nth], s[first]
			return
		}
		depth--
		cut := partitionPivot(s, first, last, c)
		if cut <= nth {
			first = cut
		} else {
			last = cut
		}
	}
	insertionSort(s, first, last, c)
}

func partitionPivot(s []int, first, last int, c idxLess) int {
	mid := first + (last-first)/2
	moveMedianToFirst(s, first, first+1, mid, last-1, c)
	return unguardedPartition(s, first+1, last, first, c)
}

func moveMedianToFirst(s []int, result, a, b, cc int, c idxLess) {
	var m int
	switch {
	case c.less(s[a], s[b]):
		switch {
		case c.less(s[b], s[cc]):
			m = b
		case c.less(s[a], s[cc]):
			m = cc
		default:
			m = a
		}
	case c.less(s[a], s[cc]):
		m = a
	case c.less(s[b], s[cc]):
		m = cc
	default:
		m = b
	}
	s[result], s[m] = s[m], s[result]
}

func unguardedPartition(s []int, first, last, pivot int, c idxLess) int {
	for {
		for c.less(s[first], s[pivot]) {
			first++
		}
		last--
		for c.less(s[pivot], s[last]) {
			last--
		}
		if first >= last {
			return first
		}
		s[first], s[last] = s[last], s[first]
		first++
	}
}

func insertionSort(s []int, first, last int, c idxLess) {
	if first == last {
		return
	}
	for i := first + 1; i < last; i++ {
		v := s[i]
		if c.less(v, s[first]) {
			copy(s[first+1:i+1], s[first:i])
			s[first] = v
			continue
		}
		j := i
		for c.less(v, s[j-1]) {
			s[j] = s[j-1]
			j--
		}
		s[j] = v
	}
}

// heapSelect is std::__heap_select(first, middle, last).
func heapSelect(s []int, first, middle, last int, c idxLess) {
	makeHeap(s, first, middle, c)
	for i := middle; i < last; i++ {
		if c.less(s[i], s[first]) {
			v := s[i]
			s[i] = s[first]
			adjustHeap(s, first, 0, middle-first, v, c)
		}
	}
}

func makeHeap(s []int, first, last int, c idxLess) {
	n := last - first
	if n < 2 {
		return
	}
	for parent := (n - 2) / 2; ; parent-- {
		adjustHeap(s, first, parent, n, s[first+parent], c)
		if parent == 0 {
			return
		}
	}
}

func adjustHeap(s []int, first, hole, n, v int, c idxLess) {
	top := hole
	second := hole
	for second < (n-1)/2 {
		second = 2 * (second + 1)
		if c.less(s[first+second], s[first+second-1]) {
			second--
		}
		s[first+hole] = s[first+second]
		hole = second
	}
	if n&1 == 0 && second == (n-2)/2 {
		second = 2 * (second + 1)
		s[first+hole] = s[first+second-1]
		hole = second - 1
	}
	// __push_heap
	parent := (hole - 1) / 2
	for hole > top && c.less(s[first+parent], v) {
		s[first+hole] = s[first+parent]
		hole = parent
		parent = (hole - 1) / 2
	}
	s[first+hole] = v
}
