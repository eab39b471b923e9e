package gtfs

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/datasets/*/*.zip")
	files = append(files, "/root/go/pkg/mod/github.com/interline-io/transitland-lib@v0.18.0/testdata/external/trimet.zip", "/root/go/pkg/mod/github.com/interline-io/transitland-lib@v0.18.0/testdata/external/mbta.zip", "/root/go/pkg/mod/github.com/interline-io/transitland-lib@v0.18.0/testdata/external/cdmx.zip", "/root/go/pkg/mod/github.com/interline-io/transitland-lib@v0.18.0/testdata/external/bart.zip")
	for _, p := range files {
		t0 := time.Now()
		f, err := Read(p, Options{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		took := time.Since(t0)
		a, b, ok := f.DateRange()
		fmt.Printf("== %s %v stops %d routes %d trips %d st %d svc %d freq %d range %v %v %v\n", filepath.Base(p), took, len(f.Stops), len(f.Routes), len(f.Trips), len(f.StopTimes), len(f.Services), len(f.Frequencies), a, b, ok)
		for _, g := range f.ProblemGroups(1) {
			fmt.Printf("   %d × %s %s: %s  %v\n", g.Count, g.Severity, g.File, g.Message, g.Examples)
		}
		t0 = time.Now()
		w, _ := f.TypicalWeek()
		pr := f.Profile(w, DefaultWindows())
		fmt.Printf("   typical week %v (%v) warn %v\n", w[0], time.Since(t0), pr.Warnings)
		for _, wp := range pr.Windows {
			fmt.Printf("   %s: %.1f trips/h; top stops:", wp.Window.Name, wp.Trips)
			for _, r := range Top(wp.Stops, 3) {
				fmt.Printf(" %s %.1f;", f.Stops[r.Index].Name, r.PerHour)
			}
			fmt.Println()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Println("   heap", ms.HeapAlloc>>20, "MiB")
	}
}
