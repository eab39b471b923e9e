package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"commonground/internal/measure"
	"commonground/internal/output"
	"commonground/internal/problem"
)

func init() {
	register(command{Name: "measure", Args: "[flags] --matrix M.csv ...", Summary: "compute standard access measures from a travel-time matrix", Order: 5, Run: measureCommand})
}

// measureNames lists the measures in output order.
var measureNames = []string{"nearest", "nth", "reach", "cumulative", "interval", "gravity", "2sfca", "e2sfca", "3sfca", "bfca", "diversity"}

const measureHelp = `Usage: commonground measure --matrix M.csv --origins O.csv --destinations D.csv
         --opportunity COLUMN [--population COLUMN] [--measure LIST] [flags]

Computes standard accessibility measures for every origin from a travel-time
matrix you bring (for example from r5r, OpenTripPlanner or IPEA's aopdata),
following the published definitions so results match IPEA's accessibility R
package and PySAL access. Writes one CSV line per origin: its id, then one
column per measure.

The matrix has one line per reachable origin-destination pair (columns
from_id,to_id,travel_time unless renamed); a pair that is absent is
unreachable. The origin and destination tables (CSV, or GeoJSON whose
feature properties are read) give each id its population, opportunities,
income or category; they may be the same file. NA or empty numbers count as
0 and are reported as warnings.

Measures (--measure, comma-separated, or all):
  nearest     minutes to the nearest destination with opportunities
  nth         minutes to the n-th nearest such destination (--n)
  reach       minutes until n opportunities are within reach (--n; IPEA cost_to_closest)
  cumulative  opportunities within --cutoff minutes (a trip of exactly the cutoff counts)
  interval    median (or --stat mean) of the cumulative counts for every whole
              minute in --interval, truncated to a whole number (IPEA cumulative_interval)
  gravity     opportunities weighted by a decay of travel time (--decay, default exp)
  2sfca       two-step floating catchment (Luo & Wang 2003): opportunities per
              person, sharing each destination among everyone within --cutoff
  e2sfca      enhanced 2SFCA (Luo & Qi 2009) with weighted zones (--zones)
  3sfca       three-step FCA (Wan et al. 2012), people split among the places they reach
  bfca        balanced FCA (Paez et al. 2019), people and opportunities each counted once
  diversity   distinct destination categories within --cutoff (needs --category)
"all" computes every measure whose inputs are given (FCA measures need
--population, diversity --category). Missing results: Inf for a minute count
never reached, NA where undefined.

With --inequality FILE, also writes for each measure (except the minute counts)
the population-weighted Gini index, Palma ratio, Theil T index, the
Foster-Greer-Thorbecke poverty measures FGT0 (share of people below the
--poverty-line, by default half the mean), FGT1 (poverty gap) and FGT2
(severity) and, with --income, IPEA's Palma ratio by income and the
concentration index (standard and corrected); with --group, the Theil
decomposition and one line per group (FGT against everyone's line). --lorenz
FILE writes the Lorenz curves for plotting. Every statistic follows IPEA's
accessibility package by default; --ci-ties, --ci-range and --theil-zeros
choose the other conventions.

Flags:
`

// measureFlags holds the parsed command line.
type measureFlags struct {
	matrix, origins, dests, from, to, cost string
	originID, destID                       string
	opportunity, population, category      string
	income, group                          string
	measures                               string
	cutoff                                 float64
	n                                      int
	interval, stat                         string
	decay                                  string
	beta, sigma, sd                        float64
	steps, zones                           string
	catchment                              float64
	allDests                               bool
	out, inequality, lorenz                string
	povertyLine                            string
	ciTies, ciRange, theilZeros            string
}

func measureCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("measure", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f measureFlags
	fs.StringVar(&f.matrix, "matrix", "", "travel-time matrix CSV, one line per reachable origin-destination pair (required)")
	fs.StringVar(&f.from, "from", "from_id", "matrix column with the origin id")
	fs.StringVar(&f.to, "to", "to_id", "matrix column with the destination id")
	fs.StringVar(&f.cost, "cost", "travel_time", "matrix column with the travel time in minutes (or any cost)")
	fs.StringVar(&f.origins, "origins", "", "origin table, CSV or GeoJSON: one row per origin id (required)")
	fs.StringVar(&f.dests, "destinations", "", "destination table, CSV or GeoJSON; may be the origin table (required)")
	fs.StringVar(&f.originID, "origin-id", "id", "id column (or GeoJSON property) of the origin table")
	fs.StringVar(&f.destID, "dest-id", "id", "id column (or GeoJSON property) of the destination table")
	fs.StringVar(&f.opportunity, "opportunity", "", "destination column with the opportunities or supply counted, e.g. jobs, seats (required)")
	fs.StringVar(&f.population, "population", "", "origin column with the number of people; needed by the FCA measures and --inequality")
	fs.StringVar(&f.category, "category", "", "destination column with a category (library, park...); needed by diversity")
	fs.StringVar(&f.income, "income", "", "origin column with income per person, to rank people in --inequality")
	fs.StringVar(&f.group, "group", "", "origin column with a group (e.g. income decile) for --inequality")
	fs.StringVar(&f.measures, "measure", "cumulative", "measures to compute, comma-separated ("+strings.Join(measureNames, ", ")+") or all")
	fs.Float64Var(&f.cutoff, "cutoff", 30, "minutes: the limit of cumulative, diversity and the default 2SFCA and BFCA catchment")
	fs.IntVar(&f.n, "n", 2, "for nth: which nearest destination; for reach: how many opportunities")
	fs.StringVar(&f.interval, "interval", "", "START,END minutes for interval, both included (default: cutoff-10,cutoff)")
	fs.StringVar(&f.stat, "stat", "median", "how interval summarises its cutoffs: median (IPEA's default) or mean")
	fs.StringVar(&f.decay, "decay", "", "decay of gravity, 2sfca, 3sfca and bfca: binary, linear, exp, power, gaussian, logistic or stepped\n(default: exp for gravity, binary at --cutoff for 2sfca and bfca, the --zones for 3sfca)")
	fs.Float64Var(&f.beta, "beta", 0.1, "decay rate of exp (exp(-beta*t)) and power (t^-beta)")
	fs.Float64Var(&f.sigma, "sigma", 0, "width in minutes of the gaussian decay exp(-t²/(2·sigma²)) (default: cutoff/2)")
	fs.Float64Var(&f.sd, "sd", 0, "standard deviation in minutes of the logistic decay, whose midpoint is --cutoff (default: cutoff/3)")
	fs.StringVar(&f.steps, "steps", "", "stepped decay as MINUTES:WEIGHT,...: the weight from each step on, 1 before the first\n(e.g. 10:0.75,20:0.5,30:0)")
	fs.StringVar(&f.zones, "zones", "", "e2sfca (and default 3sfca) zones as UPTO:WEIGHT,...: the weight up to each limit, 0 beyond the last\n(default: Luo & Qi's thirds of the cutoff, 10:1,20:0.68,30:0.22 for 30)")
	fs.Float64Var(&f.catchment, "catchment", 0, "minutes: if set, FCA weights are 0 beyond it (use with gaussian, exp, power or logistic)")
	fs.BoolVar(&f.allDests, "fca-all-destinations", false, "let 3sfca and bfca share people among every destination, even without opportunities,\nas IPEA's floating_catchment_area does (default: only destinations with opportunities)")
	fs.StringVar(&f.out, "out", "", "write the results CSV here (default: standard output); written only when complete")
	fs.StringVar(&f.inequality, "inequality", "", "also write inequality statistics of each measure to this CSV")
	fs.StringVar(&f.lorenz, "lorenz", "", "also write Lorenz curve points (population share, access share) to this CSV")
	fs.StringVar(&f.povertyLine, "poverty-line", "50%", "FGT poverty line in --inequality: access below it is poor; a number, or PERCENT% of\nthe population-weighted mean of each measure (a median line is 0 wherever most people reach nothing)")
	fs.StringVar(&f.ciTies, "ci-ties", "ipea", "concentration index, origins of equal income: ipea (kept in input order) or population (by population)")
	fs.StringVar(&f.ciRange, "ci-range", "ipea", "corrected concentration index bounds: ipea (max-min access over every origin) or populated\n(over origins with people and income only)")
	fs.StringVar(&f.theilZeros, "theil-zeros", "ipea", "Theil T with origins of zero access: ipea (dropped, weights renormalised over the rest)\nor limit (counted, 0·ln 0 = 0)")
	fs.Usage = func() {
		fmt.Fprint(stderr, measureHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "error: measure takes only flags, found %q\n", fs.Arg(0))
		return errUsage
	}
	for _, r := range []struct{ flag, v string }{{"matrix", f.matrix}, {"origins", f.origins}, {"destinations", f.dests}, {"opportunity", f.opportunity}} {
		if r.v == "" {
			fmt.Fprintf(stderr, "error: measure needs --%s (see commonground measure --help)\n", r.flag)
			return errUsage
		}
	}
	return runMeasure(ctx, f, stdout, stderr)
}

// column is one output column.
type column struct {
	name   string
	values []float64
	cost   bool // minutes, not an amount of access: no inequality statistics
}

func runMeasure(ctx context.Context, f measureFlags, stdout, stderr io.Writer) error {
	wanted, err := parseMeasures(f.measures)
	if err != nil {
		return err
	}
	conv, err := parseConventions(f)
	if err != nil {
		return err
	}
	var probs problem.List
	otab, err := measure.ReadTable(f.origins, f.originID)
	if err != nil {
		return err
	}
	dtab := otab
	if f.dests != f.origins || f.destID != f.originID {
		if dtab, err = measure.ReadTable(f.dests, f.destID); err != nil {
			return err
		}
	}
	m, err := measure.ReadMatrix(f.matrix, measure.MatrixOptions{From: f.from, To: f.to, Cost: f.cost, Origins: otab, Dests: dtab}, &probs)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	numbers := func(t *measure.Table, col string, ids []string) ([]float64, error) {
		v, err := t.Numbers(col, ids, &probs)
		if err != nil {
			return nil, err
		}
		for i, x := range v {
			if math.IsNaN(x) {
				v[i] = 0
			} else if x < 0 {
				return nil, fmt.Errorf("read %s %s: id %q: %s is %v; want a number >= 0", t.File, t.Place(ids[i]), ids[i], col, x)
			}
		}
		return v, nil
	}
	opp, err := numbers(dtab, f.opportunity, m.Dests)
	if err != nil {
		return err
	}
	var pop, income []float64
	var groups, category []string
	if f.population != "" {
		if pop, err = numbers(otab, f.population, m.Origins); err != nil {
			return err
		}
	}
	if f.income != "" {
		if income, err = otab.Numbers(f.income, m.Origins, &probs); err != nil {
			return err
		}
	}
	if f.group != "" {
		if groups, err = otab.Strings(f.group, m.Origins); err != nil {
			return err
		}
	}
	if f.category != "" {
		if category, err = dtab.Strings(f.category, m.Dests); err != nil {
			return err
		}
	}
	if f.inequality != "" && pop == nil {
		return fmt.Errorf("--inequality needs --population to weigh each origin by its people")
	}
	cols, skipped, err := computeMeasures(m, f, wanted, opp, pop, category)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintln(stderr, "note:", s)
	}
	if err := writeOutput(f.out, stdout, resultsCSV(m.Origins, cols)); err != nil {
		return err
	}
	if f.inequality != "" || f.lorenz != "" {
		ineq, lorenz, notes, err := inequalityCSV(cols, pop, income, groups, conv)
		if err != nil {
			return err
		}
		for _, n := range notes {
			fmt.Fprintln(stderr, "note:", n)
		}
		if f.inequality != "" {
			if err := output.WriteFile(f.inequality, ineq); err != nil {
				return err
			}
		}
		if f.lorenz != "" {
			if err := output.WriteFile(f.lorenz, lorenz); err != nil {
				return err
			}
		}
	}
	for _, p := range probs.Items() {
		msg := p.String()
		if p.Field != "" && (p.Field == f.opportunity || p.Field == f.population) {
			msg += " (counted as 0)"
		}
		fmt.Fprintln(stderr, msg)
	}
	if f.out != "" {
		fmt.Fprintf(stdout, "%d origins, %d measures: %s\n", len(m.Origins), len(cols), f.out)
	}
	return nil
}

// parseMeasures checks the --measure list and returns the chosen set.
func parseMeasures(list string) (map[string]bool, error) {
	wanted := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "all" {
			for _, n := range measureNames {
				wanted[n] = true
			}
			wanted["all"] = true
			continue
		}
		found := false
		for _, n := range measureNames {
			found = found || n == name
		}
		if !found {
			return nil, fmt.Errorf("--measure: unknown measure %q; choose from %s, or all", name, strings.Join(measureNames, ", "))
		}
		wanted[name] = true
	}
	return wanted, nil
}

// decays returns the decay for gravity, 2SFCA, 3SFCA and BFCA, and the
// zones of E2SFCA, from the flags.
func decays(f measureFlags) (gravity, twoStep, threeStep, balanced, zones measure.Decay, err error) {
	zones = measure.LuoQi(f.cutoff)
	if f.zones != "" {
		b, w, err := parsePairs("--zones", f.zones)
		if err != nil {
			return zones, zones, zones, zones, zones, err
		}
		zones = measure.Zones(b, w)
	}
	gravity, twoStep, threeStep, balanced = measure.Exponential(f.beta), measure.Binary(f.cutoff), zones, measure.Binary(f.cutoff)
	if f.decay != "" {
		var d measure.Decay
		switch strings.ToLower(f.decay) {
		case "binary", "step":
			d = measure.Binary(f.cutoff)
		case "linear":
			d = measure.Linear(f.cutoff)
		case "exp", "exponential":
			d = measure.Exponential(f.beta)
		case "power":
			d = measure.Power(f.beta)
		case "gaussian":
			sigma := f.sigma
			if sigma == 0 {
				sigma = f.cutoff / 2
			}
			d = measure.Gaussian(sigma)
		case "logistic":
			sd := f.sd
			if sd == 0 {
				sd = f.cutoff / 3
			}
			d = measure.Logistic(f.cutoff, sd)
		case "stepped":
			if f.steps == "" {
				return d, d, d, d, d, fmt.Errorf("--decay stepped needs --steps, e.g. --steps 10:0.75,20:0.5,30:0")
			}
			s, w, err := parsePairs("--steps", f.steps)
			if err != nil {
				return d, d, d, d, d, err
			}
			d = measure.Stepped(s, w)
		default:
			return d, d, d, d, d, fmt.Errorf("--decay: unknown decay %q; choose binary, linear, exp, power, gaussian, logistic or stepped", f.decay)
		}
		gravity, twoStep, threeStep, balanced = d, d, d, d
	}
	if f.catchment > 0 {
		twoStep, threeStep, balanced, zones = twoStep.Within(f.catchment), threeStep.Within(f.catchment), balanced.Within(f.catchment), zones.Within(f.catchment)
	}
	for _, d := range []measure.Decay{gravity, twoStep, threeStep, balanced, zones} {
		if err := d.Err(); err != nil {
			return d, d, d, d, d, err
		}
	}
	return gravity, twoStep, threeStep, balanced, zones, nil
}

// parsePairs reads "10:0.75,20:0.5" into steps and weights.
func parsePairs(flagName, s string) (steps, weights []float64, err error) {
	for _, part := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), ":")
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, nil, fmt.Errorf("%s: %q is not MINUTES:WEIGHT (write e.g. 10:1,20:0.68,30:0.22)", flagName, part)
		}
		steps, weights = append(steps, x), append(weights, y)
	}
	return steps, weights, nil
}

// decayName is a decay's name fit for a CSV header (no commas).
func decayName(d measure.Decay) string {
	s := d.String()
	if i := strings.IndexAny(s, "0123456789"); strings.ContainsAny(s, ",:") && i > 0 {
		return s[:i]
	}
	return s
}

// computeMeasures runs the chosen measures in the fixed output order; it
// returns why any measure chosen by "all" was left out.
func computeMeasures(m *measure.Matrix, f measureFlags, wanted map[string]bool, opp, pop []float64, category []string) ([]column, []string, error) {
	gravity, twoStep, threeStep, balanced, zones, err := decays(f)
	if err != nil {
		return nil, nil, err
	}
	if math.IsNaN(f.cutoff) || math.IsInf(f.cutoff, 0) || f.cutoff < 0 {
		return nil, nil, fmt.Errorf("--cutoff is %v; want minutes >= 0", f.cutoff)
	}
	lo, hi := max(0, f.cutoff-10), f.cutoff
	if f.interval != "" {
		a, b, ok := strings.Cut(f.interval, ",")
		var e1, e2 error
		lo, e1 = strconv.ParseFloat(strings.TrimSpace(a), 64)
		hi, e2 = strconv.ParseFloat(strings.TrimSpace(b), 64)
		if !ok || e1 != nil || e2 != nil || lo < 0 || hi <= lo {
			return nil, nil, fmt.Errorf("--interval %q: want START,END minutes with START < END, e.g. 20,30", f.interval)
		}
	}
	stat := measure.Median
	switch f.stat {
	case "median":
	case "mean":
		stat = measure.Mean
	default:
		return nil, nil, fmt.Errorf("--stat %q: want median or mean", f.stat)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var cols []column
	var skipped []string
	add := func(name string, cost bool, v []float64, err error) error {
		if err != nil {
			return fmt.Errorf("measure %s: %w", name, err)
		}
		cols = append(cols, column{name: name, values: v, cost: cost})
		return nil
	}
	all := wanted["all"]
	for _, name := range measureNames {
		if !wanted[name] {
			continue
		}
		if (name == "2sfca" || name == "e2sfca" || name == "3sfca" || name == "bfca") && pop == nil {
			if all {
				skipped = append(skipped, name+" left out: it needs --population")
				continue
			}
			return nil, nil, fmt.Errorf("--measure %s needs --population: the people who compete for each destination", name)
		}
		if name == "diversity" && category == nil {
			if all {
				skipped = append(skipped, "diversity left out: it needs --category")
				continue
			}
			return nil, nil, fmt.Errorf("--measure diversity needs --category: the destination column with each place's kind")
		}
		var v []float64
		var err error
		fca := func(method measure.Method, d measure.Decay) ([]float64, error) {
			r, err := m.FCA(method, pop, opp, d, measure.FCAOptions{AllDestinations: f.allDests})
			if err != nil {
				return nil, err
			}
			return r.Access, nil
		}
		switch name {
		case "nearest":
			v, err = m.Nearest(opp)
			err = add("nearest", true, v, err)
		case "nth":
			v, err = m.NthNearest(opp, f.n)
			err = add("nth_"+strconv.Itoa(f.n), true, v, err)
		case "reach":
			v, err = m.CostToReach(opp, float64(f.n))
			err = add("reach_"+strconv.Itoa(f.n), true, v, err)
		case "cumulative":
			v, err = m.Cumulative(opp, f.cutoff)
			err = add("cumulative_"+num(f.cutoff), false, v, err)
		case "interval":
			v, err = m.CumulativeInterval(opp, lo, hi, stat)
			err = add(fmt.Sprintf("interval_%s_%s_%s", stat, num(lo), num(hi)), false, v, err)
		case "gravity":
			v, err = m.Gravity(opp, gravity)
			err = add("gravity_"+decayName(gravity), false, v, err)
		case "2sfca":
			v, err = fca(measure.TwoStep, twoStep)
			err = add("2sfca_"+decayName(twoStep), false, v, err)
		case "e2sfca":
			v, err = fca(measure.TwoStep, zones)
			err = add("e2sfca_"+decayName(zones), false, v, err)
		case "3sfca":
			v, err = fca(measure.ThreeStep, threeStep)
			err = add("3sfca_"+decayName(threeStep), false, v, err)
		case "bfca":
			v, err = fca(measure.Balanced, balanced)
			err = add("bfca_"+decayName(balanced), false, v, err)
		case "diversity":
			v, err = m.Diversity(category, f.cutoff)
			err = add("diversity_"+num(f.cutoff), false, v, err)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return cols, skipped, nil
}

// cell formats a result: full precision, Inf for never reached, NA for
// undefined, as R writes them.
func cell(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NA"
	case math.IsInf(v, 1):
		return "Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// csvField quotes a field when it needs it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func resultsCSV(ids []string, cols []column) []byte {
	var b bytes.Buffer
	b.WriteString("id")
	for _, c := range cols {
		b.WriteString("," + csvField(c.name))
	}
	b.WriteByte('\n')
	for i, id := range ids {
		b.WriteString(csvField(id))
		for _, c := range cols {
			b.WriteString("," + cell(c.values[i]))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func writeOutput(path string, stdout io.Writer, data []byte) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	return output.WriteFile(path, data)
}

// conventions is the poverty line and the conventions of --inequality.
type conventions struct {
	line, share float64 // an absolute line, or share > 0 of each measure's mean
	opt         measure.Options
}

// parseConventions reads --poverty-line, --ci-ties, --ci-range and
// --theil-zeros.
func parseConventions(f measureFlags) (conventions, error) {
	var c conventions
	v := strings.TrimSpace(f.povertyLine)
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		x, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if err != nil || !(x > 0) || math.IsInf(x, 0) {
			return c, fmt.Errorf("--poverty-line %q: want a number > 0, or a percentage > 0 of the mean such as 50%%", f.povertyLine)
		}
		c.share = x / 100
	} else {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || !(x > 0) || math.IsInf(x, 0) {
			return c, fmt.Errorf("--poverty-line %q: want a number > 0, or a percentage > 0 of the mean such as 50%%", f.povertyLine)
		}
		c.line = x
	}
	switch f.ciTies {
	case "ipea":
	case "population":
		c.opt.Ties = measure.TiesByPopulation
	default:
		return c, fmt.Errorf("--ci-ties %q: want ipea or population", f.ciTies)
	}
	switch f.ciRange {
	case "ipea":
	case "populated":
		c.opt.Range = measure.RangePopulated
	default:
		return c, fmt.Errorf("--ci-range %q: want ipea or populated", f.ciRange)
	}
	switch f.theilZeros {
	case "ipea":
	case "limit":
		c.opt.Zeros = measure.ZeroLimit
	default:
		return c, fmt.Errorf("--theil-zeros %q: want ipea or limit", f.theilZeros)
	}
	return c, nil
}

// inequalityCSV summarises every access column (not the minute counts)
// across all people and, with groups, within each group; notes say where
// a relative poverty line came out as 0.
func inequalityCSV(cols []column, pop, income []float64, groups []string, conv conventions) (ineq, lorenz []byte, notes []string, err error) {
	var ib, lb bytes.Buffer
	ib.WriteString("measure,group,people,mean,gini,palma,palma_income,theil_t,theil_between,theil_within,concentration,concentration_corrected,poverty_line,fgt0,fgt1,fgt2\n")
	lb.WriteString("measure,pop_share,access_share\n")
	row := func(name, group string, s *measure.Summary) {
		vals := []float64{s.People, s.Mean, s.Gini, s.Palma, s.PalmaIncome, s.Theil.T, s.Theil.Between, s.Theil.Within, s.Concentration, s.Corrected,
			s.PovertyLine, s.FGT[0], s.FGT[1], s.FGT[2]}
		ib.WriteString(csvField(name) + "," + csvField(group))
		for _, v := range vals {
			ib.WriteString("," + cell(v))
		}
		ib.WriteByte('\n')
	}
	for _, c := range cols {
		if c.cost {
			continue
		}
		opt := conv.opt
		opt.PovertyLine = conv.line
		if conv.share > 0 {
			opt.PovertyLine = measure.RelativeLine(c.values, pop, conv.share)
			if opt.PovertyLine == 0 {
				notes = append(notes, fmt.Sprintf("%s: nobody has any access, so the relative poverty line is 0 and nobody counts as poor; give --poverty-line as a number", c.name))
			}
		}
		s, err := measure.SummarizeWith(c.values, pop, income, groups, opt)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("inequality of %s: %w", c.name, err)
		}
		opt.PovertyLine = s.PovertyLine // groups are measured against everyone's line
		row(c.name, "all", s)
		for _, p := range s.Lorenz {
			lb.WriteString(csvField(c.name) + "," + cell(p.Pop) + "," + cell(p.Access) + "\n")
		}
		for _, tg := range s.Theil.Groups {
			g := tg.Name
			var x, w, inc []float64
			for i := range c.values {
				gi := groups[i]
				if gi == "" {
					gi = "NA"
				}
				if gi != g {
					continue
				}
				x, w = append(x, c.values[i]), append(w, pop[i])
				if income != nil {
					inc = append(inc, income[i])
				}
			}
			s, err := measure.SummarizeWith(x, w, inc, nil, opt)
			if err != nil {
				continue // a group without people: nothing to summarise
			}
			if opt.PovertyLine == 0 { // everyone's line is 0 (0 would ask SummarizeWith for the group's own)
				s.PovertyLine, s.FGT = 0, measure.FGT(x, w, 0)
			}
			row(c.name, g, s)
		}
	}
	return ib.Bytes(), lb.Bytes(), notes, nil
}
