// Package bounded reads files from outside within stated limits, so a
// crafted or corrupt input (one endless line, a huge field, millions of
// rows, a file of gigabytes) ends in a one-line error naming the file and
// the limit instead of exhausting memory. The limits sit far above real
// inputs: the largest population points CSV in use is IPEA's H3 grid (about
// a million rows for all of Brazil); census tract GeoJSON of a US state is
// tens of MB.
package bounded

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Limits of one input file.
const (
	// MaxFileBytes bounds a whole-file read (GeoJSON, YAML lists).
	MaxFileBytes = 1 << 30
	// MaxCSVBytes bounds a streamed CSV file.
	MaxCSVBytes = 4 << 30
	// MaxRecordBytes bounds one CSV record, line breaks inside quotes
	// included.
	MaxRecordBytes = 1 << 20
	// MaxFieldBytes bounds one CSV field.
	MaxFieldBytes = 256 << 10
	// MaxRows bounds the data rows of one CSV file.
	MaxRows = 10_000_000
)

// maxRows is MaxRows, lowered by tests.
var maxRows = MaxRows

// Size writes a byte count as the limits are named: "1 MiB".
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Clip returns at most the first 40 bytes of a value, quoted, for a message:
// a bad value of a gigabyte never floods one, and a line break in it shows
// as \n.
func Clip(s string) string {
	const n = 40
	if len(s) <= n {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q...", s[:n])
}

// ReadFile reads a whole file of at most max bytes.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > max {
		return nil, fmt.Errorf("%s: %s, more than the %s this reader takes", path, Size(st.Size()), Size(max))
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: more than the %s this reader takes", path, Size(max))
	}
	return b, nil
}

// LimitError is a limit exceeded while reading.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return e.Msg }

// recordLimiter passes bytes through while counting the bytes of the
// current CSV record (a line break inside double quotes continues it) and
// of the whole file, failing beyond the limits. encoding/csv reads whole
// records into memory, so this is what bounds its memory.
type recordLimiter struct {
	r        io.Reader
	inQuotes bool
	record   int
	total    int64
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	if int64(len(p)) > MaxRecordBytes {
		p = p[:MaxRecordBytes]
	}
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		switch c {
		case '"':
			l.inQuotes = !l.inQuotes
		case '\n':
			if !l.inQuotes {
				l.record = 0
				continue
			}
		}
		l.record++
		if l.record > MaxRecordBytes {
			return 0, &LimitError{fmt.Sprintf("a line longer than %s, the most one CSV line may hold (is a \" missing?)", Size(MaxRecordBytes))}
		}
	}
	l.total += int64(n)
	if l.total > MaxCSVBytes {
		return 0, &LimitError{fmt.Sprintf("more than %s, the most a CSV file may hold", Size(MaxCSVBytes))}
	}
	return n, err
}

// CSV reads a CSV file record by record within the limits. Errors are one
// line and name the file and line; fields are trimmed of spaces and the
// header of a byte-order mark.
type CSV struct {
	path string
	r    *csv.Reader
	rows int
	line int // line of the last record read
	// Header holds the column names, trimmed.
	Header []string
}

// NewCSV reads the header of a CSV. A header field holding a line break (a
// quoted newline) is an error: column names are one line. lenient accepts
// a quote inside an unquoted field as text and spaces before a quoted field.
func NewCSV(path string, rd io.Reader, lenient bool) (*CSV, error) {
	c := &CSV{path: path}
	c.r = csv.NewReader(&recordLimiter{r: rd})
	c.r.FieldsPerRecord = -1
	c.r.LazyQuotes = lenient
	c.r.TrimLeadingSpace = lenient
	c.r.ReuseRecord = false
	head, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: the file is empty; it needs a header line naming its columns", path)
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	for i, h := range head {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if strings.ContainsAny(h, "\r\n") {
			return nil, fmt.Errorf("%s: header: column %d (%s) holds a line break inside quotes; column names must be on the first line", path, i+1, Clip(h))
		}
		if len(h) > 1024 {
			return nil, fmt.Errorf("%s: header: column %d is %d bytes long (it starts %s); is the first line a header?", path, i+1, len(h), Clip(h))
		}
		head[i] = strings.TrimSpace(h)
	}
	c.Header = head
	return c, nil
}

// Columns lists the header for a message, at most 20 names.
func (c *CSV) Columns() string {
	if len(c.Header) > 20 {
		return strings.Join(c.Header[:20], ", ") + fmt.Sprintf(" and %d more", len(c.Header)-20)
	}
	return strings.Join(c.Header, ", ")
}

// Read returns the next record, or io.EOF at the end.
func (c *CSV) Read() ([]string, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, c.wrap(err)
	}
	c.rows++
	line, _ := c.r.FieldPos(0)
	c.line = line
	if c.rows > maxRows {
		return nil, fmt.Errorf("%s: more than %d rows, the most a CSV file may hold", c.path, maxRows)
	}
	for i, f := range rec {
		if len(f) > MaxFieldBytes {
			return nil, fmt.Errorf("%s:%d: field %d is %d bytes long, more than the %s one field may hold (it starts %s)", c.path, line, i+1, len(f), Size(MaxFieldBytes), Clip(f))
		}
	}
	return rec, nil
}

// Line returns the line the last record started on.
func (c *CSV) Line() int { return c.line }

func (c *CSV) wrap(err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: after line %d: %s", c.path, max(c.line, 1), le.Msg)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d: %s", c.path, pe.Line, oneLine(pe.Err.Error()))
	}
	return fmt.Errorf("%s: %s", c.path, oneLine(err.Error()))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// TrimBOM drops a UTF-8 byte-order mark (Windows tools write one).
func TrimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\ufeff")) }

// Short returns s as it is when it is at most 40 bytes of printable text,
// else as Clip does (quoted, cut, line breaks escaped): for ids and names in
// messages.
func Short(s string) string {
	if len(s) > 40 || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return Clip(s)
	}
	return s
}

// Records returns a reader that fails once one CSV record (line breaks
// inside double quotes included) passes MaxRecordBytes or the whole input
// MaxCSVBytes, for readers that keep their own encoding/csv loop.
func Records(r io.Reader) io.Reader { return &recordLimiter{r: r} }
