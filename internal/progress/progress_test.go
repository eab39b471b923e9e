package progress

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// clock is a fake time source the test advances by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestPlainLines(t *testing.T) {
	tests := []struct {
		name      string
		quiet     bool
		elapsed   time.Duration
		wantLines []string
		absent    []string
	}{
		{"short stage prints only its closing line", false, 300 * time.Millisecond, []string{"read OSM"}, []string{"%"}},
		{"long stage shows progress", false, 3 * time.Second, []string{"read OSM: 50% (5 of 10)", "read OSM"}, nil},
		{"quiet prints nothing", true, 3 * time.Second, nil, []string{"read OSM"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := &clock{t: time.Unix(1000, 0)}
			r := New(&buf, tc.quiet)
			r.now = c.now
			r.Start("read OSM")
			c.t = c.t.Add(tc.elapsed)
			r.Update(5, 10)
			r.Done("35 libraries")
			out := buf.String()
			for _, w := range tc.wantLines {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("output %q has %q", out, a)
				}
			}
			if len(r.Timings) != 1 || r.Timings[0].Stage != "read OSM" || r.Timings[0].Seconds != tc.elapsed.Seconds() {
				t.Errorf("timings = %+v", r.Timings)
			}
		})
	}
}

func TestBar(t *testing.T) {
	got := bar("x", 50, 5, 10)
	if !strings.Contains(got, "[###############...............]  50%") {
		t.Errorf("bar = %q", got)
	}
}

// TestStageCPU: a stage that computes records the CPU it used, and a stage
// that sleeps records almost none.
func TestStageCPU(t *testing.T) {
	r := New(io.Discard, true)
	r.Start("busy")
	c0, t0 := CPUSeconds(), time.Now()
	x := 0
	for CPUSeconds()-c0 < 0.1 {
		if x++; time.Since(t0) > 20*time.Second {
			t.Fatal("20 s of busy work and the process clock moved less than 0.1 s")
		}
	}
	r.Start("asleep")
	time.Sleep(200 * time.Millisecond)
	r.Done("")
	if len(r.Timings) != 2 {
		t.Fatalf("timings %+v", r.Timings)
	}
	busy, asleep := r.Timings[0], r.Timings[1]
	if busy.CPUSeconds < 0.1 || busy.CPUSeconds > busy.Seconds*float64(runtime.NumCPU())+0.05 {
		t.Errorf("a busy stage of %.3f s wall recorded %.3f s CPU", busy.Seconds, busy.CPUSeconds)
	}
	if asleep.CPUSeconds > 0.05 {
		t.Errorf("a sleeping stage of %.3f s wall recorded %.3f s CPU", asleep.Seconds, asleep.CPUSeconds)
	}
}
