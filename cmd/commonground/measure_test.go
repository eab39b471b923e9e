package main

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"commonground/internal/measure"
	"commonground/internal/testdata"
)

// readResults reads a results CSV into its header and a map id -> row.
func readResults(t *testing.T, path string) ([]string, map[string][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	for _, r := range recs[1:] {
		rows[r[0]] = r
	}
	return recs[0], rows
}

// TestMeasureBeloHorizonte runs the subcommand end to end on the real Belo
// Horizonte matrix and land use of IPEA's accessibility package.
func TestMeasureBeloHorizonte(t *testing.T) {
	matrix := testdata.Shared(t, "belo-horizonte/travel_matrix.csv")
	land := testdata.Shared(t, "belo-horizonte/land_use_data.csv")
	dir := t.TempDir()
	base := []string{"measure", "--matrix", matrix, "--origins", land, "--destinations", land, "--origin-id", "id", "--dest-id", "id"}

	t.Run("IPEA examples", func(t *testing.T) {
		out := filepath.Join(dir, "ipea.csv")
		code, stdout, stderr := run(append(base, "--opportunity", "jobs", "--population", "population",
			"--measure", "cumulative,interval,2sfca", "--cutoff", "50", "--interval", "20,30", "--out", out)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.Contains(stdout, "898 origins, 3 measures") || !strings.Contains(stderr, "57967 of 806404 origin-destination pairs are absent") {
			t.Errorf("stdout %q, stderr %q", stdout, stderr)
		}
		header, rows := readResults(t, out)
		if strings.Join(header, ",") != "id,cumulative_50,interval_median_20_30,2sfca_binary50" || len(rows) != 898 {
			t.Fatalf("header %v, %d rows", header, len(rows))
		}
		// Values IPEA's README prints for this data: cumulative_interval(jobs, c(20, 30))
		// and floating_catchment_area(2sfca, jobs, population, decay_binary(50)).
		for id, want := range map[string][2]float64{
			"89a88cdb57bffff": {7649, 0.4278111},
			"89a88cdb597ffff": {21990, 0.3863614},
			"89a88cd90b7ffff": {25699, 0.5176583},
		} {
			iv, _ := strconv.ParseFloat(rows[id][2], 64)
			fca, _ := strconv.ParseFloat(rows[id][3], 64)
			if iv != want[0] || math.Abs(fca-want[1]) > 5e-8 {
				t.Errorf("%s: interval %v, 2sfca %v; IPEA prints %v", id, iv, fca, want)
			}
		}
	})

	t.Run("all measures", func(t *testing.T) {
		args := append(base, "--opportunity", "jobs", "--population", "population", "--category", "income_decile",
			"--income", "income_per_capita", "--group", "income_decile", "--measure", "all")
		outs := []string{}
		for k := 0; k < 2; k++ {
			out := filepath.Join(dir, "all"+strconv.Itoa(k)+".csv")
			ineq := filepath.Join(dir, "ineq"+strconv.Itoa(k)+".csv")
			code, _, stderr := run(append(args, "--out", out, "--inequality", ineq, "--lorenz", filepath.Join(dir, "lorenz.csv"))...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			outs = append(outs, out, ineq)
		}
		for k := 0; k < 2; k++ {
			a, _ := os.ReadFile(outs[k])
			b, _ := os.ReadFile(outs[k+2])
			if string(a) != string(b) {
				t.Errorf("%s and %s differ: output is not deterministic", outs[k], outs[k+2])
			}
		}
		header, rows := readResults(t, outs[0])
		want := "id,nearest,nth_2,reach_2,cumulative_30,interval_median_20_30,gravity_exp0.1,2sfca_binary30,e2sfca_zones,3sfca_zones,bfca_binary30,diversity_30"
		if strings.Join(header, ",") != want {
			t.Fatalf("header\n%s\nwant\n%s", strings.Join(header, ","), want)
		}
		// Every column equals the package called directly.
		tab, _ := measure.ReadTable(land, "id")
		m, err := measure.ReadMatrix(matrix, measure.MatrixOptions{Origins: tab, Dests: tab}, nil)
		if err != nil {
			t.Fatal(err)
		}
		jobs, _ := tab.Numbers("jobs", nil, nil)
		pop, _ := tab.Numbers("population", nil, nil)
		dec, _ := tab.Strings("income_decile", nil)
		fca := func(method measure.Method, d measure.Decay) ([]float64, error) {
			r, err := m.FCA(method, pop, jobs, d, measure.FCAOptions{})
			if err != nil {
				return nil, err
			}
			return r.Access, nil
		}
		direct := []func() ([]float64, error){
			func() ([]float64, error) { return m.Nearest(jobs) },
			func() ([]float64, error) { return m.NthNearest(jobs, 2) },
			func() ([]float64, error) { return m.CostToReach(jobs, 2) },
			func() ([]float64, error) { return m.Cumulative(jobs, 30) },
			func() ([]float64, error) { return m.CumulativeInterval(jobs, 20, 30, measure.Median) },
			func() ([]float64, error) { return m.Gravity(jobs, measure.Exponential(0.1)) },
			func() ([]float64, error) { return fca(measure.TwoStep, measure.Binary(30)) },
			func() ([]float64, error) { return fca(measure.TwoStep, measure.LuoQi(30)) },
			func() ([]float64, error) { return fca(measure.ThreeStep, measure.LuoQi(30)) },
			func() ([]float64, error) { return fca(measure.Balanced, measure.Binary(30)) },
			func() ([]float64, error) { return m.Diversity(dec, 30) },
		}
		for c, f := range direct {
			v, err := f()
			if err != nil {
				t.Fatal(err)
			}
			for i, id := range m.Origins {
				got, err := strconv.ParseFloat(rows[id][c+1], 64)
				if err != nil || got != v[i] {
					t.Fatalf("%s of %s = %q, package gives %v", header[c+1], id, rows[id][c+1], v[i])
				}
			}
		}
		// The inequality of cumulative_30 is IPEA's: Gini 0.4715251, Palma by income 3.800465.
		ineq, _ := os.ReadFile(outs[1])
		lines := strings.Split(string(ineq), "\n")
		if !strings.HasPrefix(lines[1], "cumulative_30,all,941160,") || !strings.Contains(lines[1], ",0.47152507") || !strings.Contains(lines[1], ",3.80046454") {
			t.Errorf("inequality line %q", lines[1])
		}
		if !strings.HasPrefix(lines[2], "cumulative_30,1,96726,") || !strings.HasPrefix(lines[11], "cumulative_30,10,") {
			t.Errorf("groups not in decile order: %q ... %q", lines[2], lines[11])
		}
	})
	t.Run("poverty and conventions", func(t *testing.T) {
		// Values printed by internal/measure/testdata/ipea_inequality.py (see
		// internal/measure TestIndependentScript): FGT at IPEA's example line
		// 95368 and the corrected concentration index under both conventions.
		args := append(base, "--opportunity", "jobs", "--population", "population", "--income", "income_per_capita",
			"--measure", "cumulative", "--poverty-line", "95368", "--out", filepath.Join(dir, "c.csv"))
		for _, tc := range []struct {
			name  string
			extra []string
			cic   float64
		}{
			{"ipea", nil, 0.3346494401461462},
			{"earlier", []string{"--ci-ties", "population", "--ci-range", "populated", "--theil-zeros", "limit"}, 0.3346476423292832},
		} {
			ineq := filepath.Join(dir, "pov-"+tc.name+".csv")
			code, _, stderr := run(append(append(args, tc.extra...), "--inequality", ineq)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			recs := readCSV(t, ineq)
			col := map[string]int{}
			for k, h := range recs[0] {
				col[h] = k
			}
			for name, want := range map[string]float64{"concentration_corrected": tc.cic, "poverty_line": 95368,
				"fgt0": 0.5745378044115772, "fgt1": 0.32773830683714456, "fgt2": 0.22187690343769312} {
				got, err := strconv.ParseFloat(recs[1][col[name]], 64)
				if err != nil || math.Abs(got-want) > 1e-12*want {
					t.Errorf("%s: %s = %q, want %v", tc.name, name, recs[1][col[name]], want)
				}
			}
		}
	})
}

// readCSV reads every record of a CSV file.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestMeasureErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	land := write("land.csv", "id,population,jobs,kind\na,10,5,park\nb,20,NA,\nc,0,3,library\n")
	negPop := write("neg.csv", "id,jobs\na,1\nb,-20\nc,0\n")
	good := write("good.csv", "from_id,to_id,travel_time\na,a,0\na,b,10\nb,c,20\nc,a,35\n")
	unknown := write("unknown.csv", "from_id,to_id,travel_time\na,b,10\nb,x,20\n")
	negative := write("negative.csv", "from_id,to_id,travel_time\na,b,10\nb,c,-3\n")
	base := func(matrix string) []string {
		return []string{"measure", "--matrix", matrix, "--origins", land, "--destinations", land, "--opportunity", "jobs"}
	}
	out := write("out.csv", "earlier results\n")
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no matrix", []string{"measure", "--origins", land}, 2, "measure needs --matrix"},
		{"stray argument", append(base(good), "extra"), 2, `measure takes only flags, found "extra"`},
		{"unknown measure", append(base(good), "--measure", "cumulative,gravty"), 1, `unknown measure "gravty"`},
		{"unknown id", append(base(unknown), "--out", out), 1, `unknown.csv line 3: to_id "x" is not an id in ` + land},
		{"negative time", append(base(negative), "--out", out), 1, `negative.csv line 3: travel_time from "b" to "c": travel cost -3 is negative`},
		{"missing column", append(base(good), "--cost", "minutes"), 1, `good.csv line 1: no column "minutes"`},
		{"missing opportunity column", []string{"measure", "--matrix", good, "--origins", land, "--destinations", land, "--opportunity", "seats"}, 1, `no column "seats"`},
		{"2sfca needs population", append(base(good), "--measure", "2sfca"), 1, "--measure 2sfca needs --population"},
		{"bad decay", append(base(good), "--measure", "gravity", "--decay", "cubic"), 1, `unknown decay "cubic"`},
		{"bad zones", append(base(good), "--measure", "e2sfca", "--population", "population", "--zones", "10-1"), 1, `"10-1" is not MINUTES:WEIGHT`},
		{"stepped without steps", append(base(good), "--measure", "gravity", "--decay", "stepped"), 1, "--decay stepped needs --steps"},
		{"bad interval", append(base(good), "--measure", "interval", "--interval", "30,20"), 1, `--interval "30,20"`},
		{"negative population", []string{"measure", "--matrix", good, "--origins", land, "--destinations", negPop, "--opportunity", "jobs"}, 1, `neg.csv line 3: id "b": jobs is -20; want a number >= 0`},
		{"inequality without population", append(base(good), "--inequality", filepath.Join(dir, "i.csv")), 1, "--inequality needs --population"},
		{"bad poverty line", append(base(good), "--poverty-line", "half"), 1, `--poverty-line "half": want a number > 0, or a percentage > 0 of the mean such as 50%`},
		{"zero poverty line", append(base(good), "--poverty-line", "0"), 1, `--poverty-line "0"`},
		{"negative poverty share", append(base(good), "--poverty-line", "-50%"), 1, `--poverty-line "-50%"`},
		{"bad ties", append(base(good), "--ci-ties", "income"), 1, `--ci-ties "income": want ipea or population`},
		{"bad range", append(base(good), "--ci-range", "all"), 1, `--ci-range "all": want ipea or populated`},
		{"bad theil zeros", append(base(good), "--theil-zeros", "nan"), 1, `--theil-zeros "nan": want ipea or limit`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, tc.err)
			}
		})
	}
	if b, _ := os.ReadFile(out); string(b) != "earlier results\n" {
		t.Errorf("a failed run changed %s: %q", out, b)
	}

	t.Run("small case poverty", func(t *testing.T) {
		// cumulative_30 is 5, 3, 0 for 10, 20, 0 people. Line 4: a is not poor,
		// b falls short by 1/4; c has nobody. FGT0 = 20/30, FGT1 = 20·0.25/30 =
		// 1/6, FGT2 = 20·0.0625/30 = 1/24. The default 50% line: the mean is
		// (10·5 + 20·3)/30 = 11/3, so the line is 11/6 and nobody is poor.
		for _, tc := range []struct {
			line string
			want []float64 // poverty_line, fgt0, fgt1, fgt2
		}{
			{"4", []float64{4, 2.0 / 3, 1.0 / 6, 1.0 / 24}},
			{"50%", []float64{11.0 / 6, 0, 0, 0}},
		} {
			ineq := filepath.Join(dir, "small-"+strings.TrimSuffix(tc.line, "%")+".csv")
			args := []string{"measure", "--matrix", good, "--origins", land, "--destinations", land, "--opportunity", "jobs",
				"--population", "population", "--poverty-line", tc.line, "--inequality", ineq, "--out", filepath.Join(dir, "small.csv")}
			if code, _, stderr := run(args...); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			recs := readCSV(t, ineq)
			n := len(recs[1])
			for k, want := range tc.want {
				got, err := strconv.ParseFloat(recs[1][n-4+k], 64)
				if err != nil || math.Abs(got-want) > 1e-12 {
					t.Errorf("line %s: %s = %q, want %v", tc.line, recs[0][n-4+k], recs[1][n-4+k], want)
				}
			}
		}
	})

	t.Run("small case to stdout", func(t *testing.T) {
		// Within 30: a reaches a (5 jobs) and b (NA, counted as 0); b reaches c (3); c reaches nothing (a at 35).
		code, stdout, stderr := run(append(base(good), "--measure", "cumulative,nearest,diversity", "--category", "kind")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want := "id,nearest,cumulative_30,diversity_30\na,0,5,1\nb,20,3,1\nc,35,0,0\n"
		if stdout != want {
			t.Errorf("stdout\n%s\nwant\n%s", stdout, want)
		}
		if !strings.Contains(stderr, `field "jobs": 1 of 3 values are missing (NA or empty), the first at line 3 (counted as 0)`) ||
			!strings.Contains(stderr, "treated as unreachable\n") {
			t.Errorf("stderr %q lacks the missing-value warning", stderr)
		}
	})
}

func TestMeasureHelp(t *testing.T) {
	code, _, stderr := run("measure", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, s := range append(measureNames, "--matrix", "--origins", "--destinations", "--opportunity", "--population",
		"--cutoff", "--decay", "--beta", "--zones", "--steps", "--inequality", "--out", "Luo & Wang", "exactly the cutoff counts",
		"--poverty-line", "--ci-ties", "--ci-range", "--theil-zeros", "FGT0") {
		if !strings.Contains(stderr, s) && !strings.Contains(stderr, strings.TrimPrefix(s, "-")) {
			t.Errorf("help does not mention %q", s)
		}
	}
	code, stdout, _ := run("help")
	if code != 0 || !strings.Contains(stdout, "commonground measure") {
		t.Errorf("the command list lacks measure: %q", stdout)
	}
}
