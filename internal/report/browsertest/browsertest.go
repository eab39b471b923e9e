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
		// PrintPixels counts the pixels of the main map's flattened print
		// image that are not the map's paper colour; -1 when none was made.
		PrintPixels int
	}
}

// Layout lists what breaks the page at its window size: controls wider than
// the window, sections missing from the contents, layers whose popup a
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

// Run opens page in a fresh headless profile with networking
// services off and returns stdout and stderr.
func Run(t testing.TB, bin string, page string, extra ...string) (stdout, stderr []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + tempDir(t),
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
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.Bytes())
	}
	return out.Bytes(), errb.Bytes()
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
	page, win := Frame(t, page, w, h)
	dom, stderr := Run(t, bin, page, "--dump-dom", win)
	m := selfCheck.FindSubmatch(dom)
	if m == nil || len(bytes.TrimSpace(m[1])) == 0 {
		t.Fatalf("page wrote no self-check verdict; the page script did not finish.\nstderr:\n%s", stderr)
	}
	var v Verdict
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &v); err != nil {
		t.Fatalf("self-check verdict %q: %v", m[1], err)
	}
	return v, stderr
}

// tempDir is a fresh browser profile folder, removed when the test ends.
func tempDir(t testing.TB) string {
	t.Helper()
	d, err := os.MkdirTemp("", "cg-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// minWidth is the narrowest window headless Chromium opens.
const minWidth = 500

// Frame returns the page to open and the --window-size flag for a w×h
// view. Headless Chromium opens no window narrower than 500 px, so a
// narrower view loads the page in a w×h frame of a wrapper page, which
// copies the frame's self-check verdict into its own #cg-selfcheck.
func Frame(t testing.TB, page string, w, h int) (string, string) {
	t.Helper()
	if w >= minWidth {
		return page, fmt.Sprintf("--window-size=%d,%d", w, h)
	}
	wrapper := strings.TrimSuffix(page, ".html") + fmt.Sprintf(".frame%d.html", w)
	src := fmt.Sprintf(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%d px frame</title>
<style>body{margin:0} iframe{border:0;width:%dpx;height:%dpx;display:block}</style></head><body>
<iframe title="report" src="%s#cg-selftest"></iframe><pre id="cg-selfcheck" hidden></pre>
<script>window.addEventListener('message', function (e) {
  if (e.data && e.data.cgSelfcheck) document.getElementById('cg-selfcheck').textContent = e.data.cgSelfcheck;
});</script></body></html>`, w, w, h, html.EscapeString(filepathBase(page)))
	if err := os.WriteFile(wrapper, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(wrapper) })
	return wrapper, fmt.Sprintf("--window-size=%d,%d", minWidth, h)
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

// Axe runs axe-core (the script at axePath, from npm) on page in a w×h
// window and returns its violations. The script is spliced into a copy of
// the page for the test only; reports never carry it.
func Axe(t testing.TB, bin, page, axePath string, w, h int) []AxeViolation {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core not installed (run internal/report/web/fetch-assets.sh): %v", err)
	}
	body, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	script := strings.ReplaceAll(string(src), "</script", `<\/script`)
	runner := `<pre id="cg-axe" hidden></pre><script>` + script + `</script><script>
window.addEventListener('load', function () { setTimeout(function () {
  axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
    document.getElementById('cg-axe').textContent = JSON.stringify(r.violations.map(function (v) {
      return { id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length, target: v.nodes.length ? String(v.nodes[0].target) : '' };
    }));
  }, function (e) { document.getElementById('cg-axe').textContent = 'error: ' + e; });
}, 500); });</script></body>`
	i := strings.LastIndex(string(body), "</body>")
	if i < 0 {
		t.Fatal("page has no </body>")
	}
	copyPath := page + ".axe.html"
	if err := os.WriteFile(copyPath, []byte(string(body[:i])+runner+string(body[i+len("</body>"):])), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(copyPath)
	dom, stderr := Run(t, bin, copyPath, "--dump-dom", fmt.Sprintf("--window-size=%d,%d", w, h), "--virtual-time-budget=30000")
	m := axeResult.FindSubmatch(dom)
	if m == nil || len(bytes.TrimSpace(m[1])) == 0 {
		t.Fatalf("axe-core wrote no result.\nstderr:\n%s", stderr)
	}
	text := html.UnescapeString(string(m[1]))
	if strings.HasPrefix(text, "error: ") {
		t.Fatalf("axe-core failed: %s", text)
	}
	var out []AxeViolation
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("axe-core result %q: %v", text, err)
	}
	return out
}
