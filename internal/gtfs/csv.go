package gtfs

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// table streams one CSV file of a feed. Lines without a quote character
// (nearly all of stop_times.txt) are split in place without copying; quoted
// fields, doubled quotes and line breaks inside quotes take a slower path.
// Every field is trimmed of surrounding spaces, because real headers and
// values carry them (Whitehorse writes ", agency_name"). Fields returned by
// field are valid only until the next call to next.
type table struct {
	name   string // file name for messages, e.g. "stop_times.txt"
	rd     *bufio.Reader
	line   int // line number where the current record starts (header is 1)
	read   int // physical lines read so far
	cols   map[string]int
	fields [][]byte
	ends   []int  // field ends in quoted, slow path only
	quoted []byte // unquoted field contents, slow path only
	long   []byte // a line longer than the read buffer
	size   int64  // the file's size in bytes when known, else 0
	err    error
}

var bom = []byte("\xef\xbb\xbf")

// Limits bound what one file of a feed may hold, so a crafted or corrupt
// feed (a 1.5 MB zip whose stop_times.txt inflates to one 1 GB line) ends in
// a one-line error instead of exhausting memory. They sit far above real
// feeds: TriMet's stop_times.txt has 1.85 million rows, about 100 MB; real
// lines are under 1 KB. The row limit also bounds memory: 10 million rows
// of stop_times.txt take about 1.3 GB at their peak while read. Variables so tests can
// lower them.
var limits = struct {
	line  int   // bytes of one record, line breaks inside quotes included
	field int   // bytes of one field
	rows  int   // physical lines of one file
	bytes int64 // decompressed bytes of one file
	total int64 // decompressed bytes of all files of a zip, as declared
}{
	line:  1 << 20,
	field: 256 << 10,
	rows:  10_000_000,
	bytes: 4 << 30,
	total: 16 << 30,
}

// sizeText writes a byte count the way the limits are named.
func sizeText(n int64) string {
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

// clip returns at most the first 40 bytes of a value for a message, so a
// huge field never floods one.
func clip(b []byte) string {
	const n = 40
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// limitError is a limit exceeded; its message names the file and limit.
type limitError struct{ msg string }

func (e *limitError) Error() string { return e.msg }

// capReader fails once more than max bytes have been read.
type capReader struct {
	r    io.Reader
	left int64
	name string
	max  int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, &limitError{fmt.Sprintf("%s: more than %s decompressed, the most one GTFS file may hold", c.name, sizeText(c.max))}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// newTable reads the header. A file with no header line is an error.
func newTable(name string, r io.Reader) (*table, error) {
	r = &capReader{r: r, left: limits.bytes + 1, name: name, max: limits.bytes}
	t := &table{name: name, rd: bufio.NewReaderSize(r, 64<<10), cols: map[string]int{}}
	for {
		if !t.next() {
			if t.err != nil {
				return nil, t.err
			}
			return nil, fmt.Errorf("%s: the file is empty; it needs at least a header line naming its columns", name)
		}
		if !t.blank() {
			break
		}
	}
	for i, f := range t.fields {
		if _, dup := t.cols[string(f)]; !dup && len(f) > 0 {
			t.cols[string(f)] = i
		}
	}
	return t, nil
}

// col returns the index of a column, -1 when the file has none.
func (t *table) col(name string) int {
	if i, ok := t.cols[name]; ok {
		return i
	}
	return -1
}

// need returns the index of a required column.
func (t *table) need(name string) (int, error) {
	if i, ok := t.cols[name]; ok {
		return i, nil
	}
	return -1, fmt.Errorf("%s: missing required column %q (the header line names the columns)", t.name, name)
}

// field returns field i of the current record, empty when i < 0 or the row
// is short.
func (t *table) field(i int) []byte {
	if i < 0 || i >= len(t.fields) {
		return nil
	}
	return t.fields[i]
}

// str returns field i as a new string.
func (t *table) str(i int) string { return string(t.field(i)) }

// blank reports whether the current record is an empty line.
func (t *table) blank() bool { return len(t.fields) == 1 && len(t.fields[0]) == 0 }

// rawLine returns the next physical line without its line ending.
func (t *table) rawLine() ([]byte, bool) {
	line, err := t.rd.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		t.long = append(t.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = t.rd.ReadSlice('\n')
			if len(t.long)+len(line) > limits.line+2 {
				t.err = fmt.Errorf("%s line %d: longer than %s, the most one GTFS line may hold (is it a GTFS file?)", t.name, t.read+1, sizeText(int64(limits.line)))
				return nil, false
			}
			t.long = append(t.long, line...)
		}
		line = t.long
	}
	if err != nil && err != io.EOF {
		var le *limitError
		if errors.As(err, &le) {
			t.err = le
		} else {
			t.err = fmt.Errorf("%s line %d: %w", t.name, t.read+1, err)
		}
		return nil, false
	}
	if len(line) == 0 {
		return nil, false
	}
	if t.read >= limits.rows {
		t.err = fmt.Errorf("%s: more than %d lines, the most one GTFS file may hold", t.name, limits.rows)
		return nil, false
	}
	t.read++
	if t.read == 1 {
		line = bytes.TrimPrefix(line, bom)
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, true
}

// next reads the next record; false at the end of the file or on error
// (see t.err).
func (t *table) next() bool {
	line, ok := t.rawLine()
	if !ok {
		return false
	}
	t.line = t.read
	t.fields = t.fields[:0]
	if bytes.IndexByte(line, '"') < 0 {
		for {
			i := bytes.IndexByte(line, ',')
			if i < 0 {
				t.fields = append(t.fields, bytes.TrimSpace(line))
				return t.checkFields()
			}
			t.fields = append(t.fields, bytes.TrimSpace(line[:i]))
			line = line[i+1:]
		}
	}
	return t.splitQuoted(line) && t.checkFields()
}

// checkFields fails the read when a field of the current record is longer
// than limits.field.
func (t *table) checkFields() bool {
	for i, f := range t.fields {
		if len(f) > limits.field {
			t.err = fmt.Errorf("%s line %d: field %d is %d bytes long, more than the %s one GTFS field may hold (it starts %q)", t.name, t.line, i+1, len(f), sizeText(int64(limits.field)), clip(f))
			return false
		}
	}
	return true
}

// splitQuoted splits a record with quotes, RFC 4180 style but lenient: a
// quote inside an unquoted field is kept as text, and text after a closing
// quote is appended to the field.
func (t *table) splitQuoted(line []byte) bool {
	t.quoted, t.ends = t.quoted[:0], t.ends[:0]
	start := 0 // start of the current field in t.quoted
	inQuotes, fieldStart := false, true
	for {
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case inQuotes && c == '"':
				if i+1 < len(line) && line[i+1] == '"' {
					t.quoted = append(t.quoted, '"')
					i++
				} else {
					inQuotes = false
				}
			case inQuotes:
				t.quoted = append(t.quoted, c)
			case c == ',':
				t.ends = append(t.ends, start, len(t.quoted))
				start, fieldStart = len(t.quoted), true
			case c == '"' && fieldStart:
				t.quoted = t.quoted[:start] // drop spaces before the opening quote
				inQuotes, fieldStart = true, false
			default:
				t.quoted = append(t.quoted, c)
				if c != ' ' && c != '\t' {
					fieldStart = false
				}
			}
		}
		if !inQuotes {
			break
		}
		// A line break inside quotes belongs to the field.
		next, ok := t.rawLine()
		if !ok {
			if t.err == nil {
				t.err = fmt.Errorf("%s line %d: a quoted field is never closed (a \" is missing)", t.name, t.line)
			}
			return false
		}
		if len(t.quoted)+len(next) > limits.line {
			t.err = fmt.Errorf("%s line %d: a record longer than %s, the most one GTFS line may hold (a \" may be missing)", t.name, t.line, sizeText(int64(limits.line)))
			return false
		}
		t.quoted = append(t.quoted, '\n')
		line = next
	}
	t.ends = append(t.ends, start, len(t.quoted))
	for i := 0; i < len(t.ends); i += 2 {
		t.fields = append(t.fields, bytes.TrimSpace(t.quoted[t.ends[i]:t.ends[i+1]]))
	}
	return true
}

// atoi parses a decimal integer without allocating; surrounding spaces must
// already be trimmed.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// checkZipSizes refuses a zip whose files declare more decompressed bytes
// than the limits allow, before any is inflated (archive/zip then fails a
// file that inflates to more than it declares).
func checkZipSizes(zr *zip.ReadCloser) error {
	var total uint64
	for _, zf := range zr.File {
		if zf.UncompressedSize64 > uint64(limits.bytes) {
			return fmt.Errorf("%s inflates to %s, more than the %s one GTFS file may hold", clip([]byte(zf.Name)), sizeText(int64(zf.UncompressedSize64)), sizeText(limits.bytes))
		}
		total += zf.UncompressedSize64
	}
	if total > uint64(limits.total) {
		return fmt.Errorf("the zip inflates to %s, more than the %s a GTFS feed may hold", sizeText(int64(total)), sizeText(limits.total))
	}
	return nil
}
