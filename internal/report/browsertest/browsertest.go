// Package browsertest opens a rendered report in headless Chromium and reads
// the verdict of the page's own self-check (script errors, blocked or made
// network requests, what the map and charts drew), for tests of the report
// package and of whole runs.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Verdict is what the page's self-check writes into #cg-selfcheck.
type Verdict struct {
	Done       bool
	Errors     []string
	Violations []string
	Requests   []string
	Map        struct {
		Canvases, Svgs, Tiles, CellsDrawn, Cells, Places, Roads, Stops int
	}
	Charts []struct {
		ID       string
		Rendered bool
		Width    int
	}
	Exercised *struct {
		Views                         int
		CellPopup, PlacePopup, Legend string
		// Clicks: the layers whose feature was clicked, and those whose
		// popup did not open.
		Clicks struct{ Tried, Failed []string }
		// Colors pairs each map layer with its colour.
		Colors [][2]string
		// TooWide names controls wider than the window; TocMissing the
		// sections the contents menu leaves out; Width is the window's.
		TooWide, TocMissing []string
		Width               int
		// HeadlineBottom is how far down the page the headline's big
		// number ends, Height the window's height, both in CSS pixels;
		// HeadlineBottom is -1 when the page has no headline.
		HeadlineBottom, Height int
		// PrintPixels counts the pixels of the main map's flattened print
		// image that are not the map's paper colour; -1 when none was made.
		PrintPixels int
	}
}

// Layout lists what breaks the page at its window size: controls wider than
// the window, a headline below the first screen, sections missing from the
// contents, layers whose popup a
// click cannot open, and layers sharing a colour. Empty without an
// exercised page.
func (v Verdict) Layout() []string {
	e := v.Exercised
	if e == nil {
		return nil
	}
	var out []string
	for _, w := range e.TooWide {
		out = append(out, "wider than the window: "+w)
	}
	for _, s := range e.TocMissing {
		out = append(out, "section missing from the contents menu: #"+s)
	}
	// The report leads with its answer: the headline ends within the
	// first screen, at a laptop's size and a phone's.
	if e.Height > 0 && e.HeadlineBottom > e.Height {
		out = append(out, fmt.Sprintf("the headline ends %d px down the page, below the first screen (%d px): what stands above it pushes the answer out of sight", e.HeadlineBottom, e.Height))
	}
	if e.PrintPixels <= 0 {
		out = append(out, fmt.Sprintf("the printed map shows nothing (%d pixels drawn)", e.PrintPixels))
	}
	for _, l := range e.Clicks.Failed {
		out = append(out, "a click at its feature opened no popup: "+l)
	}
	seen := map[string]string{}
	for _, c := range e.Colors {
		k := strings.ToLower(c[1])
		if prev, ok := seen[k]; ok {
			out = append(out, "layers share colour "+c[1]+": "+prev+" and "+c[0])
		}
		seen[k] = c[0]
	}
	return out
}

// Faults lists what went wrong on the page: script errors, requests the
// page's content policy blocked, and requests that left the page. A clean
// offline report has none.
func (v Verdict) Faults() []string {
	var out []string
	for _, e := range v.Errors {
		out = append(out, "script error: "+e)
	}
	for _, e := range v.Violations {
		out = append(out, "blocked request: "+e)
	}
	for _, e := range v.Requests {
		out = append(out, "network request: "+e)
	}
	return out
}

// Chromium returns the headless browser to test with. The test fails, not
// skips, without one: a page never opened in a browser is not tested.
func Chromium(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("headless browser test skipped in -short mode")
	}
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no headless Chromium found (install Debian package chromium, or set CHROMIUM)")
	return ""
}

// run opens page (with #cg-selftest) in one headless Chromium process, in
// a fresh profile folder removed when it ends, with networking services
// off, and returns stdout and stderr.
func run(bin string, page string, extra ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	profile, err := os.MkdirTemp("", "cg-chromium-*")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(profile)
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + profile,
		// The page's console messages and uncaught errors on stderr, for
		// ConsoleLines.
		"--enable-logging=stderr", "--v=0",
	}
	budget := "--virtual-time-budget=10000"
	for _, e := range extra {
		if strings.HasPrefix(e, "--virtual-time-budget=") {
			budget = e
		}
	}
	for _, e := range extra {
		if !strings.HasPrefix(e, "--virtual-time-budget=") {
			args = append(args, e)
		}
	}
	args = append(args, budget, "file://"+page+"#cg-selftest")
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.Bytes(), errb.Bytes(), fmt.Errorf("chromium %v: %v\n%s", args, err, errb.Bytes())
	}
	return out.Bytes(), errb.Bytes(), nil
}

var selfCheck = regexp.MustCompile(`(?s)<pre id="cg-selfcheck"[^>]*>(.*?)</pre>`)

// Load opens page and returns the self-check verdict and stderr.
func Load(t testing.TB, bin, page string) (Verdict, []byte) {
	t.Helper()
	return LoadAt(t, bin, page, 1440, 900)
}

// LoadAt opens page in a window of w×h CSS pixels and returns the
// self-check verdict and stderr.
func LoadAt(t testing.TB, bin, page string, w, h int) (Verdict, []byte) {
	t.Helper()
	p, err := Open(bin, page, Visit{W: w, H: h})
	if err != nil {
		t.Fatal(err)
	}
	return p.Verdict, p.Stderr
}

// Visit says how Open loads a page: the window, and what else the same
// load serves besides the self-check verdict. Each Chromium start costs
// several CPU-seconds before the page does anything, so checks of one page
// at one size share one load.
type Visit struct {
	// W and H are the window's size in CSS pixels (below 500 px wide, the
	// page is loaded in a frame of that size: see frame).
	W, H int
	// Axe is the path of axe-core's script (from npm). When set, a copy of
	// the page with the script spliced in is loaded instead, and axe-core
	// runs on it once the page has loaded and written its self-check
	// verdict; reports never carry the script.
	Axe string
	// Screenshot and PDF, when set, are files the same load writes: a PNG
	// of the window, and the page printed to PDF. Only for windows at
	// least 500 px wide, which Chromium opens as asked.
	Screenshot, PDF string
}

// Loaded is what one load of a page gave.
type Loaded struct {
	Verdict Verdict
	// Axe holds axe-core's violations when Visit.Axe was set.
	Axe []AxeViolation
	// Stderr is Chromium's log.
	Stderr []byte
}

// Open loads page once in headless Chromium as v says and returns the
// self-check verdict, and axe-core's result when asked. It fails when the
// page wrote no verdict, when axe-core was asked for and wrote no result,
// and when a screenshot or PDF asked for was not written. It needs no
// test, so tests can share one load (with sync.Once); the files it makes
// beside page for the load are removed when it returns.
func Open(bin, page string, v Visit) (Loaded, error) {
	var p Loaded
	if (v.Screenshot != "" || v.PDF != "") && v.W < minWidth {
		return p, fmt.Errorf("a screenshot or PDF needs a window at least %d px wide, not %d", minWidth, v.W)
	}
	budget := "--virtual-time-budget=10000"
	if v.Axe != "" {
		copyPath, err := withAxe(page, v.Axe)
		if err != nil {
			return p, err
		}
		defer os.Remove(copyPath)
		page = copyPath
		budget = "--virtual-time-budget=30000"
	}
	page, win, cleanup, err := frame(page, v.W, v.H)
	if err != nil {
		return p, err
	}
	defer cleanup()
	args := []string{"--dump-dom", win, budget}
	for _, f := range []string{v.Screenshot, v.PDF} {
		if f != "" {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				return p, err
			}
		}
	}
	if v.Screenshot != "" {
		args = append(args, "--screenshot="+v.Screenshot)
	}
	if v.PDF != "" {
		args = append(args, "--print-to-pdf="+v.PDF, "--no-pdf-header-footer")
	}
	dom, stderr, err := run(bin, page, args...)
	p.Stderr = stderr
	if err != nil {
		return p, err
	}
	m := selfCheck.FindSubmatch(dom)
	if m == nil || len(bytes.TrimSpace(m[1])) == 0 {
		return p, fmt.Errorf("page wrote no self-check verdict; the page script did not finish.\nstderr:\n%s", stderr)
	}
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &p.Verdict); err != nil {
		return p, fmt.Errorf("self-check verdict %q: %v", m[1], err)
	}
	if v.Axe != "" {
		if p.Axe, err = axeViolations(dom, stderr); err != nil {
			return p, err
		}
	}
	for _, f := range []string{v.Screenshot, v.PDF} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return p, fmt.Errorf("chromium wrote no %s: %v\nstderr:\n%s", filepathBase(f), err, stderr)
		}
	}
	return p, nil
}

// ConsoleLines returns the lines of a load's stderr that are the page's
// console messages or uncaught errors ("...:CONSOLE:12] "Uncaught Error:
// ...", source: ..."): a report writes nothing to the console.
func ConsoleLines(stderr []byte) []string {
	var out []string
	for _, line := range strings.Split(string(stderr), "\n") {
		if strings.Contains(line, ":CONSOLE") || strings.Contains(line, "Uncaught") {
			out = append(out, line)
		}
	}
	return out
}

// minWidth is the narrowest window headless Chromium opens.
const minWidth = 500

// frame returns the page to open and the --window-size flag for a w×h
// view. Headless Chromium opens no window narrower than 500 px, so a
// narrower view loads the page in a w×h frame of a wrapper page, which
// copies the frame's self-check verdict (and axe-core's result, when the
// page runs it) into its own #cg-selfcheck (and #cg-axe).
// cleanup removes the wrapper page.
func frame(page string, w, h int) (string, string, func(), error) {
	if w >= minWidth {
		return page, fmt.Sprintf("--window-size=%d,%d", w, h), func() {}, nil
	}
	wrapper := strings.TrimSuffix(page, ".html") + fmt.Sprintf(".frame%d.html", w)
	src := fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%d px frame</title>
<style>body{margin:0} iframe{border:0;width:%dpx;height:%dpx;display:block}</style></head><body>
<iframe title="report" src="%s#cg-selftest"></iframe><pre id="cg-selfcheck" hidden></pre><pre id="cg-axe" hidden></pre>
<script>window.addEventListener('message', function (e) {
  if (e.data && e.data.cgSelfcheck) document.getElementById('cg-selfcheck').textContent = e.data.cgSelfcheck;
  if (e.data && e.data.cgAxe) document.getElementById('cg-axe').textContent = e.data.cgAxe;
});</script></body></html>`, w, w, h, html.EscapeString(filepathBase(page)))
	if err := os.WriteFile(wrapper, []byte(src), 0o644); err != nil {
		return "", "", nil, err
	}
	return wrapper, fmt.Sprintf("--window-size=%d,%d", minWidth, h), func() { os.Remove(wrapper) }, nil
}

// filepathBase is the last element of a slash-separated path.
func filepathBase(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

var axeResult = regexp.MustCompile(`(?s)<pre id="cg-axe"[^>]*>(.*?)</pre>`)

// AxeViolation is one rule axe-core found broken, with how many elements
// break it and the first of them.
type AxeViolation struct {
	ID, Impact, Help string
	Nodes            int
	Target           string
}

// withAxe writes a copy of page with axe-core (the script at axePath)
// spliced in before </body>, and returns the copy's path. Half a second
// after the page's load event (after the self-check, which runs 200 ms
// after it), the script runs axe-core on the document and writes the
// violations into #cg-axe, and hands them to the page around it when the
// copy is in a frame.
func withAxe(page, axePath string) (string, error) {
	src, err := os.ReadFile(axePath)
	if err != nil {
		return "", fmt.Errorf("axe-core not installed (run internal/report/web/fetch-assets.sh): %v", err)
	}
	body, err := os.ReadFile(page)
	if err != nil {
		return "", err
	}
	script := strings.ReplaceAll(string(src), "</script", `<\/script`)
	runner := `<pre id="cg-axe" hidden></pre><script>` + script + `</script><script>
window.addEventListener('load', function () { setTimeout(function () {
  var done = function (text) {
    document.getElementById('cg-axe').textContent = text;
    if (window.parent !== window) window.parent.postMessage({ cgAxe: text }, '*');
  };
  axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
    done(JSON.stringify(r.violations.map(function (v) {
      return { id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length, target: v.nodes.length ? String(v.nodes[0].target) : '' };
    })));
  }, function (e) { done('error: ' + e); });
}, 500); });</script></body>`
	i := strings.LastIndex(string(body), "</body>")
	if i < 0 {
		return "", fmt.Errorf("%s has no </body>", page)
	}
	copyPath := strings.TrimSuffix(page, ".html") + ".axe.html"
	if err := os.WriteFile(copyPath, []byte(string(body[:i])+runner+string(body[i+len("</body>"):])), 0o644); err != nil {
		return "", err
	}
	return copyPath, nil
}

// axeViolations reads axe-core's result from a dumped page.
func axeViolations(dom, stderr []byte) ([]AxeViolation, error) {
	m := axeResult.FindSubmatch(dom)
	if m == nil || len(bytes.TrimSpace(m[1])) == 0 {
		return nil, fmt.Errorf("axe-core wrote no result.\nstderr:\n%s", stderr)
	}
	text := html.UnescapeString(string(m[1]))
	if strings.HasPrefix(text, "error: ") {
		return nil, fmt.Errorf("axe-core failed: %s", text)
	}
	var out []AxeViolation
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, fmt.Errorf("axe-core result %q: %v", text, err)
	}
	return out, nil
}
