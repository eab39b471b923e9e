// Package browsertest opens a rendered report in headless Chromium and reads
// the verdict of the page's own self-check (script errors, blocked or made
// network requests, what the map and charts drew), for tests of the report
// package and of whole runs.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"regexp"
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
	}
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
		"--user-data-dir=" + tempDir(t), "--virtual-time-budget=10000",
	}
	args = append(append(args, extra...), "file://"+page+"#cg-selftest")
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
	dom, stderr := Run(t, bin, page, "--dump-dom")
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
