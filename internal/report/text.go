package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
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

// headlineView is the first screen's answer: how many people live beyond
// the standard for the headline category (any gathering place, when the
// study measures it), for the secular ones, and where most of them live.
type headlineView struct {
	Label          string  // the headline category, e.g. "Any gathering place"
	People, Share  float64 // underserved for it, and as a part of all residents
	Second         string  // label of the secular combination; "" without
	SecondPeople   float64
	SecondShare    float64
	Where          string // where most of them live, in words
	HasUnderserved bool
}

// headlineCategory is the category the first screen leads with: "any"
// gathering place when the study has it, else the ranking category, else the
// first one; -1 without categories.
func headlineCategory(d *Data) int {
	for i, c := range d.Categories {
		if c.Name == "any" {
			// "Any gathering place" of a study with one kind of place is
			// that kind: the page names it.
			if len(c.Members) == 1 && c.Members[0] >= 0 && c.Members[0] < len(d.Categories) {
				return c.Members[0]
			}
			return i
		}
	}
	if d.RankCategory >= 0 && d.RankCategory < len(d.Categories) {
		return d.RankCategory
	}
	if len(d.Categories) > 0 {
		return 0
	}
	return -1
}

// summaryOf returns the summary row of category k, or nil.
func summaryOf(d *Data, k int) *CategoryRow {
	for i := range d.Summary {
		if d.Summary[i].Category == k {
			return &d.Summary[i]
		}
	}
	return nil
}

// headline builds the first screen's answer from the summary rows.
func headline(d *Data) headlineView {
	var h headlineView
	k := headlineCategory(d)
	r := summaryOf(d, k)
	if r == nil {
		return h
	}
	h.Label, h.People, h.Share, h.HasUnderserved = d.Categories[k].Label, r.Underserved, r.UnderservedShare, r.Underserved > 0
	faith := false
	for _, c := range d.Categories {
		faith = faith || c.Faith
	}
	for i, c := range d.Categories {
		// Without places of worship, the secular combination is the same
		// as "any" and would only repeat the headline.
		if c.Name == "secular" && i != k && faith {
			if s := summaryOf(d, i); s != nil {
				h.Second, h.SecondPeople, h.SecondShare = c.Label, s.Underserved, s.UnderservedShare
			}
		}
	}
	// Where: the class holding most of them, then the worst areas.
	best, bestN := -1, 0.0
	for j, v := range r.ByClass {
		if v > bestN && j < len(d.Classes) {
			best, bestN = j, v
		}
	}
	var parts []string
	if best >= 0 && r.Underserved > 0 {
		parts = append(parts, fmt.Sprintf("%s of them live in %s areas", fmtShare(bestN/r.Underserved), strings.ToLower(d.Classes[best].Label)))
	}
	if names := topAreaNames(d, 1); len(names) > 0 {
		parts = append(parts, "the worst-served area is "+names[0])
	}
	if len(parts) > 0 {
		h.Where = strings.ToUpper(parts[0][:1]) + parts[0][1:]
		if len(parts) > 1 {
			h.Where += "; " + parts[1]
		}
		h.Where += "."
	}
	return h
}

// topAreaNames names the first n ranked areas with anyone underserved.
func topAreaNames(d *Data, n int) []string {
	var out []string
	for _, a := range d.Areas {
		if len(out) == n || a.Underserved <= 0 {
			break
		}
		out = append(out, areaName(a))
	}
	return out
}

// readingKey says who is counted and by what standard: the reading key under
// the headline, not a finding.
func readingKey(d *Data) []finding {
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
	return out
}

// findings writes the key findings in the order a planner would act on
// them: where to act first, the largest real gaps, then what the scenario
// and the proposed sites change. Kinds of place with nothing mapped are a
// fact about the map, not the place, so they are left to the caveats
// (see artefacts).
func findings(d *Data) []finding {
	var out []finding
	total := totalPopulation(d)
	if len(d.Areas) > 0 && d.Areas[0].Underserved > 0 {
		var parts []string
		for i, a := range d.Areas {
			if i == 3 || a.Underserved <= 0 {
				break
			}
			parts = append(parts, fmt.Sprintf("%s (%s of %s residents, %s)", areaName(a), fmtPeople(a.Underserved), fmtPeople(a.Population), fmtShare(a.Share)))
		}
		verb := "are"
		if len(parts) == 1 {
			verb = "is"
		}
		out = append(out, finding{"Where to act first:", fmt.Sprintf("the %s with the most residents underserved for %s %s %s.",
			areaWord(d, len(parts)), rankPhrase(d), verb, joinWords(parts))})
	}

	// The largest gaps among kinds that are mapped and are places of their
	// own (combinations are the headline's business).
	var rows []CategoryRow
	for _, r := range d.Summary {
		if r.Places > 0 && !d.Categories[r.Category].Composite && r.Underserved > 0 {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Underserved > rows[j].Underserved })
	for i, r := range rows {
		if i == 2 {
			break
		}
		c := d.Categories[r.Category]
		out = append(out, finding{c.Label + ":", fmt.Sprintf("%s people (%s of residents) live farther from the nearest one than their area's standard; %s (%s) can walk to one within 15 minutes.",
			fmtPeople(r.Underserved), fmtShare(r.UnderservedShare), fmtPeople(r.PopWalk15), fmtShare(ratio(r.PopWalk15, total)))})
	}
	if sc := d.Scenario; sc != nil {
		// The kinds whose access changes most, places of their own first:
		// "any gathering place" barely moves when one hall opens.
		var parts []string
		for _, c := range scenarioChanges(d) {
			if len(parts) == 2 {
				break
			}
			if !d.Categories[c.Index].Composite {
				parts = append(parts, fmt.Sprintf("for %s, %s people would come within their standard and %s would fall beyond it",
					strings.ToLower(c.Label), fmtPeople(c.Gain), fmtPeople(c.Lose)))
			}
		}
		if len(parts) == 0 {
			parts = append(parts, "nobody's access to a kind of place changes")
		}
		out = append(out, finding{"Scenario “" + sc.Name + "”:", strings.Join(parts, "; ") + "."})
	}
	if inv := d.Invest; inv != nil && len(inv.Sites) > 0 {
		out = append(out, finding{"Where to invest:", fmt.Sprintf("new %s at %d sites would bring %s of the %s people underserved for them within their standard.",
			strings.ToLower(inv.Category), len(inv.Sites), fmtPeople(inv.Sites[len(inv.Sites)-1].Total), fmtPeople(inv.Underserved))})
	}
	return out
}

// artefacts are the kinds of place with nothing mapped: everyone counts as
// underserved for them, which says more about the map than the place, so the
// page lists them among the caveats instead of the findings.
func artefacts(d *Data) []string {
	var out []string
	for _, r := range d.Summary {
		if r.Places == 0 && !d.Categories[r.Category].Composite {
			out = append(out, d.Categories[r.Category].Label)
		}
	}
	return out
}

// lowerFirst lowers the first letter of a label for use inside a
// sentence ("Census tract" -> "census tract") but leaves codes such as
// "H3 hexagon" or "ZIP code" alone.
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsLower(r[1]) {
		return s
	}
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// areaName names an area in a sentence: a bare code ("89a90128587ffff",
// "10003000100") gets its level in front so the reader knows what it is.
func areaName(a AreaRow) string {
	if a.Level == "" || strings.ContainsAny(a.Name, " ,") || !strings.ContainsAny(a.Name, "0123456789") {
		return a.Name
	}
	return a.Level + " " + a.Name
}

// areaWord is "area" or "areas", with the level when all ranked areas share one.
func areaWord(d *Data, n int) string {
	level := ""
	for i, a := range d.Areas {
		if i == 0 {
			level = a.Level
		} else if a.Level != level {
			level = ""
			break
		}
	}
	w := "area"
	if level != "" {
		w = lowerFirst(level)
	}
	if n != 1 {
		if strings.HasSuffix(w, "y") {
			w = w[:len(w)-1] + "ie"
		}
		w += "s"
	}
	return w
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
