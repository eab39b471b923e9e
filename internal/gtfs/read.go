package gtfs

import (
	"github.com/paulmach/orb"

	"archive/zip"
	"bytes"
	"commonground/internal/geo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	pathpkg "path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"commonground/internal/problem"
)

// ErrMissingFile is returned when a feed lacks a file every use needs.
var ErrMissingFile = errors.New("gtfs: missing required file")

// ErrUnusable is returned when a feed can be read but nothing in it can be
// routed on: no usable trips, or too many stop_times rows that point nowhere.
var ErrUnusable = errors.New("gtfs: feed is unusable")

// listLimit is how many problems with one message and file are listed
// row by row; the rest are only counted (see Feed.ProblemGroups), so a feed
// with a million bad rows does not hold a million messages.
const listLimit = 200

// Read reads one GTFS feed from a zip file or a folder.
//
// What is repaired or skipped is recorded in Feed.Problems, with file and
// line: rows with unknown or duplicate ids, unreadable values, trips whose
// times go backwards or that have fewer than two stop times. Missing times at
// stops between timed stops are interpolated. Read fails, naming file, line
// and id, when a required file or column is missing, when more than
// Options.MaxBadShare of the stop_times rows reference unknown trips or stops
// or lack a valid stop_sequence, or when no usable trip remains.
func Read(path string, opt Options) (*Feed, error) {
	f, err := read(path, opt)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return f, nil
}

// source is a feed's zip file or folder, as a file system.
type source struct {
	fsys  fs.FS
	names map[string]string // base name -> path in a zip; nil for a folder
	close func() error
}

func openSource(path string) (*source, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return &source{fsys: os.DirFS(path), close: func() error { return nil }}, nil
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("not a GTFS zip file or folder: %w", err)
	}
	s := &source{fsys: zr, names: map[string]string{}, close: zr.Close}
	if err := checkZipSizes(zr); err != nil {
		zr.Close()
		return nil, err
	}
	// Files at the root win; a feed zipped inside one folder is accepted too.
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || strings.HasPrefix(zf.Name, "__MACOSX/") {
			continue
		}
		base := pathpkg.Base(zf.Name)
		if old, ok := s.names[base]; ok && strings.Count(old, "/") <= strings.Count(zf.Name, "/") {
			continue
		}
		s.names[base] = zf.Name
	}
	return s, nil
}

// open returns the named file, or nil when the feed has none.
func (s *source) open(name string) (io.ReadCloser, error) {
	if s.names != nil {
		full, ok := s.names[name]
		if !ok {
			return nil, nil
		}
		name = full
	}
	fh, err := s.fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return fh, err
}

// reader holds the state of one Read.
type reader struct {
	f     *Feed
	src   *source
	opt   Options
	ns    string
	label string // prefix of problem file names in combined feeds

	stopIx, routeIx, serviceIx, tripIx map[string]int32
	skippedTrips                       map[string]bool // trips left out before stop_times
	serviceLine                        []int           // calendar line of each service, 0 none
	tripLine                           []int32
	listed                             map[groupKey]int
}

func read(path string, opt Options) (*Feed, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.close()
	return readSource(path, src, opt)
}

// readSource reads a feed from src; path is only recorded as its Source.
func readSource(path string, src *source, opt Options) (*Feed, error) {
	r := &reader{
		f:   &Feed{Source: path, Rows: map[string]int{}, omitted: map[groupKey]int{}},
		src: src, opt: opt, ns: opt.Namespace,
		stopIx: map[string]int32{}, routeIx: map[string]int32{}, serviceIx: map[string]int32{},
		tripIx: map[string]int32{}, skippedTrips: map[string]bool{}, listed: map[groupKey]int{},
	}
	if r.ns != "" {
		r.label = strings.TrimSuffix(r.ns, ":") + "/"
	}
	steps := []struct {
		file     string
		required bool
		read     func(*table) error
	}{
		{"agency.txt", true, r.agencies},
		{"stops.txt", true, r.stops},
		{"routes.txt", true, r.routes},
		{"calendar.txt", false, r.calendar},
		{"calendar_dates.txt", false, r.calendarDates},
		{"trips.txt", true, r.trips},
		{"stop_times.txt", true, r.stopTimes},
		{"frequencies.txt", false, r.frequencies},
		{"transfers.txt", false, r.transfers},
	}
	for _, s := range steps {
		if s.file == "trips.txt" {
			if err := r.finishServices(); err != nil {
				return nil, err
			}
		}
		if err := r.withTable(s.file, s.required, s.read); err != nil {
			return nil, err
		}
	}
	part := Part{Name: strings.TrimSuffix(r.ns, ":"), Source: path, services: [2]int32{0, int32(len(r.f.Services))}}
	if part.Name == "" {
		part.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	part.First, part.Last, part.Runs = r.f.DateRange()
	r.f.Parts = []Part{part}
	return r.f, nil
}

// withTable opens a file of the feed and runs fn on it.
func (r *reader) withTable(name string, required bool, fn func(*table) error) error {
	rc, err := r.src.open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	if rc == nil {
		if required {
			return fmt.Errorf("%w %s (a GTFS feed needs agency.txt, stops.txt, routes.txt, trips.txt, stop_times.txt, and calendar.txt or calendar_dates.txt)", ErrMissingFile, name)
		}
		return nil
	}
	defer rc.Close()
	t, err := newTable(name, rc)
	if err != nil {
		return err
	}
	if fh, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if st, err := fh.Stat(); err == nil {
			t.size = st.Size()
		}
	}
	r.f.Rows[name] = 0
	if err := fn(t); err != nil {
		return err
	}
	return t.err
}

// groupKey identifies problems of one kind in one file.
type groupKey struct {
	sev           problem.Severity
	file, message string
}

// problem records p, or only counts it once listLimit of its kind are listed.
func (r *reader) problem(p problem.Problem) {
	p.File = r.label + p.File
	k := groupKey{p.Severity, p.File, p.Message}
	if r.listed[k] >= listLimit {
		r.f.omitted[k]++
		return
	}
	r.listed[k]++
	r.f.Problems.Add(p)
}

// rowProblem records a problem at the current row of t.
func (r *reader) rowProblem(t *table, sev problem.Severity, feature, field string, value []byte, msg string) {
	r.problem(problem.Problem{Severity: sev, File: t.name, Line: t.line, Feature: feature, Field: field, Value: clip(value), Message: msg})
}

// id turns a file's id into the feed's id, namespaced in combined feeds.
func (r *reader) id(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return r.ns + string(b)
}

// rows iterates over the non-blank data rows of t, counting them.
func (r *reader) rows(t *table, fn func()) {
	for t.next() {
		if t.blank() {
			continue
		}
		r.f.Rows[t.name]++
		fn()
	}
}

func needAll(t *table, names ...string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		c, err := t.need(n)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func (r *reader) agencies(t *table) error {
	c, err := needAll(t, "agency_name", "agency_timezone")
	if err != nil {
		return err
	}
	idc := t.col("agency_id")
	seen := map[string]bool{}
	r.rows(t, func() {
		id := r.id(t.field(idc))
		if seen[id] {
			r.rowProblem(t, problem.Skipped, id, "agency_id", t.field(idc), "duplicate agency_id; the row is ignored")
			return
		}
		seen[id] = true
		r.f.Agencies = append(r.f.Agencies, Agency{ID: id, Name: t.str(c[0]), Timezone: t.str(c[1])})
	})
	return nil
}

func (r *reader) stops(t *table) error {
	c, err := needAll(t, "stop_id", "stop_lat", "stop_lon")
	if err != nil {
		return err
	}
	code, name, lt, parent, wc := t.col("stop_code"), t.col("stop_name"), t.col("location_type"), t.col("parent_station"), t.col("wheelchair_boarding")
	// Rows are gathered first: generic nodes and boarding areas (location
	// types 3 and 4) may omit coordinates and take their station's, which
	// can come later in the file.
	type cand struct {
		Stop
		parent string
		line   int
		coords bool
	}
	var cands []cand
	byID := map[string]int{}
	r.rows(t, func() {
		raw := t.field(c[0])
		if len(raw) == 0 {
			r.rowProblem(t, problem.Skipped, "", "stop_id", nil, "stop has no stop_id; the row is ignored")
			return
		}
		if _, dup := byID[string(raw)]; dup {
			r.rowProblem(t, problem.Skipped, r.id(raw), "stop_id", raw, "duplicate stop_id; the row is ignored")
			return
		}
		s := cand{Stop: Stop{ID: r.id(raw), Code: t.str(code), Name: t.str(name), Parent: -1}, parent: t.str(parent), line: t.line}
		s.LocationType = r.optInt(t, lt, s.ID, "location_type", 0)
		s.WheelchairBoarding = r.optInt(t, wc, s.ID, "wheelchair_boarding", 0)
		latB, lonB := t.field(c[1]), t.field(c[2])
		lat, err1 := strconv.ParseFloat(string(latB), 64)
		lon, err2 := strconv.ParseFloat(string(lonB), 64)
		switch {
		case len(latB) == 0 && len(lonB) == 0 && s.LocationType >= 3:
			// Placed at its parent station below.
		case err1 != nil || lat < -90 || lat > 90:
			r.rowProblem(t, problem.Skipped, s.ID, "stop_lat", latB, "stop_lat is not a latitude in degrees; the stop is left out")
			return
		case err2 != nil || lon < -180 || lon > 180:
			r.rowProblem(t, problem.Skipped, s.ID, "stop_lon", lonB, "stop_lon is not a longitude in degrees; the stop is left out")
			return
		case lat == 0 && lon == 0:
			r.rowProblem(t, problem.Skipped, s.ID, "stop_lat", latB, "stop is at 0,0 (coordinates missing); the stop is left out")
			return
		default:
			s.Lat, s.Lon, s.coords = lat, lon, true
		}
		byID[string(raw)] = len(cands)
		cands = append(cands, s)
	})
	keep := make([]int32, len(cands))
	for i := range cands {
		s := &cands[i]
		keep[i] = -1
		if !s.coords {
			if j, ok := byID[s.parent]; ok && cands[j].coords {
				s.Lat, s.Lon = cands[j].Lat, cands[j].Lon
			} else {
				r.problem(problem.Problem{Severity: problem.Skipped, File: "stops.txt", Line: s.line, Feature: s.ID, Field: "stop_lat",
					Message: "node or boarding area has neither coordinates nor a parent_station that has; it is left out"})
				continue
			}
		}
		keep[i] = int32(len(r.f.Stops))
		r.stopIx[strings.TrimPrefix(s.ID, r.ns)] = keep[i]
		r.f.Stops = append(r.f.Stops, s.Stop)
	}
	for i := range cands {
		s := &cands[i]
		if keep[i] < 0 || s.parent == "" {
			continue
		}
		if j, ok := byID[s.parent]; ok && j != i && keep[j] >= 0 {
			r.f.Stops[keep[i]].Parent = keep[j]
		} else {
			r.problem(problem.Problem{Severity: problem.Warning, File: "stops.txt", Line: s.line, Feature: s.ID, Field: "parent_station", Value: s.parent,
				Message: "parent_station is not a stop_id in stops.txt; the stop is kept without a station"})
		}
	}
	return nil
}

// optInt parses an optional integer column, warning and using def when the
// value is not a number.
func (r *reader) optInt(t *table, col int, feature, field string, def int) int {
	b := t.field(col)
	if len(b) == 0 {
		return def
	}
	n, ok := atoi(b)
	if !ok {
		r.rowProblem(t, problem.Warning, feature, field, b, fmt.Sprintf("not a whole number; %d is used", def))
		return def
	}
	return n
}

func (r *reader) routes(t *table) error {
	c, err := needAll(t, "route_id", "route_type")
	if err != nil {
		return err
	}
	ag, short, long := t.col("agency_id"), t.col("route_short_name"), t.col("route_long_name")
	r.rows(t, func() {
		raw := t.field(c[0])
		if _, dup := r.routeIx[string(raw)]; dup || len(raw) == 0 {
			r.rowProblem(t, problem.Skipped, r.id(raw), "route_id", raw, "empty or duplicate route_id; the row is ignored")
			return
		}
		typ, ok := atoi(t.field(c[1]))
		if !ok || typ < 0 {
			r.rowProblem(t, problem.Skipped, r.id(raw), "route_type", t.field(c[1]), "route_type is not a GTFS route type number; the route and its trips are left out")
			return
		}
		rt := Route{ID: r.id(raw), AgencyID: r.id(t.field(ag)), ShortName: t.str(short), LongName: t.str(long), Type: typ}
		if rt.AgencyID == "" && len(r.f.Agencies) == 1 {
			rt.AgencyID = r.f.Agencies[0].ID
		}
		r.routeIx[string(raw)] = int32(len(r.f.Routes))
		r.f.Routes = append(r.f.Routes, rt)
	})
	return nil
}

// service returns the index of a service, creating it on first sight.
func (r *reader) service(raw []byte) int32 {
	if i, ok := r.serviceIx[string(raw)]; ok {
		return i
	}
	i := int32(len(r.f.Services))
	r.serviceIx[string(raw)] = i
	r.f.Services = append(r.f.Services, Service{ID: r.id(raw)})
	r.serviceLine = append(r.serviceLine, 0)
	return i
}

var dayColumns = [7]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

func (r *reader) calendar(t *table) error {
	c, err := needAll(t, append([]string{"service_id", "start_date", "end_date"}, dayColumns[:]...)...)
	if err != nil {
		return err
	}
	r.rows(t, func() {
		raw := t.field(c[0])
		if len(raw) == 0 {
			r.rowProblem(t, problem.Skipped, "", "service_id", nil, "empty service_id; the row is ignored")
			return
		}
		if i, dup := r.serviceIx[string(raw)]; dup && r.serviceLine[i] > 0 {
			r.rowProblem(t, problem.Skipped, r.id(raw), "service_id", raw, "duplicate service_id in calendar.txt; the row is ignored")
			return
		}
		var days [7]bool
		for d := range days {
			v := t.field(c[3+d])
			if len(v) != 1 || (v[0] != '0' && v[0] != '1') {
				r.rowProblem(t, problem.Skipped, r.id(raw), dayColumns[d], v, "day must be 1 (runs) or 0 (does not run); the row is ignored")
				return
			}
			days[d] = v[0] == '1'
		}
		start, err1 := ParseDate(t.str(c[1]))
		end, err2 := ParseDate(t.str(c[2]))
		if err1 != nil || err2 != nil {
			field, v := "start_date", t.field(c[1])
			if err1 == nil {
				field, v = "end_date", t.field(c[2])
			}
			r.rowProblem(t, problem.Skipped, r.id(raw), field, v, "not a date YYYYMMDD; the row is ignored")
			return
		}
		if end.Before(start) {
			r.rowProblem(t, problem.Warning, r.id(raw), "end_date", t.field(c[2]), "end_date is before start_date; only calendar_dates.txt can add days to this service")
		}
		i := r.service(raw)
		s := &r.f.Services[i]
		s.Days, s.Start, s.End = days, start, end
		r.serviceLine[i] = t.line
	})
	return nil
}

func (r *reader) calendarDates(t *table) error {
	c, err := needAll(t, "service_id", "date", "exception_type")
	if err != nil {
		return err
	}
	r.rows(t, func() {
		raw := t.field(c[0])
		if len(raw) == 0 {
			r.rowProblem(t, problem.Skipped, "", "service_id", nil, "empty service_id; the row is ignored")
			return
		}
		d, err := ParseDate(t.str(c[1]))
		if err != nil {
			r.rowProblem(t, problem.Skipped, r.id(raw), "date", t.field(c[1]), "not a date YYYYMMDD; the row is ignored")
			return
		}
		typ := t.field(c[2])
		if len(typ) != 1 || (typ[0] != '1' && typ[0] != '2') {
			r.rowProblem(t, problem.Skipped, r.id(raw), "exception_type", typ, "exception_type must be 1 (service added) or 2 (removed); the row is ignored")
			return
		}
		s := &r.f.Services[r.service(raw)]
		if typ[0] == '1' {
			s.Added = append(s.Added, d)
		} else {
			s.Removed = append(s.Removed, d)
		}
	})
	return nil
}

// finishServices checks that the feed says when it runs, sorts exception
// dates and flags services that never run.
func (r *reader) finishServices() error {
	_, hasCal := r.f.Rows["calendar.txt"]
	_, hasDates := r.f.Rows["calendar_dates.txt"]
	if !hasCal && !hasDates {
		return fmt.Errorf("%w calendar.txt or calendar_dates.txt (one of them must say on which dates the service runs)", ErrMissingFile)
	}
	for i := range r.f.Services {
		s := &r.f.Services[i]
		s.Added, s.Removed = sortDates(s.Added), sortDates(s.Removed)
		if _, _, ok := s.activeRange(); !ok {
			file := "calendar.txt"
			if r.serviceLine[i] == 0 {
				file = "calendar_dates.txt"
			}
			r.problem(problem.Problem{Severity: problem.Warning, File: file, Line: r.serviceLine[i], Feature: s.ID, Field: "service_id", Value: strings.TrimPrefix(s.ID, r.ns),
				Message: "service never runs: no day of the week is set within its dates and no date is added in calendar_dates.txt; its trips never run"})
		}
	}
	return nil
}

// sortDates sorts and removes repeated dates.
func sortDates(ds []Date) []Date {
	sort.Slice(ds, func(i, j int) bool { return ds[i].Before(ds[j]) })
	out := ds[:0]
	for i, d := range ds {
		if i == 0 || d != ds[i-1] {
			out = append(out, d)
		}
	}
	return out
}

func (r *reader) trips(t *table) error {
	c, err := needAll(t, "route_id", "service_id", "trip_id")
	if err != nil {
		return err
	}
	head, dir, block := t.col("trip_headsign"), t.col("direction_id"), t.col("block_id")
	r.rows(t, func() {
		raw := t.field(c[2])
		switch _, dup := r.tripIx[string(raw)]; {
		case len(raw) == 0:
			r.rowProblem(t, problem.Skipped, "", "trip_id", nil, "empty trip_id; the row is ignored")
			return
		case dup:
			r.rowProblem(t, problem.Skipped, r.id(raw), "trip_id", raw, "duplicate trip_id; the row is ignored")
			return
		}
		route, ok := r.routeIx[string(t.field(c[0]))]
		if !ok {
			r.skippedTrips[string(raw)] = true
			r.rowProblem(t, problem.Skipped, r.id(raw), "route_id", t.field(c[0]), "route_id is not in routes.txt; the trip is left out")
			return
		}
		svc, ok := r.serviceIx[string(t.field(c[1]))]
		if !ok {
			r.skippedTrips[string(raw)] = true
			r.rowProblem(t, problem.Skipped, r.id(raw), "service_id", t.field(c[1]), "service_id is in neither calendar.txt nor calendar_dates.txt; the trip is left out")
			return
		}
		tr := Trip{ID: r.id(raw), Route: route, Service: svc, Headsign: t.str(head), Block: r.id(t.field(block))}
		tr.Direction = r.optInt(t, dir, tr.ID, "direction_id", 0)
		r.tripIx[string(raw)] = int32(len(r.f.Trips))
		r.f.Trips = append(r.f.Trips, tr)
		r.tripLine = append(r.tripLine, int32(t.line))
	})
	return nil
}

// noTime marks a missing arrival or departure while reading.
const noTime Time = -1

// rawStopTime is a stop_times row as read, before grouping by trip.
type rawStopTime struct {
	trip, stop int32
	arr, dep   Time
	seq        int32
	line       int32
	dist       float32 // shape_dist_traveled, NaN when absent
	noPickup   bool
	noDropOff  bool
}

func (r *reader) stopTimes(t *table) error {
	c, err := needAll(t, "trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time")
	if err != nil {
		return err
	}
	distc, pick, drop := t.col("shape_dist_traveled"), t.col("pickup_type"), t.col("drop_off_type")
	// Real stop_times rows take 30 to 70 bytes: sizing for 64 avoids most
	// regrowth of a large table without overshooting it.
	raw := make([]rawStopTime, 0, max(4096, min(t.size/64, 1<<21))) // presize at most 2 M rows (TriMet has 1.85 M): the size is only as declared
	perTrip := make([]int32, len(r.f.Trips)+1)
	bad, badFirst := 0, ""
	badRow := func(feature, field string, value []byte, msg string) {
		if bad == 0 {
			badFirst = fmt.Sprintf("line %d (trip %s): %s %q %s", t.line, clip([]byte(feature)), field, clip(value), msg)
		}
		bad++
		r.rowProblem(t, problem.Skipped, feature, field, value, field+" "+msg+"; the row is left out")
	}
	// Rows usually come grouped by trip: remember the last trip looked up.
	lastID, lastTrip, lastOK := []byte{}, int32(0), false
	r.rows(t, func() {
		tripID := t.field(c[0])
		trip, ok := lastTrip, lastOK
		if !bytes.Equal(tripID, lastID) {
			trip, ok = r.tripIx[string(tripID)]
			lastID, lastTrip, lastOK = append(lastID[:0], tripID...), trip, ok
		}
		if !ok {
			if !r.skippedTrips[string(tripID)] {
				badRow(r.id(tripID), "trip_id", tripID, "is not in trips.txt")
			}
			return
		}
		stopID := t.field(c[1])
		stop, ok := r.stopIx[string(stopID)]
		if !ok {
			badRow(r.f.Trips[trip].ID, "stop_id", stopID, "is not in stops.txt")
			return
		}
		seq, ok := atoi(t.field(c[2]))
		if !ok || seq < 0 || seq > math.MaxInt32 {
			badRow(r.f.Trips[trip].ID, "stop_sequence", t.field(c[2]), "is not a whole number")
			return
		}
		st := rawStopTime{trip: trip, stop: stop, seq: int32(seq), line: int32(t.line), dist: float32(math.NaN())}
		st.arr = r.optTime(t, c[3], r.f.Trips[trip].ID, "arrival_time")
		st.dep = r.optTime(t, c[4], r.f.Trips[trip].ID, "departure_time")
		if b := t.field(distc); len(b) > 0 {
			if d, err := strconv.ParseFloat(string(b), 32); err == nil && d >= 0 {
				st.dist = float32(d)
			}
		}
		// pickup_type and drop_off_type 1 forbid boarding or alighting; 2 and
		// 3 (phone, ask the driver) allow it (GTFS reference, stop_times.txt).
		st.noPickup = string(t.field(pick)) == "1"
		st.noDropOff = string(t.field(drop)) == "1"
		raw = append(raw, st)
		perTrip[trip+1]++
	})
	if t.err != nil {
		return t.err
	}
	rows := r.f.Rows["stop_times.txt"]
	if bad > 0 && float64(bad) > r.opt.maxBad()*float64(rows) {
		return fmt.Errorf("%w: stop_times.txt: %s of %s rows (%.1f%%) name an unknown trip or stop or have no valid stop_sequence, more than the %.0f%% allowed; first at %s",
			ErrUnusable, group(bad), group(rows), 100*float64(bad)/float64(rows), 100*r.opt.maxBad(), badFirst)
	}
	return r.groupStopTimes(raw, perTrip)
}

// optTime parses an optional time, warning and treating it as missing (to be
// interpolated) when it is not H:MM:SS.
func (r *reader) optTime(t *table, col int, feature, field string) Time {
	b := t.field(col)
	if len(b) == 0 {
		return noTime
	}
	v, ok := parseTime(b)
	if !ok {
		r.rowProblem(t, problem.Warning, feature, field, b, "not a time H:MM:SS; treated as missing and interpolated")
		return noTime
	}
	return v
}

// groupStopTimes sorts the rows by trip (counting sort, stable) and
// stop_sequence, fills in missing times and keeps the trips that make sense.
func (r *reader) groupStopTimes(raw []rawStopTime, start []int32) error {
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	order := make([]int32, len(raw))
	fill := append([]int32(nil), start[:len(start)-1]...)
	for i := range raw {
		tr := raw[i].trip
		order[fill[tr]] = int32(i)
		fill[tr]++
	}
	trips := r.f.Trips
	out := make([]StopTime, 0, len(raw))
	kept := trips[:0]
	newIx := make([]int32, len(trips))
	var interpolated, interpTrips int
	skips := 0
	firstSkip := ""
	skip := func(p problem.Problem) {
		if skips == 0 {
			firstSkip = fmt.Sprintf("%s line %d: trip %s: %s", p.File, p.Line, p.Feature, p.Message)
		}
		skips++
		r.problem(p)
	}
	for ti := range trips {
		newIx[ti] = -1
		tr := trips[ti]
		seg := order[start[ti]:start[ti+1]]
		if len(seg) < 2 {
			skip(problem.Problem{Severity: problem.Skipped, File: "trips.txt", Line: int(r.tripLine[ti]), Feature: tr.ID,
				Message: "trip has fewer than two stop times in stop_times.txt; it is left out"})
			continue
		}
		if !sort.SliceIsSorted(seg, func(i, j int) bool { return raw[seg[i]].seq < raw[seg[j]].seq }) {
			sort.SliceStable(seg, func(i, j int) bool { return raw[seg[i]].seq < raw[seg[j]].seq })
		}
		base := len(out)
		p, n := buildTrip(raw, seg, &out, r.hop)
		if p != nil {
			p.Feature = tr.ID
			skip(*p)
			out = out[:base]
			continue
		}
		if n > 0 {
			interpolated += n
			interpTrips++
		}
		tr.First, tr.Last = int32(base), int32(len(out))
		newIx[ti] = int32(len(kept))
		kept = append(kept, tr)
	}
	r.f.Trips = kept
	r.f.StopTimes = out
	// Rewrite the trip index for frequencies.txt.
	for id, i := range r.tripIx {
		if newIx[i] < 0 {
			delete(r.tripIx, id)
			r.skippedTrips[id] = true
		} else {
			r.tripIx[id] = newIx[i]
		}
	}
	if interpolated > 0 {
		r.problem(problem.Problem{Severity: problem.Warning, File: "stop_times.txt", Field: "arrival_time",
			Message: fmt.Sprintf("%s stop times in %s trips had no times; they were interpolated between the timed stops before and after (by shape_dist_traveled where given, else by the straight-line distance between stops)", group(interpolated), group(interpTrips))})
	}
	if len(kept) == 0 {
		if skips == 0 {
			return fmt.Errorf("%w: trips.txt has no trips", ErrUnusable)
		}
		return fmt.Errorf("%w: no usable trips: all %s trips were left out; first: %s", ErrUnusable, group(skips), firstSkip)
	}
	return nil
}

// buildTrip appends a trip's stop times to out, interpolating missing times.
// It returns a problem (without Feature) when the trip cannot be used, and
// the number of interpolated stop times.
func buildTrip(raw []rawStopTime, seg []int32, out *[]StopTime, hop func(a, b int32) float64) (*problem.Problem, int) {
	base := len(*out)
	for k, ri := range seg {
		s := raw[ri]
		if k > 0 && s.seq == raw[seg[k-1]].seq {
			return &problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: int(s.line), Field: "stop_sequence", Value: itoa(int(s.seq)),
				Message: "stop_sequence repeats within the trip; the trip is left out"}, 0
		}
		if s.arr == noTime {
			s.arr = s.dep
		}
		if s.dep == noTime {
			s.dep = s.arr
		}
		*out = append(*out, StopTime{Stop: s.stop, Arrival: s.arr, Departure: s.dep, Seq: s.seq, Timepoint: s.arr != noTime,
			NoPickup: s.noPickup, NoDropOff: s.noDropOff})
	}
	st := (*out)[base:]
	last := len(st) - 1
	if !st[0].Timepoint || !st[last].Timepoint {
		k := 0
		if st[0].Timepoint {
			k = last
		}
		return &problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: int(raw[seg[k]].line), Field: "arrival_time",
			Message: "the first and last stops of a trip need times; the trip is left out"}, 0
	}
	// Check the times the feed gives, before filling the gaps between them,
	// so the problem names the row that is wrong.
	prev := -1
	for k := range st {
		if !st[k].Timepoint {
			continue
		}
		line := int(raw[seg[k]].line)
		if st[k].Departure < st[k].Arrival {
			return &problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: line, Field: "departure_time", Value: st[k].Departure.String(),
				Message: "departure_time is before arrival_time; the trip is left out"}, 0
		}
		if prev >= 0 && st[k].Arrival < st[prev].Departure {
			return &problem.Problem{Severity: problem.Skipped, File: "stop_times.txt", Line: line, Field: "arrival_time", Value: st[k].Arrival.String(),
				Message: "time goes backwards: arrival_time is before the departure from the previous timed stop; the trip is left out"}, 0
		}
		prev = k
	}
	n := 0
	for i := 0; i < last; {
		j := i + 1
		for !st[j].Timepoint {
			j++
		}
		if j > i+1 {
			interpolate(st, raw, seg, i, j, hop)
			n += j - i - 1
		}
		i = j
	}
	return nil, n
}

// interpolate fills st[i+1:j] between the timed stop times i and j, in
// proportion to shape_dist_traveled when it is given and increasing there,
// else to the straight-line distance travelled from stop to stop (a bus
// covers a long hop in more time than a short one; spreading times evenly by
// stop order gave hops of several hundred km/h on feeds that time only a
// trip's ends), and evenly by position when the stops coincide.
func interpolate(st []StopTime, raw []rawStopTime, seg []int32, i, j int, hop func(a, b int32) float64) {
	t0, t1 := float64(st[i].Departure), float64(st[j].Arrival)
	useDist := true
	for k := i; k <= j && useDist; k++ {
		d := raw[seg[k]].dist
		useDist = !math.IsNaN(float64(d)) && (k == i || d >= raw[seg[k-1]].dist)
	}
	d0, d1 := float64(raw[seg[i]].dist), float64(raw[seg[j]].dist)
	if useDist && d1 <= d0 {
		useDist = false
	}
	var cum []float64
	if !useDist && hop != nil {
		cum = make([]float64, j-i+1)
		for k := i + 1; k <= j; k++ {
			cum[k-i] = cum[k-i-1] + hop(st[k-1].Stop, st[k].Stop)
		}
		if !(cum[j-i] > 0) {
			cum = nil
		}
	}
	for k := i + 1; k < j; k++ {
		frac := float64(k-i) / float64(j-i)
		switch {
		case useDist:
			frac = (float64(raw[seg[k]].dist) - d0) / (d1 - d0)
		case cum != nil:
			frac = cum[k-i] / cum[j-i]
		}
		v := Time(math.Round(t0 + frac*(t1-t0)))
		st[k].Arrival, st[k].Departure = v, v
	}
}

// hop is the straight-line distance in metres between two stops.
func (r *reader) hop(a, b int32) float64 {
	sa, sb := r.f.Stops[a], r.f.Stops[b]
	return geo.Distance(orb.Point{sa.Lon, sa.Lat}, orb.Point{sb.Lon, sb.Lat})
}

func (r *reader) frequencies(t *table) error {
	c, err := needAll(t, "trip_id", "start_time", "end_time", "headway_secs")
	if err != nil {
		return err
	}
	exact := t.col("exact_times")
	r.rows(t, func() {
		raw := t.field(c[0])
		trip, ok := r.tripIx[string(raw)]
		if !ok {
			if !r.skippedTrips[string(raw)] {
				r.rowProblem(t, problem.Skipped, r.id(raw), "trip_id", raw, "trip_id is not in trips.txt; the row is ignored")
			}
			return
		}
		id := r.f.Trips[trip].ID
		start, ok1 := parseTime(t.field(c[1]))
		end, ok2 := parseTime(t.field(c[2]))
		if !ok1 || !ok2 || end <= start {
			r.rowProblem(t, problem.Skipped, id, "end_time", t.field(c[2]), "start_time and end_time must be times H:MM:SS with end after start; the row is ignored")
			return
		}
		h, ok := atoi(t.field(c[3]))
		if !ok || h <= 0 {
			r.rowProblem(t, problem.Skipped, id, "headway_secs", t.field(c[3]), "headway_secs must be a positive whole number of seconds; the row is ignored")
			return
		}
		r.f.Frequencies = append(r.f.Frequencies, Frequency{Trip: trip, Start: start, End: end, Headway: int32(h), ExactTimes: string(t.field(exact)) == "1"})
	})
	return nil
}

func (r *reader) transfers(t *table) error {
	c, err := needAll(t, "from_stop_id", "to_stop_id", "transfer_type")
	if err != nil {
		return err
	}
	mtt, fr, tr, ft, tt := t.col("min_transfer_time"), t.col("from_route_id"), t.col("to_route_id"), t.col("from_trip_id"), t.col("to_trip_id")
	r.rows(t, func() {
		x := Transfer{FromRoute: -1, ToRoute: -1, FromTrip: -1, ToTrip: -1}
		var ok bool
		for k, dst := range []*int32{&x.From, &x.To} {
			b := t.field(c[k])
			if *dst, ok = r.stopIx[string(b)]; !ok {
				field := []string{"from_stop_id", "to_stop_id"}[k]
				r.rowProblem(t, problem.Skipped, r.id(b), field, b, field+" is not in stops.txt; the rule is ignored")
				return
			}
		}
		typ, ok := atoi(t.field(c[2]))
		if len(t.field(c[2])) == 0 {
			typ, ok = 0, true // empty means 0, a recommended transfer point
		}
		if !ok || typ < 0 || typ > 3 {
			r.rowProblem(t, problem.Skipped, r.id(t.field(c[0])), "transfer_type", t.field(c[2]), "transfer_type must be 0, 1, 2 or 3 here; the rule is ignored")
			return
		}
		x.Type = typ
		if typ == 2 {
			m, ok := atoi(t.field(mtt))
			if !ok || m < 0 {
				r.rowProblem(t, problem.Skipped, r.id(t.field(c[0])), "min_transfer_time", t.field(mtt), "transfer_type 2 needs min_transfer_time in whole seconds; the rule is ignored")
				return
			}
			x.MinSeconds = int32(m)
		}
		for _, ref := range []struct {
			col   int
			dst   *int32
			field string
			ix    map[string]int32
		}{{fr, &x.FromRoute, "from_route_id", r.routeIx}, {tr, &x.ToRoute, "to_route_id", r.routeIx}, {ft, &x.FromTrip, "from_trip_id", r.tripIx}, {tt, &x.ToTrip, "to_trip_id", r.tripIx}} {
			b := t.field(ref.col)
			if len(b) == 0 {
				continue
			}
			if *ref.dst, ok = ref.ix[string(b)]; !ok {
				r.rowProblem(t, problem.Skipped, r.id(t.field(c[0])), ref.field, b, ref.field+" is not a usable route or trip of the feed; the rule is ignored")
				return
			}
		}
		r.f.Transfers = append(r.f.Transfers, x)
	})
	return nil
}

// ReadAll reads several feeds (say buses and rail) and combines them into
// one. Every id is prefixed with its feed's file name without extension
// ("poa_trensurb:LINHA1") so ids never collide; Source lists every path.
// Problems name the feed in their file ("poa_trensurb/stop_times.txt").
func ReadAll(paths []string, opt Options) (*Feed, error) {
	if len(paths) == 0 {
		return nil, errors.New("gtfs: no feed to read")
	}
	out := &Feed{Rows: map[string]int{}, omitted: map[groupKey]int{}}
	used := map[string]int{}
	var sources []string
	for _, p := range paths {
		ns := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if used[ns]++; used[ns] > 1 {
			ns = fmt.Sprintf("%s~%d", ns, used[ns])
		}
		o := opt
		o.Namespace = ns + ":"
		f, err := Read(p, o)
		if err != nil {
			return nil, err
		}
		out.append(f, ns)
		sources = append(sources, p)
	}
	out.Source = strings.Join(sources, ", ")
	tz := map[string]bool{}
	for _, a := range out.Agencies {
		tz[a.Timezone] = true
	}
	if len(tz) > 1 {
		out.Problems.Add(problem.Problem{Severity: problem.Warning, File: "agency.txt",
			Message: fmt.Sprintf("the combined feeds use %d time zones; times are compared as written, each in its own zone", len(tz))})
	}
	return out, nil
}

// append adds feed f to o, shifting f's indexes.
func (o *Feed) append(f *Feed, ns string) {
	stops, routes, trips, services, sts := int32(len(o.Stops)), int32(len(o.Routes)), int32(len(o.Trips)), int32(len(o.Services)), int32(len(o.StopTimes))
	o.Agencies = append(o.Agencies, f.Agencies...)
	for _, s := range f.Stops {
		if s.Parent >= 0 {
			s.Parent += stops
		}
		o.Stops = append(o.Stops, s)
	}
	o.Routes = append(o.Routes, f.Routes...)
	o.Services = append(o.Services, f.Services...)
	for _, t := range f.Trips {
		t.Route += routes
		t.Service += services
		t.First += sts
		t.Last += sts
		o.Trips = append(o.Trips, t)
	}
	for _, st := range f.StopTimes {
		st.Stop += stops
		o.StopTimes = append(o.StopTimes, st)
	}
	for _, fr := range f.Frequencies {
		fr.Trip += trips
		o.Frequencies = append(o.Frequencies, fr)
	}
	shift := func(v, by int32) int32 {
		if v < 0 {
			return v
		}
		return v + by
	}
	for _, x := range f.Transfers {
		x.From, x.To = x.From+stops, x.To+stops
		x.FromRoute, x.ToRoute = shift(x.FromRoute, routes), shift(x.ToRoute, routes)
		x.FromTrip, x.ToTrip = shift(x.FromTrip, trips), shift(x.ToTrip, trips)
		o.Transfers = append(o.Transfers, x)
	}
	for _, p := range f.Parts {
		p.services[0] += services
		p.services[1] += services
		p.Name = ns
		o.Parts = append(o.Parts, p)
	}
	o.Problems.Merge(f.Problems)
	for k, n := range f.omitted {
		o.omitted[k] += n
	}
	for k, n := range f.Rows {
		o.Rows[ns+"/"+k] = n
		o.Rows[k] += n
	}
}
