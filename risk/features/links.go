package features

// linkSet is one distinct-count relation (Links[l]): for each From entity,
// the To entities seen with it and when last. A From entity's nodes form a
// list ordered by last sight (touching a node moves it to the tail), so
// the nodes inside window w are a suffix of the list: ptr[w] is its first
// node and cnt[w] its length. As for counters, advancing only moves
// pointers forward, and nodes before the 30-day pointer are freed.
//
// When To is a user, fraud counts the list's nodes whose user carries a
// fraud label (each such node is marked counted, so freeing it undoes
// exactly what was done): device_fraud_accounts_30d and its kin.
type linkSet struct {
	nodes []lnode
	free  []int32
	index map[uint64]int32 // from<<32 | to
	heads []lhead          // by From entity
}

type lnode struct {
	to         uint32
	from       uint32
	last       int64
	prev, next int32
	fraud      bool
}

type lhead struct {
	head, tail int32
	ptr        [NWindows]int32
	cnt        [NWindows]int32
	fraud      int32
}

var emptyHead = lhead{head: -1, tail: -1, ptr: [NWindows]int32{-1, -1, -1, -1}}

func newLinkSet() *linkSet { return &linkSet{index: make(map[uint64]int32)} }

func (s *linkSet) grow(from uint32) *lhead {
	for int(from) >= len(s.heads) {
		s.heads = append(s.heads, emptyHead)
	}
	return &s.heads[from]
}

// advance drops from each window of from the nodes last seen before t-W,
// and frees those outside 30 days. labelled says whether a user is
// labelled, for the fraud count.
func (s *linkSet) advance(from uint32, t int64) {
	if int(from) >= len(s.heads) {
		return
	}
	h := &s.heads[from]
	for w := range NWindows {
		thr := t - WindowMS[w]
		p := h.ptr[w]
		for p != -1 && s.nodes[p].last < thr {
			h.cnt[w]--
			p = s.nodes[p].next
		}
		h.ptr[w] = p
	}
	for h.head != -1 && h.head != h.ptr[W30d] {
		s.release(h, h.head)
	}
}

// release unlinks and frees node n, the head of h's list.
func (s *linkSet) release(h *lhead, n int32) {
	nd := &s.nodes[n]
	h.head = nd.next
	if h.head == -1 {
		h.tail = -1
	} else {
		s.nodes[h.head].prev = -1
	}
	if nd.fraud {
		h.fraud--
	}
	delete(s.index, uint64(nd.from)<<32|uint64(nd.to))
	*nd = lnode{}
	s.free = append(s.free, n)
}

// touch records that from was seen with to at t; the caller advanced from
// to t first. fraud says whether to is a labelled user.
func (s *linkSet) touch(from, to uint32, t int64, fraud bool) {
	h := s.grow(from)
	key := uint64(from)<<32 | uint64(to)
	n, ok := s.index[key]
	if !ok {
		n = s.alloc(lnode{to: to, from: from, last: t, prev: -1, next: -1})
		s.index[key] = n
		s.append(h, n)
		for w := range NWindows {
			h.cnt[w]++
			if h.ptr[w] == -1 {
				h.ptr[w] = n
			}
		}
	} else {
		nd := &s.nodes[n]
		for w := range NWindows {
			if nd.last < t-WindowMS[w] {
				h.cnt[w]++ // back inside the window
			}
			if h.ptr[w] == n {
				h.ptr[w] = nd.next
			}
		}
		if h.tail != n {
			s.unlink(h, n)
			s.append(h, n)
		}
		s.nodes[n].last = t
		for w := range NWindows {
			if h.ptr[w] == -1 {
				h.ptr[w] = n
			}
		}
	}
	if fraud {
		s.markFraud(h, n)
	}
}

func (s *linkSet) markFraud(h *lhead, n int32) {
	if !s.nodes[n].fraud {
		s.nodes[n].fraud = true
		h.fraud++
	}
}

// labelled marks the node (from, to), if it exists, as a labelled user's.
func (s *linkSet) labelled(from, to uint32) {
	if n, ok := s.index[uint64(from)<<32|uint64(to)]; ok {
		s.markFraud(&s.heads[from], n)
	}
}

// node returns the node of (from, to) if it exists.
func (s *linkSet) node(from, to uint32) (*lnode, bool) {
	n, ok := s.index[uint64(from)<<32|uint64(to)]
	if !ok {
		return nil, false
	}
	return &s.nodes[n], true
}

func (s *linkSet) alloc(nd lnode) int32 {
	if k := len(s.free); k > 0 {
		n := s.free[k-1]
		s.free = s.free[:k-1]
		s.nodes[n] = nd
		return n
	}
	s.nodes = append(s.nodes, nd)
	return int32(len(s.nodes) - 1)
}

func (s *linkSet) append(h *lhead, n int32) {
	s.nodes[n].prev, s.nodes[n].next = h.tail, -1
	if h.tail == -1 {
		h.head = n
	} else {
		s.nodes[h.tail].next = n
	}
	h.tail = n
}

func (s *linkSet) unlink(h *lhead, n int32) {
	nd := &s.nodes[n]
	if nd.prev == -1 {
		h.head = nd.next
	} else {
		s.nodes[nd.prev].next = nd.next
	}
	if nd.next == -1 {
		h.tail = nd.prev
	} else {
		s.nodes[nd.next].prev = nd.prev
	}
}

// count returns the window counts of from (zero when never seen).
func (s *linkSet) count(from uint32, w Window) int32 {
	if int(from) >= len(s.heads) {
		return 0
	}
	return s.heads[from].cnt[w]
}

// fraudCount returns from's labelled accounts (zero when never seen).
func (s *linkSet) fraudCount(from uint32) int32 {
	if int(from) >= len(s.heads) {
		return 0
	}
	return s.heads[from].fraud
}

// each calls fn for from's nodes in list order (oldest sight first).
func (s *linkSet) each(from uint32, fn func(to uint32, last int64)) {
	if int(from) >= len(s.heads) {
		return
	}
	for n := s.heads[from].head; n != -1; n = s.nodes[n].next {
		fn(s.nodes[n].to, s.nodes[n].last)
	}
}

// reset recounts from's windows from scratch after a load: every node
// counts in every window until the next advance.
func (s *linkSet) reset(from uint32) {
	h := s.grow(from)
	var n int32
	for x := h.head; x != -1; x = s.nodes[x].next {
		n++
	}
	for w := range NWindows {
		h.ptr[w], h.cnt[w] = h.head, n
	}
}
