package report

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strings"
)

// ErrAssetsMissing is returned by Render when the build did not fetch the
// front-end libraries into assets/vendor; the page would be blank without them.
var ErrAssetsMissing = errors.New("report assets missing: run `make assets`")

// embedded holds assets/README.md (tracked, so the build compiles on a fresh
// clone) and assets/vendor/*, filled by web/fetch-assets.sh from npm.
//
//go:embed assets
var embedded embed.FS

// assetFS is where Render finds the vendor libraries; tests swap it.
var assetFS fs.FS = embedded

//go:embed front
var front embed.FS

var (
	closeScript = regexp.MustCompile(`(?i)</script`)
	// Leaflet's stylesheet points at marker and layer-switcher images the page
	// does not ship (it uses circle markers and an expanded layer list);
	// dropping the references keeps the browser from asking for files.
	cssImage = regexp.MustCompile(`url\(images/[^)]*\)`)
)

// readVendor returns a vendor file, or ErrAssetsMissing naming it.
func readVendor(name string) (string, error) {
	b, err := fs.ReadFile(assetFS, "assets/vendor/"+name)
	if err != nil || len(b) == 0 {
		return "", fmt.Errorf("%w (assets/vendor/%s not found)", ErrAssetsMissing, name)
	}
	return string(b), nil
}

// inlineJS makes a script safe to place inside <script>: the text "</script"
// would end the element early; "<\/script" means the same inside JS strings
// and regular expressions, the only places it can occur.
func inlineJS(s string) template.JS {
	return template.JS(closeScript.ReplaceAllString(s, `<\/script`))
}

// page is what the template sees.
type page struct {
	D            *Data
	Total        float64
	Findings     []finding
	Summary      []summaryRow
	ClassRows    []classView
	Charts       []chart
	TopAreas     []areaView
	InvestTotal  float64
	Inequality   []inequalityView
	HasIncome    bool
	PalmaInf     bool
	Completeness []CompletenessRow
	GroupRows    []groupView
	RankPhrase   string
	MoreAreas    []areaView
	Standards    []classView
	DataJSON     template.JS
	ChartsJSON   template.JS
	SelfCheckJS  template.JS
	LeafletJS    template.JS
	EChartsJS    template.JS
	ReportJS     template.JS
	LeafletCSS   template.CSS
	ReportCSS    template.CSS
	FaithLabels  string
	HasWalkShare bool
	// First screen: the headline, the reading key, and the kinds with
	// nothing mapped (moved from the findings to the caveats).
	Head         headlineView
	Reading      []finding
	ArtefactList []string
	Artefacts    string
	KindWords    string
	Caveats      []string
	// AllAreas is the whole ranking, for the sortable, filterable table.
	AllAreas []areaView
	// SiteWhy says, per proposed site, why it was chosen and how it relates
	// to the ranking; RankTop is the size of the top list it is compared with.
	SiteWhy []string
	RankTop int
	// ChangeCats are the kinds of place the scenario changes access to,
	// most people changed first: the change map's choices.
	ChangeCats []changeCat
	// UnderColor is the colour of underserved cells on the maps.
	UnderColor string
	// InvestOther: the sites add a kind of place other than the one that
	// ranks the areas.
	InvestOther bool
}

// changeCat is one kind of place the scenario changes access to.
type changeCat struct {
	Index      int
	Label      string
	Gain, Lose float64
}

// scenarioChanges sums each category's gains and losses over the classes
// and returns those with any, most people changed first (ties in category
// order).
func scenarioChanges(d *Data) []changeCat {
	var out []changeCat
	if d.Scenario == nil {
		return nil
	}
	for k, c := range d.Categories {
		var g, l float64
		if k < len(d.Scenario.Gain) {
			for _, v := range d.Scenario.Gain[k] {
				g += v
			}
		}
		if k < len(d.Scenario.Lose) {
			for _, v := range d.Scenario.Lose[k] {
				l += v
			}
		}
		if g+l > 0 {
			out = append(out, changeCat{k, c.Label, g, l})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Gain+out[i].Lose > out[j].Gain+out[j].Lose })
	return out
}

type summaryRow struct {
	Label, Color  string
	Faith         bool
	Places        int
	Walk15, Under float64
	Walk15Share   float64
	UnderShare    float64
	ByClass       []cellShare
}

type cellShare struct{ People, Share float64 }

type classView struct {
	Label, Rule, Color, Standard string
	Cells                        int
	Population, Share            float64
	Worst                        string // most underserved category in this class, in words
}

type areaView struct {
	Rank                           int
	Name, Level, ID                string
	Population, Underserved, Share float64
	ByCategory                     []float64
	Stay                           float64
}

// Render writes the report as one self-contained HTML page. The same Data
// always gives the same bytes.
func Render(w io.Writer, d *Data) (err error) {
	defer func() {
		// A bug in a chart library must cost the report, not the run.
		if r := recover(); r != nil {
			err = fmt.Errorf("report: render failed: %v", r)
		}
	}()
	if d == nil {
		return errors.New("report: no data to render")
	}
	if err := validate(d); err != nil {
		return err
	}
	var vendor [3]string
	for i, name := range []string{"leaflet.js", "echarts.min.js", "leaflet.css"} {
		s, err := readVendor(name)
		if err != nil {
			return err
		}
		vendor[i] = s
	}
	frontFile := func(name string) (string, error) {
		b, err := front.ReadFile("front/" + name)
		if err != nil {
			return "", fmt.Errorf("report: read embedded %s: %w", name, err)
		}
		return string(b), nil
	}
	var files [4]string
	for i, name := range []string{"page.html", "report.js", "selfcheck.js", "report.css"} {
		s, err := frontFile(name)
		if err != nil {
			return err
		}
		files[i] = s
	}
	tmpl, err := template.New("page").Funcs(template.FuncMap{
		"people":  fmtPeople,
		"count":   func(n int) string { return fmtPeople(float64(n)) },
		"share":   fmtShare,
		"minutes": fmtMinutes,
		"bytes":   fmtBytes,
		"lower":   strings.ToLower,
		"inc":     func(i int) int { return i + 1 },
		"ratio":   ratio,
		"areaTable": func(rows []areaView, d *Data) areaTableView {
			return areaTableView{Rows: rows, D: d}
		},
		"div": func(a, b float64) float64 {
			if b == 0 {
				return 0
			}
			return a / b
		},
		"join": func(xs []string) string { return strings.Join(xs, ", ") },
		"name": displayName,
		"names": func(xs []string) string {
			out := make([]string, len(xs))
			for i, x := range xs {
				out[i] = displayName(x)
			}
			return strings.Join(out, ", ")
		},
	}).Parse(files[0])
	if err != nil {
		return fmt.Errorf("report: parse page template: %w", err)
	}

	breaks := parseBreaks(d.TimeBands)
	data, err := blob(d, breaks)
	if err != nil {
		return err
	}
	cs, err := pageCharts(d)
	if err != nil {
		return err
	}
	chartsJSON, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("report: encode charts: %w", err)
	}
	settings, err := json.Marshal(map[string]any{
		"timeColors":   bandColors(make([]string, len(breaks)+1)),
		"unreachColor": unreachColor,
		"underColor":   pickUnderColor(d),
	})
	if err != nil {
		return fmt.Errorf("report: encode colours: %w", err)
	}
	// The colours ride along in the data blob: splice them in before its
	// closing brace so the page reads one object.
	data = append(data[:len(data)-1:len(data)-1], `,"style":`...)
	data = append(append(data, settings...), '}')

	p := &page{
		RankPhrase:  rankPhrase(d),
		D:           d,
		Total:       totalPopulation(d),
		Findings:    findings(d),
		Charts:      cs,
		DataJSON:    template.JS(data),
		ChartsJSON:  template.JS(chartsJSON),
		SelfCheckJS: inlineJS(files[2]),
		LeafletJS:   inlineJS(vendor[0]),
		EChartsJS:   inlineJS(vendor[1]),
		ReportJS:    inlineJS(files[1]),
		LeafletCSS:  template.CSS(cssImage.ReplaceAllString(vendor[2], "none")),
		ReportCSS:   template.CSS(files[3]),
	}
	p.fill()
	p.firstScreen()
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, p); err != nil {
		return fmt.Errorf("report: fill page template: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("report: write page: %w", err)
	}
	return nil
}

// fill derives the table rows the template prints.
func (p *page) fill() {
	d := p.D
	classPop := make([]float64, len(d.Classes))
	classCells := make([]int, len(d.Classes))
	for _, r := range d.ClassRows {
		classPop[r.Class] += r.Population
		classCells[r.Class] += r.Cells
	}
	var faith []string
	for _, c := range d.Categories {
		if c.Faith {
			faith = append(faith, c.Label)
		}
	}
	p.FaithLabels = joinWords(faith)
	for _, r := range d.Summary {
		c := d.Categories[r.Category]
		row := summaryRow{
			Label: c.Label, Color: c.Color, Faith: c.Faith, Places: r.Places,
			Walk15: r.PopWalk15, Walk15Share: ratio(r.PopWalk15, p.Total),
			Under: r.Underserved, UnderShare: r.UnderservedShare,
		}
		for k := range d.Classes {
			v := 0.0
			if k < len(r.ByClass) {
				v = r.ByClass[k]
			}
			row.ByClass = append(row.ByClass, cellShare{v, ratio(v, classPop[k])})
		}
		p.Summary = append(p.Summary, row)
	}
	for k, c := range d.Classes {
		v := classView{Label: c.Label, Rule: c.Rule, Color: c.Color, Standard: standardOf(d, c.Name),
			Cells: classCells[k], Population: classPop[k], Share: ratio(classPop[k], p.Total)}
		worst, worstN := -1, 0.0
		for _, r := range d.Summary {
			// A kind with no mapped places is a mapping gap, said elsewhere.
			if r.Places > 0 && k < len(r.ByClass) && r.ByClass[k] > worstN {
				worst, worstN = r.Category, r.ByClass[k]
			}
		}
		if worst >= 0 {
			v.Worst = fmt.Sprintf("Biggest gap — %s: %s people (%s of this area type's residents) are underserved.", d.Categories[worst].Label, fmtPeople(worstN), fmtShare(ratio(worstN, classPop[k])))
		} else if len(d.Summary) > 0 {
			v.Worst = "No one here is underserved for any kind of place."
		}
		p.ClassRows = append(p.ClassRows, v)
	}
	p.Standards = p.ClassRows
	for i, a := range d.Areas {
		v := areaView{Rank: i + 1, Name: a.Name, Level: a.Level, ID: a.ID, Population: a.Population, Underserved: a.Underserved, Share: a.Share, Stay: a.Stay}
		if d.Sensitivity == nil {
			v.Stay = -1
		}
		for k := range d.Categories {
			x := 0.0
			if k < len(a.ByCategory) {
				x = a.ByCategory[k]
			}
			v.ByCategory = append(v.ByCategory, x)
		}
		if i < 30 {
			p.TopAreas = append(p.TopAreas, v)
		} else {
			p.MoreAreas = append(p.MoreAreas, v)
		}
	}
	p.HasWalkShare = len(d.WalkShare) > 0
	p.Completeness = d.Completeness
	if d.Invest != nil && len(d.Invest.Sites) > 0 {
		p.InvestTotal = d.Invest.Sites[len(d.Invest.Sites)-1].Total
	}
	for _, q := range d.Inequality {
		if q.Category < 0 || q.Category >= len(d.Categories) {
			continue
		}
		if q.Mean == 0 || math.IsNaN(q.Gini) {
			continue // nothing of this kind is mapped: no spread to describe
		}
		v := inequalityView{Label: d.Categories[q.Category].Label, Mode: q.Mode, Mean: fmt.Sprintf("%.3g", q.Mean),
			Gini: fmt.Sprintf("%.2f", q.Gini), Palma: fmt.Sprintf("%.2f", q.Palma), Theil: fmt.Sprintf("%.2f", q.Theil),
			Between: fmtShare(q.BetweenShare), FGT0: fmtShare(q.FGT[0]), FGT1: fmt.Sprintf("%.3f", q.FGT[1]), FGT2: fmt.Sprintf("%.3f", q.FGT[2])}
		if math.IsInf(q.Palma, 1) {
			v.Palma = "∞"
			p.PalmaInf = true
		}
		if !math.IsNaN(q.Concentration) {
			v.Concentration = fmt.Sprintf("%.3f", q.Concentration)
			p.HasIncome = true
		}
		p.Inequality = append(p.Inequality, v)
	}
	if len(p.Completeness) > 20 {
		p.Completeness = p.Completeness[:20]
	}
	for _, g := range d.Groups {
		v := groupView{Label: g.Label, Population: g.Population}
		for k := range d.Categories {
			u := 0.0
			if k < len(g.Underserved) {
				u = g.Underserved[k]
			}
			v.Shares = append(v.Shares, ratio(u, g.Population))
		}
		p.GroupRows = append(p.GroupRows, v)
	}
}

// groupView is one row of the table of access by group.
type groupView struct {
	Label      string
	Population float64
	Shares     []float64 // share of the group underserved, per category
}

// fmtBytes writes a file size for people: 7,812,345 -> "7.8 MB".
func fmtBytes(n int64) string {
	f := float64(n)
	for _, u := range []string{"bytes", "kB", "MB", "GB"} {
		if f < 1000 || u == "GB" {
			if u == "bytes" {
				return fmt.Sprintf("%d bytes", n)
			}
			return fmt.Sprintf("%.1f %s", math.Round(f*10)/10, u)
		}
		f /= 1000
	}
	return ""
}

// inequalityView is one row of the inequality table, formatted.
type inequalityView struct {
	Label, Mode                       string
	Mean, Gini, Palma, Theil, Between string
	Concentration                     string
	FGT0, FGT1, FGT2                  string
}

// areaTableView is what the shared area table template sees.
type areaTableView struct {
	Rows []areaView
	D    *Data
}

// underCandidates are colours for underserved cells, tried in turn: the
// first that no kind of place uses wins, so cells never share a colour with
// a place layer drawn over them.
var underCandidates = []string{underColor, "#b2182b", "#a50026", "#8e0152", "#67001f"}

// pickUnderColor returns the underserved colour for d's map.
func pickUnderColor(d *Data) string {
	used := map[string]bool{}
	for _, c := range d.Categories {
		used[strings.ToLower(c.Color)] = true
	}
	for _, c := range underCandidates {
		if !used[strings.ToLower(c)] {
			return c
		}
	}
	return underCandidates[len(underCandidates)-1]
}

// rankTop is how many of the worst-served areas the site explanations
// compare with.
const rankTop = 20

// firstScreen fills the headline, the reading key, the artefact caveats,
// the area table and the site explanations.
func (p *page) firstScreen() {
	d := p.D
	p.Head = headline(d)
	p.Reading = readingKey(d)
	p.ArtefactList = artefacts(d)
	p.Artefacts = joinWords(p.ArtefactList)
	var kinds []string
	for _, c := range d.Categories {
		if !c.Composite {
			kinds = append(kinds, strings.ToLower(c.Label))
		}
	}
	p.KindWords = joinWords(kinds)
	p.Caveats = append([]string(nil), d.Caveats...)
	for _, a := range p.ArtefactList {
		said := false
		for _, c := range d.Caveats {
			if strings.HasPrefix(c, a+":") {
				said = true
			}
		}
		if !said {
			p.Caveats = append(p.Caveats, a+": none are mapped here, so everyone counts as underserved for this kind of place. This says more about the map than about the place.")
		}
	}
	p.AllAreas = append(append([]areaView(nil), p.TopAreas...), p.MoreAreas...)
	p.RankTop = min(rankTop, len(d.Areas))
	p.ChangeCats = scenarioChanges(d)
	p.UnderColor = pickUnderColor(d)
	if d.Invest != nil {
		p.InvestOther = d.RankCategory < 0 || d.RankCategory >= len(d.Categories) ||
			!strings.HasPrefix(d.Invest.Category, d.Categories[d.RankCategory].Label)
	}
	if d.Invest != nil {
		top := map[string]int{}
		for i, a := range d.Areas {
			if i == rankTop {
				break
			}
			top[a.Name] = i + 1
		}
		for _, s := range d.Invest.Sites {
			why := siteWhy(s, top, p.RankTop)
			if d.Scenario != nil {
				for _, c := range d.Scenario.Closed {
					// Within about 20 m: the same place.
					if math.Abs(c.Lat-s.Lat) < 2e-4 && math.Abs(c.Lon-s.Lon) < 2e-4 {
						why += " The scenario above closes this place; the two are separate runs, so the choice here assumes it stays open."
					}
				}
			}
			p.SiteWhy = append(p.SiteWhy, why)
		}
	}
}

// siteWhy explains one proposed site: what it adds, where, and which of the
// worst-served areas it reaches (top maps area names to their rank).
func siteWhy(s SiteRow, top map[string]int, n int) string {
	t := fmt.Sprintf("Brings %s people newly within their standard", fmtPeople(s.Gain))
	if s.Areas != "" {
		t += ", most of them in " + s.Areas
	}
	var hit []string
	for _, a := range s.AreaList {
		if r, ok := top[a]; ok {
			hit = append(hit, fmt.Sprintf("%s (rank %d)", a, r))
		}
	}
	switch {
	case n == 0:
		t += "."
	case len(hit) == 0:
		t += fmt.Sprintf(". It reaches none of the %d worst-served areas.", n)
	default:
		t += fmt.Sprintf(". Of the %d worst-served areas it reaches %s.", n, joinWords(hit))
	}
	return t
}
