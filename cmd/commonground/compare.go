package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"commonground/internal/compare"
)

func init() {
	register(command{Name: "compare", Args: "[flags] RUN_A RUN_B", Summary: "say what changed between two runs: inputs, settings, results", Order: 5, Run: compareCommand})
}

func compareCommand(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	areas := fs.Int("areas", 15, "how many of the areas that changed most to list")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: commonground compare [flags] RUN_A RUN_B

Compares two run folders (each the output.dir of a finished run): which
input files differ (by SHA-256), which settings differ (every key of the
resolved config), which versions differ, and how many people are
underserved for each kind of place in each, with the areas that changed
most. Use it to account for every difference when rerunning an analysis.

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
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "error: compare needs two run folders, for example: commonground compare reports/a reports/b")
		return errUsage
	}
	a, err := compare.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	b, err := compare.Load(fs.Arg(1))
	if err != nil {
		return err
	}
	compare.Runs(a, b).Write(stdout, *areas)
	return nil
}
