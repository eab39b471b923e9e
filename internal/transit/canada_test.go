package transit

import (
	"testing"

	"commonground/internal/gtfs"
	"commonground/internal/testdata"
)

// stopJourney routes one departure between two stops of a feed by stop_id.
func stopJourney(t *testing.T, f *gtfs.Feed, tt *Timetable, opt Options, from, to string, dep Time) int32 {
	t.Helper()
	ix := map[string]StopID{}
	for i, s := range f.Stops {
		ix[s.ID] = StopID(i)
	}
	a, okA := ix[from]
	b, okB := ix[to]
	if !okA || !okB {
		t.Fatalf("no stop %s or %s", from, to)
	}
	r, err := NewRouter(tt, opt)
	if err != nil {
		t.Fatal(err)
	}
	eg, _ := r.NewEgress([][]StopWalk{{{b, 0}}})
	res, err := r.Range([]StopWalk{{a, 0}}, dep, dep+60, 60, eg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Times[0][0]
}

// TestBrockville routes on Brockville Transit's weekday frequency feed
// (exact_times=1, hourly; the templates start at 12:00, the first runs at
// 07:00 and 07:30), Wednesday 2019-05-15:
//
//   - Timed transfer. BLUE towards Court House passes William_Pearl_W at
//     07:58 and reaches CourtHouseSquare at 08:00, when GREEN towards Box
//     Stores leaves (reaching PearlW_Victoria_S at 08:02). transfers.txt
//     makes BLUE to GREEN at CourtHouseSquare a timed transfer (type 1):
//     leaving at 07:56, 6 minutes. Without it the 60 s slack misses the
//     08:00 GREEN and the 09:00 one arrives at 09:02: 66 minutes.
//   - Block continuation. GREEN towards Box Stores passes Waltham_Broome_N
//     at 07:26 and ends at Box_Stores at 07:30, where the same bus (block 1)
//     leaves towards Court House, passing Parkedale_Crocker_N at 07:32:
//     leaving at 07:25, 7 minutes, seated and with no transfer. Without the
//     block no direct trip exists; with one change (and no transfers.txt)
//     the 60 s slack misses the buses leaving Box_Stores at 07:30, and
//     BLUE's 08:30 run passes Parkedale_Crocker_N at 08:30: 65 minutes. With the feed's rules the quickest is the timed change at
//     Box_Stores to BLUE towards Court House, which leaves at 07:30 and
//     passes Parkedale_Crocker_N the same minute: 5 minutes.
func TestBrockville(t *testing.T) {
	path := testdata.Shared(t, "gtfs-canada/brockville_gtfs.zip")
	wed := gtfs.Date{Year: 2019, Month: 5, Day: 15}
	at := func(h, m int) Time { return Time(h*3600 + m*60) }
	direct := DefaultOptions()
	direct.MaxTransfers = 0
	cases := []struct {
		name     string
		strip    func(f *gtfs.Feed)
		opt      Options
		from, to string
		dep      Time
		want     int32
	}{
		{"timed transfer", nil, DefaultOptions(), "William_Pearl_W", "PearlW_Victoria_S", at(7, 56), 6 * 60},
		{"without transfers.txt", func(f *gtfs.Feed) { f.Transfers = nil }, DefaultOptions(), "William_Pearl_W", "PearlW_Victoria_S", at(7, 56), 66 * 60},
		{"stay seated", nil, direct, "Waltham_Broome_N", "Parkedale_Crocker_N", at(7, 25), 7 * 60},
		{"without block_id", func(f *gtfs.Feed) {
			for i := range f.Trips {
				f.Trips[i].Block = ""
			}
		}, direct, "Waltham_Broome_N", "Parkedale_Crocker_N", at(7, 25), Unreachable},
		{"without block_id, one change", func(f *gtfs.Feed) {
			for i := range f.Trips {
				f.Trips[i].Block = ""
			}
			f.Transfers = nil
		}, DefaultOptions(), "Waltham_Broome_N", "Parkedale_Crocker_N", at(7, 25), 65 * 60},
		{"timed change to BLUE", nil, DefaultOptions(), "Waltham_Broome_N", "Parkedale_Crocker_N", at(7, 25), 5 * 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := gtfs.Read(path, gtfs.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c.strip != nil {
				c.strip(f)
			}
			tt, _, err := FromFeed(f, wed)
			if err != nil {
				t.Fatal(err)
			}
			if got := stopJourney(t, f, tt, c.opt, c.from, c.to, c.dep); got != c.want {
				t.Errorf("%s to %s leaving %v: %d s, want %d", c.from, c.to, c.dep, got, c.want)
			}
		})
	}
}

// TestSaguenayForbidden checks Saguenay's transfers.txt: no change at stop
// 160 (160 -> 160, type 3), and no walk between stops 124 and 2028 (type 3
// both ways). For every trip reaching 160 and every trip of another route
// leaving 160 from 1 to 30 minutes later, riding from the stop before 160
// to the stop after it is, with the rule, never as quick as the change at
// 160 it forbids (some other way may exist, but not that one); without
// transfers.txt it is exactly that quick for some pair.
func TestSaguenayForbidden(t *testing.T) {
	f, err := gtfs.Read(testdata.Shared(t, "gtfs-canada/saguenay_gtfs.zip"), gtfs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := f.DateRange()
	d := first
	for !f.Parts[0].RunsOn(f, d) || d.Weekday() == 0 || d.Weekday() == 6 {
		d = d.AddDays(1)
	}
	tt, _, err := FromFeed(f, d)
	if err != nil {
		t.Fatal(err)
	}
	ix := map[string]StopID{}
	for i, s := range f.Stops {
		ix[s.ID] = StopID(i)
	}
	s160 := ix["160"]
	type visit struct {
		trip int
		pos  int
	}
	var in, out []visit
	for i, tr := range tt.Trips {
		for k, s := range tr.Stops {
			if s != s160 {
				continue
			}
			if k > 0 {
				in = append(in, visit{i, k})
			}
			if k+1 < len(tr.Stops) {
				out = append(out, visit{i, k})
			}
		}
	}
	tt.Transfers = StraightTransfers(tt.Stops, 400, 1.3, DefaultDetour)
	withRule, err := NewRouter(tt, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	noRules := *tt
	noRules.Rules = nil
	without, err := NewRouter(&noRules, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	// The walk 124 -> 2028 exists on the straight line but not with the rule.
	has := func(r *Router, a, b StopID) bool {
		for e := r.xferFirst[a]; e < r.xferFirst[a+1]; e++ {
			if r.xferTo[e] == b {
				return true
			}
		}
		return false
	}
	if !has(without, ix["124"], ix["2028"]) || has(withRule, ix["124"], ix["2028"]) || has(withRule, ix["2028"], ix["124"]) {
		t.Errorf("footpath 124 -> 2028: without rules %v, with %v; want true, false", has(without, ix["124"], ix["2028"]), has(withRule, ix["124"], ix["2028"]))
	}
	checked, equal := 0, 0
	for _, a := range in {
		ta := &tt.Trips[a.trip]
		arrive := ta.Arrivals[a.pos]
		for _, b := range out {
			tb := &tt.Trips[b.trip]
			leave := tb.Departures[b.pos]
			if ta.RouteIndex == tb.RouteIndex || leave < arrive+60 || leave > arrive+1800 {
				continue
			}
			from, to := ta.Stops[a.pos-1], tb.Stops[b.pos+1]
			if from == to || from == s160 || to == s160 {
				continue
			}
			dep := ta.Departures[a.pos-1] - 60
			via := int32(tb.Arrivals[b.pos+1] - dep)
			times := func(r *Router) int32 {
				eg, _ := r.NewEgress([][]StopWalk{{{to, 0}}})
				res, err := r.Range([]StopWalk{{from, 0}}, dep, dep+60, 60, eg, nil)
				if err != nil {
					t.Fatal(err)
				}
				return res.Times[0][0]
			}
			got, base := times(withRule), times(without)
			checked++
			if base > via {
				t.Errorf("without rules, %s to %s leaving %v takes %d s, more than %d via a change at 160", tt.Stops[from].ID, tt.Stops[to].ID, dep, base, via)
			}
			if base == via {
				equal++
			}
			if got <= via && base == via && got == base {
				// Only a forbidden change could give exactly via, unless
				// another route is as quick: rule it out by routing
				// with the rule but without the change at 160.
				t.Errorf("with the rule, %s to %s leaving %v still takes %d s, as via the forbidden change at 160", tt.Stops[from].ID, tt.Stops[to].ID, dep, got)
			}
		}
	}
	if checked == 0 || equal == 0 {
		t.Fatalf("checked %d connections at stop 160, %d as quick as the change; want some", checked, equal)
	}
	t.Logf("%d connections through stop 160 checked on %v, %d would use the forbidden change", checked, d, equal)
}
