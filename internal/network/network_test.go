package network

import (
	"commonground/internal/street"
	"math"
	"strings"
	"testing"
)

// tags parses "k=v k=v" into a tag map.
func tags(s string) street.Tags {
	var t street.Tags
	for _, kv := range strings.Fields(s) {
		k, v, _ := strings.Cut(kv, "=")
		t = append(t, street.Tag{Key: k, Value: v})
	}
	return t
}

func TestWalkAllowed(t *testing.T) {
	tests := []struct {
		name string
		tags string
		want bool
	}{
		{"residential", "highway=residential", true},
		{"sidewalk", "highway=footway footway=sidewalk", true},
		{"road with separate sidewalk kept", "highway=primary sidewalk=separate", true},
		{"steps", "highway=steps", true},
		{"pedestrian area outline", "highway=pedestrian area=yes", true},
		{"trunk kept", "highway=trunk", true},
		{"trunk foot=no", "highway=trunk foot=no", false},
		{"motorroad", "highway=trunk motorroad=yes", false},
		{"motorway", "highway=motorway", false},
		{"motorway_link", "highway=motorway_link", false},
		{"motorway foot=yes", "highway=motorway foot=yes", true},
		{"cycleway", "highway=cycleway", false},
		{"shared-use cycleway", "highway=cycleway foot=designated", true},
		{"private access", "highway=service access=private", false},
		{"access=no", "highway=footway access=no", false},
		{"access=no foot=yes", "highway=footway access=no foot=yes", true},
		{"foot=private", "highway=residential foot=private", false},
		{"service=private", "highway=service service=private", false},
		{"driveway", "highway=service service=driveway", true},
		{"construction", "highway=construction", false},
		{"proposed", "highway=proposed", false},
		{"platform", "highway=platform", false},
		{"no highway", "building=yes", false},
		{"track", "highway=track", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WalkAllowed(tags(tc.tags)); got != tc.want {
				t.Errorf("WalkAllowed(%s) = %v, want %v", tc.tags, got, tc.want)
			}
		})
	}
}

func TestDriveAllowed(t *testing.T) {
	tests := []struct {
		name string
		tags string
		want bool
	}{
		{"motorway", "highway=motorway", true},
		{"primary_link", "highway=primary_link", true},
		{"residential", "highway=residential", true},
		{"living street", "highway=living_street", true},
		{"alley kept", "highway=service service=alley", true},
		{"plain service", "highway=service", true},
		{"driveway", "highway=service service=driveway", false},
		{"parking aisle", "highway=service service=parking_aisle", false},
		{"footway", "highway=footway", false},
		{"track", "highway=track", false},
		{"pedestrian", "highway=pedestrian", false},
		{"area", "highway=residential area=yes", false},
		{"private", "highway=residential access=private", false},
		{"motor_vehicle=no", "highway=residential motor_vehicle=no", false},
		{"motorcar=no", "highway=tertiary motorcar=no", false},
		{"access=no motor_vehicle=yes", "highway=service access=no motor_vehicle=yes", true},
		{"destination", "highway=residential access=destination", true},
		{"construction", "highway=construction", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DriveAllowed(tags(tc.tags)); got != tc.want {
				t.Errorf("DriveAllowed(%s) = %v, want %v", tc.tags, got, tc.want)
			}
		})
	}
}

func TestOneway(t *testing.T) {
	tests := []struct {
		name string
		tags string
		want int
	}{
		{"untagged", "highway=residential", 0},
		{"yes", "highway=residential oneway=yes", 1},
		{"true", "highway=residential oneway=true", 1},
		{"1", "highway=residential oneway=1", 1},
		{"-1", "highway=residential oneway=-1", -1},
		{"reverse", "highway=residential oneway=reverse", -1},
		{"no", "highway=residential oneway=no", 0},
		{"roundabout", "highway=primary junction=roundabout", 1},
		{"circular", "highway=primary junction=circular", 1},
		{"roundabout oneway=no", "highway=primary junction=roundabout oneway=no", 0},
		{"motorway implied", "highway=motorway", 1},
		{"motorway oneway=no", "highway=motorway oneway=no", 0},
		{"motorway_link not implied", "highway=motorway_link", 0},
		{"reversible is two-way", "highway=primary oneway=reversible", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Oneway(tags(tc.tags)); got != tc.want {
				t.Errorf("Oneway(%s) = %d, want %d", tc.tags, got, tc.want)
			}
		})
	}
}

func TestParseMaxspeed(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"50", 50, true},
		{"40 km/h", 40, true},
		{"40kmh", 40, true},
		{"55 mph", 55 * 1.609344, true}, // international mile = 1.609344 km
		{"55mph", 55 * 1.609344, true},
		{"25 MPH", 25 * 1.609344, true},
		{"10 knots", 18.52, true},
		{"50;40", 40, true},
		{"40;50", 40, true},
		{"35 mph;50", 50, true}, // 56.3 km/h vs 50
		{"none", 0, false},
		{"signals", 0, false},
		{"walk", 0, false},
		{"US:urban", 0, false},
		{"", 0, false},
		{"0", 0, false},
		{"-30", 0, false},
		{"NaN", 0, false},
		{"550", 0, false},
		{"fast;45", 45, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := ParseMaxspeed(tc.in)
			if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("ParseMaxspeed(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestDriveProfileOverridesDefaults(t *testing.T) {
	p := DriveProfile(4.8, map[string]float64{"residential": 25})
	if p.DriveSpeeds["residential"] != 25 || p.DriveSpeeds["motorway"] != 105 {
		t.Errorf("speeds = %v, want residential 25 over the defaults", p.DriveSpeeds)
	}
	if math.Abs(p.WalkSpeed-4.8/3.6) > 1e-12 || p.Mode != Drive {
		t.Errorf("profile = %+v", p)
	}
	for _, k := range sortedKeys(DefaultDriveSpeeds()) {
		if !driveClass[k] {
			t.Errorf("default speed for %s, which DriveAllowed never keeps", k)
		}
	}
	for k := range driveClass {
		if _, ok := DefaultDriveSpeeds()[k]; !ok {
			t.Errorf("no default speed for drivable class %s", k)
		}
	}
}

// FuzzParseMaxspeed checks that any tag value gives either a usable speed or
// ok=false, and that a list never beats its lowest member.
func FuzzParseMaxspeed(f *testing.F) {
	for _, s := range []string{"50", "25 mph", "40 km/h", "none", "50;40", "US:urban", "10 knots", "7,5", "0x1p4", "1e308"} {
		f.Add(s)
	}
	if !testing.Short() { // every distinct value in the Delaware extract
		seen := map[string]bool{}
		for _, w := range delaware(f) {
			if v, ok := w.Tags.Lookup("maxspeed"); ok && !seen[v] {
				seen[v] = true
				f.Add(v)
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseMaxspeed(s)
		if ok && !(v > 0 && v <= 300) {
			t.Fatalf("ParseMaxspeed(%q) = %v, ok", s, v)
		}
		if !ok && v != 0 {
			t.Fatalf("ParseMaxspeed(%q) = %v with ok=false", s, v)
		}
		if w, ok2 := ParseMaxspeed(s + ";" + s); ok2 != ok || w != v {
			t.Fatalf("doubling %q changed %v,%v to %v,%v", s, v, ok, w, ok2)
		}
	})
}
