// Package par runs independent pieces of work on all processors. Every
// caller writes only the result slots of the pieces it is given, so results
// do not depend on how the work was scheduled.
package par

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Each calls fn(0) to fn(n-1) on as many goroutines as there are
// processors, each taking the next index as it finishes one (pieces of
// uneven size balance themselves), and returns when all are done.
func Each(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Chunks splits [0, n) into one contiguous range per processor and calls
// fn(lo, hi) for each on its own goroutine; below serialBelow items (where
// starting goroutines costs more than it saves) it calls fn(0, n) alone.
func Chunks(n, serialBelow int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < serialBelow || workers == 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(n, lo+chunk))
	}
	wg.Wait()
}
