package output

import (
	"encoding/csv"
	"io"
	"regexp"
)

// Spreadsheets run a cell that starts with =, +, -, @, tab or carriage
// return as a formula, so a place or tract named "=HYPERLINK(...)" in the
// inputs would become live when a planner opens areas.csv. OWASP's "CSV
// Injection" page (https://owasp.org/www-community/attacks/CSV_Injection)
// recommends prefixing such cells with a single quote, which spreadsheets
// show as text. Numbers are left alone: "-3.5" stays a number.

// formulaStart holds the characters a spreadsheet treats as a formula's start.
const formulaStart = "=+-@\t\r"

// number matches a plain decimal number, as the CSV outputs write them.
var number = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// SafeCell returns s as a spreadsheet will show it as text: a cell starting
// with a formula character gets a leading single quote unless it is a
// number.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	for i := 0; i < len(formulaStart); i++ {
		if s[0] == formulaStart[i] {
			if number.MatchString(s) {
				return s
			}
			return "'" + s
		}
	}
	return s
}

// CSVWriter is an encoding/csv writer whose every cell passes through
// SafeCell. Every CSV output of a run is written with it.
type CSVWriter struct {
	w   *csv.Writer
	buf []string
}

// NewCSVWriter returns a CSVWriter writing to w.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one record, each cell made safe.
func (c *CSVWriter) Write(record []string) error {
	c.buf = c.buf[:0]
	for _, f := range record {
		c.buf = append(c.buf, SafeCell(f))
	}
	return c.w.Write(c.buf)
}

// WriteAll writes every record and flushes.
func (c *CSVWriter) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := c.Write(r); err != nil {
			return err
		}
	}
	c.w.Flush()
	return c.w.Error()
}

// Flush writes any buffered data.
func (c *CSVWriter) Flush() { c.w.Flush() }

// Error reports any error of an earlier Write or Flush.
func (c *CSVWriter) Error() error { return c.w.Error() }
