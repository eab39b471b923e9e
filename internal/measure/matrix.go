// Package measure computes the standard accessibility measures researchers
// compare places with (cost to the nearest opportunity, cumulative
// opportunities, gravity, floating catchment areas, diversity) and the
// inequality of access across people, from a sparse origin-destination
// travel-cost matrix, following the published definitions exactly so results
// can be checked against IPEA's accessibility R package and PySAL access.
package measure

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"commonground/internal/bounded"
	"commonground/internal/problem"
)

// Matrix holds travel costs (minutes, or any non-negative cost) from origins
// to destinations in compressed rows: each origin's reachable destinations
// are stored once, sorted by cost then destination index, so cutoff and
// nearest-n measures read a prefix of a row and every measure visits pairs in
// the same order. A pair that is not stored is unreachable: it contributes
// nothing to sums and never counts as within a cutoff.
type Matrix struct {
	// Origins and Dests are the ids; a measure's result for origin i is at
	// index i, and per-destination inputs and results are indexed like Dests.
	Origins []string
	Dests   []string

	start []int // row i is entries start[i]:start[i+1]
	dest  []int32
	cost  []float64
}

// Pair is one reachable origin-destination pair, by index into the origin
// and destination id lists.
type Pair struct {
	From, To int
	Cost     float64
}

// entry is a pair while the matrix is built; line locates it in the input
// (a CSV line, or the 1-based position in a []Pair) for error messages.
type entry struct {
	cost     float64
	from, to int32
	line     int32
}

// New builds a matrix from Go values, as the pipeline produces them from
// network searches. Pairs may come in any order; each (From, To) may appear
// once, with a finite cost >= 0. The number of absent pairs is recorded in
// probs as one warning, since an absent pair means unreachable.
func New(origins, dests []string, pairs []Pair, probs *problem.List) (*Matrix, error) {
	if err := uniqueIDs(origins, "origin"); err != nil {
		return nil, err
	}
	if err := uniqueIDs(dests, "destination"); err != nil {
		return nil, err
	}
	es := make([]entry, len(pairs))
	for k, p := range pairs {
		if p.From < 0 || p.From >= len(origins) {
			return nil, fmt.Errorf("matrix pair %d: origin index %d is outside the %d origins", k+1, p.From, len(origins))
		}
		if p.To < 0 || p.To >= len(dests) {
			return nil, fmt.Errorf("matrix pair %d: destination index %d is outside the %d destinations", k+1, p.To, len(dests))
		}
		if err := checkCost(p.Cost); err != nil {
			return nil, fmt.Errorf("matrix pair %d (from %q to %q): %w", k+1, origins[p.From], dests[p.To], err)
		}
		es[k] = entry{cost: p.Cost, from: int32(p.From), to: int32(p.To), line: int32(k + 1)}
	}
	return build(origins, dests, es, "", probs)
}

func uniqueIDs(ids []string, what string) error {
	seen := make(map[string]int, len(ids))
	for i, id := range ids {
		if j, ok := seen[id]; ok {
			return fmt.Errorf("%s id %q appears twice (positions %d and %d)", what, id, j+1, i+1)
		}
		seen[id] = i
	}
	return nil
}

func checkCost(c float64) error {
	switch {
	case math.IsNaN(c) || math.IsInf(c, 0):
		return fmt.Errorf("travel cost %v is not a finite number (leave an unreachable pair out instead)", c)
	case c < 0:
		return fmt.Errorf("travel cost %v is negative", c)
	}
	return nil
}

// build sorts entries into rows, rejects repeated pairs and records how many
// pairs are absent. file is "" for Go values.
func build(origins, dests []string, es []entry, file string, probs *problem.List) (*Matrix, error) {
	m := &Matrix{Origins: origins, Dests: dests, start: make([]int, len(origins)+1)}
	for _, e := range es {
		m.start[e.from+1]++
	}
	for i := range origins {
		m.start[i+1] += m.start[i]
	}
	rows := make([]entry, len(es))
	next := append([]int(nil), m.start[:len(origins)]...)
	for _, e := range es {
		rows[next[e.from]] = e
		next[e.from]++
	}
	seen := make([]int32, len(dests)) // row+1 that last saw the destination
	at := make([]int32, len(dests))   // input line where it was seen
	for i := range origins {
		row := rows[m.start[i]:m.start[i+1]]
		for _, e := range row {
			if seen[e.to] == int32(i+1) {
				first, again := at[e.to], e.line
				if first > again {
					first, again = again, first
				}
				if file == "" {
					return nil, fmt.Errorf("matrix pair %d: from %q to %q repeats pair %d", again, origins[i], dests[e.to], first)
				}
				return nil, fmt.Errorf("read %s line %d: pair from %q to %q repeats line %d", file, again, origins[i], dests[e.to], first)
			}
			seen[e.to], at[e.to] = int32(i+1), e.line
		}
		slices.SortFunc(row, func(a, b entry) int {
			if a.cost != b.cost {
				if a.cost < b.cost {
					return -1
				}
				return 1
			}
			return int(a.to) - int(b.to)
		})
	}
	m.dest = make([]int32, len(rows))
	m.cost = make([]float64, len(rows))
	for k, e := range rows {
		m.dest[k], m.cost[k] = e.to, e.cost
	}
	m.noteAbsent(file, probs)
	return m, nil
}

// Len returns the number of reachable pairs stored.
func (m *Matrix) Len() int { return len(m.cost) }

// Row returns origin i's reachable destinations and their costs, sorted by
// cost then destination index. The slices belong to the matrix: do not
// modify them.
func (m *Matrix) Row(i int) (dests []int32, costs []float64) {
	a, b := m.start[i], m.start[i+1]
	return m.dest[a:b:b], m.cost[a:b:b]
}

// Cost returns the travel cost from origin i to destination j, and false
// when the pair is unreachable.
func (m *Matrix) Cost(i, j int) (float64, bool) {
	ds, cs := m.Row(i)
	for k, d := range ds {
		if int(d) == j {
			return cs[k], true
		}
	}
	return 0, false
}

// MatrixOptions says how to read a matrix CSV file.
type MatrixOptions struct {
	// From, To and Cost name the origin id, destination id and travel cost
	// columns; empty means from_id, to_id and travel_time (IPEA's names).
	// Other columns are ignored.
	From, To, Cost string
	// Origins and Dests, when set, are the attribute tables the ids must
	// come from: an id not in them is an error naming the line, and the
	// matrix lists every id of the table, in table order, even one with no
	// pair. When nil, ids are taken from the file in order of appearance.
	Origins, Dests *Table
}

// ReadMatrix reads a long-format travel matrix CSV (one line per reachable
// pair), as written by r5r, IPEA's accessibility package or any router.
func ReadMatrix(path string, opt MatrixOptions, probs *problem.List) (*Matrix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read travel matrix: %w", err)
	}
	defer f.Close()
	hint := 0
	if st, err := f.Stat(); err == nil {
		hint = int(st.Size() / 40) // a typical line is about 40 bytes
	}
	return parseMatrix(f, path, opt, probs, hint)
}

// idSet gives ids dense indexes, either fixed by a table or in order of
// first appearance.
type idSet struct {
	table *Table
	ids   []string
	index map[string]int32
}

func newIDSet(t *Table) *idSet {
	s := &idSet{table: t, index: map[string]int32{}}
	if t != nil {
		s.ids = t.IDs
		for i, id := range t.IDs {
			s.index[id] = int32(i)
		}
	}
	return s
}

func (s *idSet) get(id string) (int32, bool) {
	if k, ok := s.index[id]; ok {
		return k, true
	}
	if s.table != nil {
		return 0, false
	}
	k := int32(len(s.ids))
	id = strings.Clone(id) // the CSV reader reuses its line buffer
	s.ids = append(s.ids, id)
	s.index[id] = k
	return k, true
}

// ParseMatrix reads a matrix CSV from r; name is the file name used in
// errors and problems.
func ParseMatrix(r io.Reader, name string, opt MatrixOptions, probs *problem.List) (*Matrix, error) {
	return parseMatrix(r, name, opt, probs, 0)
}

// parseMatrix is ParseMatrix with room for about hint pairs reserved.
func parseMatrix(r io.Reader, name string, opt MatrixOptions, probs *problem.List, hint int) (*Matrix, error) {
	if opt.From == "" {
		opt.From = "from_id"
	}
	if opt.To == "" {
		opt.To = "to_id"
	}
	if opt.Cost == "" {
		opt.Cost = "travel_time"
	}
	cr := csv.NewReader(skipBOM(bufio.NewReaderSize(bounded.Records(r), 1<<20)))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("read %s: the file is empty; want a header line %s,%s,%s", name, opt.From, opt.To, opt.Cost)
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols, err := findColumns(name, header, opt.From, opt.To, opt.Cost)
	if err != nil {
		return nil, err
	}
	fc, tc, cc := cols[0], cols[1], cols[2]
	from, to := newIDSet(opt.Origins), newIDSet(opt.Dests)
	es := make([]entry, 0, min(hint, 1<<26))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		fid, tid := strings.TrimSpace(rec[fc]), strings.TrimSpace(rec[tc])
		if fid == "" || tid == "" {
			return nil, fmt.Errorf("read %s line %d: empty %s or %s", name, line, opt.From, opt.To)
		}
		fi, ok := from.get(fid)
		if !ok {
			return nil, fmt.Errorf("read %s line %d: %s %q is not an id in %s", name, line, opt.From, fid, opt.Origins.File)
		}
		ti, ok := to.get(tid)
		if !ok {
			return nil, fmt.Errorf("read %s line %d: %s %q is not an id in %s", name, line, opt.To, tid, opt.Dests.File)
		}
		s := strings.TrimSpace(rec[cc])
		c, perr := strconv.ParseFloat(s, 64)
		if perr != nil {
			return nil, fmt.Errorf("read %s line %d: %s %q from %q to %q is not a number", name, line, opt.Cost, s, fid, tid)
		}
		if err := checkCost(c); err != nil {
			return nil, fmt.Errorf("read %s line %d: %s from %q to %q: %w", name, line, opt.Cost, fid, tid, err)
		}
		if line > math.MaxInt32 || len(es) >= math.MaxInt32 {
			return nil, fmt.Errorf("read %s line %d: too many lines", name, line)
		}
		es = append(es, entry{cost: c, from: fi, to: ti, line: int32(line)})
	}
	return build(from.ids, to.ids, es, name, probs)
}

// findColumns returns the positions of the named columns, or an error that
// lists the columns the header has.
func findColumns(name string, header []string, want ...string) ([]int, error) {
	pos := make([]int, len(want))
	for k, w := range want {
		pos[k] = -1
		for i, h := range header {
			if strings.TrimSpace(h) == w {
				pos[k] = i
				break
			}
		}
		if pos[k] < 0 {
			names := make([]string, len(header))
			for i, h := range header {
				names[i] = strings.TrimSpace(h)
			}
			return nil, fmt.Errorf("read %s line 1: no column %q in the header (it has: %s)", name, w, strings.Join(names, ", "))
		}
	}
	return pos, nil
}

// csvError turns an encoding/csv error into one that names the file and line.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("read %s line %d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// skipBOM drops a UTF-8 byte-order mark, which spreadsheet programs write.
func skipBOM(r *bufio.Reader) *bufio.Reader {
	if b, err := r.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		r.Discard(3)
	}
	return r
}
