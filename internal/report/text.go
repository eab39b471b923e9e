package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// defaultBreaks are the map's colour breaks in minutes when TimeBands gives
// none to read.
var defaultBreaks = []float64{5, 10, 15, 20, 30, 45, 60}

// fmtPeople writes a head count rounded to a whole person with thousands
// separators: 38000.4 -> "38,000".
func fmtPeople(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "unknown"
	}
	n := int64(math.Round(f))
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fmtShare writes a share (0..1) as a percentage with the precision a reader
// needs: one decimal below 10%, none above, and "under 0.1%" rather than a
// misleading "0%" for a small non-zero share.
func fmtShare(s float64) string {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return "unknown"
	}
	p := s * 100
	switch {
	case p == 0:
		return "0%"
	case p > 0 && p < 0.05:
		return "under 0.1%"
	case p < 9.95:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	default:
		return strconv.FormatFloat(p, 'f', 0, 64) + "%"
	}
}

// fmtMinutes writes minutes without a needless ".0": 15 -> "15", 7.5 -> "7.5".
func fmtMinutes(m float64) string {
	return strconv.FormatFloat(math.Round(m*10)/10, 'f', -1, 64)
}

// ratio is a/b, or 0 when b is not positive.
func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

func isUnreachable(band string) bool {
	return strings.Contains(strings.ToLower(band), "unreach")
}

// bandLabel turns a TimeBands label into legend text: "0–5" -> "0–5 min".
func bandLabel(band string) string {
	if isUnreachable(band) {
		return "No route"
	}
	return band + " min"
}

// parseBreaks reads the colour breaks (upper bounds, minutes) from band
// labels such as "0–5", "5-10", "60+"; it falls back to defaultBreaks when
// fewer than two bounds can be read.
func parseBreaks(bands []string) []float64 {
	var out []float64
	for _, b := range bands {
		f := strings.FieldsFunc(b, func(r rune) bool { return r == '-' || r == '–' || r == '—' || r == ' ' })
		if len(f) != 2 {
			continue
		}
		hi, err := strconv.ParseFloat(f[1], 64)
		if err != nil || (len(out) > 0 && hi <= out[len(out)-1]) {
			continue
		}
		out = append(out, hi)
	}
	if len(out) < 2 {
		return defaultBreaks
	}
	return out
}

// modeWords names a travel mode in a sentence.
func modeWords(mode string) string {
	switch mode {
	case "walk":
		return "walk"
	case "drive":
		return "drive"
	case "transit":
		return "trip by public transport"
	case "bike", "cycle":
		return "bike ride"
	}
	return mode + " trip"
}

// standardOf describes in words the threshold of the class named name, e.g.
// "15-minute walk", or "" when no threshold is set.
func standardOf(d *Data, name string) string {
	var parts []string
	for _, t := range d.Thresholds {
		if t.Class == name {
			parts = append(parts, fmtMinutes(t.Minutes)+"-minute "+modeWords(t.Mode))
		}
	}
	return strings.Join(parts, " or ")
}

// totalPopulation prefers the class totals the pipeline computed and falls
// back to summing the cells.
func totalPopulation(d *Data) float64 {
	var t float64
	for _, r := range d.ClassRows {
		t += r.Population
	}
	if t > 0 {
		return t
	}
	for _, p := range d.Cells.Pop {
		if !math.IsNaN(p) && !math.IsInf(p, 0) {
			t += p
		}
	}
	return t
}

// finding is one key finding: a short bold lead and the sentence after it.
type finding struct {
	Lead, Text string
}

// findings writes the key findings as sentences built from the numbers, so
// the page states its results in words before any chart.
func findings(d *Data) []finding {
	var out []finding
	total := totalPopulation(d)
	cellArea := fmt.Sprintf("%s m × %s m", fmtMinutes(d.CellSize), fmtMinutes(d.CellSize))

	var split []string
	for _, r := range d.ClassRows {
		split = append(split, fmt.Sprintf("%s in %s cells", fmtShare(ratio(r.Population, total)), strings.ToLower(d.Classes[r.Class].Label)))
	}
	text := fmt.Sprintf("%s residents live in %s populated cells of %s", fmtPeople(total), fmtPeople(float64(d.Cells.Len())), cellArea)
	if len(split) > 0 {
		text += ": " + joinWords(split)
	}
	out = append(out, finding{"Who is counted.", text + "."})

	var std []string
	for _, c := range d.Classes {
		if s := standardOf(d, c.Name); s != "" {
			std = append(std, fmt.Sprintf("%s residents within a %s", strings.ToLower(c.Label), s))
		}
	}
	if len(std) > 0 {
		out = append(out, finding{"The standard.", "Each kind of place should be reachable by " + joinWords(std) +
			". A cell whose nearest place of a kind is farther than that is called underserved for that kind."})
	}

	rows := append([]CategoryRow(nil), d.Summary...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Underserved > rows[j].Underserved })
	for _, r := range rows {
		c := d.Categories[r.Category]
		t := fmt.Sprintf("%s people (%s of residents) live farther from the nearest one than their area's standard; %s (%s) can walk to one within 15 minutes.",
			fmtPeople(r.Underserved), fmtShare(r.UnderservedShare), fmtPeople(r.PopWalk15), fmtShare(ratio(r.PopWalk15, total)))
		if r.Places == 0 {
			t += " No such place was found in the map data, so everyone counts as underserved: check that the data cover them."
		}
		out = append(out, finding{c.Label + ":", t})
	}
	if len(d.Areas) > 0 {
		a := d.Areas[0]
		where := a.Name
		if a.Level != "" {
			where += " (" + strings.ToLower(a.Level) + ")"
		}
		out = append(out, finding{"Worst-served area:", fmt.Sprintf("%s, where %s of its %s residents (%s people) are underserved for %s.",
			where, fmtShare(a.Share), fmtPeople(a.Population), fmtPeople(a.Underserved), rankPhrase(d))})
	}
	return out
}

// joinWords joins a list as in prose: "a", "a and b", "a, b and c".
func joinWords(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// rankPhrase names what ranks the areas, to finish "underserved for ...".
func rankPhrase(d *Data) string {
	if d.RankCategory < 0 || d.RankCategory >= len(d.Categories) {
		return "at least one kind of place"
	}
	return "“" + strings.ToLower(d.Categories[d.RankCategory].Label) + "”"
}
