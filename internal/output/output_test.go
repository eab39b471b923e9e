package output

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestNum(t *testing.T) {
	tests := []struct {
		name string
		v    float64
		d    int
		want string
	}{
		{"trim zeros", 12.5, 3, "12.5"},
		{"integer", 7, 2, "7"},
		{"rounding", 2.345678, 3, "2.346"},
		{"negative zero", -0.0001, 2, "0"},
		{"unreachable", math.Inf(1), 1, ""},
		{"missing", math.NaN(), 1, ""},
		{"no decimals", 1234.6, 0, "1235"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Num(tc.v, tc.d); got != tc.want {
				t.Errorf("Num(%v, %d) = %q, want %q", tc.v, tc.d, got, tc.want)
			}
		})
	}
}

func TestSetKeepsOldFilesOnError(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "report.html")
	if err := os.WriteFile(old, []byte("earlier report"), 0o644); err != nil {
		t.Fatal(err)
	}
	var s Set
	if err := s.Add("report.html", func(w io.Writer) error {
		io.WriteString(w, "half a rep")
		return errors.New("chart failed")
	}); err == nil {
		t.Fatal("want the render error")
	}
	b, _ := os.ReadFile(old)
	if string(b) != "earlier report" {
		t.Errorf("earlier report changed to %q", b)
	}
	// A successful set replaces it, and leaves no temporary files behind.
	var s2 Set
	s2.Add("report.html", func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err })
	s2.Add("cells.csv", func(w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err })
	if err := s2.Commit(dir); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(old)
	if string(b) != "new" {
		t.Errorf("report = %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want just the two outputs", names)
	}
}

func TestCommitToUnwritableFolderLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	var s Set
	s.Add("a.csv", func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err := s.Commit(filepath.Join(blocker, "out")); err == nil {
		t.Error("want an error writing under a file")
	}
}

func TestHashFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "abc")
	os.WriteFile(p, []byte("abc"), 0o644)
	h, n, err := HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc") from FIPS 180-2, appendix B.1.
	if h != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || n != 3 {
		t.Errorf("HashFile = %s %d", h, n)
	}
}
