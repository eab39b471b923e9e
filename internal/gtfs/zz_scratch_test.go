package gtfs

import (
	"fmt"
	"path/filepath"
	"testing"
)

func TestScratch(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/datasets/*/*.zip")
	for _, p := range files {
		f, err := Read(p, Options{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		a, b, ok := f.DateRange()
		fmt.Printf("== %s stops %d routes %d trips %d st %d svc %d freq %d range %v %v %v rows %v\n", filepath.Base(p), len(f.Stops), len(f.Routes), len(f.Trips), len(f.StopTimes), len(f.Services), len(f.Frequencies), a, b, ok, f.Rows)
		for _, g := range f.ProblemGroups(2) {
			fmt.Printf("   %d × %s %s: %s  %v\n", g.Count, g.Severity, g.File, g.Message, g.Examples)
		}
	}
}
