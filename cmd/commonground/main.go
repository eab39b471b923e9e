// Command commonground shows where people lack places to gather, and where
// new ones would help most. See `commonground help`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `commonground: where people lack places to gather, and where new ones would help.

Usage:
  commonground run [flags] CONFIG.yaml   run a study and write its report
  commonground version                   print the version
  commonground help                      print this help

Run 'commonground run --help' for the run flags. A study config names the
OpenStreetMap extract, the population layer, the gathering-place categories,
travel speeds, thresholds and the output folder; datasets/delaware/study.yaml
is a worked example.
`

// Main runs the command line and returns the exit status: 0 on success, 1
// when the run failed, 2 for a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "run":
		err = runCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		err = versionCommand(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "error: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
}

// errUsage marks a command-line mistake whose message was already printed.
var errUsage = errors.New("usage")
