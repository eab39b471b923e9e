package study

import (
	"fmt"
	"path/filepath"
	"strings"

	"commonground/internal/config"
	"commonground/internal/modfile"
	"commonground/internal/output"
	"commonground/internal/place"
	"commonground/internal/siting"
)

// CheckInputs parses every small input file the config names (scenario,
// facility lists, candidate site lists) before the OpenStreetMap read, so a
// mistake in one of them is reported in seconds, in one line naming the file,
// rather than after the whole analysis.
func CheckInputs(s *config.Study) error {
	if s.Scenario != "" {
		path, _ := s.Resolve(s.Scenario)
		if _, err := (&Result{Study: s}).readScenario(path); err != nil {
			return err
		}
	}
	for _, f := range s.Inputs.Facilities {
		path, _ := s.Resolve(f.Path)
		l := place.FacilityList{Path: path, Category: f.Category, Replace: f.Mode == "replace",
			IDField: f.IDField, NameField: f.NameField, LatField: f.LatField, LonField: f.LonField}
		if _, err := place.ReadFacilities(l); err != nil {
			return err
		}
	}
	if s.Siting != nil {
		for _, f := range s.Siting.Files {
			path, _ := s.Resolve(f)
			if _, _, err := siting.Read(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// InputFiles lists every input file of the study as the run opens it, with
// the config key that names it (module references, which live in the Go
// module cache, are left out).
func InputFiles(s *config.Study) []output.InputFile {
	var out []output.InputFile
	add := func(key, p string) {
		if p == "" || modfile.IsRef(p) {
			return
		}
		full, _ := s.Resolve(p)
		out = append(out, output.InputFile{Key: key, Path: full})
	}
	if s.Path != "" {
		out = append(out, output.InputFile{Key: "the study config", Path: s.Path})
	}
	add("inputs.osm", s.Inputs.OSM)
	if p := s.Inputs.Population; p != nil {
		add("inputs.population.path", p.Path)
		if strings.EqualFold(filepath.Ext(p.Path), ".shp") {
			for _, side := range []string{".dbf", ".shx", ".prj", ".cpg"} {
				add("inputs.population.path", p.Path[:len(p.Path)-4]+side)
			}
		}
	}
	for i, f := range s.Inputs.Facilities {
		add(fmt.Sprintf("inputs.facilities[%d].path", i), f.Path)
	}
	add("scenario", s.Scenario)
	if s.Area != nil {
		add("study_area.path", s.Area.Path)
	}
	add("classes.centres", s.Classes.Centres)
	if o := s.Classes.Official; o != nil {
		add("classes.official.path", o.Path)
	}
	if s.Transit != nil {
		for i, f := range s.Transit.Feeds {
			add(fmt.Sprintf("transit.feeds[%d]", i), f)
		}
	}
	if s.Siting != nil {
		for i, f := range s.Siting.Files {
			add(fmt.Sprintf("siting.files[%d]", i), f)
		}
	}
	return out
}

// PrepareOutput checks the output folder before the analysis starts (see
// output.Prepare): it can be written, holds no input, and holds nothing but
// an earlier run; what a killed run left is cleaned up.
func PrepareOutput(s *config.Study, dir string) error {
	return output.Prepare(dir, InputFiles(s), OutputNames)
}

// OutputNames lists every file a run may write, so an earlier run's folder
// is recognised even without its manifest.
var OutputNames = []string{ReportFile, CellsFile, AreasFile, PlacesFile, MeasuresFile, SitesFile,
	ManifestFile, TimingsFile, GeoPackageFile, OriginsParquetFile,
	"summary.csv", "groups.csv", "inequality.csv", "completeness.csv", "transit.csv"}
