package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// render renders d, failing the test on error.
func render(t testing.TB, d *Data) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, d); err != nil {
		t.Fatalf("Render: %v (run internal/report/web/fetch-assets.sh if assets are missing)", err)
	}
	return buf.Bytes()
}

// scriptJSON returns the body of <script type="application/json" id=id>.
func scriptJSON(t *testing.T, page []byte, id string) []byte {
	t.Helper()
	re := regexp.MustCompile(`(?s)<script type="application/json" id="` + id + `">(.*?)</script>`)
	m := re.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no <script id=%q> in page", id)
	}
	return m[1]
}

type pageData struct {
	CellSize   float64 `json:"cellSize"`
	Categories []struct {
		Name, Label, Color string
		Faith              bool
	} `json:"categories"`
	Classes []struct {
		Label, Standard string
	} `json:"classes"`
	Breaks []float64 `json:"breaks"`
	Cells  struct {
		Lon0, Lat0    float64
		Gained, Lost  []uint32
		Lon, Lat, Pop []float64
		Cls           []int
		Walk, Drive   [][]float64
		Under         []uint32
		N15           []int `json:"n15"`
		K15           []int `json:"k15"`
		Area          []int
		AreaNames     []string
	} `json:"cells"`
	Places [][]any `json:"places"`
	Water  struct {
		Areas, Lines [][]float64
	} `json:"water"`
	Roads map[string][][]float64 `json:"roads"`
	Stops [][]any                `json:"stops"`
	Style struct {
		TimeColors []string
	} `json:"style"`
}

func TestRenderData(t *testing.T) {
	d := wilmington(45)
	page := render(t, d)
	var got pageData
	if err := json.Unmarshal(scriptJSON(t, page, "cg-data"), &got); err != nil {
		t.Fatalf("data blob does not parse: %v", err)
	}
	// The page stores coordinates as 1e-5 degrees above a base and minutes
	// in tenths; undo both here as the page script does.
	for i := range got.Cells.Lon {
		got.Cells.Lon[i] = got.Cells.Lon0 + got.Cells.Lon[i]*1e-5
		got.Cells.Lat[i] = got.Cells.Lat0 + got.Cells.Lat[i]*1e-5
	}
	for _, rows := range [][][]float64{got.Cells.Walk, got.Cells.Drive} {
		for _, row := range rows {
			for i := range row {
				if row[i] >= 0 {
					row[i] /= 10
				}
			}
		}
	}
	n := d.Cells.Len()
	if n != 2025 || len(got.Cells.Lon) != n || len(got.Cells.Lat) != n || len(got.Cells.Under) != n {
		t.Fatalf("cells: %d in, lon %d lat %d under %d out", n, len(got.Cells.Lon), len(got.Cells.Lat), len(got.Cells.Under))
	}
	for i := 0; i < n; i++ {
		if math.Abs(got.Cells.Lon[i]-d.Cells.Lon[i]) > 0.5e-5+1e-9 || math.Abs(got.Cells.Lat[i]-d.Cells.Lat[i]) > 0.5e-5+1e-9 {
			t.Fatalf("cell %d at %v,%v, want %v,%v to 5 decimals", i, got.Cells.Lon[i], got.Cells.Lat[i], d.Cells.Lon[i], d.Cells.Lat[i])
		}
		if got.Cells.Under[i] != d.Cells.Under[i] || got.Cells.Cls[i] != int(d.Cells.Class[i]) || got.Cells.Area[i] != int(d.Cells.Area[i]) {
			t.Fatalf("cell %d: under/class/area %d/%d/%d, want %d/%d/%d", i, got.Cells.Under[i], got.Cells.Cls[i], got.Cells.Area[i], d.Cells.Under[i], d.Cells.Class[i], d.Cells.Area[i])
		}
		for c := range d.Categories {
			for _, m := range []struct {
				in  []float32
				out []float64
			}{{d.Cells.Walk[c], got.Cells.Walk[c]}, {d.Cells.Drive[c], got.Cells.Drive[c]}} {
				in := float64(m.in[i])
				if !(in >= 0) {
					if m.out[i] != -1 {
						t.Fatalf("cell %d category %d: unreachable written as %v, want -1", i, c, m.out[i])
					}
					continue
				}
				if math.Abs(m.out[i]-in) > 0.05+1e-6 {
					t.Fatalf("cell %d category %d: %v minutes written as %v", i, c, in, m.out[i])
				}
			}
		}
	}
	// Scenario changes go out as sparse (index, bits) pairs.
	full := wilmingtonFull(45)
	var fg pageData
	if err := json.Unmarshal(scriptJSON(t, render(t, full), "cg-data"), &fg); err != nil {
		t.Fatal(err)
	}
	if w := fg.Water; len(w.Areas) != 1 || len(w.Lines) != 1 || len(w.Areas[0]) != 8 ||
		math.Abs(w.Lines[0][0]-full.Water[1].Coords[0][0]) > 0.5e-4+1e-9 || math.Abs(w.Lines[0][1]-full.Water[1].Coords[0][1]) > 0.5e-4+1e-9 {
		t.Errorf("water %+v, want one area of 4 points and one line from %v", w, full.Water[1].Coords[0])
	}
	want := 0
	for _, b := range full.Cells.Gained {
		if b != 0 {
			want++
		}
	}
	if want == 0 || len(fg.Cells.Gained) != 2*want {
		t.Fatalf("%d numbers for %d gaining cells", len(fg.Cells.Gained), want)
	}
	for k := 0; k < len(fg.Cells.Gained); k += 2 {
		if i := fg.Cells.Gained[k]; full.Cells.Gained[i] != fg.Cells.Gained[k+1] {
			t.Errorf("cell %d gained %d, want %d", i, fg.Cells.Gained[k+1], full.Cells.Gained[i])
		}
	}
	if got.Cells.Area[44] != -1 {
		t.Errorf("cell 44 area %d, want -1", got.Cells.Area[44])
	}
	if len(got.Places) != len(d.Places) {
		t.Fatalf("%d places, want %d", len(got.Places), len(d.Places))
	}
	if name := got.Places[16][3]; name != nastyName {
		t.Errorf("place 16 name %q, want %q", name, nastyName)
	}
	if tags := got.Places[16][5].(map[string]any); tags["religion"] != "christian" || tags["denomination"] != "methodist" {
		t.Errorf("place 16 tags %v", tags)
	}
	if got.Classes[0].Standard != "15-minute walk" || got.Classes[2].Standard != "30-minute drive" {
		t.Errorf("standards %q, %q", got.Classes[0].Standard, got.Classes[2].Standard)
	}
	if want := []float64{5, 10, 15, 20, 30, 45, 60}; !equalFloats(got.Breaks, want) {
		t.Errorf("breaks %v, want %v", got.Breaks, want)
	}
	if len(got.Style.TimeColors) != len(got.Breaks)+1 {
		t.Errorf("%d time colours for %d breaks", len(got.Style.TimeColors), len(got.Breaks))
	}
	if len(got.Roads["secondary"]) != 5 || len(got.Roads["motorway"]) != 1 || len(got.Roads["motorway"][0]) != 6 {
		t.Errorf("roads: %d secondary, %d motorway", len(got.Roads["secondary"]), len(got.Roads["motorway"]))
	}
	if len(got.Stops) != 12 {
		t.Errorf("%d stops, want 12", len(got.Stops))
	}
	// The hostile name must never appear raw: it would close the script.
	if bytes.Contains(page, []byte(`</script><script>alert`)) {
		t.Error("place name reached the page unescaped")
	}
	if !bytes.Contains(page, []byte(`St. Mary's \u003c/script\u003e`)) {
		t.Error("escaped place name not found in page")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

func TestRenderCharts(t *testing.T) {
	d := wilmington(45)
	page := render(t, d)
	var cs []struct {
		ID     string
		Height int
		Unit   string
		Option struct {
			Series []struct {
				Name string
				Type string
				Data []struct{ Value float64 }
			}
			YAxis []struct {
				Type string
				Data []string
			}
		}
	}
	if err := json.Unmarshal(scriptJSON(t, page, "cg-charts"), &cs); err != nil {
		t.Fatalf("charts do not parse: %v", err)
	}
	ids := []string{"chart-walk-bands", "chart-drive-bands", "chart-classes", "chart-areas"}
	if len(cs) != len(ids) {
		t.Fatalf("%d charts, want %d", len(cs), len(ids))
	}
	for i, id := range ids {
		if cs[i].ID != id {
			t.Errorf("chart %d id %q, want %q", i, cs[i].ID, id)
		}
		if !bytes.Contains(page, []byte(`<div class="chart" id="`+id+`"`)) {
			t.Errorf("no div for chart %s", id)
		}
	}
	walk := cs[0].Option
	if len(walk.Series) != len(d.TimeBands) || walk.Series[0].Name != "0–5 min" || walk.Series[8].Name != "No route" {
		t.Fatalf("walk chart series: %+v", walk.Series)
	}
	if len(walk.YAxis) == 0 || len(walk.YAxis[0].Data) != 6 || walk.YAxis[0].Data[1] != "Community centre" {
		t.Fatalf("walk chart y axis: %+v", walk.YAxis)
	}
	for b := range d.TimeBands {
		for c := range d.Categories {
			want := math.Round(d.WalkShare[c][b]*1000) / 10
			if got := walk.Series[b].Data[c].Value; math.Abs(got-want) > 1e-9 {
				t.Errorf("walk band %d category %d: %v%%, want %v%%", b, c, got, want)
			}
		}
	}
	// Each category's bands add up to 100% (within rounding of 9 bands).
	for c := range d.Categories {
		var sum float64
		for b := range d.TimeBands {
			sum += walk.Series[b].Data[c].Value
		}
		if math.Abs(sum-100) > 0.5 {
			t.Errorf("category %d walk bands add to %v%%", c, sum)
		}
	}
	classes := cs[2].Option
	if classes.Series[0].Name != "All residents" || len(classes.Series) != 1+len(d.Categories) {
		t.Fatalf("class chart series %+v", classes.Series)
	}
	for k, r := range d.ClassRows {
		if got := classes.Series[0].Data[k].Value; got != math.Round(r.Population) {
			t.Errorf("class %d residents %v, want %v", k, got, math.Round(r.Population))
		}
	}
	areas := cs[3].Option
	if len(areas.Series[0].Data) != 9 || areas.Series[0].Data[0].Value != math.Round(d.Areas[0].Share*1000)/10 {
		t.Errorf("area chart: %+v, worst share %v", areas.Series[0].Data, d.Areas[0].Share)
	}
	if areas.YAxis[0].Data[0] != d.Areas[0].Name {
		t.Errorf("area chart starts with %q, want %q", areas.YAxis[0].Data[0], d.Areas[0].Name)
	}
}

func TestRenderDeterministic(t *testing.T) {
	a := render(t, wilmington(30))
	b := render(t, wilmington(30))
	if !bytes.Equal(a, b) {
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Fatalf("two renders differ at byte %d: %q vs %q", i, a[i:min(i+60, len(a))], b[i:min(i+60, len(b))])
	}
}

// TestRenderLoadsNothing checks the page cannot fetch anything: no external
// scripts, stylesheets, images or CSS urls, and a policy that forbids them.
func TestRenderLoadsNothing(t *testing.T) {
	page := string(render(t, wilmington(20)))
	for _, c := range []struct {
		name string
		re   string
	}{
		{"script src", `(?i)<script[^>]*\ssrc\s*=`},
		{"link element", `(?i)<link\s`},
		{"img src", `(?i)<img[^>]*\ssrc\s*=\s*["']?(https?:)?//`},
		{"iframe", `(?i)<iframe`},
		{"css import", `(?i)@import`},
		{"remote url()", `(?i)\burl\(\s*["']?\s*(https?:)?//`},
		{"relative url()", `(?i)\burl\(\s*["']?\s*[a-z0-9_.]+/`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if m := regexp.MustCompile(c.re).FindString(page); m != "" {
				t.Errorf("page loads a resource: %q", m)
			}
		})
	}
	if !strings.Contains(page, `default-src 'none'`) {
		t.Error("no Content-Security-Policy forbidding requests")
	}
	// Links to openstreetmap.org are plain anchors, which is allowed.
	if !strings.Contains(page, `<a href="https://www.openstreetmap.org/copyright">`) {
		t.Error("OSM attribution link missing")
	}
}

func TestRenderText(t *testing.T) {
	d := wilmington(30)
	page := string(render(t, d))
	// The largest gap among mapped kinds is a finding.
	r := d.Summary[0]
	for _, x := range d.Summary {
		if x.Places > 0 && !d.Categories[x.Category].Composite && x.Underserved > r.Underserved {
			r = x
		}
	}
	wantLib := fmtPeople(r.Underserved) + " people (" + fmtShare(r.UnderservedShare) + " of residents) live farther"
	for _, want := range []string{
		"Population figures are estimates.",
		wantLib,
		"urban residents within a 15-minute walk, rural residents within a 15-minute drive and remote residents within a 30-minute drive",
		"3f1c0e6f2d5b8a7c9e4d1b2a3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f",
		"7.8 MB",
		"2016-08-10",
		"walk-speed",
		"way/123 highway=primary has no nodes",
		"Test data: places and times are synthetic.",
		d.Areas[0].Name,
		d.Areas[0].ID,
		"v0.0.0-test",
		"From this page to the data",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("template refused a value (ZgotmplZ in output)")
	}
	d.Estimate = false
	if page := string(render(t, d)); strings.Contains(page, "Population figures are estimates.") {
		t.Error("estimate banner shown for a census count")
	}
}

// TestRenderMinimal renders a run that found nothing: no cells, places,
// areas or charts. The page must still say so in words.
func TestRenderMinimal(t *testing.T) {
	d := &Data{Title: "Empty run", CellSize: 250, Categories: []Category{{Name: "library", Label: "Library", Color: "#0072b2"}},
		Cells: Cells{Walk: [][]float32{{}}, Drive: [][]float32{{}}}}
	page := string(render(t, d))
	for _, want := range []string{"<title>Empty run</title>", "No areas were given to rank.", "The run reported no warnings.", "No input files were recorded."} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(d *Data)
		want string
	}{
		{"short column", func(d *Data) { d.Cells.Pop = d.Cells.Pop[1:] }, "Cells.Pop has 99 values, want 100"},
		{"short walk row", func(d *Data) { d.Cells.Walk[2] = d.Cells.Walk[2][:5] }, "Cells.Walk[2] (faith) has 5 values"},
		{"missing drive row", func(d *Data) { d.Cells.Drive = d.Cells.Drive[:3] }, "Cells.Drive has 3 rows, want 6"},
		{"bad class", func(d *Data) { d.Cells.Class[7] = 3 }, "cell 7 (lon"},
		{"bad area", func(d *Data) { d.Cells.Area[3] = 9 }, "has area 9, but AreaNames has 9 names"},
		{"bad place category", func(d *Data) { d.Places[2].Category = 6 }, `place 2 (node/1002 "Library 3") has category 6`},
		{"zero cell size", func(d *Data) { d.CellSize = 0 }, "CellSize 0 m"},
		{"band shares", func(d *Data) { d.WalkShare[1] = d.WalkShare[1][:4] }, "WalkShare[1] (community) has 4 shares, want 9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := wilmington(10)
			c.edit(d)
			err := Render(&bytes.Buffer{}, d)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	t.Run("nil data", func(t *testing.T) {
		if err := Render(&bytes.Buffer{}, nil); err == nil {
			t.Fatal("no error for nil data")
		}
	})
}

func TestRenderAssetsMissing(t *testing.T) {
	saved := assetFS
	t.Cleanup(func() { assetFS = saved })
	assetFS = fstest.MapFS{"assets/README.md": {Data: []byte("placeholder")}}
	err := Render(&bytes.Buffer{}, wilmington(5))
	if !errors.Is(err, ErrAssetsMissing) {
		t.Fatalf("error %v, want ErrAssetsMissing", err)
	}
	if !strings.Contains(err.Error(), "report assets missing: run `make assets`") {
		t.Errorf("error %q does not tell the user what to run", err)
	}
}

func TestFormatting(t *testing.T) {
	people := []struct {
		in   float64
		want string
	}{{0, "0"}, {999.4, "999"}, {999.5, "1,000"}, {38000.4, "38,000"}, {897934, "897,934"}, {1234567, "1,234,567"}, {-1500, "-1,500"}, {math.NaN(), "unknown"}}
	for _, c := range people {
		t.Run("people "+c.want, func(t *testing.T) {
			if got := fmtPeople(c.in); got != c.want {
				t.Errorf("fmtPeople(%v) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	shares := []struct {
		in   float64
		want string
	}{{0, "0%"}, {0.0004, "under 0.1%"}, {0.042, "4.2%"}, {0.0995, "10%"}, {0.38, "38%"}, {1, "100%"}}
	for _, c := range shares {
		t.Run("share "+c.want, func(t *testing.T) {
			if got := fmtShare(c.in); got != c.want {
				t.Errorf("fmtShare(%v) = %q, want %q", c.in, got, c.want)
			}
		})
	}
	breaks := []struct {
		name string
		in   []string
		want []float64
	}{
		{"en dash", []string{"0–5", "5–10", "10–15", "15–20", "20–30", "30–45", "45–60", "60+", "unreachable"}, []float64{5, 10, 15, 20, 30, 45, 60}},
		{"hyphen", []string{"0-10", "10-20", "20+"}, []float64{10, 20}},
		{"unreadable", []string{"short", "long"}, defaultBreaks},
	}
	for _, c := range breaks {
		t.Run("breaks "+c.name, func(t *testing.T) {
			if got := parseBreaks(c.in); !equalFloats(got, c.want) {
				t.Errorf("parseBreaks(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
	t.Run("band colours", func(t *testing.T) {
		got := bandColors([]string{"0–5", "5–10", "10+", "unreachable"})
		want := []string{timeColors[0], timeColors[5], timeColors[9], unreachColor}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("band %d colour %s, want %s", i, got[i], want[i])
			}
		}
	})
	t.Run("bytes", func(t *testing.T) {
		for in, want := range map[int64]string{512: "512 bytes", 7812345: "7.8 MB", 1234: "1.2 kB", 2_500_000_000: "2.5 GB"} {
			if got := fmtBytes(in); got != want {
				t.Errorf("fmtBytes(%d) = %q, want %q", in, got, want)
			}
		}
	})
}

// findingsData is a small study worked by hand: two kinds of place, one of
// them with nothing mapped, the "any" combination, two classes and areas.
func findingsData() *Data {
	return &Data{
		CellSize: 250,
		Categories: []Category{{Name: "library", Label: "Library"}, {Name: "faith", Label: "Place of worship", Faith: true},
			{Name: "any", Label: "Any gathering place", Composite: true}, {Name: "secular", Label: "Any secular place", Composite: true}},
		Classes:    []Class{{Name: "urban", Label: "Urban"}, {Name: "rural", Label: "Rural"}},
		Thresholds: []Threshold{{Class: "urban", Mode: "walk", Minutes: 15}, {Class: "rural", Mode: "drive", Minutes: 20}},
		Cells:      Cells{Lon: make([]float64, 4)},
		ClassRows:  []ClassRow{{Class: 0, Cells: 3, Population: 9000}, {Class: 1, Cells: 1, Population: 1000}},
		Summary: []CategoryRow{
			{Category: 0, Places: 3, PopWalk15: 5000, Underserved: 420, UnderservedShare: 0.042, ByClass: []float64{120, 300}},
			{Category: 1, Places: 0, PopWalk15: 0, Underserved: 10000, UnderservedShare: 1, ByClass: []float64{9000, 1000}},
			{Category: 2, Places: 3, PopWalk15: 5000, Underserved: 400, UnderservedShare: 0.04, ByClass: []float64{100, 300}},
			{Category: 3, Places: 3, PopWalk15: 5000, Underserved: 420, UnderservedShare: 0.042, ByClass: []float64{120, 300}},
		},
		RankCategory: -1,
		Areas: []AreaRow{
			{Name: "Tract 9", Level: "Tract", Population: 3000, Underserved: 1800, Share: 0.6},
			{Name: "Tract 4", Level: "Tract", Population: 1000, Underserved: 100, Share: 0.1},
			{Name: "Tract 2", Level: "Tract", Population: 6000, Underserved: 0, Share: 0},
		},
	}
}

// TestFindings checks the sentences against numbers worked by hand.
func TestFindings(t *testing.T) {
	d := findingsData()
	got := readingKey(d)
	want := []finding{
		{"Who is counted.", "10,000 residents live in 4 populated cells of 250 m × 250 m: 90% in urban cells and 10% in rural cells."},
		{"The standard.", "Each kind of place should be reachable by urban residents within a 15-minute walk and rural residents within a 20-minute drive. A cell whose nearest place of a kind is farther than that is called underserved for that kind."},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("reading key:\n got %+v\nwant %+v", got, want)
	}
	got = findings(d)
	// The place of worship row (nothing mapped) is an artefact, not a
	// finding; the combinations belong to the headline; Tract 2 has nobody
	// underserved and is not named.
	want = []finding{
		{"Where to act first:", "the tracts with the most residents underserved for at least one kind of place are Tract 9 (1,800 of 3,000 residents, 60%) and Tract 4 (100 of 1,000 residents, 10%)."},
		{"Library:", "420 people (4.2% of residents) live farther from the nearest one than their area's standard; 5,000 (50%) can walk to one within 15 minutes."},
	}
	if len(got) != len(want) {
		t.Fatalf("%d findings, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("finding %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if a := artefacts(d); len(a) != 1 || a[0] != "Place of worship" {
		t.Errorf("artefacts %q, want [Place of worship]", a)
	}
	h := headline(d)
	// 300 of the 400 underserved for any place live in rural cells: 75%.
	if h.Label != "Any gathering place" || h.People != 400 || h.Second != "Any secular place" || h.SecondPeople != 420 ||
		h.Where != "75% of them live in rural areas; the worst-served area is Tract 9." {
		t.Errorf("headline %+v", h)
	}
	// Library: 3 gain, 0 lose; any: 35 gain, 8 lose (a combination, so not
	// named); worship: nothing changes.
	d.Scenario = &ScenarioData{Name: "Hall", Gain: [][]float64{{1, 2}, {0, 0}, {30, 5}, {0, 0}}, Lose: [][]float64{{0, 0}, {0, 0}, {7, 1}, {0, 0}}}
	d.Invest = &InvestData{Category: "Community halls", Underserved: 900, Sites: []SiteRow{{Total: 100}, {Total: 250}}}
	got = findings(d)
	if n := len(got); n != 4 || got[2].Text != "for library, 3 people would come within their standard and 0 would fall beyond it." ||
		got[3].Text != "new community halls at 2 sites would bring 250 of the 900 people underserved for them within their standard." {
		t.Errorf("scenario and investment findings: %+v", got[2:])
	}
	if cs := scenarioChanges(d); len(cs) != 2 || cs[0].Index != 2 || cs[0].Gain != 35 || cs[0].Lose != 8 || cs[1].Index != 0 || cs[1].Gain != 3 {
		t.Errorf("scenario changes %+v, want any (35, 8) then library (3, 0)", cs)
	}
}

// TestSiteWhy checks the sentence relating a site to the ranking.
func TestSiteWhy(t *testing.T) {
	top := map[string]int{"Tract 9": 1, "Tract 4": 7}
	s := SiteRow{Gain: 1234.4, Areas: "Tract 4; Tract 5", AreaList: []string{"Tract 4", "Tract 5", "Tract 9"}}
	if got, want := siteWhy(s, top, 20), "Brings 1,234 people newly within their standard, most of them in Tract 4; Tract 5. Of the 20 worst-served areas it reaches Tract 4 (rank 7) and Tract 9 (rank 1)."; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	s.AreaList = []string{"Tract 5"}
	if got, want := siteWhy(s, top, 20), "Brings 1,234 people newly within their standard, most of them in Tract 4; Tract 5. It reaches none of the 20 worst-served areas."; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestWordsFollowStudy: a study of one kind of place leads with that kind,
// not "any gathering place", says nothing of secular places without places
// of worship, and names bare area codes with their level.
func TestWordsFollowStudy(t *testing.T) {
	d := &Data{
		Categories: []Category{{Name: "landmark", Label: "City landmarks"}, {Name: "any", Label: "Any gathering place", Composite: true, Members: []int{0}},
			{Name: "secular", Label: "Any gathering place except places of worship", Composite: true, Members: []int{0}}},
		Classes: []Class{{Name: "urban", Label: "Urban"}},
		Summary: []CategoryRow{{Category: 0, Places: 15, Underserved: 80, UnderservedShare: 0.8, ByClass: []float64{80}},
			{Category: 1, Places: 15, Underserved: 80, UnderservedShare: 0.8, ByClass: []float64{80}},
			{Category: 2, Places: 15, Underserved: 80, UnderservedShare: 0.8, ByClass: []float64{80}}},
		RankCategory: 0,
		Areas:        []AreaRow{{Name: "89a90128587ffff", Level: "H3 hexagon", Population: 10, Underserved: 10, Share: 1}},
	}
	h := headline(d)
	if h.Label != "City landmarks" || h.Second != "" || h.Where != "100% of them live in urban areas; the worst-served area is H3 hexagon 89a90128587ffff." {
		t.Errorf("headline %+v", h)
	}
	if f := findings(d); len(f) == 0 || !strings.HasPrefix(f[0].Text, "the H3 hexagon with the most residents") {
		t.Errorf("findings %+v", f)
	}
	for in, want := range map[string]string{"Census tract": "census tract", "H3 hexagon": "H3 hexagon", "ZIP code": "ZIP code", "county": "county"} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
	if got := displayName("santa_casa_hospital"); got != "Santa casa hospital" {
		t.Errorf("displayName: %q", got)
	}
	if got := displayName("St. John's_Hall"); got != "St. John's_Hall" {
		t.Errorf("displayName changed a real name: %q", got)
	}
}

// TestDerivable: a combination's minutes are left out of the page only when
// they are exactly the least of its members' in every cell.
func TestDerivable(t *testing.T) {
	d := &Data{Categories: []Category{{Name: "a"}, {Name: "b"}, {Name: "any", Composite: true, Members: []int{0, 1}}}}
	rows := [][]float32{{5, -1, -1, 7}, {3, 4, -1, -1}, {3, 4, -1, 7}}
	if !derivable(d, rows, 2) {
		t.Error("least of the members not recognised")
	}
	if derivable(d, rows, 0) {
		t.Error("a plain category left out")
	}
	for _, c := range []struct {
		name string
		i    int
		v    float32
	}{{"larger than the least", 0, 5}, {"reachable where no member is", 2, 1}, {"unreachable where a member is", 1, -1}} {
		bad := [][]float32{rows[0], rows[1], append([]float32(nil), rows[2]...)}
		bad[2][c.i] = c.v
		if derivable(d, bad, 2) {
			t.Errorf("%s: left out", c.name)
		}
	}
}

// TestUnderColour: underserved cells never take a kind of place's colour.
func TestUnderColour(t *testing.T) {
	d := &Data{Categories: []Category{{Color: "#D55E00"}, {Color: "#b2182b"}}}
	if got := pickUnderColor(d); got != "#a50026" {
		t.Errorf("under colour %s, want #a50026 (the first candidate no category uses)", got)
	}
	d.Categories = nil
	if got := pickUnderColor(d); got != underColor {
		t.Errorf("under colour %s, want %s", got, underColor)
	}
}

func BenchmarkRender(b *testing.B) {
	d := wilmington(200) // 40,000 cells, the size of Delaware's grid
	var buf bytes.Buffer
	if err := Render(&buf, d); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf.Reset()
		if err := Render(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "MB/page")
}

// TestInvestExplained: the investment section says why each site was
// chosen, relates it to the ranking, and notes a site the scenario closes.
func TestInvestExplained(t *testing.T) {
	d := wilmingtonFull(30)
	d.Scenario.Closed = append(d.Scenario.Closed, Place{Lon: d.Invest.Sites[1].Lon, Lat: d.Invest.Sites[1].Lat, Name: "Elm School", Category: 0})
	page := string(render(t, d))
	// The sites' catchments reach the cells' first area and the top-ranked one.
	first := 0
	for i, a := range d.Areas {
		if a.Name == d.Cells.AreaNames[0] {
			first = i + 1
		}
	}
	for _, want := range []string{
		"<strong>North side school.</strong> Brings 200 people newly within their standard",
		fmt.Sprintf("Of the 9 worst-served areas it reaches %s (rank %d) and %s (rank 1).", d.Cells.AreaNames[0], first, d.Areas[0].Name),
		"The scenario above closes this place",
		"The sites add community centres, while the ranking is of access to at least one kind of place",
		`<a href="cells.csv">cells.csv</a>`,
		"commonground run datasets/delaware/tracts.yaml",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "The scenario above closes this place"); n != 1 {
		t.Errorf("closed-site note %d times, want once (only Elm School is closed)", n)
	}
}
