package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"commonground/internal/config"
	"commonground/internal/output"
	"commonground/internal/progress"
	"commonground/internal/shard"
	"commonground/internal/study"
)

func init() {
	register(command{Name: "merge", Args: "--out DIR SHARD_DIR...", Summary: "combine the shards of a sharded run into its report", Order: 2, Run: mergeCommand})
}

// parseShard reads --shard: "I/N", or "N" with I from the index variable
// of a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array
// (SLURM_ARRAY_TASK_ID, less SLURM_ARRAY_TASK_MIN when the array does not
// start at 0).
func parseShard(v string, getenv func(string) string) (i, n int, err error) {
	is, ns, explicit := strings.Cut(v, "/")
	if !explicit {
		ns = is
	}
	n, err = strconv.Atoi(strings.TrimSpace(ns))
	if err != nil || n < 1 {
		return 0, 0, fmt.Errorf("--shard %q: want I/N (for example 0/4) or N, with N a whole number of shards of at least 1", v)
	}
	if explicit {
		if i, err = strconv.Atoi(strings.TrimSpace(is)); err != nil {
			return 0, 0, fmt.Errorf("--shard %q: the shard index %q is not a whole number", v, is)
		}
	} else {
		name, val := "JOB_COMPLETION_INDEX", getenv("JOB_COMPLETION_INDEX")
		if val == "" {
			name, val = "SLURM_ARRAY_TASK_ID", getenv("SLURM_ARRAY_TASK_ID")
		}
		if val == "" {
			return 0, 0, fmt.Errorf("--shard %d: no shard index: give --shard I/%d, or run it as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID)", n, n)
		}
		if i, err = strconv.Atoi(val); err != nil {
			return 0, 0, fmt.Errorf("--shard %d: %s=%q is not a whole number", n, name, val)
		}
		if name == "SLURM_ARRAY_TASK_ID" {
			if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
				lo, err := strconv.Atoi(m)
				if err != nil {
					return 0, 0, fmt.Errorf("--shard %d: SLURM_ARRAY_TASK_MIN=%q is not a whole number", n, m)
				}
				i -= lo
			}
		}
	}
	if i < 0 || i >= n {
		return 0, 0, fmt.Errorf("--shard %s: shard index %d is out of range: with %d shards it runs from 0 to %d", v, i, n, n-1)
	}
	return i, n, nil
}

// runShard computes one shard and commits its folder as a whole.
func runShard(ctx context.Context, s *config.Study, i, n int, dir string, quiet, timings bool, stdout, stderr io.Writer) error {
	if dir == "" {
		return fmt.Errorf("--shard needs --out SHARD_DIR: a folder of this shard's own that the merge can read (for example runs/%s/shards/%d)", "NAME", i)
	}
	if err := output.Prepare(dir, study.InputFiles(s), shard.Names); err != nil {
		return err
	}
	rep := progress.New(stderr, quiet)
	start := time.Now()
	h, d, trips, err := study.RunShard(ctx, s, rep, i, n)
	if err != nil {
		return err
	}
	rep.Start("write shard")
	var set output.Set
	if err := set.Add(shard.DataFile, d.Encode); err != nil {
		return err
	}
	if err := set.AddSized(shard.TripsFile, trips.Size(), trips.Encode); err != nil {
		return err
	}
	file := func(name string) output.File {
		b := set.Bytes(name)
		return output.File{Name: name, SHA256: output.HashBytes(b), Bytes: len(b)}
	}
	h.Data, h.Trips = file(shard.DataFile), file(shard.TripsFile)
	peak := peakRSS()
	h.Stats = &shard.HeaderStats{Seconds: time.Since(start).Seconds(), PeakRSSMiB: peak}
	if err := addTimings(&set, rep, start, peak); err != nil {
		return err
	}
	hb, err := output.JSON(h)
	if err != nil {
		return err
	}
	if err := set.Add(shard.HeaderFile, func(w io.Writer) error { _, err := w.Write(hb); return err }); err != nil {
		return err
	}
	if err := set.Commit(dir); err != nil {
		return err
	}
	rep.Done("")
	if !quiet {
		walk, drive := 0, 0
		if len(d.Modes) >= 2 {
			walk, drive = d.Modes[0].Pairs, d.Modes[1].Pairs
		}
		fmt.Fprintf(stdout, "Shard %d of %d: %s origins, %s walk and %s drive trips, in %s.\nMerge all %d with: commonground merge --out DIR SHARD_DIR...\n",
			i, n, thousands(float64(h.Origins)), thousands(float64(walk)), thousands(float64(drive)), time.Since(start).Round(100*time.Millisecond), n)
	}
	printTimings(stdout, timings, rep, start, peak)
	return nil
}

func mergeCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quiet := fs.Bool("quiet", false, "print nothing but errors")
	outDir := fs.String("out", "", "write the study's outputs to this folder instead of the config's output.dir")
	timings := fs.Bool("timings", false, "print each stage's time and the peak memory at the end")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the merge to this file (for go tool pprof)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: commonground merge [flags] SHARD_DIR...

Combines the N shard folders that 'commonground run --shard I/N --out
SHARD_DIR CONFIG.yaml' wrote (one per I from 0 to N-1) into the study's
outputs: the same files, byte for byte, as a plain run of the config
(timings.json aside). It refuses, writing nothing, when a shard is missing,
did not finish, or ran another config, other inputs or another version.
The config is read from where the shards read it.

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
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "error: merge needs the shard folders, for example: commonground merge --out reports/de runs/de/shards/*")
		return errUsage
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	s, m, err := study.ReadShards(fs.Args())
	if err != nil {
		return err
	}
	dir := *outDir
	if dir == "" {
		dir, _ = s.Resolve(s.Output.Dir)
	}
	if err := study.PrepareOutput(s, dir); err != nil {
		return err
	}
	rep := progress.New(stderr, *quiet)
	start := time.Now()
	res, err := study.Merge(ctx, s, m, rep)
	if err != nil {
		return err
	}
	return writeResult(res, dir, rep, start, *quiet, *timings, stdout)
}
