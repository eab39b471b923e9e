package study

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"testing"

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
