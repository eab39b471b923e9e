package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/xitongsys/parquet-go/reader"
	"github.com/xitongsys/parquet-go/source"

	"commonground/internal/geoparquet"
)

// parquetBytes lets github.com/xitongsys/parquet-go, a Parquet reader
// independent of the writer's library, read a file held in memory.
type parquetBytes struct {
	*bytes.Reader
	data []byte
}

func (parquetBytes) Write([]byte) (int, error) { return 0, errors.New("read only") }
func (parquetBytes) Close() error              { return nil }
func (f parquetBytes) Open(string) (source.ParquetFile, error) {
	return parquetBytes{bytes.NewReader(f.data), f.data}, nil
}
func (parquetBytes) Create(string) (source.ParquetFile, error) { return nil, errors.New("read only") }

// TestOriginsParquetReadsBack reads the Delaware tracts run's origins.parquet
// with another Parquet library and checks the row count, origin ids,
// people, every group's walk minutes (null where unreachable) and
// underserved flags against the run, and the "geo" metadata.
func TestOriginsParquetReadsBack(t *testing.T) {
	r := tracts(t)
	set := outputs(t, r)
	data := set.Bytes(OriginsParquetFile)
	pr, err := reader.NewParquetColumnReader(parquetBytes{bytes.NewReader(data), data}, 1)
	if err != nil {
		t.Fatal(err)
	}
	n := len(r.Alloc.Cells)
	if got := pr.GetNumRows(); got != int64(n) {
		t.Fatalf("rows = %d, want %d origins", got, n)
	}
	col := func(i int) []any {
		vals, _, _, err := pr.ReadColumnByIndex(int64(i), int64(n))
		if err != nil || len(vals) != n {
			t.Fatalf("column %d: %d values, %v", i, len(vals), err)
		}
		return vals
	}
	ids, pop := col(0), col(1)
	for i, c := range r.Alloc.Cells {
		if ids[i] != c.ID || pop[i] != c.Pop {
			t.Fatalf("row %d = %v, %v; want %v, %v", i, ids[i], pop[i], c.ID, c.Pop)
		}
	}
	first := 3 + len(r.schemeColumns())
	for gi := range r.Groups {
		walk, under := col(first+3*gi), col(first+3*gi+2)
		unreachable := 0
		for i := range r.Alloc.Cells {
			want := any(r.Walk[gi][i])
			if math.IsNaN(r.Walk[gi][i]) {
				want = nil
				unreachable++
			}
			if walk[i] != want || under[i] != r.Under[gi][i] {
				t.Fatalf("group %s row %d: walk %v under %v, want %v %v", r.Groups[gi].Name, i, walk[i], under[i], want, r.Under[gi][i])
			}
		}
		t.Logf("group %s: %d of %d origins cannot walk to one", r.Groups[gi].Name, unreachable, n)
	}

	var geo string
	for _, kv := range pr.Footer.KeyValueMetadata {
		if kv.Key == "geo" && kv.Value != nil {
			geo = *kv.Value
		}
	}
	var m geoparquet.Metadata
	if err := json.Unmarshal([]byte(geo), &m); err != nil {
		t.Fatalf("geo metadata %q: %v", geo, err)
	}
	c, ok := m.Columns["geometry"]
	if m.Version != "1.1.0" || m.PrimaryColumn != "geometry" || !ok || c.Encoding != "WKB" || len(c.GeometryTypes) == 0 {
		t.Fatalf("geo metadata = %s", geo)
	}
	// Every origin's centre lies in the box, and the box lies in Delaware's
	// (about 75.8 to 75.0 W, 38.4 to 39.9 N).
	if len(c.BBox) != 4 || c.BBox[0] < -75.9 || c.BBox[2] > -74.9 || c.BBox[1] < 38.3 || c.BBox[3] > 40.0 {
		t.Fatalf("bbox = %v", c.BBox)
	}
	for i, cell := range r.Alloc.Cells {
		p := cell.Center
		if p[0] < c.BBox[0] || p[0] > c.BBox[2] || p[1] < c.BBox[1] || p[1] > c.BBox[3] {
			t.Fatalf("origin %d at %v outside bbox %v", i, p, c.BBox)
		}
	}
	t.Logf("geo metadata: %s", geo)
}

// TestOriginsParquetInDuckDB opens the Delaware tracts run's
// origins.parquet with DuckDB (from npm; `make deps-test` installs it into
// testdata/duckdb), as a researcher would, without conversion or
// extensions: DuckDB must read the geometry column as a geometry in
// longitude/latitude (it reads the GeoParquet metadata for that), and
// every row, value and vertex must be what the run wrote.
func TestOriginsParquetInDuckDB(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run DuckDB: install Node.js")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@duckdb", "node-api")); err != nil {
		t.Fatal("DuckDB for the tests is not installed: run `make deps-test`")
	}
	r := tracts(t)
	set := outputs(t, r)
	path := filepath.Join(t.TempDir(), OriginsParquetFile)
	if err := os.WriteFile(path, set.Bytes(OriginsParquetFile), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "read.mjs"), path)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("DuckDB: %v\n%s", err, stderr.String())
	}
	var got struct {
		Columns []struct{ Name, Type string }
		Meta    map[string]string
		Rows    [][]any
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("DuckDB's output: %v", err)
	}
	last := len(got.Columns) - 1
	if last < 0 || got.Columns[last].Name != "geometry" || got.Columns[last].Type != "GEOMETRY('OGC:CRS84')" {
		t.Fatalf("DuckDB's columns: %+v, want the last a GEOMETRY('OGC:CRS84')", got.Columns)
	}
	if _, ok := got.Meta["geo"]; !ok {
		t.Errorf("DuckDB finds no geo metadata: %v", got.Meta)
	}
	if len(got.Rows) != len(r.Alloc.Cells) {
		t.Fatalf("DuckDB reads %d rows, want %d origins", len(got.Rows), len(r.Alloc.Cells))
	}
	var row originRow
	people := 0.0
	for i, g := range got.Rows {
		r.originValues(i, &row)
		if len(g) != len(row.vals)+1 || len(got.Columns) != len(g) {
			t.Fatalf("row %d: DuckDB reads %d values, the run wrote %d and a geometry", i, len(g), len(row.vals))
		}
		for k, want := range row.vals {
			if f, ok := want.(float64); ok && math.IsNaN(f) {
				want = nil // unreachable: null
			}
			if g[k] != want {
				t.Fatalf("row %d, %s: DuckDB reads %v (%T), the run wrote %v (%T)", i, got.Columns[k].Name, g[k], g[k], want, want)
			}
		}
		people += g[1].(float64)
		wkt, _ := g[last].(string)
		poly, ok := row.shape.(orb.Polygon)
		if !ok {
			t.Fatalf("row %d: the tracts study's origins are grid squares, got %T", i, row.shape)
		}
		if err := sameWKT(wkt, poly); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
	// The 2010 Census counted 897,934 people in Delaware (US Census Bureau,
	// 2010 Census Redistricting Data, P.L. 94-171), all in the study's tracts.
	if want := 897934.0; math.Abs(people-want) > 0.5 {
		t.Errorf("DuckDB's origins hold %.1f people, the 2010 Census %.0f", people, want)
	}
}

// sameWKT reports whether wkt, as DuckDB prints a polygon, has exactly
// poly's rings and vertices.
func sameWKT(wkt string, poly orb.Polygon) error {
	body, pre := strings.CutPrefix(wkt, "POLYGON ((")
	body, suf := strings.CutSuffix(body, "))")
	if !pre || !suf {
		return fmt.Errorf("geometry %.60q is not a polygon", wkt)
	}
	rings := strings.Split(body, "), (")
	if len(rings) != len(poly) {
		return fmt.Errorf("%d rings, want %d", len(rings), len(poly))
	}
	for k, ring := range rings {
		pts := strings.Split(ring, ", ")
		if len(pts) != len(poly[k]) {
			return fmt.Errorf("ring %d: %d vertices, want %d", k, len(pts), len(poly[k]))
		}
		for j, pt := range pts {
			xy := strings.Fields(pt)
			if len(xy) != 2 {
				return fmt.Errorf("ring %d vertex %d: %q", k, j, pt)
			}
			x, err1 := strconv.ParseFloat(xy[0], 64)
			y, err2 := strconv.ParseFloat(xy[1], 64)
			if err1 != nil || err2 != nil || x != poly[k][j][0] || y != poly[k][j][1] {
				return fmt.Errorf("ring %d vertex %d: DuckDB reads %q, the run wrote %v", k, j, pt, poly[k][j])
			}
		}
	}
	return nil
}
