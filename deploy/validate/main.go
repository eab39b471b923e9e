// Command validate checks commonground's Kubernetes manifests without a
// cluster. Each YAML document is decoded strictly into the Kubernetes API's own
// Go types (k8s.io/api batch/v1 Job, core/v1 PersistentVolumeClaim), so a
// misspelt or misplaced field, a value of the wrong type or a duplicate key is
// an error, as the API server's schema would make it. Then it checks the rules
// the API server applies that a schema does not express and that these
// manifests depend on (see check.go), and the rules of this deployment: the
// shard count in one place agrees with the other, writes go to the shared
// volume, no secret is written in.
//
//	go run . FILE...     (a FILE of "-" is standard input)
//
// It prints one line per document and exits 1 if any has a problem.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// doc is one decoded YAML document and where it came from.
type doc struct {
	Where string // file name and document number
	Job   *batchv1.Job
	PVC   *corev1.PersistentVolumeClaim
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: validate FILE... (- for standard input)")
		os.Exit(2)
	}
	var docs []doc
	var problems []string
	for _, name := range os.Args[1:] {
		var data []byte
		var err error
		if name == "-" {
			data, err = io.ReadAll(os.Stdin)
			name = "(stdin)"
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		d, errs := decodeFile(name, data)
		docs = append(docs, d...)
		problems = append(problems, errs...)
	}
	problems = append(problems, Check(docs)...)
	for _, d := range docs {
		fmt.Println("decoded", describe(d))
	}
	for _, p := range problems {
		fmt.Println("error:", p)
	}
	if len(problems) > 0 {
		fmt.Printf("%d problem(s)\n", len(problems))
		os.Exit(1)
	}
	fmt.Printf("ok: %d document(s), no problems\n", len(docs))
}

func describe(d doc) string {
	switch {
	case d.Job != nil:
		j := d.Job
		mode := "NonIndexed"
		if j.Spec.CompletionMode != nil {
			mode = string(*j.Spec.CompletionMode)
		}
		return fmt.Sprintf("%s: Job %s (%s, completions %d, parallelism %d)", d.Where, j.Name, mode,
			deref(j.Spec.Completions), deref(j.Spec.Parallelism))
	case d.PVC != nil:
		return fmt.Sprintf("%s: PersistentVolumeClaim %s", d.Where, d.PVC.Name)
	}
	return d.Where
}

func deref(p *int32) int32 {
	if p == nil {
		return -1
	}
	return *p
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

// decodeFile splits a file into YAML documents and decodes each strictly.
func decodeFile(name string, data []byte) ([]doc, []string) {
	var docs []doc
	var problems []string
	for i, part := range docSep.Split(string(data), -1) {
		if isBlank(part) {
			continue
		}
		where := fmt.Sprintf("%s#%d", name, i+1)
		d, err := decode(where, []byte(part))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 && len(problems) == 0 {
		problems = append(problems, name+": no YAML document")
	}
	return docs, problems
}

// isBlank reports whether a YAML document holds only comments and space.
func isBlank(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// decode reads apiVersion and kind, then decodes the whole document strictly
// into the matching API type: unknown fields, wrong types and duplicate keys
// are errors.
func decode(where string, data []byte) (doc, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(data, &tm); err != nil {
		return doc{}, fmt.Errorf("%s: not YAML: %v", where, err)
	}
	d := doc{Where: where}
	var target any
	switch tm.APIVersion + " " + tm.Kind {
	case "batch/v1 Job":
		d.Job = &batchv1.Job{}
		target = d.Job
	case "v1 PersistentVolumeClaim":
		d.PVC = &corev1.PersistentVolumeClaim{}
		target = d.PVC
	default:
		return doc{}, fmt.Errorf("%s: apiVersion %q kind %q is not one this deployment uses (batch/v1 Job, v1 PersistentVolumeClaim)",
			where, tm.APIVersion, tm.Kind)
	}
	// As the API server does: YAML to JSON (a duplicate key is an error),
	// then JSON into the type, case-sensitively, reporting every unknown
	// field with its path.
	js, err := yaml.YAMLToJSONStrict(bytes.TrimSpace(data))
	if err != nil {
		return doc{}, fmt.Errorf("%s: %v", where, err)
	}
	strict, err := kjson.UnmarshalStrict(js, target, kjson.DisallowUnknownFields)
	if err != nil {
		return doc{}, fmt.Errorf("%s: does not match the %s %s schema: %v", where, tm.APIVersion, tm.Kind, err)
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return doc{}, fmt.Errorf("%s: does not match the %s %s schema: %s", where, tm.APIVersion, tm.Kind, strings.Join(msgs, "; "))
	}
	return d, nil
}
