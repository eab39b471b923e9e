package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"commonground/internal/config"
	"commonground/internal/output"
	"commonground/internal/population"
	"commonground/internal/progress"
	"commonground/internal/study"
)

func init() {
	register(command{Name: "run", Args: "[flags] CONFIG.yaml", Summary: "run a study and write its report", Order: 1, Run: runCommand})
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	outDir := fs.String("out", "", "write outputs to this folder instead of the config's output.dir")
	timings := fs.Bool("timings", false, "print each stage's time and the peak memory at the end (also written to timings.json)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (for go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a memory profile of the run to this file at the end (for go tool pprof: -sample_index=alloc_space for what was allocated, inuse_space for what is still held)")
	shardFlag := fs.String("shard", "", "compute only shard I of N (`I/N`, I from 0) into --out, for `commonground merge`; with N alone, I comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm job array)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: commonground run [flags] CONFIG.yaml

Runs the study the config describes: reads OpenStreetMap and population,
measures walk and drive times from every populated grid cell to each kind of
gathering place, finds underserved people, and writes into the output folder:
  report.html     the report, one self-contained file (open it in a browser)
  cells.csv       every grid cell with its people, class, remoteness and travel times
  areas.csv       people and underserved people per area, with area ids
  places.geojson  the gathering places found
  measures.csv    standard access measures of every cell (cumulative, gravity, 2SFCA)
  summary.csv, groups.csv, inequality.csv, completeness.csv, transit.csv
                  the report's tables (those that apply)
  sites.csv       with siting: the chosen sites and what each adds
  results.gpkg    GeoPackage with cells, places, areas, candidate and chosen sites
  origins.parquet the origins with their minutes and flags as GeoParquet
  manifest.json   inputs with checksums, settings and versions, to rerun exactly
  timings.json    how long each stage took
Nothing in the output folder changes unless the whole run succeeds; then the
folder is replaced as a whole (an earlier run's files are not kept). The
folder must not hold inputs or files other than an earlier run's.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "error: run needs exactly one config file, for example: commonground run datasets/delaware/study.yaml")
		return errUsage
	}
	s, err := config.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	if *shardFlag != "" {
		i, n, err := parseShard(*shardFlag, os.Getenv)
		if err != nil {
			return err
		}
		if *cpuProfile != "" {
			stop, err := startCPUProfile(*cpuProfile)
			if err != nil {
				return err
			}
			defer stop()
		}
		return runShard(ctx, s, i, n, *outDir, *quiet, *timings, stdout, stderr)
	}
	dir := *outDir
	if dir == "" {
		dir, _ = s.Resolve(s.Output.Dir)
	}
	if err := study.PrepareOutput(s, dir); err != nil {
		return err
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	rep := progress.New(stderr, *quiet)
	start := time.Now()
	res, err := study.Run(ctx, s, rep)
	if err != nil {
		return err
	}
	if err := writeResult(res, dir, rep, start, *quiet, *timings, stdout); err != nil {
		return err
	}
	if *memProfile != "" {
		return writeMemProfile(*memProfile)
	}
	return nil
}

// writeResult writes a run's (or a merge's) outputs into dir as one unit
// and prints the summary.
func writeResult(res *study.Result, dir string, rep *progress.Reporter, start time.Time, quiet, timings bool, stdout io.Writer) error {
	rep.Start("write report and outputs")
	res.DropMatrices()
	// A collection now sets the heap's next goal from what the outputs
	// need, not from the searches' and trips' garbage: the outputs
	// allocate much side by side, and this keeps the peak down.
	runtime.GC()
	set, err := res.Outputs()
	if err != nil {
		return err
	}
	// timings.json goes in with the rest (the manifest does not list it:
	// clock times differ run to run), so the folder changes as one unit.
	peak := peakRSS()
	if err := addTimings(set, rep, start, peak); err != nil {
		return err
	}
	if err := set.Commit(dir); err != nil {
		return err
	}
	rep.Done("")
	if !quiet {
		fmt.Fprintln(stdout, summary(res, time.Since(start)))
		fmt.Fprintf(stdout, "Report: %s\n", filepath.Join(dir, study.ReportFile))
	}
	printTimings(stdout, timings, rep, start, peak)
	return nil
}

// addTimings adds timings.json: each stage's seconds and the peak memory.
func addTimings(set *output.Set, rep *progress.Reporter, start time.Time, peak float64) error {
	tb, _ := output.JSON(struct {
		Stages     []progress.Timing `json:"stages"`
		Total      float64           `json:"total_seconds"`
		PeakRSSMiB float64           `json:"peak_rss_mib"`
	}{rep.Timings, time.Since(start).Seconds(), peak})
	return set.Add(study.TimingsFile, func(w io.Writer) error { _, err := w.Write(tb); return err })
}

// printTimings prints the stage table when --timings asks for it.
func printTimings(stdout io.Writer, on bool, rep *progress.Reporter, start time.Time, peak float64) {
	if !on {
		return
	}
	fmt.Fprintf(stdout, "\nStage timings:%31s %9s %6s\n", "wall", "CPU", "cores")
	for _, t := range rep.Timings {
		fmt.Fprintf(stdout, "  %-36s %7.2f s %7.2f s %6.2f\n", t.Stage, t.Seconds, t.CPUSeconds, t.CPUSeconds/max(t.Seconds, 1e-9))
	}
	wall, cpu := time.Since(start).Seconds(), progress.CPUSeconds()
	fmt.Fprintf(stdout, "  %-36s %7.2f s %7.2f s %6.2f\n", "total", wall, cpu, cpu/max(wall, 1e-9))
	fmt.Fprintf(stdout, "  %-36s %7.0f MiB\n", "peak memory (max RSS)", peak)
}

// summary is the few lines a planner reads at the end of a run.
func summary(r *study.Result, took time.Duration) string {
	total := r.Population()
	what := map[population.Origins]string{population.GridOrigins: "cells", population.PointOrigins: "points", population.PolygonOrigins: "polygons"}[r.Alloc.Origins]
	s := fmt.Sprintf("\n%s: %s people in %s %s, %s gathering places (%s).\n",
		r.Study.Name, thousands(total), thousands(float64(len(r.Alloc.Cells))), what, thousands(float64(len(r.Extract.Places))), took.Round(100*time.Millisecond))
	for gi, g := range r.Groups {
		var under float64
		for i, c := range r.Alloc.Cells {
			if r.Under[gi][i] {
				under += c.Pop
			}
		}
		s += fmt.Sprintf("  %-48s %9s underserved (%4.1f%%)\n", g.Label, thousands(under), 100*under/total)
	}
	if r.Transit != nil {
		for _, tw := range r.Transit.Windows {
			s += fmt.Sprintf("  By public transport, %s:\n", tw.Name)
			for gi, g := range r.Groups {
				var under float64
				for i, c := range r.Alloc.Cells {
					if tw.Under[gi][i] {
						under += c.Pop
					}
				}
				s += fmt.Sprintf("    %-46s %9s underserved (%4.1f%%)\n", g.Label, thousands(under), 100*under/total)
			}
		}
	}
	if n := len(r.Notes) + r.Problems.Len(); n > 0 {
		s += fmt.Sprintf("%d warnings: see the report's methods section and manifest.json.\n", n)
	}
	return s
}

// startCPUProfile starts Go's CPU profiler writing to path; the returned
// function stops it and closes the file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeMemProfile writes Go's heap profile (every allocation sampled since
// the start, and what is still in use) to path.
func writeMemProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memory profile: %w", err)
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("memory profile %s: %w", path, err)
	}
	return f.Close()
}

// peakRSS returns the process's peak resident memory in MiB. It reads the
// high-water mark of this program's own memory (VmHWM in /proc/self/status,
// proc(5)), which starts afresh at exec. getrusage's ru_maxrss is the
// fallback only: Linux carries the parent's peak across fork and exec into
// it, so a shard started by a large process would report the parent's peak.
func peakRSS() float64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				f := strings.Fields(rest) // "123456 kB"
				if len(f) == 2 && f[1] == "kB" {
					if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
						return kb / 1024
					}
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// thousands rounds v to a whole number and groups its digits: 897,934.
func thousands(v float64) string { return output.Thousands(v) }
