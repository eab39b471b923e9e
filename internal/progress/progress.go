// Package progress tells the person running a study what the pipeline is
// doing: a bar on a terminal, plain lines in a log, nothing when quiet. Work
// that takes under a second prints only its closing line.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Reporter writes stage progress to a stream, usually stderr.
type Reporter struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	quiet    bool
	stage    string
	start    time.Time
	cpu0     float64 // process CPU seconds when the stage started
	last     time.Time
	lastPct  int
	shown    bool
	now      func() time.Time
	Timings  []Timing
	interval time.Duration
}

// Timing is how long one stage took: wall-clock seconds, and the CPU
// seconds (user and system, all threads) the process spent meanwhile, so
// CPU over wall says how many cores the stage kept busy.
type Timing struct {
	Stage      string  `json:"stage"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
}

// New returns a reporter writing to w. A terminal gets a redrawn bar; any
// other writer gets a line every few seconds. Quiet suppresses all output
// but still records timings.
func New(w io.Writer, quiet bool) *Reporter {
	return &Reporter{w: w, tty: isTerminal(w), quiet: quiet, now: time.Now, interval: 2 * time.Second}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Start begins a named stage, ending the previous one if still open.
func (r *Reporter) Start(stage string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked("")
	r.stage, r.start, r.last, r.lastPct, r.shown = stage, r.now(), r.now(), -1, false
	r.cpu0 = CPUSeconds()
}

// Update reports done out of total units (total <= 0 when unknown). Output
// appears only once the stage has run for a second.
func (r *Reporter) Update(done, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.quiet || r.stage == "" {
		return
	}
	now := r.now()
	if now.Sub(r.start) < time.Second {
		return
	}
	pct := -1
	if total > 0 {
		pct = int(100 * done / total)
		if pct > 100 {
			pct = 100
		}
	}
	if r.tty {
		if pct == r.lastPct && now.Sub(r.last) < 200*time.Millisecond {
			return
		}
		fmt.Fprintf(r.w, "\r\033[K%s", bar(r.stage, pct, done, total))
	} else {
		if now.Sub(r.last) < r.interval {
			return
		}
		if pct >= 0 {
			fmt.Fprintf(r.w, "%s: %d%% (%d of %d)\n", r.stage, pct, done, total)
		} else {
			fmt.Fprintf(r.w, "%s: %d done\n", r.stage, done)
		}
	}
	r.last, r.lastPct, r.shown = now, pct, true
}

// Done ends the current stage, with an optional result to show ("35 libraries").
func (r *Reporter) Done(result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked(result)
}

func (r *Reporter) endLocked(result string) {
	if r.stage == "" {
		return
	}
	secs := r.now().Sub(r.start).Seconds()
	r.Timings = append(r.Timings, Timing{Stage: r.stage, Seconds: secs, CPUSeconds: CPUSeconds() - r.cpu0})
	if !r.quiet {
		if r.tty && r.shown {
			fmt.Fprint(r.w, "\r\033[K")
		}
		line := fmt.Sprintf("%-36s %6.1fs", r.stage, secs)
		if result != "" {
			line += "  " + result
		}
		fmt.Fprintln(r.w, line)
	}
	r.stage = ""
}

// Printf writes a message line unless quiet.
func (r *Reporter) Printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.quiet {
		return
	}
	if r.tty && r.shown && r.stage != "" {
		fmt.Fprint(r.w, "\r\033[K")
		r.shown = false
	}
	fmt.Fprintf(r.w, format, args...)
	if !strings.HasSuffix(format, "\n") {
		fmt.Fprintln(r.w)
	}
}

func bar(stage string, pct int, done, total int64) string {
	const width = 30
	if pct < 0 {
		return fmt.Sprintf("%-36s %d", stage, done)
	}
	n := pct * width / 100
	return fmt.Sprintf("%-36s [%s%s] %3d%%", stage, strings.Repeat("#", n), strings.Repeat(".", width-n), pct)
}

// CPUSeconds is the CPU time the process has used so far, user and system,
// over all its threads (getrusage RUSAGE_SELF); 0 where unavailable.
func CPUSeconds() float64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return float64(u.Utime.Nano()+u.Stime.Nano()) / 1e9
}
