package par

import (
	"sync/atomic"
	"testing"
)

// TestEachAndChunksCoverOnce: every index is handed out exactly once, for
// sizes around the number of workers and the serial threshold.
func TestEachAndChunksCoverOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 100, 1000, 4097} {
		seen := make([]atomic.Int32, n)
		Each(n, func(i int) { seen[i].Add(1) })
		Chunks(n, 64, func(lo, hi int) {
			if lo < 0 || hi > n || lo > hi {
				t.Errorf("n=%d: chunk [%d, %d)", n, lo, hi)
				return
			}
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		for i := range seen {
			if got := seen[i].Load(); got != 2 {
				t.Fatalf("n=%d: index %d handed out %d times by Each and Chunks together, want 2", n, i, got)
			}
		}
	}
}
