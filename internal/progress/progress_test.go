package progress

import (
	"bytes"
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
