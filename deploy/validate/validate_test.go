package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const dir = "../kubernetes"

func readDocs(t *testing.T, files map[string]string) ([]doc, []string) {
	t.Helper()
	var docs []doc
	var problems []string
	for name, text := range files {
		d, errs := decodeFile(name, []byte(text))
		docs = append(docs, d...)
		problems = append(problems, errs...)
	}
	return docs, append(problems, Check(docs)...)
}

func manifests(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, name := range []string{"pvc.yaml", "shards-job.yaml", "merge-job.yaml", "shard-rerun-job.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	return files
}

func TestManifestsAsCommitted(t *testing.T) {
	docs, problems := readDocs(t, manifests(t))
	if len(docs) != 4 {
		t.Errorf("decoded %d documents, want 4", len(docs))
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// Each broken copy of a manifest must be refused, with a message naming the
// problem: this is what the validation catches.
func TestRefuses(t *testing.T) {
	cases := []struct {
		name, file, old, new, want string
	}{
		{"unknown field", "shards-job.yaml", "  completionMode: Indexed", "  completionMode: Indexed\n  completionz: 4", `unknown field "spec.completionz"`},
		{"field at the wrong level", "shards-job.yaml", "      restartPolicy: Never", "      restartPolicy: Never\n      backoffLimit: 2", `unknown field "spec.template.spec.backoffLimit"`},
		{"wrong type", "shards-job.yaml", "completions: 4 #", "completions: four #", "does not match the batch/v1 Job schema"},
		{"duplicate key", "merge-job.yaml", "  backoffLimit: 1", "  backoffLimit: 1\n  backoffLimit: 3", `key "backoffLimit" already set`},
		{"misspelt kind", "pvc.yaml", "kind: PersistentVolumeClaim", "kind: PersistentVolumeClaimm", "is not one this deployment uses"},
		{"shard count disagrees", "shards-job.yaml", `value: "4" # @SHARDS`, `value: "5" # @SHARDS`, "env SHARDS is 5 but the Indexed Job has 4 completions"},
		{"parallelism above completions", "shards-job.yaml", "parallelism: 4", "parallelism: 6", "spec.parallelism 6 is more than spec.completions 4"},
		{"no per-index backoff", "shards-job.yaml", "  backoffLimitPerIndex: 2\n", "", "FailIndex needs spec.backoffLimitPerIndex"},
		{"restart policy", "shards-job.yaml", "restartPolicy: Never #", "restartPolicy: OnFailure #", "restartPolicy must be Never"},
		{"undefined variable", "shards-job.yaml", "/data/runs/$(RUN)/shards", "/data/runs/$(RUN_NAME)/shards", "$(RUN_NAME) in command or args is not in the container's environment"},
		{"index variable outside an Indexed Job", "shard-rerun-job.yaml", "            - name: JOB_COMPLETION_INDEX\n              value: \"0\" # @INDEX\n", "", "$(JOB_COMPLETION_INDEX) in command or args is not in the container's environment"},
		{"literal index in an Indexed Job", "shards-job.yaml", "              valueFrom:\n                fieldRef:\n                  fieldPath: metadata.annotations['batch.kubernetes.io/job-completion-index']", `              value: "0"`, "every pod would compute the same shard"},
		{"rerun index out of range", "shard-rerun-job.yaml", `value: "0" # @INDEX`, `value: "4" # @INDEX`, `JOB_COMPLETION_INDEX "4" is not a shard index 0..3`},
		{"rerun pod drifted", "shard-rerun-job.yaml", "value: 4500MiB", "value: 4000MiB", "a rerun shard must run exactly as the others"},
		{"no memory limit", "merge-job.yaml", "            limits:\n              memory: 8Gi\n", "", "resources.limits.memory is missing"},
		{"request above limit", "merge-job.yaml", "              memory: 8Gi\n            limits:", "              memory: 9Gi\n            limits:", "more than its limit"},
		{"GOMEMLIMIT at the limit", "merge-job.yaml", "value: 6GiB", "value: 8GiB", "GOMEMLIMIT 8GiB is not below the memory limit"},
		{"mount of no volume", "shards-job.yaml", "            - name: tmp\n              mountPath: /tmp", "            - name: scratch\n              mountPath: /tmp", `volumeMount "scratch" names no volume`},
		{"claim not defined", "merge-job.yaml", "claimName: commonground-data", "claimName: other-data", `uses claim "other-data", which none of the manifests checked defines`},
		{"output off the volume", "shards-job.yaml", "- /data/runs/$(RUN)/shards/$(JOB_COMPLETION_INDEX)", "- /tmp/shards/$(JOB_COMPLETION_INDEX)", "is not on the shared volume"},
		{"secret written in", "merge-job.yaml", "            - name: GOMEMLIMIT", "            - name: DB_PASSWORD\n              value: hunter2\n            - name: GOMEMLIMIT", "env DB_PASSWORD has a literal value"},
		{"name not a DNS label", "merge-job.yaml", "name: commonground-example-merge", "name: Commonground_Merge", "metadata.name"},
		{"volume not shared", "pvc.yaml", "- ReadWriteMany", "- ReadWriteOnce", "needs accessModes ReadWriteMany"},
		{"exit code 0 as failure", "shards-job.yaml", "values: [2]", "values: [0, 2]", "exit code 0 is success"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := manifests(t)
			if !strings.Contains(files[c.file], c.old) {
				t.Fatalf("%s has no %q to break", c.file, c.old)
			}
			files[c.file] = strings.Replace(files[c.file], c.old, c.new, 1)
			_, problems := readDocs(t, files)
			all := strings.Join(problems, "\n")
			if !strings.Contains(all, c.want) {
				t.Errorf("want a problem containing %q, got:\n%s", c.want, all)
			}
		})
	}
}

// The merge Job's shell lists exactly the shard folders 0..SHARDS-1. Run it
// with a stand-in commonground that prints its arguments.
func TestMergeCommandListsEveryShard(t *testing.T) {
	docs, problems := readDocs(t, map[string]string{"merge-job.yaml": manifests(t)["merge-job.yaml"]})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	c := docs[0].Job.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 2 || c.Command[0] != "/bin/sh" || c.Command[1] != "-c" || len(c.Args) != 1 {
		t.Fatalf("merge command is %q %q, want /bin/sh -c SCRIPT", c.Command, c.Args)
	}
	if varRef.MatchString(c.Args[0]) {
		t.Fatalf("the merge script has a $(...) that Kubernetes would expand first: %s", c.Args[0])
	}
	bin := t.TempDir()
	fake := "#!/bin/sh\necho \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "commonground"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"1", "3"} {
		cmd := exec.Command(c.Command[0], c.Command[1], c.Args[0])
		cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "RUN=prov", "SHARDS=" + n}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("SHARDS=%s: %v\n%s", n, err, out)
		}
		want := map[string]string{
			"1": "merge --out /data/runs/prov/report /data/runs/prov/shards/0\n",
			"3": "merge --out /data/runs/prov/report /data/runs/prov/shards/0 /data/runs/prov/shards/1 /data/runs/prov/shards/2\n",
		}[n]
		if string(out) != want {
			t.Errorf("SHARDS=%s: merge ran as\n%s want\n%s", n, out, want)
		}
	}
}

func TestParseGoBytes(t *testing.T) {
	for in, want := range map[string]int64{"4500MiB": 4500 << 20, "6GiB": 6 << 30, "1024": 1024, "10KiB": 10240, "7B": 7} {
		if got, err := parseGoBytes(in); err != nil || got != want {
			t.Errorf("parseGoBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "6G", "-1MiB", "x"} {
		if _, err := parseGoBytes(in); err == nil {
			t.Errorf("parseGoBytes(%q) took it", in)
		}
	}
}
