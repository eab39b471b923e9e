package gtfs

import (
	"runtime"
	"testing"

	"commonground/internal/modfile"
)

// trimetRef is TriMet's Portland feed (6,759 stops, 1.85 M stop_times) that
// ships in transitland-lib's test data; only the file is read, the module is
// never imported.
const trimetRef = "gomod:github.com/interline-io/transitland-lib@v0.18.0/testdata/external/trimet.zip"

func trimetPath(tb testing.TB) string {
	tb.Helper()
	p, err := modfile.Resolve(trimetRef)
	if err != nil {
		tb.Fatalf("TriMet feed: %v", err)
	}
	return p
}

// BenchmarkReadTriMet reads the whole TriMet feed. It reports the live heap
// after the read (the Feed's own size) besides the allocations.
func BenchmarkReadTriMet(b *testing.B) {
	path := trimetPath(b)
	b.ReportAllocs()
	var f *Feed
	for b.Loop() {
		var err error
		if f, err = Read(path, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MiB-live")
	runtime.KeepAlive(f)
}

// BenchmarkProfileTriMet counts trips per hour in the default windows of
// TriMet's typical week.
func BenchmarkProfileTriMet(b *testing.B) {
	f, err := Read(trimetPath(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	w, _ := f.TypicalWeek()
	b.ReportAllocs()
	for b.Loop() {
		f.Profile(w, DefaultWindows())
	}
}
