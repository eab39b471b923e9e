// Package problem records problems found in input data as data: where they
// are (file, line or feature, field), what was found, and how serious it is,
// so a run can go on where it safely can and end with a list a user can act on.
package problem

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says what a problem did to the run.
type Severity string

const (
	// Warning: the input was used, perhaps after repair; results may be affected.
	Warning Severity = "warning"
	// Skipped: the feature or row was left out of the analysis.
	Skipped Severity = "skipped"
)

// Problem is one thing wrong with an input.
type Problem struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`    // 1-based line or row, 0 when not applicable
	Feature  string   `json:"feature,omitempty"` // feature id, OSM id, etc.
	Field    string   `json:"field,omitempty"`
	Value    string   `json:"value,omitempty"`
	Message  string   `json:"message"`
}

// String renders the problem on one line, location first.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(string(p.Severity))
	b.WriteString(": ")
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Feature != "" {
		fmt.Fprintf(&b, "feature %s: ", p.Feature)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "field %q", p.Field)
		if p.Value != "" {
			fmt.Fprintf(&b, " = %q", p.Value)
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// List collects problems. The zero value is ready to use.
type List struct {
	items []Problem
}

// Add records a problem.
func (l *List) Add(p Problem) { l.items = append(l.items, p) }

// Addf records a problem with a formatted message.
func (l *List) Addf(sev Severity, file, feature, format string, args ...any) {
	l.Add(Problem{Severity: sev, File: file, Feature: feature, Message: fmt.Sprintf(format, args...)})
}

// Merge appends every problem of o.
func (l *List) Merge(o List) { l.items = append(l.items, o.items...) }

// Len returns the number of problems recorded.
func (l *List) Len() int { return len(l.items) }

// Items returns the problems in a stable order: by file, line, feature, then
// message, so two runs over the same input list them identically.
func (l *List) Items() []Problem {
	out := append([]Problem(nil), l.items...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Feature != b.Feature {
			return a.Feature < b.Feature
		}
		return a.Message < b.Message
	})
	return out
}

// Summary counts problems by message, most frequent first, for a short
// end-of-run report: "12 × polygon repaired with make-valid".
func (l *List) Summary() []string {
	counts := map[string]int{}
	for _, p := range l.items {
		counts[string(p.Severity)+": "+p.Message]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%d × %s", counts[k], k)
	}
	return out
}
