package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// placeTags are the OSM tags a place popup shows; the rest stay out of the
// page to keep it small.
var placeTags = []string{"religion", "denomination", "opening_hours", "wheelchair", "operator", "addr:street", "addr:housenumber", "addr:city"}

// validate checks that the columns line up and every index points somewhere,
// naming the field at fault: a mismatch here is a pipeline bug, and a page
// drawn from it would silently show wrong cells.
func validate(d *Data) error {
	c := &d.Cells
	n := c.Len()
	cols := []struct {
		name string
		len  int
	}{
		{"Lat", len(c.Lat)}, {"Pop", len(c.Pop)}, {"Class", len(c.Class)},
		{"Under", len(c.Under)}, {"Count15", len(c.Count15)}, {"Kinds15", len(c.Kinds15)}, {"Area", len(c.Area)},
	}
	for _, col := range cols {
		if col.len != n {
			return fmt.Errorf("report: Cells.%s has %d values, want %d (one per cell, as Cells.Lon)", col.name, col.len, n)
		}
	}
	for _, m := range []struct {
		name string
		rows [][]float32
	}{{"Walk", c.Walk}, {"Drive", c.Drive}} {
		if len(m.rows) != len(d.Categories) {
			return fmt.Errorf("report: Cells.%s has %d rows, want %d (one per category)", m.name, len(m.rows), len(d.Categories))
		}
		for k, row := range m.rows {
			if len(row) != n {
				return fmt.Errorf("report: Cells.%s[%d] (%s) has %d values, want %d (one per cell)", m.name, k, d.Categories[k].Name, len(row), n)
			}
		}
	}
	if len(d.Categories) > 32 {
		return fmt.Errorf("report: %d categories, at most 32 fit in Cells.Under", len(d.Categories))
	}
	if d.CellSize <= 0 || math.IsNaN(d.CellSize) || math.IsInf(d.CellSize, 0) {
		return fmt.Errorf("report: CellSize %v m, want a positive number of metres", d.CellSize)
	}
	for i := 0; i < n; i++ {
		if int(c.Class[i]) >= len(d.Classes) {
			return fmt.Errorf("report: cell %d (lon %.5f, lat %.5f) has class %d, but only %d classes are defined", i, c.Lon[i], c.Lat[i], c.Class[i], len(d.Classes))
		}
		if c.Area[i] < -1 || int(c.Area[i]) >= len(c.AreaNames) {
			return fmt.Errorf("report: cell %d (lon %.5f, lat %.5f) has area %d, but AreaNames has %d names", i, c.Lon[i], c.Lat[i], c.Area[i], len(c.AreaNames))
		}
	}
	for i, p := range d.Places {
		if p.Category < 0 || p.Category >= len(d.Categories) {
			return fmt.Errorf("report: place %d (%s %q) has category %d, but only %d categories are defined", i, p.OSM, p.Name, p.Category, len(d.Categories))
		}
	}
	for i, r := range d.Summary {
		if r.Category < 0 || r.Category >= len(d.Categories) {
			return fmt.Errorf("report: Summary[%d] has category %d, but only %d categories are defined", i, r.Category, len(d.Categories))
		}
	}
	for i, r := range d.ClassRows {
		if r.Class < 0 || r.Class >= len(d.Classes) {
			return fmt.Errorf("report: ClassRows[%d] has class %d, but only %d classes are defined", i, r.Class, len(d.Classes))
		}
	}
	for _, m := range []struct {
		name string
		rows [][]float64
	}{{"WalkShare", d.WalkShare}, {"DriveShare", d.DriveShare}} {
		if len(m.rows) != 0 && len(m.rows) != len(d.Categories) {
			return fmt.Errorf("report: %s has %d rows, want %d (one per category)", m.name, len(m.rows), len(d.Categories))
		}
		for k, row := range m.rows {
			if len(row) != len(d.TimeBands) {
				return fmt.Errorf("report: %s[%d] (%s) has %d shares, want %d (one per time band)", m.name, k, d.Categories[k].Name, len(row), len(d.TimeBands))
			}
		}
	}
	return nil
}

// jsonWriter builds the page's data blob by hand so columns of numbers are
// written rounded (coordinates to 5 decimals, about 1 m; minutes to 0.1) and
// without per-value allocations. Strings and small objects go through
// encoding/json, whose HTML escaping turns "<" into \u003c, so the blob can
// never close its <script> element.
type jsonWriter struct {
	b   bytes.Buffer
	err error
}

func (w *jsonWriter) raw(s string) { w.b.WriteString(s) }

func (w *jsonWriter) key(k string) {
	if b := w.b.Bytes(); len(b) > 0 && b[len(b)-1] != '{' && b[len(b)-1] != '[' {
		w.b.WriteByte(',')
	}
	w.value(k)
	w.b.WriteByte(':')
}

// value writes v with encoding/json; map keys come out sorted.
func (w *jsonWriter) value(v any) {
	if w.err != nil {
		return
	}
	enc, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	w.b.Write(enc)
}

// num writes f rounded to dec decimals; a non-finite f is written as bad.
func (w *jsonWriter) num(f float64, dec int, bad string) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.b.WriteString(bad)
		return
	}
	p := math.Pow10(dec)
	r := math.Round(f*p) / p
	if r == 0 {
		r = 0 // no "-0"
	}
	w.b.Write(strconv.AppendFloat(w.b.AvailableBuffer(), r, 'f', -1, 64))
}

// line writes a line as a flat array of lon, lat pairs: [x0,y0,x1,y1,...].
func (w *jsonWriter) line(coords [][2]float64, dec int) {
	w.raw("[")
	for k, pt := range coords {
		if k > 0 {
			w.raw(",")
		}
		w.num(pt[0], dec, "0")
		w.raw(",")
		w.num(pt[1], dec, "0")
	}
	w.raw("]")
}

func (w *jsonWriter) floats(xs []float64, dec int) {
	w.b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.num(x, dec, "0")
	}
	w.b.WriteByte(']')
}

// minutes writes travel times in whole tenths of a minute (123 for 12.3
// minutes, which the page divides by ten: a byte shorter than "12.3" for
// each of some million values) and -1 for unreachable.
func (w *jsonWriter) minutes(xs []float32) {
	w.b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.b.WriteByte(',')
		}
		f := float64(x)
		if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
			w.b.WriteString("-1")
			continue
		}
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(math.Round(f*10)), 10))
	}
	w.b.WriteByte(']')
}

// derivable reports whether rows[k], a combination's minutes, is in every
// cell the least of its members' minutes (unreachable only where all are),
// so the page can rebuild it and the blob need not carry it. A combination
// computed any other way is written out in full.
func derivable(d *Data, rows [][]float32, k int) bool {
	ms := d.Categories[k].Members
	if len(ms) == 0 {
		return false
	}
	for _, m := range ms {
		if m < 0 || m >= len(rows) || m == k || d.Categories[m].Composite {
			return false
		}
	}
	for i, x := range rows[k] {
		best := float32(-1)
		for _, m := range ms {
			if y := rows[m][i]; y >= 0 && (best < 0 || y < best) {
				best = y
			}
		}
		if !(x >= 0) {
			if best >= 0 {
				return false
			}
			continue
		}
		if x != best {
			return false
		}
	}
	return true
}

// coords writes coordinates as whole 1e-5 degrees (about 1 m) above the
// smallest, which the page adds back: "5432" instead of "-75.54321".
func (w *jsonWriter) coords(name string, xs []float64) {
	base := math.Inf(1)
	for _, x := range xs {
		base = min(base, x)
	}
	if math.IsInf(base, 1) || math.IsNaN(base) {
		base = 0
	}
	base = math.Floor(base*1e5) / 1e5
	w.key(name + "0")
	w.num(base, 5, "0")
	w.key(name)
	w.b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(math.Round((x-base)*1e5)), 10))
	}
	w.b.WriteByte(']')
}

// sparse writes a mostly-zero column as flat pairs [index, value, ...]:
// a scenario changes few cells.
func (w *jsonWriter) sparse(xs []uint32) {
	w.b.WriteByte('[')
	n := 0
	for i, x := range xs {
		if x == 0 {
			continue
		}
		if n > 0 {
			w.b.WriteByte(',')
		}
		n++
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(i), 10))
		w.b.WriteByte(',')
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(x), 10))
	}
	w.b.WriteByte(']')
}

func ints[T uint8 | uint16 | uint32 | int32](w *jsonWriter, xs []T) {
	w.b.WriteByte('[')
	for i, x := range xs {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(x), 10))
	}
	w.b.WriteByte(']')
}

// fixed is a number for tuple, written with dec decimals (0 when not finite).
type fixed struct {
	v   float64
	dec int
}

// decimals is a list of numbers for tuple, each with dec decimals.
type decimals struct {
	xs  []float64
	dec int
}

// tuple writes one JSON array of mixed items: fixed and decimals as num
// writes them, anything else through encoding/json.
func (w *jsonWriter) tuple(items ...any) {
	w.b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			w.b.WriteByte(',')
		}
		switch v := it.(type) {
		case fixed:
			w.num(v.v, v.dec, "0")
		case decimals:
			w.floats(v.xs, v.dec)
		default:
			w.value(v)
		}
	}
	w.b.WriteByte(']')
}

// list writes a JSON array of n elements, each written by elem(i).
func (w *jsonWriter) list(n int, elem func(i int)) {
	w.b.WriteByte('[')
	for i := range n {
		if i > 0 {
			w.b.WriteByte(',')
		}
		elem(i)
	}
	w.b.WriteByte(']')
}

// pageCategory and pageClass are the JSON shapes the page script reads.
type pageCategory struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Faith bool   `json:"faith"`
	Color string `json:"color"`
	// Composite categories combine others; they hold no places of their own.
	Composite bool `json:"composite,omitempty"`
	// Members of a combination, for rebuilding its minutes.
	Members []int `json:"members,omitempty"`
}

type pageClass struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	Rule  string `json:"rule"`
	Color string `json:"color"`
	// Standard is the class's threshold in words, e.g. "15-minute walk".
	Standard string `json:"standard"`
}

// blob encodes the data the page script needs as one JSON object.
func blob(d *Data, breaks []float64) ([]byte, error) {
	w := &jsonWriter{}
	w.raw("{")
	w.key("cellSize")
	w.num(d.CellSize, 1, "0")
	origins := d.Origins
	if origins == "" {
		origins = "grid"
	}
	w.key("origins")
	w.value(origins)
	w.key("originRadius")
	w.num(d.OriginRadius, 1, "0")

	cats := make([]pageCategory, len(d.Categories))
	for i, c := range d.Categories {
		cats[i] = pageCategory{c.Name, c.Label, c.Faith, c.Color, c.Composite, c.Members}
	}
	w.key("categories")
	w.value(cats)
	classes := make([]pageClass, len(d.Classes))
	for i, c := range d.Classes {
		classes[i] = pageClass{c.Name, c.Label, c.Rule, c.Color, standardOf(d, c.Name)}
	}
	w.key("classes")
	w.value(classes)
	w.key("breaks")
	w.value(breaks)

	c := &d.Cells
	w.key("cells")
	w.raw("{")
	w.coords("lon", c.Lon)
	w.coords("lat", c.Lat)
	w.key("pop")
	w.floats(c.Pop, 1)
	if c.ID != nil {
		w.key("id")
		w.value(c.ID)
	}
	w.key("cls")
	ints(w, c.Class)
	w.key("rem")
	w.floats(c.Remote, 2)
	w.key("gained")
	w.sparse(c.Gained)
	w.key("lost")
	w.sparse(c.Lost)
	for _, m := range []struct {
		name string
		rows [][]float32
	}{{"walk", c.Walk}, {"drive", c.Drive}} {
		w.key(m.name)
		w.list(len(m.rows), func(k int) {
			if derivable(d, m.rows, k) {
				w.raw("null") // the page takes the least of the members' minutes
				return
			}
			w.minutes(m.rows[k])
		})
	}
	w.key("under")
	ints(w, c.Under)
	w.key("n15")
	ints(w, c.Count15)
	w.key("k15")
	ints(w, c.Kinds15)
	w.key("area")
	ints(w, c.Area)
	w.key("areaNames")
	w.value(nonNil(c.AreaNames))
	w.raw("}")

	// Places: [lon, lat, category, name, osm, {tags}]
	w.key("places")
	w.list(len(d.Places), func(i int) {
		p := d.Places[i]
		tags := map[string]string{}
		for _, k := range placeTags {
			if v, ok := p.Tags[k]; ok && v != "" {
				tags[k] = v
			}
		}
		w.tuple(fixed{p.Lon, 5}, fixed{p.Lat, 5}, p.Category, displayName(p.Name), p.OSM, tags)
	})

	// Roads grouped by class, each a flat [lon,lat,lon,lat...] list; classes
	// sorted so the output does not depend on map order.
	byClass := map[string][]int{}
	for i, r := range d.Roads {
		byClass[r.Class] = append(byClass[r.Class], i)
	}
	names := make([]string, 0, len(byClass))
	for k := range byClass {
		names = append(names, k)
	}
	sort.Strings(names)
	w.key("roads")
	w.raw("{")
	for _, name := range names {
		w.key(name)
		idx := byClass[name]
		w.list(len(idx), func(j int) { w.line(d.Roads[idx[j]].Coords, 5) })
	}
	w.raw("}")

	w.key("stops")
	w.list(len(d.Stops), func(i int) {
		s := d.Stops[i]
		w.tuple(fixed{s.Lon, 5}, fixed{s.Lat, 5}, s.Name, s.Kind, decimals{s.PerHour, 1})
	})
	var windows []TransitWindow
	var routes [][][2]float64
	if d.Transit != nil {
		windows, routes = d.Transit.Windows, d.Transit.Routes
	}
	w.key("transit")
	w.list(len(windows), func(k int) {
		w.raw("{")
		w.key("name")
		w.value(windows[k].Name)
		w.key("minutes")
		rows := windows[k].Minutes
		w.list(len(rows), func(c int) { w.minutes(rows[c]) })
		w.raw("}")
	})
	var sites []SiteRow
	if d.Invest != nil {
		sites = d.Invest.Sites
	}
	w.key("sites")
	w.list(len(sites), func(k int) {
		st := sites[k]
		w.tuple(fixed{st.Lon, 5}, fixed{st.Lat, 5}, displayName(st.Name), st.Kind, fixed{st.Gain, 0})
	})
	w.key("routes")
	w.list(len(routes), func(k int) {
		line := routes[k]
		w.list(len(line), func(m int) { w.tuple(fixed{line[m][0], 5}, fixed{line[m][1], 5}) })
	})

	// Water: areas and lines, each a flat [lon, lat, lon, lat, ...] list
	// in 1e-4 degrees (about 10 m, finer than the simplification).
	w.key("water")
	w.raw("{")
	for _, area := range []bool{true, false} {
		if area {
			w.key("areas")
		} else {
			w.key("lines")
		}
		w.raw("[")
		n := 0
		for _, wt := range d.Water {
			if wt.Area != area {
				continue
			}
			if n > 0 {
				w.raw(",")
			}
			n++
			w.line(wt.Coords, 4)
		}
		w.raw("]")
	}
	w.raw("}")

	// Town labels: [lon, lat, name, kind, population].
	w.key("towns")
	w.list(len(d.Towns), func(i int) {
		t := d.Towns[i]
		w.tuple(fixed{t.Lon, 4}, fixed{t.Lat, 4}, t.Name, t.Kind, t.Population)
	})
	// The first screen's map shows the headline category; the change map
	// the ranking category (the headline one when areas rank by any kind).
	w.key("headCat")
	w.value(headlineCategory(d))
	w.key("changeCat")
	w.value(changeCategory(d))
	w.key("opened")
	w.places(scenarioPlaces(d, true))
	w.key("closed")
	w.places(scenarioPlaces(d, false))
	w.raw("}")
	if w.err != nil {
		return nil, fmt.Errorf("report: encode page data: %w", w.err)
	}
	return w.b.Bytes(), nil
}

// places writes a list of [lon, lat, category, name], one for each place.
func (w *jsonWriter) places(ps []Place) {
	w.list(len(ps), func(i int) {
		p := ps[i]
		w.tuple(fixed{p.Lon, 5}, fixed{p.Lat, 5}, p.Category, displayName(p.Name))
	})
}

// scenarioPlaces returns the places the scenario opens (or closes).
func scenarioPlaces(d *Data, opened bool) []Place {
	if d.Scenario == nil {
		return nil
	}
	if opened {
		return d.Scenario.Opened
	}
	return d.Scenario.Closed
}

// changeCategory is the category the scenario's change map shows.
func changeCategory(d *Data) int {
	if d.RankCategory >= 0 && d.RankCategory < len(d.Categories) {
		return d.RankCategory
	}
	return headlineCategory(d)
}

// displayName turns an identifier used as a name ("santa_casa_hospital",
// as facility lists often give) into words ("Santa casa hospital"); real
// names pass unchanged.
func displayName(s string) string {
	if !strings.Contains(s, "_") || strings.ContainsAny(s, " ") {
		return s
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return s
		}
	}
	s = strings.Trim(strings.ReplaceAll(s, "_", " "), " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
