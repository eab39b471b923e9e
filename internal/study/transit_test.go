package study

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"commonground/internal/gap"
	"commonground/internal/geo"
	"commonground/internal/measure"
	"commonground/internal/population"
	"commonground/internal/testdata"
)

// portoAlegre is the Porto Alegre transit example.
func portoAlegre(t *testing.T) *Result {
	t.Helper()
	return example(t, "porto-alegre/study.yaml", "routes every cell by transit over two windows")
}

// TestPortoAlegreTransit checks the transit stage's results against what
// they must satisfy whatever the timetable: walking is always an option, so
// a transit trip is never slower than the walk (within a second of rounding);
// no trip beats the straight line at 80 km/h, a bus's top speed here; and the
// population and the 15 landmarks come through whole.
func TestPortoAlegreTransit(t *testing.T) {
	r := portoAlegre(t)
	if len(r.Extract.Places) != 15 || r.Transit == nil || len(r.Transit.Windows) != 2 {
		t.Fatalf("%d places, transit %v", len(r.Extract.Places), r.Transit != nil)
	}
	if math.Abs(r.Population()-poaPopulation(t)) > 1e-6 {
		t.Errorf("population %v, hexagons hold %v", r.Population(), poaPopulation(t))
	}
	lm := group(t, r, "landmark")
	tw := r.Transit.Windows[0]
	faster, checked := 0, 0
	for i, c := range r.Alloc.Cells {
		tr, walk := tw.Minutes[lm][i], r.Walk[lm][i]
		if math.IsNaN(tr) {
			continue
		}
		checked++
		if !math.IsNaN(walk) && tr > walk+1.0/60+1e-9 && walk <= r.Study.Transit.MaxTripMinutes {
			t.Fatalf("cell %d: transit %.2f min, but walking takes %.2f", c.Index, tr, walk)
		}
		if !math.IsNaN(walk) && tr < walk-1 {
			faster++
		}
		straight := math.Inf(1)
		for _, p := range r.Extract.Places {
			straight = math.Min(straight, geo.Distance(c.Center, p.Point))
		}
		if tr*60 < straight/(80/3.6) {
			t.Fatalf("cell %d: %.2f min by transit covers %.0f m: faster than 80 km/h", c.Index, tr, straight)
		}
	}
	// The 25th percentile never exceeds the median, nor the median the 75th.
	for i := range r.Alloc.Cells {
		p25, med, p75 := tw.Extra[0][lm][i], tw.Minutes[lm][i], tw.Extra[1][lm][i]
		if !math.IsNaN(p25) && !math.IsNaN(med) && p25 > med || !math.IsNaN(med) && !math.IsNaN(p75) && med > p75 || math.IsNaN(p25) && !math.IsNaN(med) {
			t.Fatalf("cell %d: p25 %v, median %v, p75 %v", i, p25, med, p75)
		}
	}
	if checked < len(r.Alloc.Cells)/2 || faster < checked/4 {
		t.Errorf("%d cells reach a landmark by transit, %d of them faster than walking", checked, faster)
	}
	// Saturday runs fewer buses than a weekday, so departures per hour fall
	// and fewer people are within the standard.
	var wk, sat float64
	for k := range r.Transit.Stops {
		wk += r.Transit.Windows[0].StopTrips[k]
		sat += r.Transit.Windows[1].StopTrips[k]
	}
	under := func(w int) (n float64) {
		for i, c := range r.Alloc.Cells {
			if r.Transit.Windows[w].Under[lm][i] {
				n += c.Pop
			}
		}
		return n
	}
	if r.Transit.Windows[1].Date != "2019-05-18" || sat >= wk || under(1) <= under(0) {
		t.Errorf("Saturday %s: %.0f departures/h against %.0f on the weekday; underserved %.0f against %.0f", r.Transit.Windows[1].Date, sat, wk, under(1), under(0))
	}
}

func poaPopulation(t *testing.T) float64 {
	b, err := os.ReadFile(testdata.Shared(t, "porto-alegre/poa_hexgrid.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var col, row int
	field := []byte{}
	for _, ch := range b {
		switch ch {
		case ',', '\n':
			if row > 0 && col == 3 {
				var v float64
				for _, d := range field {
					v = v*10 + float64(d-'0')
				}
				sum += v
			}
			field = field[:0]
			col++
			if ch == '\n' {
				col = 0
				row++
			}
		case '\r':
		default:
			field = append(field, ch)
		}
	}
	return sum
}

// TestPortoAlegreReportInBrowser opens the transit report: no script
// errors or requests, every cell drawn, and the transit chart drawn.
func TestPortoAlegreReportInBrowser(t *testing.T) {
	r := portoAlegre(t)
	v := openReport(t, r)
	if v.Map.CellsDrawn < len(r.Alloc.Cells) || v.Map.Stops != len(r.Transit.Stops) {
		t.Errorf("map drew %d of %d cells and %d of %d stops", v.Map.CellsDrawn, len(r.Alloc.Cells), v.Map.Stops, len(r.Transit.Stops))
	}
	found := false
	for _, c := range v.Charts {
		found = found || c.ID == "chart-transit" && c.Rendered
		if !c.Rendered {
			t.Errorf("chart %s did not render", c.ID)
		}
	}
	if !found {
		t.Error("the transit chart is missing")
	}
}

// TestPortoAlegreMeasuresConserve checks, on the travel matrices the run
// built for the hexagons (walk, drive and transit), Luo and Wang's 2SFCA
// property (people times access sums to the supply of landmarks some
// resident reaches within the catchment, counted here from the matrix) and
// that gravity access never grows as the decay steepens.
func TestPortoAlegreMeasuresConserve(t *testing.T) {
	r := portoAlegre(t)
	lm := group(t, r, "landmark")
	if len(r.Measures) != 4 {
		t.Fatalf("%d measured modes, want walk, drive and transit in two windows", len(r.Measures))
	}
	supply := r.supply(r.Groups[lm])
	for _, mm := range r.Measures {
		var sum float64
		for i, c := range r.Alloc.Cells {
			sum += c.Pop * mm.FCA[lm][i]
		}
		reached := map[int32]bool{}
		for i, c := range r.Alloc.Cells {
			if c.Pop <= 0 {
				continue
			}
			dests, costs := mm.Matrix.Row(i)
			for k, j := range dests {
				if costs[k] <= r.Study.Measures.Catchment && supply[j] > 0 {
					reached[j] = true
				}
			}
		}
		if math.Abs(sum-float64(len(reached))) > 1e-6 {
			t.Errorf("%s: sum of people x 2SFCA access %.9f, landmarks reached %d", mm.Name, sum, len(reached))
		}
		prev := []float64(nil)
		for _, beta := range []float64{0.02, 0.05, 0.1, 0.2, 0.5} {
			g, err := mm.Matrix.Gravity(supply, measure.Exponential(beta))
			if err != nil {
				t.Fatal(err)
			}
			for i := range g {
				if prev != nil && g[i] > prev[i]+1e-12 {
					t.Fatalf("%s: cell %d gravity rises from %v to %v as beta grows to %v", mm.Name, i, prev[i], g[i], beta)
				}
			}
			prev = g
		}
	}
}

// TestPortoAlegreOriginsAreTheHexagons: IPEA's 1,227 hexagon centres are
// the origins, at their own coordinates, with their own ids and people (as
// r5r takes them), and a state capital of 1.4 million has no remote origin.
func TestPortoAlegreOriginsAreTheHexagons(t *testing.T) {
	r := portoAlegre(t)
	f, err := os.Open(testdata.Shared(t, "porto-alegre/poa_hexgrid.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Alloc.Cells) != len(rows)-1 || len(rows)-1 != 1227 {
		t.Fatalf("%d origins for %d hexagons", len(r.Alloc.Cells), len(rows)-1)
	}
	for k, row := range rows[1:] {
		c := r.Alloc.Cells[k]
		lon, _ := strconv.ParseFloat(row[1], 64)
		lat, _ := strconv.ParseFloat(row[2], 64)
		pop, _ := strconv.ParseFloat(row[3], 64)
		if c.ID != row[0] || c.Center != (orb.Point{lon, lat}) || c.Pop != pop {
			t.Fatalf("origin %d is %s at %v with %v people; the hexagon is %s at %v,%v with %v", k, c.ID, c.Center, c.Pop, row[0], lon, lat, pop)
		}
		if r.Class[k] == gap.Remote {
			t.Errorf("hexagon %s is remote", c.ID)
		}
	}
	if r.Alloc.Origins != population.PointOrigins {
		t.Errorf("origins are %s", r.Alloc.Origins)
	}
}
