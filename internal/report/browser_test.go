package report

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"commonground/internal/report/browsertest"
)

// sizes are the windows every browser test runs at: a laptop and a phone.
var sizes = []struct {
	name string
	w, h int
}{{"desktop", 1440, 900}, {"phone", 390, 844}}

// Each Chromium start costs several CPU-seconds before a page does
// anything, so the tests here share loads: the full report is loaded once
// at each size for TestBrowser, TestAccessibility and TestPrint, and one
// page carrying every injected fault once for the two tests that prove the
// checks can fail. Each test still holds the load to all it checked
// before.

// shared is one page load that several tests read.
type shared struct {
	once sync.Once
	p    browsertest.Loaded
	err  error
}

func (s *shared) get(t *testing.T, load func() (browsertest.Loaded, error)) browsertest.Loaded {
	t.Helper()
	s.once.Do(func() { s.p, s.err = load() })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.p
}

// reportDir is where the full report, and the screenshot and PDF of its
// desktop load, are copied for a person to look at.
var reportDir = filepath.Join(os.TempDir(), "commonground-report-test")

// full is the full fixture report (wilmingtonFull(45)), rendered once into
// a folder of this process (work: another test process may load its own
// copy at the same time), and its load at each of sizes.
var full struct {
	once       sync.Once
	d          *Data
	work, page string
	err        error
	loads      [2]shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if full.work != "" {
		os.RemoveAll(full.work)
	}
	os.Exit(code)
}

// fullFile is a file the full report's desktop load wrote: report.png (a
// screenshot of its window) or report.pdf (the page printed).
func fullFile(name string) string { return filepath.Join(full.work, name) }

// fullLoad returns the full fixture and its load at sizes[i]: the page's
// self-check verdict and axe-core's violations, from one Chromium run per
// size. The desktop load also writes report.png and report.pdf (fullFile),
// and copies them and report.html to reportDir.
func fullLoad(t *testing.T, bin string, i int) (*Data, browsertest.Loaded) {
	t.Helper()
	full.once.Do(func() {
		full.d = wilmingtonFull(45)
		var buf bytes.Buffer
		if err := Render(&buf, full.d); err != nil {
			full.err = fmt.Errorf("Render: %v (run internal/report/web/fetch-assets.sh if assets are missing)", err)
			return
		}
		if full.work, full.err = os.MkdirTemp("", "cg-report-browser-*"); full.err != nil {
			return
		}
		full.page = filepath.Join(full.work, "report.html")
		full.err = os.WriteFile(full.page, buf.Bytes(), 0o644)
	})
	if full.err != nil {
		t.Fatal(full.err)
	}
	axe, err := filepath.Abs("web/node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	v := browsertest.Visit{W: sizes[i].w, H: sizes[i].h, Axe: axe}
	desktop := sizes[i].name == "desktop"
	if desktop {
		v.Screenshot, v.PDF = fullFile("report.png"), fullFile("report.pdf")
	}
	p := full.loads[i].get(t, func() (browsertest.Loaded, error) {
		p, err := browsertest.Open(bin, full.page, v)
		if err != nil || !desktop {
			return p, err
		}
		if err := os.MkdirAll(reportDir, 0o755); err != nil {
			return p, err
		}
		for _, f := range []string{full.page, v.Screenshot, v.PDF} {
			b, err := os.ReadFile(f)
			if err == nil {
				err = os.WriteFile(filepath.Join(reportDir, filepath.Base(f)), b, 0o644)
			}
			if err != nil {
				return p, err
			}
		}
		return p, nil
	})
	return full.d, p
}

// TestBrowser opens a rendered report in headless Chromium from file://, at
// laptop and phone widths, and checks that the map and every chart drew,
// with no script errors and no request leaving the page; that no control is
// wider than the window; that a real click at a feature of every clickable
// layer (places of each kind, transit stops, proposed sites, scenario
// markers, cells) opens its popup; that no two layers share a colour; and
// that the contents menu links every section. It leaves report.html and a
// screenshot of the laptop window in $TMPDIR/commonground-report-test for a
// person to look at.
func TestBrowser(t *testing.T) {
	bin := browsertest.Chromium(t)
	for i, size := range sizes {
		t.Run(size.name, func(t *testing.T) {
			d, p := fullLoad(t, bin, i)
			checkVerdict(t, d, p.Verdict, p.Stderr, size.w)
		})
	}

	fullLoad(t, bin, 0)
	shot := fullFile("report.png")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != sizes[0].w || cfg.Height != sizes[0].h {
		t.Fatalf("screenshot %s: %dx%d, %v; want %dx%d", shot, cfg.Width, cfg.Height, err, sizes[0].w, sizes[0].h)
	}
	t.Logf("screenshot: %s", filepath.Join(reportDir, "report.png"))
}

// checkVerdict holds a page's self-check to what the data d must show.
func checkVerdict(t *testing.T, d *Data, v browsertest.Verdict, stderr []byte, width int) {
	t.Helper()
	if !v.Done {
		t.Error("self-check did not finish")
	}
	for _, f := range v.Faults() {
		t.Error(f)
	}
	for _, f := range v.Layout() {
		t.Error(f)
	}
	for _, line := range browsertest.ConsoleLines(stderr) {
		t.Errorf("browser log: %s", line)
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
	e := v.Exercised
	if e == nil {
		t.Fatal("page did not exercise its controls")
	}
	if e.Width != width {
		t.Errorf("window %d px wide, want %d", e.Width, width)
	}
	// Every colouring was drawn (walk, drive, underserved and, with a
	// scenario, change once per kind of place; underserved also for "any
	// kind"), and both popups opened.
	K := len(d.Categories)
	want := K + K + (K + 1) + 4
	if d.Scenario != nil {
		want += K
	}
	if e.Views != want {
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
	for _, bad := range []string{"NaN", "undefined"} {
		if strings.Contains(e.CellPopup, bad) {
			t.Errorf("cell popup %q shows %q", e.CellPopup, bad)
		}
	}
	if !strings.Contains(e.PlacePopup, "Library 1") || !strings.Contains(e.PlacePopup, "node/1000") || !strings.Contains(e.PlacePopup, "Opening hours: Mo-Fr 09:00-17:00") {
		t.Errorf("place popup: %q", e.PlacePopup)
	}
	// Every clickable layer was clicked: one per kind of place, stops,
	// sites, cells and each scenario marker.
	wantClicks := 0
	for _, c := range d.Categories {
		if !c.Composite {
			wantClicks++
		}
	}
	if len(d.Stops) > 0 {
		wantClicks++
	}
	if d.Invest != nil && len(d.Invest.Sites) > 0 {
		wantClicks++
	}
	wantClicks++ // cells
	if d.Scenario != nil {
		wantClicks += len(d.Scenario.Opened) + len(d.Scenario.Closed)
	}
	if len(e.Clicks.Tried) != wantClicks {
		t.Errorf("clicked %d layers %q, want %d", len(e.Clicks.Tried), e.Clicks.Tried, wantClicks)
	}
	cs, err := pageCharts(d)
	if err != nil {
		t.Fatal(err)
	}
	var wantCharts []string
	for _, c := range cs {
		wantCharts = append(wantCharts, c.ID)
	}
	if len(v.Charts) != len(wantCharts) {
		t.Fatalf("%d charts in page, want %d", len(v.Charts), len(wantCharts))
	}
	for i, c := range v.Charts {
		if c.ID != wantCharts[i] || !c.Rendered || c.Width < 300 {
			t.Errorf("chart %d: %+v, want %s rendered at least 300 px wide", i, c, wantCharts[i])
		}
	}
}

// faults is one page carrying every fault the two fault tests inject,
// loaded once at the phone size (the layout faults need a narrow window;
// the script errors and the remote image show at any size).
var faults shared

// faultLoad renders the full fixture with two layers sharing a colour and
// injects the faults: a control wider than the phone, a section left out
// of the contents, a layer over the map's canvases that swallows every
// click (as a canvas of its own over the places once did), a thrown error,
// a console error and a remote image.
func faultLoad(t *testing.T, bin string) browsertest.Loaded {
	t.Helper()
	return faults.get(t, func() (browsertest.Loaded, error) {
		d := wilmingtonFull(20)
		d.Categories[1].Color = d.Categories[0].Color
		var buf bytes.Buffer
		if err := Render(&buf, d); err != nil {
			return browsertest.Loaded{}, fmt.Errorf("Render: %v", err)
		}
		good := buf.String()
		bad := strings.Replace(good, `<section id="data">`, `<section id="extra"><h2>Extra</h2><select style="width:900px"><option>wide</option></select></section><section id="data">`, 1)
		bad = strings.Replace(bad, `</head>`, `<style>#map::after { content: ""; position: absolute; inset: 0; z-index: 2000; }</style></head>`, 1)
		if bad == good {
			return browsertest.Loaded{}, fmt.Errorf("could not inject layout faults")
		}
		inject := `<script>console.error("fault-console"); setTimeout(function () { throw new Error("fault-thrown"); }, 10);</script>` +
			`<img alt="" src="https://example.invalid/fault.png">`
		withScript := strings.Replace(bad, `<pre id="cg-selfcheck" hidden></pre>`, `<pre id="cg-selfcheck" hidden></pre>`+inject, 1)
		if withScript == bad {
			return browsertest.Loaded{}, fmt.Errorf("could not inject faults: self-check element not found")
		}
		dir, err := os.MkdirTemp("", "cg-report-faults-*")
		if err != nil {
			return browsertest.Loaded{}, err
		}
		defer os.RemoveAll(dir)
		page := filepath.Join(dir, "bad.html")
		if err := os.WriteFile(page, []byte(withScript), 0o644); err != nil {
			return browsertest.Loaded{}, err
		}
		return browsertest.Open(bin, page, browsertest.Visit{W: sizes[1].w, H: sizes[1].h})
	})
}

// TestBrowserLayoutCatchesFaults proves the layout checks can fail: a
// control wider than the phone, a section left out of the contents, two
// layers sharing a colour and a stop whose popup is hidden under another
// canvas must each be reported.
func TestBrowserLayoutCatchesFaults(t *testing.T) {
	bin := browsertest.Chromium(t)
	v := faultLoad(t, bin).Verdict
	got := strings.Join(v.Layout(), "\n")
	for _, want := range []string{"wider than the window: select", "page scrolls sideways", "missing from the contents menu: #extra", "layers share colour", "opened no popup"} {
		if !strings.Contains(got, want) {
			t.Errorf("layout check missed %q; got:\n%s", want, got)
		}
	}
}

// TestAccessibility runs axe-core, from npm, on the rendered report at both
// widths (in TestBrowser's loads): no serious or critical violation may
// remain.
func TestAccessibility(t *testing.T) {
	bin := browsertest.Chromium(t)
	for i, size := range sizes {
		t.Run(size.name, func(t *testing.T) {
			_, p := fullLoad(t, bin, i)
			for _, v := range p.Axe {
				msg := fmt.Sprintf("axe %s (%s): %s; %d element(s), first %s", v.ID, v.Impact, v.Help, v.Nodes, v.Target)
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Error(msg)
				} else {
					t.Log(msg)
				}
			}
		})
	}
}

// TestBrowserSelfCheckCatchesFaults proves the self-check can fail: a page
// with a thrown error, a console error and a remote image must report all
// three, or TestBrowser's clean verdict would mean nothing.
func TestBrowserSelfCheckCatchesFaults(t *testing.T) {
	bin := browsertest.Chromium(t)
	v := faultLoad(t, bin).Verdict
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

// pdfPage matches one page object of a PDF that Chromium writes.
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestPrint prints the report to PDF with headless Chromium (in
// TestBrowser's desktop load): it must fit in a few pages (the interactive
// parts, charts and long tables stay off paper).
func TestPrint(t *testing.T) {
	bin := browsertest.Chromium(t)
	fullLoad(t, bin, 0)
	pdf := fullFile("report.pdf")
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatalf("no PDF: %v", err)
	}
	n := len(pdfPage.FindAll(b, -1))
	if n == 0 || n > 8 {
		t.Errorf("report prints on %d pages, want 1 to 8", n)
	}
	t.Logf("%d pages", n)
}

// TestConsoleLinesCaught: a page that logs and throws shows both in the
// lines checkVerdict fails on, so that check can fail.
func TestConsoleLinesCaught(t *testing.T) {
	bin := browsertest.Chromium(t)
	page := filepath.Join(t.TempDir(), "throws.html")
	src := `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>throws</title></head><body>
<pre id="cg-selfcheck">{}</pre><script>console.log("cg-console-probe"); throw new Error("cg-boom");</script></body></html>`
	if err := os.WriteFile(page, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := browsertest.Open(bin, page, browsertest.Visit{W: 800, H: 600})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(browsertest.ConsoleLines(p.Stderr), "\n")
	if !strings.Contains(lines, "cg-console-probe") || !strings.Contains(lines, "Uncaught Error: cg-boom") {
		t.Errorf("the console lines of a page that logs and throws are %q", lines)
	}
}
