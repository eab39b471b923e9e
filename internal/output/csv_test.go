package output

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestSafeCell(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"formula", "=1+1", "'=1+1"},
		{"plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"minus text", "-2+3", "'-2+3"},
		{"at", "@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"tab", "\t=1", "'\t=1"},
		{"carriage return", "\r=1", "'\r=1"},
		{"negative number", "-3.25", "-3.25"},
		{"signed exponent", "+1.5e-7", "+1.5e-7"},
		{"negative integer", "-12", "-12"},
		{"plain text", "Central Library", "Central Library"},
		{"formula inside", "a=1", "a=1"},
		{"empty", "", ""},
		{"lone minus", "-", "'-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeCell(tc.in); got != tc.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCSVWriterRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w := NewCSVWriter(&buf)
	rows := [][]string{{"name", "people"}, {"=1+1, \"quoted\"", "-7"}, {"Hall", "12.5"}}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"name", "people"}, {"'=1+1, \"quoted\"", "-7"}, {"Hall", "12.5"}}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("row %d cell %d = %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
}
