package gap

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"commonground/internal/testdata"
)

// FuzzReadOfficial feeds the table reader arbitrary CSV: it must never
// panic, and a table it accepts must account for every data row once.
func FuzzReadOfficial(f *testing.F) {
	if testing.Short() {
		f.Skip("fuzzing skipped under -short")
	}
	for _, rel := range []string{"canada/Index_of_remoteness_2016.csv", "canada/2021IR_DATABASE.csv"} {
		file, err := os.Open(testdata.Shared(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		var head strings.Builder
		sc := bufio.NewScanner(file)
		for n := 0; n < 6 && sc.Scan(); n++ {
			head.WriteString(sc.Text() + "\n")
		}
		file.Close()
		f.Add(head.String())
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "official", "*.csv"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(strings.ReplaceAll(string(b), "id,code", "CSDuid,Index_of_remoteness"))
	}
	f.Fuzz(func(t *testing.T, data string) {
		p := filepath.Join(t.TempDir(), "t.csv")
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadOfficial(p, "CSDuid", "Index_of_remoteness")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error on several lines: %q", err)
			}
			return
		}
		if len(tab.IDs) != len(tab.Codes) {
			t.Errorf("%d ids, %d codes", len(tab.IDs), len(tab.Codes))
		}
		if _, err := tab.Join(tab.IDs, Subedi{}); err != nil && !strings.Contains(err.Error(), p) {
			t.Errorf("join error without the file: %v", err)
		}
	})
}
