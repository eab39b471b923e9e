package study

import (
	"fmt"
	"strconv"

	"github.com/paulmach/orb"

	"commonground/internal/access"
	"commonground/internal/config"
	"commonground/internal/gap"
	"commonground/internal/place"
)

// ScenarioFile is a change to the places: new ones, closed ones, and ones
// whose kind changes (longer hours modelled as a category change, say).
type ScenarioFile struct {
	Name   string          `yaml:"name"`
	Add    []ScenarioPlace `yaml:"add"`
	Remove []ScenarioRef   `yaml:"remove"`
	Change []ScenarioRef   `yaml:"change"`
}

// ScenarioPlace is a new place.
type ScenarioPlace struct {
	Name     string  `yaml:"name"`
	Category string  `yaml:"category"`
	Lat      float64 `yaml:"lat"`
	Lon      float64 `yaml:"lon"`
}

// ScenarioRef names an existing place by its OSM id ("node/123",
// "way/456") or exact name, and for a change its new category.
type ScenarioRef struct {
	OSM      string `yaml:"osm"`
	Name     string `yaml:"name"`
	Category string `yaml:"category"`
}

// Scenario is the outcome of a scenario: per group and cell, whether the
// cell is underserved with the changed places.
type Scenario struct {
	Name   string
	Places []place.Place
	Walk   [][]float64
	Drive  [][]float64
	Under  [][]bool
	// Changes lists what was applied, in words.
	Changes []string
}

// ReadScenario reads and checks a scenario file against the study's
// categories and places; errors name the file and the entry to fix.
func (r *Result) readScenario(path string) (*ScenarioFile, error) {
	var f ScenarioFile
	if err := config.ReadYAML(path, "scenario", &f); err != nil {
		return nil, err
	}
	if len(f.Add)+len(f.Remove)+len(f.Change) == 0 {
		return nil, fmt.Errorf("scenario %s: no changes: give add, remove or change entries", path)
	}
	isCat := func(c string) bool { return r.catIndex(c) >= 0 }
	for i, a := range f.Add {
		if !isCat(a.Category) {
			return nil, fmt.Errorf("scenario %s: add[%d] (%s): %q is not a category of the study", path, i, a.Name, a.Category)
		}
		if a.Lat < -90 || a.Lat > 90 || a.Lon < -180 || a.Lon > 180 || a.Lat == 0 && a.Lon == 0 {
			return nil, fmt.Errorf("scenario %s: add[%d] (%s): lat %v, lon %v is not a place on Earth", path, i, a.Name, a.Lat, a.Lon)
		}
	}
	for i, c := range f.Change {
		if !isCat(c.Category) {
			return nil, fmt.Errorf("scenario %s: change[%d]: %q is not a category of the study", path, i, c.Category)
		}
	}
	return &f, nil
}

func (r *Result) findPlace(ref ScenarioRef) (int, error) {
	for j, p := range r.Extract.Places {
		if ref.OSM != "" && ref.OSM == p.OSMType+"/"+strconv.FormatInt(p.OSMID, 10) || ref.OSM == "" && ref.Name != "" && ref.Name == p.Name {
			return j, nil
		}
	}
	if ref.OSM != "" {
		return -1, fmt.Errorf("no place %s", ref.OSM)
	}
	return -1, fmt.Errorf("no place named %q", ref.Name)
}

// scenario applies a scenario file to the places and measures access again
// with the same networks and origins.
func (r *Result) scenario(eng *access.Engine, path string) error {
	f, err := r.readScenario(path)
	if err != nil {
		return err
	}
	places := append([]place.Place(nil), r.Extract.Places...)
	drop := map[int]bool{}
	var changes []string
	for i, ref := range f.Remove {
		j, err := r.findPlace(ref)
		if err != nil {
			return fmt.Errorf("scenario %s: remove[%d]: %w", path, i, err)
		}
		drop[j] = true
		changes = append(changes, fmt.Sprintf("closed: %s (%s)", nameOf(places[j]), places[j].Category))
	}
	for i, ref := range f.Change {
		j, err := r.findPlace(ref)
		if err != nil {
			return fmt.Errorf("scenario %s: change[%d]: %w", path, i, err)
		}
		changes = append(changes, fmt.Sprintf("changed: %s from %s to %s", nameOf(places[j]), places[j].Category, ref.Category))
		places[j].Category = ref.Category
		places[j].Faith = r.Study.Categories[r.catIndex(ref.Category)].Faith
	}
	var kept []place.Place
	for j, p := range places {
		if !drop[j] {
			kept = append(kept, p)
		}
	}
	for i, a := range f.Add {
		pt := orb.Point{a.Lon, a.Lat}
		kept = append(kept, place.Place{Source: "scenario", OSMType: "scenario", OSMID: int64(i + 1), Name: a.Name, Category: a.Category,
			Faith: r.Study.Categories[r.catIndex(a.Category)].Faith, Point: pt, Access: []orb.Point{pt}, Tags: map[string]string{}})
		changes = append(changes, fmt.Sprintf("opened: %s (%s)", a.Name, a.Category))
	}
	place.Sort(kept, r.Study.Categories)
	sc := &Scenario{Name: f.Name, Places: kept, Changes: changes}
	if sc.Name == "" {
		sc.Name = "Scenario"
	}
	// Measure again on the changed places, the baseline's way.
	base := r.Extract.Places
	r.Extract.Places = kept
	defer func() { r.Extract.Places = base }()
	n := len(r.Groups)
	sc.Walk, sc.Under = make([][]float64, n), make([][]bool, n)
	sets := make([][]access.Dest, n)
	for gi, g := range r.Groups {
		sets[gi] = r.dests(g)
	}
	sc.Drive = eng.NearestMinutes(access.Drive, sets)
	for gi := range r.Groups {
		sc.Walk[gi], _ = eng.Nearest(access.Walk, sets[gi])
		sc.Under[gi] = make([]bool, len(r.Alloc.Cells))
		for i := range r.Alloc.Cells {
			sc.Under[gi][i] = gap.Underserved(sc.Walk[gi][i], sc.Drive[gi][i], standard(r.Study, r.Class[i]))
		}
	}
	r.Scenario = sc
	return nil
}

func nameOf(p place.Place) string {
	if p.Name != "" {
		return p.Name
	}
	return p.OSMType + "/" + strconv.FormatInt(p.OSMID, 10)
}

// ScenarioChange counts, per group of places, people who gain access (were
// underserved, are not in the scenario) and who lose it, by area class.
type ScenarioChange struct {
	Gain, Lose [gap.NumClasses]float64
}

// ScenarioChanges summarises the scenario against the baseline.
func (r *Result) ScenarioChanges() []ScenarioChange {
	if r.Scenario == nil {
		return nil
	}
	out := make([]ScenarioChange, len(r.Groups))
	for gi := range r.Groups {
		for i, c := range r.Alloc.Cells {
			was, now := r.Under[gi][i], r.Scenario.Under[gi][i]
			switch {
			case was && !now:
				out[gi].Gain[r.Class[i]] += c.Pop
			case !was && now:
				out[gi].Lose[r.Class[i]] += c.Pop
			}
		}
	}
	return out
}
