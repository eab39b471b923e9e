package bounded

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// endless yields n bytes of pat, repeated, then tail.
type endless struct {
	pat  string
	n    int
	tail string
}

func (e *endless) reader() io.Reader {
	return io.MultiReader(io.LimitReader(&repeat{pat: e.pat}, int64(e.n)), strings.NewReader(e.tail))
}

type repeat struct {
	pat string
	off int
}

func (r *repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.pat[r.off]
		r.off = (r.off + 1) % len(r.pat)
	}
	return len(p), nil
}

// TestCSVBombs reads CSVs built to exhaust memory and checks the one-line
// error and that the read allocated little.
func TestCSVBombs(t *testing.T) {
	saved := maxRows
	defer func() { maxRows = saved }()
	maxRows = 100_000
	tests := []struct {
		name string
		head string
		body endless
		want string
	}{
		{"one 1 GiB line", "id,lat,lon\n", endless{"1", 1 << 30, "\n"}, "x.csv: after line 1: a line longer than 1 MiB, the most one CSV line may hold"},
		{"a quoted field of 1 GiB over many lines", "id,lat,lon\n1,2,\"", endless{"ab\n", 1 << 30, "\"\n"}, "x.csv: after line 1: a line longer than 1 MiB"},
		{"a 512 KiB field", "id,lat,lon\n", endless{"A", 512 << 10, ",1,2\n"}, `x.csv:2: field 1 is 524288 bytes long, more than the 256 KiB one field may hold (it starts "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"...)`},
		{"too many rows", "id,lat,lon\n", endless{"a,1,2\n", 6 * 200_000, ""}, "x.csv: more than 100000 rows, the most a CSV file may hold"},
		{"header with a quoted line break", "\"id\r\n\",lat,lon\n", endless{"a,1,2\n", 6, ""}, `x.csv: header: column 1 ("id\n") holds a line break inside quotes`},
		{"a header of one 2 KiB name", strings.Repeat("h", 2048) + "\n", endless{"a\n", 2, ""}, "x.csv: header: column 1 is 2048 bytes long"},
		{"bad quotes", "id,lat,lon\n", endless{"a,\"1\"x,2\n", 9, ""}, "x.csv:2: extraneous or missing \" in quoted-field"},
		{"empty", "", endless{"", 0, ""}, "x.csv: the file is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := func() error {
				c, err := NewCSV("x.csv", io.MultiReader(strings.NewReader(tc.head), tc.body.reader()), false)
				if err != nil {
					return err
				}
				for {
					if _, err := c.Read(); err != nil {
						if errors.Is(err, io.EOF) {
							return nil
						}
						return err
					}
				}
			}()
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Logf("%s (allocated %.1f MiB)", msg, float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) {
				t.Errorf("want one line with %q", tc.want)
			}
			if a := after.TotalAlloc - before.TotalAlloc; a > 64<<20 {
				t.Errorf("allocated %d MiB, want at most 64", a>>20)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.geojson")
	os.WriteFile(p, make([]byte, 2048), 0o644)
	if _, err := ReadFile(p, 1024); err == nil || !strings.Contains(err.Error(), "big.geojson: 2 KiB, more than the 1 KiB this reader takes") {
		t.Fatalf("got %v", err)
	}
	if b, err := ReadFile(p, 2048); err != nil || len(b) != 2048 {
		t.Fatalf("got %d bytes, %v", len(b), err)
	}
}

func TestClip(t *testing.T) {
	if got := Clip("a\nb"); got != `"a\nb"` {
		t.Errorf("Clip = %s", got)
	}
	if got := Clip(strings.Repeat("x", 100)); got != `"`+strings.Repeat("x", 40)+`"...` {
		t.Errorf("Clip = %s", got)
	}
	if got := Short("89a9012a3cfffff"); got != "89a9012a3cfffff" {
		t.Errorf("Short = %s", got)
	}
}
