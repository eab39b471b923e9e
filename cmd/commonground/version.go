package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"commonground/internal/version"
)

func init() {
	register(command{Name: "version", Args: "[-v]", Summary: "print the version", Order: 100,
		Run: func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			return versionCommand(args, stdout, stderr)
		}})
}

func versionCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "also list the libraries' versions")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: commonground version [-v]\n\nPrints commonground's version.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	fmt.Fprintf(stdout, "commonground %s (%s)\n", version.Version, version.Go())
	if *verbose {
		for _, m := range version.ModuleList() {
			fmt.Fprintln(stdout, "  "+m)
		}
	}
	return nil
}
