package geoparquet

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/xitongsys/parquet-go/reader"
	"github.com/xitongsys/parquet-go/source"
)

// memFile lets the independent reader (github.com/xitongsys/parquet-go, a
// different Parquet implementation from the writer's) read from memory.
type memFile struct{ *bytes.Reader }

func (memFile) Write([]byte) (int, error) { return 0, errors.New("read only") }
func (memFile) Close() error              { return nil }
func (f memFile) Open(string) (source.ParquetFile, error) {
	return memFile{bytes.NewReader(f.bytes())}, nil
}
func (memFile) Create(string) (source.ParquetFile, error) { return nil, errors.New("read only") }
func (f memFile) bytes() []byte {
	b, _ := io.ReadAll(io.NewSectionReader(f.Reader, 0, f.Size()))
	return b
}

// TestReadBack writes three rows (a polygon, a point, no geometry) and reads
// them back with another library: the row count, each column's values and
// nulls, the WKB of the point byte for byte, and the "geo" metadata.
func TestReadBack(t *testing.T) {
	square := orb.Polygon{{{-75.75, 39.5}, {-75.25, 39.5}, {-75.25, 39.75}, {-75.75, 39.75}, {-75.75, 39.5}}}
	pt := orb.Point{-75.546875, 39.0}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, []Column{{"origin_id", String}, {"population", Double}, {"count", Int64}, {"underserved", Bool}})
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		g    orb.Geometry
		vals []any
	}{
		{square, []any{"c1", 12.5, 3, true}},
		{pt, []any{"c2", math.NaN(), nil, false}},
		{nil, []any{nil, 0.25, int64(-7), nil}},
	}
	for _, r := range rows {
		if err := w.Add(r.g, r.vals...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	pr, err := reader.NewParquetColumnReader(memFile{bytes.NewReader(buf.Bytes())}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := pr.GetNumRows(); n != 3 {
		t.Fatalf("rows = %d, want 3", n)
	}
	col := func(i int64) []any {
		vals, _, _, err := pr.ReadColumnByIndex(i, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) != 3 {
			t.Fatalf("column %d has %d values", i, len(vals))
		}
		return vals
	}
	want := [][]any{
		{"c1", "c2", nil},
		{12.5, nil, 0.25},
		{int64(3), nil, int64(-7)},
		{true, false, nil},
	}
	for i, w := range want {
		got := col(int64(i))
		for j := range w {
			if got[j] != w[j] {
				t.Errorf("column %d row %d = %#v, want %#v", i, j, got[j], w[j])
			}
		}
	}
	geoms := col(4)
	// Little-endian WKB of a point: byte order 1, type 1 as uint32, x, y.
	wantPt := []byte{1, 1, 0, 0, 0}
	wantPt = binary.LittleEndian.AppendUint64(wantPt, math.Float64bits(-75.546875))
	wantPt = binary.LittleEndian.AppendUint64(wantPt, math.Float64bits(39.0))
	if s, _ := geoms[1].(string); s != string(wantPt) {
		t.Errorf("point WKB = %x, want %x", geoms[1], wantPt)
	}
	s, _ := geoms[0].(string)
	g, err := wkb.Unmarshal([]byte(s))
	if err != nil || !orb.Equal(g, square) {
		t.Errorf("polygon = %v, %v", g, err)
	}
	if geoms[2] != nil {
		t.Errorf("third geometry = %v, want null", geoms[2])
	}

	var geo string
	for _, kv := range pr.Footer.KeyValueMetadata {
		if kv.Key == "geo" && kv.Value != nil {
			geo = *kv.Value
		}
	}
	var m Metadata
	if err := json.Unmarshal([]byte(geo), &m); err != nil {
		t.Fatalf("geo metadata %q: %v", geo, err)
	}
	c := m.Columns["geometry"]
	if m.Version != "1.1.0" || m.PrimaryColumn != "geometry" || c.Encoding != "WKB" {
		t.Errorf("geo metadata = %s", geo)
	}
	if len(c.GeometryTypes) != 2 || c.GeometryTypes[0] != "Point" || c.GeometryTypes[1] != "Polygon" {
		t.Errorf("geometry_types = %v", c.GeometryTypes)
	}
	// The box holds the square and the point: x from -75.75 to -75.25, y
	// from 39.0 (the point) to 39.75.
	if wantBox := []float64{-75.75, 39.0, -75.25, 39.75}; len(c.BBox) != 4 || c.BBox[0] != wantBox[0] || c.BBox[1] != wantBox[1] || c.BBox[2] != wantBox[2] || c.BBox[3] != wantBox[3] {
		t.Errorf("bbox = %v, want %v", c.BBox, wantBox)
	}
}

// TestErrors checks that a bad column or value is named.
func TestErrors(t *testing.T) {
	if _, err := NewWriter(io.Discard, []Column{{"a", Int64}, {"a", Double}}); err == nil {
		t.Error("repeated column accepted")
	}
	if _, err := NewWriter(io.Discard, []Column{{"geometry", Int64}}); err == nil {
		t.Error("column named geometry accepted")
	}
	w, err := NewWriter(io.Discard, []Column{{"n", Int64}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(nil, "x"); err == nil || !bytes.Contains([]byte(err.Error()), []byte(`row 1 column "n"`)) {
		t.Errorf("string in Int64 column: %v", err)
	}
	if err := w.Add(orb.Point{math.NaN(), 0}, 1); err == nil {
		t.Error("NaN coordinate accepted")
	}
}

// TestDeterministic writes the same rows twice and expects the same bytes,
// as the run's outputs must be identical run to run.
func TestDeterministic(t *testing.T) {
	write := func() []byte {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, []Column{{"id", String}, {"v", Double}})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 1000; i++ {
			if err := w.Add(orb.Point{float64(i) / 100, 1}, "o"+string(rune('a'+i%26)), float64(i)/3); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	if a, b := write(), write(); !bytes.Equal(a, b) {
		t.Error("two writes of the same rows differ")
	}
}

// BenchmarkWriteDelaware writes 24,000 square origins with 30 columns (id,
// people, class and, for nine groups, walk and drive minutes and an
// underserved flag), the size of the Delaware example's origins.parquet.
func BenchmarkWriteDelaware(b *testing.B) {
	const n, groups = 24000, 9
	cols := []Column{{"origin_id", String}, {"population", Double}, {"class", String}}
	for g := 0; g < groups; g++ {
		s := string(rune('a' + g))
		cols = append(cols, Column{"walk_" + s, Double}, Column{"drive_" + s, Double}, Column{"under_" + s, Bool})
	}
	type row struct {
		g    orb.Polygon
		vals []any
	}
	rows := make([]row, n)
	for i := range rows {
		x, y := -75.8+0.003*float64(i%150), 38.4+0.003*float64(i/150)
		vals := []any{"c" + string(rune('a'+i%26)), float64(i%97) / 3, "rural"}
		for g := 0; g < groups; g++ {
			vals = append(vals, float64((i+g)%60)+0.25, float64((i*g)%30)+0.5, (i+g)%2 == 0)
		}
		rows[i] = row{orb.Polygon{{{x, y}, {x + 0.003, y}, {x + 0.003, y + 0.003}, {x, y + 0.003}, {x, y}}}, vals}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, err := NewWriter(io.Discard, cols)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Add(r.g, r.vals...); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
