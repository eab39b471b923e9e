package report

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// chart is one ECharts chart of the page: its fixed element id (go-echarts
// would otherwise draw a random one and break byte-identical output), its
// height and its option object as JSON.
type chart struct {
	ID     string          `json:"id"`
	Height int             `json:"height"`
	Unit   string          `json:"unit"` // "%" or "people", for tooltips
	Option json.RawMessage `json:"option"`
	Title  string          `json:"-"`
	Note   string          `json:"-"` // what the chart shows, in words
}

// Colour-blind-safe palettes. timeColors is viridis (Smith & van der Walt),
// light for short trips, dark for long ones; it is read by lightness alone.
var (
	timeColors   = []string{"#fde725", "#b5de2b", "#6ece58", "#35b779", "#1f9e89", "#26828e", "#31688e", "#3e4989", "#482878", "#440154"}
	unreachColor = "#9e9e9e"
	residentGrey = "#bdbdbd"
	underColor   = "#d55e00" // Okabe-Ito vermillion
)

// bandColors returns one colour per time band: viridis steps spread over the
// timed bands, grey for "unreachable".
func bandColors(bands []string) []string {
	out := make([]string, len(bands))
	timed := 0
	for _, b := range bands {
		if !isUnreachable(b) {
			timed++
		}
	}
	k := 0
	for i, b := range bands {
		if isUnreachable(b) {
			out[i] = unreachColor
			continue
		}
		j := 0
		if timed > 1 {
			j = int(math.Round(float64(k) * float64(len(timeColors)-1) / float64(timed-1)))
		}
		out[i] = timeColors[j]
		k++
	}
	return out
}

func baseBar(id string, height int) *charts.Bar {
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: fmt.Sprintf("%dpx", height)}),
		charts.WithAnimation(false),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
	)
	return bar
}

func optionJSON(id string, height int, bar *charts.Bar) (chart, error) {
	bar.Validate()
	raw, err := json.Marshal(bar.JSON()) // HTML-escaped, map keys sorted
	if err != nil {
		return chart{}, fmt.Errorf("report: chart %s: %w", id, err)
	}
	return chart{ID: id, Height: height, Unit: "%", Option: raw}, nil
}

func round1(f float64) float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return math.Round(f*10) / 10
}

// bandChart draws, per category, the share of residents in each travel-time
// band as one 100% stacked horizontal bar.
func bandChart(d *Data, id string, shares [][]float64) (chart, error) {
	height := 110 + 44*len(d.Categories)
	bar := baseBar(id, height)
	labels := make([]string, len(d.Categories))
	for i, c := range d.Categories {
		labels[i] = c.Label
	}
	var names []string
	for _, band := range d.TimeBands {
		names = append(names, bandLabel(band))
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: fmt.Sprint(legendTop(names) + 12), Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Max: 100, Name: "% of residents", NameLocation: "middle", NameGap: 24, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
	)
	bar.SetXAxis(labels).XYReversal()
	colors := bandColors(d.TimeBands)
	for b := range d.TimeBands {
		data := make([]opts.BarData, len(d.Categories))
		for c := range d.Categories {
			v := 0.0
			if c < len(shares) && b < len(shares[c]) {
				v = round1(shares[c][b] * 100)
			}
			data[c] = opts.BarData{Value: v}
		}
		bar.AddSeries(names[b], data,
			charts.WithBarChartOpts(opts.BarChart{Stack: "share", BarCategoryGap: "30%"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[b]}))
	}
	return optionJSON(id, height, bar)
}

// classChart compares, per settlement class, all residents with the people
// underserved for each category.
func classChart(d *Data, id string) (chart, error) {
	names := []string{"All residents"}
	for _, r := range d.Summary {
		names = append(names, "Underserved: "+d.Categories[r.Category].Label)
	}
	top := legendTop(names) + 28 // room for the axis name
	height := 320 + top
	bar := baseBar(id, height)
	labels := make([]string, len(d.Classes))
	pop := make([]opts.BarData, len(d.Classes))
	for i, c := range d.Classes {
		labels[i] = c.Label
		pop[i] = opts.BarData{Value: 0.0}
	}
	for _, r := range d.ClassRows {
		pop[r.Class] = opts.BarData{Value: math.Round(r.Population)}
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: fmt.Sprint(top), Bottom: "24", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "people", NameLocation: "end"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
	)
	bar.SetXAxis(labels)
	bar.AddSeries(names[0], pop, charts.WithItemStyleOpts(opts.ItemStyle{Color: residentGrey}))
	for _, r := range d.Summary {
		data := make([]opts.BarData, len(d.Classes))
		for k := range d.Classes {
			v := 0.0
			if k < len(r.ByClass) {
				v = math.Round(r.ByClass[k])
			}
			data[k] = opts.BarData{Value: v}
		}
		c := d.Categories[r.Category]
		bar.AddSeries("Underserved: "+c.Label, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: c.Color}))
	}
	return optionJSON(id, height, bar)
}

// areaChart shows the worst-served areas with the share of their residents
// underserved for the ranking category.
func areaChart(d *Data, id string, top int) (chart, error) {
	n := min(top, len(d.Areas))
	height := 80 + 28*n
	bar := baseBar(id, height)
	labels := make([]string, n)
	data := make([]opts.BarData, n)
	for i := 0; i < n; i++ {
		a := d.Areas[i]
		labels[i] = a.Name
		data[i] = opts.BarData{Value: round1(a.Share * 100)}
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "48", Top: "16", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Max: 100, Name: "% of residents underserved for " + rankPhrase(d), NameLocation: "middle", NameGap: 24, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
	)
	bar.SetXAxis(labels).XYReversal()
	bar.AddSeries("Residents underserved", data,
		charts.WithItemStyleOpts(opts.ItemStyle{Color: underColor}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{c}%"}))
	return optionJSON(id, height, bar)
}

// legendTop returns the space, in pixels, a top legend of these series
// names takes in a chart about 1,000 px wide, so the plot starts below it.
func legendTop(names []string) int {
	const width, perChar, perItem = 980.0, 6.6, 40.0
	rows, x := 1, 0.0
	for _, n := range names {
		w := float64(len([]rune(n)))*perChar + perItem
		if x > 0 && x+w > width {
			rows++
			x = 0
		}
		x += w
	}
	return 8 + 24*rows
}

// remoteBands are the ARIA+ remoteness areas' score ranges (ABS).
var remoteBands = []struct {
	Label  string
	Hi     float64
	Colour string
}{
	{"0–0.2 like a major city", 0.2, "#ffffcc"}, {"0.2–2.4 inner regional", 2.4, "#c2e699"},
	{"2.4–5.92 outer regional", 5.92, "#78c679"}, {"5.92–10.53 remote", 10.53, "#31a354"},
	{"above 10.53 very remote", math.Inf(1), "#006837"},
}

// remoteChart counts residents by remoteness score band.
func remoteChart(d *Data, id string) (chart, error) {
	const height = 300
	pop := make([]float64, len(remoteBands))
	var total float64
	for i, x := range d.Cells.Remote {
		for b, band := range remoteBands {
			if x <= band.Hi {
				pop[b] += d.Cells.Pop[i]
				break
			}
		}
		total += d.Cells.Pop[i]
	}
	bar := baseBar(id, height)
	labels := make([]string, len(remoteBands))
	data := make([]opts.BarData, len(remoteBands))
	for b, band := range remoteBands {
		labels[b] = band.Label
		data[b] = opts.BarData{Value: round1(100 * pop[b] / max(total, 1)), ItemStyle: &opts.ItemStyle{Color: band.Colour, BorderColor: "#555555"}}
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "16", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "% of residents", AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
	)
	bar.SetXAxis(labels)
	bar.AddSeries("Residents", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "{c}%"}))
	return optionJSON(id, height, bar)
}

// transitChart shows, per departure window, the share of residents within
// their area's transit standard of each kind of place: the evening and
// weekend drop-off at a glance.
func transitChart(d *Data, id string) (chart, error) {
	total := 0.0
	for _, p := range d.Cells.Pop {
		total += p
	}
	height := 120 + 40*len(d.Transit.Windows)*len(d.Categories)/2
	bar := baseBar(id, max(height, 260))
	var names []string
	for _, c := range d.Categories {
		names = append(names, c.Label)
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: fmt.Sprint(legendTop(names)), Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Max: 100, Name: "% of residents within the standard", AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
	)
	var labels []string
	for _, w := range d.Transit.Windows {
		labels = append(labels, w.Name)
	}
	bar.SetXAxis(labels)
	for k, c := range d.Categories {
		data := make([]opts.BarData, len(d.Transit.Windows))
		for wi, w := range d.Transit.Windows {
			v := 0.0
			if k < len(w.Within) && total > 0 {
				v = 100 * w.Within[k] / total
			}
			data[wi] = opts.BarData{Value: round1(v)}
		}
		bar.AddSeries(c.Label, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: c.Color}))
	}
	return optionJSON(id, max(height, 260), bar)
}

// investChart is the marginal value curve: people newly within their
// standard as sites are added one by one, so a funder sees where returns
// flatten.
func investChart(d *Data, id string) (chart, error) {
	const height = 320
	bar := baseBar(id, height)
	labels := make([]string, len(d.Invest.Sites))
	gain := make([]opts.BarData, len(d.Invest.Sites))
	total := make([]opts.BarData, len(d.Invest.Sites))
	for i, s := range d.Invest.Sites {
		labels[i] = fmt.Sprintf("%d. %s", i+1, s.Name)
		gain[i] = opts.BarData{Value: math.Round(s.Gain)}
		total[i] = opts.BarData{Value: math.Round(s.Total)}
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "40", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "people"}),
	)
	bar.SetXAxis(labels)
	bar.AddSeries("Newly within their standard, all sites so far", total, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#9ecae1"}))
	bar.AddSeries("Added by this site", gain, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#08519c"}))
	c, err := optionJSON(id, height, bar)
	c.Unit = "people"
	return c, err
}

// lorenzChart draws population-weighted Lorenz curves of access with the
// line of equality: the further a curve sags below the diagonal, the more
// unequally access is spread.
func lorenzChart(d *Data, id string) (chart, error) {
	const height = 420
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%", Height: fmt.Sprintf("%dpx", height)}),
		charts.WithAnimation(false),
		charts.WithAriaOpts(&opts.Aria{Enabled: opts.Bool(true)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "24", Top: "64", Bottom: "36", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Min: 0, Max: 100, Name: "% of residents, least access first", NameLocation: "middle", NameGap: 24, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Min: 0, Max: 100, Name: "% of all access", AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
	)
	eq := []opts.LineData{{Value: []float64{0, 0}}, {Value: []float64{100, 100}}}
	line.AddSeries("Equal access", eq, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#999999"}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	for _, s := range d.Lorenz {
		data := make([]opts.LineData, len(s.Points))
		for i, p := range s.Points {
			data[i] = opts.LineData{Value: []float64{round1(p[0] * 100), round1(p[1] * 100)}}
		}
		line.AddSeries(s.Name, data, charts.WithItemStyleOpts(opts.ItemStyle{Color: s.Color}),
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
	}
	line.Validate()
	raw, err := json.Marshal(line.JSON())
	if err != nil {
		return chart{}, fmt.Errorf("report: chart %s: %w", id, err)
	}
	return chart{ID: id, Height: height, Unit: "%", Option: raw}, nil
}

// pageCharts builds every chart of the page in page order.
func pageCharts(d *Data) ([]chart, error) {
	var out []chart
	add := func(c chart, err error) error {
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	}
	if len(d.TimeBands) > 0 && len(d.WalkShare) > 0 {
		if err := add(bandChart(d, "chart-walk-bands", d.WalkShare)); err != nil {
			return nil, err
		}
		out[len(out)-1].Title = "Walking time to the nearest place of each kind"
		out[len(out)-1].Note = "Each bar splits all residents by how long they would walk to the nearest place of that kind. Light colours are short walks, dark colours long ones; grey means no walking route was found."
	}
	if len(d.TimeBands) > 0 && len(d.DriveShare) > 0 {
		if err := add(bandChart(d, "chart-drive-bands", d.DriveShare)); err != nil {
			return nil, err
		}
		out[len(out)-1].Title = "Driving time to the nearest place of each kind"
		out[len(out)-1].Note = "The same split for trips by car. Grey means no driving route was found."
	}
	if len(d.Classes) > 0 {
		if err := add(classChart(d, "chart-classes")); err != nil {
			return nil, err
		}
		out[len(out)-1].Unit = "people"
		out[len(out)-1].Title = "Urban, rural and remote areas: residents and underserved people"
		out[len(out)-1].Note = "The grey bar counts all residents of each type of area; the coloured bars beside it count the people among them who live beyond their area's standard for each kind of place."
	}
	if d.Invest != nil && len(d.Invest.Sites) > 0 {
		if err := add(investChart(d, "chart-invest")); err != nil {
			return nil, err
		}
		out[len(out)-1].Title = "What each new site adds"
		out[len(out)-1].Note = "Sites in the order they were chosen: each adds the people it brings within their standard beyond the sites before it. Where the dark bars shrink, further sites help fewer people."
	}
	if d.Transit != nil && len(d.Transit.Windows) > 0 {
		if err := add(transitChart(d, "chart-transit")); err != nil {
			return nil, err
		}
		out[len(out)-1].Title = "Reachable by public transport, by departure window"
		out[len(out)-1].Note = "For each departure window, the share of residents who reach each kind of place by walking and public transport within their area's transit standard. Where bars fall in the evening or at the weekend, service drops when many groups meet."
	}
	if len(d.Cells.Remote) > 0 {
		if err := add(remoteChart(d, "chart-remote")); err != nil {
			return nil, err
		}
		out[len(out)-1].Title = "How remote do residents live?"
		out[len(out)-1].Note = "Residents by remoteness score (0–15), computed as Australia's ARIA+ index is: drive time to the nearest population centre of each of five sizes, compared with a reference time and summed. The bands are ARIA+'s remoteness areas; the map can be coloured by the same score."
	}
	if len(d.Lorenz) > 0 {
		if err := add(lorenzChart(d, "chart-lorenz")); err != nil {
			return nil, err
		}
		out[len(out)-1].Title = "How evenly is access shared? (Lorenz curves)"
		out[len(out)-1].Note = "Residents are lined up from least to best served; each curve shows what share of all access (" + d.MeasureNote + ") the first x% of them hold. The dashed diagonal is perfect equality; the further a curve sags below it, the more access is concentrated among few people."
	}
	if len(d.Areas) > 0 {
		if err := add(areaChart(d, "chart-areas", 15)); err != nil {
			return nil, err
		}
		n := min(15, len(d.Areas))
		out[len(out)-1].Title = fmt.Sprintf("The %d worst-served areas", n)
		out[len(out)-1].Note = "Areas ranked by how many residents are underserved for " + rankPhrase(d) + ", most first; each bar gives them as a share of the area's residents. The table below gives the numbers."
	}
	return out, nil
}
