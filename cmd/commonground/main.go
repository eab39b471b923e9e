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
	"sort"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(Main(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand. Each lives in its own file and registers itself
// with register, so adding one never touches this file.
type command struct {
	Name    string
	Args    string // argument synopsis, e.g. "[flags] CONFIG.yaml"
	Summary string // one line for the help text
	Order   int    // position in the help text
	Run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.Name] = c }

func usage() string {
	var b strings.Builder
	b.WriteString("commonground: where people lack places to gather, and where new ones would help.\n\nUsage:\n")
	list := make([]command, 0, len(commands))
	for _, c := range commands {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Order != list[j].Order {
			return list[i].Order < list[j].Order
		}
		return list[i].Name < list[j].Name
	})
	for _, c := range list {
		fmt.Fprintf(&b, "  %-44s %s\n", "commonground "+c.Name+" "+c.Args, c.Summary)
	}
	fmt.Fprintf(&b, "  %-44s %s\n", "commonground help", "print this help")
	b.WriteString(`
Run 'commonground COMMAND --help' for a command's flags. A study config names
the OpenStreetMap extract, the population layer, the gathering-place
categories, travel speeds, thresholds and the output folder;
datasets/delaware/study.yaml is a worked example.
`)
	return b.String()
}

// Main runs the command line and returns the exit status: 0 on success, 1
// when the work failed, 2 for a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	case "--version", "-version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "error: unknown command %q\n\n%s", args[0], usage())
		return 2
	}
	err := c.Run(ctx, args[1:], stdout, stderr)
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
