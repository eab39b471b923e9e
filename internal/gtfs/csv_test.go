package gtfs

import (
	"reflect"
	"strings"
	"testing"
)

// records reads every record of text with the package's CSV reader.
func records(t *testing.T, text string) (header []string, rows [][]string, lines []int, err error) {
	t.Helper()
	tb, err := newTable("x.txt", strings.NewReader(text))
	if err != nil {
		return nil, nil, nil, err
	}
	for name, i := range tb.cols {
		for len(header) <= i {
			header = append(header, "")
		}
		header[i] = name
	}
	for tb.next() {
		var rec []string
		for i := range tb.fields {
			rec = append(rec, tb.str(i))
		}
		rows = append(rows, rec)
		lines = append(lines, tb.line)
	}
	return header, rows, lines, tb.err
}

func TestTable(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		rows   [][]string
		lines  []int
		err    string
	}{
		{"plain", "a,b\n1,2\n", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}, ""},
		{"BOM and CRLF", "\ufeffa,b\r\n1,2\r\n3,4", []string{"a", "b"}, [][]string{{"1", "2"}, {"3", "4"}}, []int{2, 3}, ""},
		{"spaces around names and values", " a , b \n 1 ,2 \n", []string{"a", "b"}, [][]string{{"1", "2"}}, []int{2}, ""},
		{"quoted comma and doubled quote", "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n", []string{"a", "b"}, [][]string{{"x, y", `say "hi"`}}, []int{2}, ""},
		{"empty quoted", "a,b\n\"\",\"\"\n", []string{"a", "b"}, [][]string{{"", ""}}, []int{2}, ""},
		{"space before quote", "a,b\n1, \"x,y\"\n", []string{"a", "b"}, [][]string{{"1", "x,y"}}, []int{2}, ""},
		{"line break inside quotes", "a,b\n\"two\nlines\",2\n3,4\n", []string{"a", "b"}, [][]string{{"two\nlines", "2"}, {"3", "4"}}, []int{2, 4}, ""},
		{"stray quote inside a field kept", "a,b\n5\" tall,2\n", []string{"a", "b"}, [][]string{{`5" tall`, "2"}}, []int{2}, ""},
		{"blank line kept as one empty field", "a\n\n1\n", []string{"a"}, [][]string{{""}, {"1"}}, []int{2, 3}, ""},
		{"unclosed quote", "a,b\n\"x,2\n", nil, nil, nil, "x.txt line 2: a quoted field is never closed"},
		{"empty file", "", nil, nil, nil, "x.txt: the file is empty"},
		{"line longer than the buffer", "a,b\n" + strings.Repeat("x", 70000) + ",2\n", []string{"a", "b"}, [][]string{{strings.Repeat("x", 70000), "2"}}, []int{2}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header, rows, lines, err := records(t, tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(header, tc.header) || !reflect.DeepEqual(rows, tc.rows) || !reflect.DeepEqual(lines, tc.lines) {
				t.Errorf("got %q %q lines %v\nwant %q %q lines %v", header, rows, lines, tc.header, tc.rows, tc.lines)
			}
		})
	}
}

func TestAtoi(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{{"0", 0, true}, {"64502", 64502, true}, {"-3", -3, true}, {"+3", 3, true}, {"", 0, false}, {"-", 0, false}, {"1.0", 0, false}, {"1e3", 0, false}} {
		got, ok := atoi([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("atoi(%q) = %d, %v", tc.in, got, ok)
		}
	}
}
