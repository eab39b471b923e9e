package report

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/report/browsertest"
)

// TestBrowser opens a rendered report in headless Chromium from file:// and
// checks that the map and every chart drew, with no script errors and no
// request leaving the page. It leaves report.html and a screenshot in
// $TMPDIR/commonground-report-test for a person to look at.
func TestBrowser(t *testing.T) {
	bin := browsertest.Chromium(t)
	d := wilmington(45)
	dir := filepath.Join(os.TempDir(), "commonground-report-test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, render(t, d), 0o644); err != nil {
		t.Fatal(err)
	}
	v, stderr := browsertest.Load(t, bin, page)

	if !v.Done {
		t.Error("self-check did not finish")
	}
	for _, f := range v.Faults() {
		t.Error(f)
	}
	for _, line := range strings.Split(string(stderr), "\n") {
		if strings.Contains(line, "Uncaught") || strings.Contains(line, ":CONSOLE(") {
			t.Errorf("browser log: %s", line)
		}
	}
	if v.Map.Canvases == 0 || v.Map.Tiles == 0 {
		t.Errorf("map drew no canvas tiles: %+v", v.Map)
	}
	// Tiles overlap at their edges, so a cell may be drawn more than once,
	// but every cell must have been drawn at least once at the fitted view.
	if v.Map.Cells != d.Cells.Len() || v.Map.CellsDrawn < d.Cells.Len() {
		t.Errorf("map drew %d cell squares for %d cells (page saw %d)", v.Map.CellsDrawn, d.Cells.Len(), v.Map.Cells)
	}
	if v.Map.Places != len(d.Places) || v.Map.Stops != len(d.Stops) || v.Map.Roads != len(d.Roads) {
		t.Errorf("map has %d places, %d stops, %d roads; want %d, %d, %d", v.Map.Places, v.Map.Stops, v.Map.Roads, len(d.Places), len(d.Stops), len(d.Roads))
	}
	// Every colouring was drawn (walk, drive and underserved once per kind
	// of place, underserved also for "any kind"), and both popups opened.
	if e := v.Exercised; e == nil {
		t.Error("page did not exercise its controls")
	} else {
		K := len(d.Categories)
		if want := K + K + (K + 1) + 4; e.Views != want {
			t.Errorf("exercised %d colourings, want %d", e.Views, want)
		}
		if !strings.Contains(e.Legend, "Walking time to the nearest: Library") || !strings.Contains(e.Legend, "no route found") {
			t.Errorf("legend after reset: %q", e.Legend)
		}
		for _, want := range []string{"Residents: ", "Type of area: ", "Library", "no route"} {
			if !strings.Contains(e.CellPopup, want) {
				t.Errorf("cell popup %q lacks %q", e.CellPopup, want)
			}
		}
		if !strings.Contains(e.PlacePopup, "Library 1") || !strings.Contains(e.PlacePopup, "node/1000") || !strings.Contains(e.PlacePopup, "Opening hours: Mo-Fr 09:00-17:00") {
			t.Errorf("place popup: %q", e.PlacePopup)
		}
	}
	wantCharts := []string{"chart-walk-bands", "chart-drive-bands", "chart-classes", "chart-areas"}
	if len(v.Charts) != len(wantCharts) {
		t.Fatalf("%d charts in page, want %d", len(v.Charts), len(wantCharts))
	}
	for i, c := range v.Charts {
		if c.ID != wantCharts[i] || !c.Rendered || c.Width < 300 {
			t.Errorf("chart %d: %+v, want %s rendered at least 300 px wide", i, c, wantCharts[i])
		}
	}

	shot := filepath.Join(dir, "report.png")
	_ = os.Remove(shot)
	browsertest.Run(t, bin, page, "--screenshot="+shot, "--window-size=1280,2400")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1280 || cfg.Height != 2400 {
		t.Fatalf("screenshot %s: %dx%d, %v", shot, cfg.Width, cfg.Height, err)
	}
	t.Logf("screenshot: %s", shot)
}

// TestBrowserSelfCheckCatchesFaults proves the self-check can fail: a page
// with a thrown error, a console error and a remote image must report all
// three, or TestBrowser's clean verdict would mean nothing.
func TestBrowserSelfCheckCatchesFaults(t *testing.T) {
	bin := browsertest.Chromium(t)
	good := render(t, wilmington(10))
	inject := `<script>console.error("fault-console"); setTimeout(function () { throw new Error("fault-thrown"); }, 10);</script>` +
		`<img alt="" src="https://example.invalid/fault.png">`
	bad := bytes.Replace(good, []byte(`<pre id="cg-selfcheck" hidden></pre>`), []byte(`<pre id="cg-selfcheck" hidden></pre>`+inject), 1)
	if bytes.Equal(bad, good) {
		t.Fatal("could not inject faults: self-check element not found")
	}
	page := filepath.Join(t.TempDir(), "bad.html")
	if err := os.WriteFile(page, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	v, _ := browsertest.Load(t, bin, page)
	joined := strings.Join(v.Errors, "\n")
	for _, want := range []string{"fault-console", "fault-thrown"} {
		if !strings.Contains(joined, want) {
			t.Errorf("self-check missed %q; errors: %q", want, v.Errors)
		}
	}
	if len(v.Violations) == 0 || !strings.Contains(strings.Join(v.Violations, " "), "example.invalid") {
		t.Errorf("self-check missed the blocked remote image; violations %q, requests %q", v.Violations, v.Requests)
	}
}
