package gap

// Agreement compares computed classes with official ones, weighted by
// people.
type Agreement struct {
	People float64 // people with both a computed and an official class
	Agree  float64 // of whom the classes match
	Share  float64 // Agree / People; 0 when People is 0
	// Table[c][o] is the people classed c by the computation and o by the
	// official table: a confusion table, rows computed, columns official.
	Table [NumClasses][NumClasses]float64
	// Kappa is Cohen's kappa of the people-weighted table: agreement beyond
	// what the two classes' shares would give by chance (1 perfect, 0 no
	// better than chance). NaN when undefined (one class only everywhere).
	Kappa float64
}

// Agree compares, per origin or area i with pop[i] people, the computed
// class with the official one where known[i].
func Agree(computed, official []Class, known []bool, pop []float64) Agreement {
	var a Agreement
	for i := range computed {
		if !known[i] {
			continue
		}
		a.Table[computed[i]][official[i]] += pop[i]
		a.People += pop[i]
		if computed[i] == official[i] {
			a.Agree += pop[i]
		}
	}
	if a.People > 0 {
		a.Share = a.Agree / a.People
	}
	var chance float64
	for c := Class(0); c < NumClasses; c++ {
		var row, col float64
		for o := Class(0); o < NumClasses; o++ {
			row += a.Table[c][o]
			col += a.Table[o][c]
		}
		if a.People > 0 {
			chance += row / a.People * col / a.People
		}
	}
	a.Kappa = (a.Share - chance) / (1 - chance)
	if a.People == 0 || chance == 1 {
		a.Kappa = nan()
	}
	return a
}
