package outlier

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkSize is how many points a worker takes at a time; cancellation is
// checked between chunks.
const chunkSize = 512

// workers resolves a Workers parameter: 0 or less means GOMAXPROCS.
func workers(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// parallelChunks calls fn(lo, hi) over [0, n) in chunks, on w goroutines.
// Every chunk writes only its own slots, so results do not depend on w.
// newState gives each goroutine its scratch space.
func parallelChunks[S any](ctx context.Context, n, w int, newState func() S, fn func(s S, lo, hi int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	nw := min(workers(w), max(1, (n+chunkSize-1)/chunkSize))
	for range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newState()
			for ctx.Err() == nil {
				lo := int(next.Add(chunkSize)) - chunkSize
				if lo >= n {
					return
				}
				fn(s, lo, min(lo+chunkSize, n))
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("outlier: %w", err)
	}
	return nil
}

// checkMatrix rejects shapes and values the algorithms cannot take; the
// error names the position, never the value.
func checkMatrix(m Matrix) error {
	if m.Rows < 1 || m.Cols < 1 {
		return fmt.Errorf("outlier: empty matrix (%d×%d)", m.Rows, m.Cols)
	}
	if len(m.Data) != m.Rows*m.Cols {
		return fmt.Errorf("outlier: matrix data has %d values, want %d×%d", len(m.Data), m.Rows, m.Cols)
	}
	for i, v := range m.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("outlier: row %d column %d is not finite", i/m.Cols, i%m.Cols)
		}
	}
	return nil
}
