package transit_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"commonground/internal/transit"
)

// A bus every 10 minutes from A to B takes 5 minutes; the origin is a
// 2-minute walk from A and the destination a 1-minute walk from B. Leaving
// at 07:00 one reaches A at 07:02, waits for the 07:10 bus and arrives at
// 07:16. Over the hour, travel times run from 8 minutes (reaching A just as
// the bus leaves) to 17 (just missing it), six departures each.
func Example() {
	const A, B = transit.StopID(0), transit.StopID(1)
	tt := &transit.Timetable{Stops: []transit.Stop{
		{ID: "A", Point: orb.Point{-51.23, -30.03}},
		{ID: "B", Point: orb.Point{-51.22, -30.03}},
	}}
	for dep := transit.Time(7 * 3600); dep < 9*3600; dep += 600 {
		tt.Trips = append(tt.Trips, transit.Trip{
			ID: fmt.Sprint("bus ", dep), Stops: []transit.StopID{A, B},
			Arrivals: []transit.Time{dep, dep + 300}, Departures: []transit.Time{dep, dep + 300},
		})
	}
	opt := transit.DefaultOptions()
	opt.BoardSlack = 0
	r, err := transit.NewRouter(tt, opt)
	if err != nil {
		fmt.Println(err)
		return
	}
	eg, _ := r.NewEgress([][]transit.StopWalk{{{Stop: B, Seconds: 60}}})
	res, _ := r.Range([]transit.StopWalk{{Stop: A, Seconds: 120}}, 7*3600, 8*3600, 60, eg, nil)
	p := res.Percentiles(0, 25, 50, 75)
	fmt.Printf("leaving 07:00: %d min\n", res.Times[0][0]/60)
	fmt.Printf("p25 %d min, median %d min, p75 %d min\n", p[0]/60, p[1]/60, p[2]/60)
	// Output:
	// leaving 07:00: 16 min
	// p25 10 min, median 12 min, p75 15 min
}
