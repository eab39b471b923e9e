package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Check returns every problem found in the decoded documents, each naming its
// document. Rules marked (API) are ones the API server enforces at admission;
// the rest are this deployment's own.
func Check(docs []doc) []string {
	var p problems
	claims := map[string]bool{}
	for _, d := range docs {
		if d.PVC != nil {
			checkPVC(&p, d)
			claims[d.PVC.Name] = true
		}
	}
	var shardPods []doc
	for _, d := range docs {
		if d.Job == nil {
			continue
		}
		checkJob(&p, d, claims)
		if d.Job.Spec.Template.Labels["app.kubernetes.io/component"] == "shard" {
			shardPods = append(shardPods, d)
		}
	}
	checkSameShardPod(&p, shardPods)
	return p.list
}

type problems struct{ list []string }

func (p *problems) add(where, format string, args ...any) {
	p.list = append(p.list, where+": "+fmt.Sprintf(format, args...))
}

func checkName(p *problems, where, name string, labels map[string]string) {
	if name == "" {
		p.add(where, "metadata.name is missing (API)")
	} else if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		// A Job's name becomes a label value and its pods' host names, so
		// the API wants a DNS label (at most 63 characters).
		p.add(where, "metadata.name %q: %s (API)", name, strings.Join(errs, "; "))
	}
	for k, v := range labels {
		if errs := validation.IsQualifiedName(k); len(errs) > 0 {
			p.add(where, "label key %q: %s (API)", k, strings.Join(errs, "; "))
		}
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			p.add(where, "label %s value %q: %s (API)", k, v, strings.Join(errs, "; "))
		}
	}
}

func checkPVC(p *problems, d doc) {
	c := d.PVC
	checkName(p, d.Where, c.Name, c.Labels)
	rwx := false
	for _, m := range c.Spec.AccessModes {
		rwx = rwx || m == corev1.ReadWriteMany
	}
	if !rwx {
		p.add(d.Where, "the shared volume needs accessModes ReadWriteMany: shard pods on several nodes write to it at once")
	}
	if q, ok := c.Spec.Resources.Requests[corev1.ResourceStorage]; !ok || q.Sign() <= 0 {
		p.add(d.Where, "spec.resources.requests.storage is missing (API)")
	}
}

func checkJob(p *problems, d doc, claims map[string]bool) {
	j := d.Job
	w := d.Where
	s := j.Spec
	checkName(p, w, j.Name, j.Labels)
	indexed := s.CompletionMode != nil && *s.CompletionMode == batchv1.IndexedCompletion
	if s.CompletionMode != nil && !indexed && *s.CompletionMode != batchv1.NonIndexedCompletion {
		p.add(w, "spec.completionMode %q is neither Indexed nor NonIndexed (API)", *s.CompletionMode)
	}
	if s.Completions == nil || *s.Completions < 1 {
		p.add(w, "spec.completions must be set and at least 1")
	}
	if s.Parallelism == nil || *s.Parallelism < 1 {
		p.add(w, "spec.parallelism must be set and at least 1")
	} else if s.Completions != nil && *s.Parallelism > *s.Completions {
		p.add(w, "spec.parallelism %d is more than spec.completions %d", *s.Parallelism, *s.Completions)
	}
	if s.BackoffLimitPerIndex != nil && !indexed {
		p.add(w, "spec.backoffLimitPerIndex needs completionMode Indexed (API)")
	}
	if indexed && s.BackoffLimitPerIndex == nil {
		p.add(w, "an Indexed Job of shards sets spec.backoffLimitPerIndex, so one failing shard is retried on its own and does not stop the others")
	}
	if !indexed && s.BackoffLimit == nil {
		p.add(w, "spec.backoffLimit is not set (the default, 6 retries, is too many for a refusal that a retry cannot change)")
	}
	tpl := s.Template
	ps := tpl.Spec
	// (API) podFailurePolicy and backoffLimitPerIndex both need Never.
	if ps.RestartPolicy != corev1.RestartPolicyNever {
		p.add(w, "template.spec.restartPolicy must be Never (API, with podFailurePolicy or backoffLimitPerIndex), not %q", ps.RestartPolicy)
	}
	if sc := ps.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		p.add(w, "template.spec.securityContext.runAsNonRoot should be true (the image runs as user 10001)")
	}
	if len(ps.Containers) == 0 {
		p.add(w, "template.spec.containers is empty (API)")
	}
	containers := map[string]bool{}
	for _, c := range ps.Containers {
		containers[c.Name] = true
	}
	if pf := s.PodFailurePolicy; pf != nil {
		for i, r := range pf.Rules {
			rw := fmt.Sprintf("%s: podFailurePolicy.rules[%d]", w, i)
			if (r.OnExitCodes == nil) == (len(r.OnPodConditions) == 0) {
				p.add(rw, "needs exactly one of onExitCodes and onPodConditions (API)")
			}
			if r.Action == batchv1.PodFailurePolicyActionFailIndex && s.BackoffLimitPerIndex == nil {
				p.add(rw, "action FailIndex needs spec.backoffLimitPerIndex (API)")
			}
			if e := r.OnExitCodes; e != nil {
				if e.ContainerName != nil && !containers[*e.ContainerName] {
					p.add(rw, "onExitCodes.containerName %q is no container of the pod (API)", *e.ContainerName)
				}
				for _, v := range e.Values {
					if v == 0 && e.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn {
						p.add(rw, "exit code 0 is success and cannot be In a failure rule (API)")
					}
				}
			}
		}
	}

	// Volumes: every mount names a volume (API); the shared data is a claim
	// defined among the manifests checked.
	volumes := map[string]corev1.Volume{}
	for _, v := range ps.Volumes {
		if _, dup := volumes[v.Name]; dup {
			p.add(w, "volume %q is listed twice (API)", v.Name)
		}
		volumes[v.Name] = v
		if v.PersistentVolumeClaim != nil && len(claims) > 0 && !claims[v.PersistentVolumeClaim.ClaimName] {
			p.add(w, "volume %q uses claim %q, which none of the manifests checked defines", v.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
	for _, c := range ps.Containers {
		checkContainer(p, w, c, volumes, indexed, s.Completions)
	}
}

// completionIndexField is where an Indexed Job's pod finds its index.
const completionIndexField = "metadata.annotations['batch.kubernetes.io/job-completion-index']"

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

func checkContainer(p *problems, w string, c corev1.Container, volumes map[string]corev1.Volume, indexed bool, completions *int32) {
	cw := fmt.Sprintf("%s: container %q", w, c.Name)
	if errs := validation.IsDNS1123Label(c.Name); len(errs) > 0 {
		p.add(cw, "name: %s (API)", strings.Join(errs, "; "))
	}
	if c.Image == "" || strings.ContainsAny(c.Image, " \t") {
		p.add(cw, "image %q is empty or has spaces (API)", c.Image)
	}

	// Environment: unique names, no secret written in, and the values the
	// shard count and memory checks below need.
	env := map[string]string{}
	for _, e := range c.Env {
		if e.Name == "JOB_COMPLETION_INDEX" && indexed && (e.ValueFrom == nil || e.ValueFrom.FieldRef == nil ||
			e.ValueFrom.FieldRef.FieldPath != completionIndexField) {
			p.add(cw, "env JOB_COMPLETION_INDEX in an Indexed Job must come from the pod's %s, or every pod would compute the same shard", completionIndexField)
		}
		if _, dup := env[e.Name]; dup {
			p.add(cw, "env %s is set twice", e.Name)
		}
		env[e.Name] = e.Value
		upper := strings.ToUpper(e.Name)
		if e.Value != "" && (strings.Contains(upper, "PASSWORD") || strings.Contains(upper, "SECRET") ||
			strings.Contains(upper, "TOKEN") || strings.HasSuffix(upper, "KEY")) {
			p.add(cw, "env %s has a literal value: take secrets from a Secret (valueFrom.secretKeyRef)", e.Name)
		}
	}
	defined := func(name string) bool {
		if _, ok := env[name]; ok {
			return true
		}
		// The Job controller adds JOB_COMPLETION_INDEX to Indexed Jobs' pods.
		return indexed && name == "JOB_COMPLETION_INDEX"
	}
	// Kubernetes leaves $(NAME) as it is when NAME is not in the container's
	// environment, so an undefined one would reach commonground literally
	// (every shard writing to ".../shards/$(JOB_COMPLETION_INDEX)").
	for _, arg := range append(append([]string{}, c.Command...), c.Args...) {
		for _, m := range varRef.FindAllStringSubmatchIndex(arg, -1) {
			if m[0] > 0 && arg[m[0]-1] == '$' {
				continue // $$(NAME) is an escaped literal
			}
			if name := arg[m[2]:m[3]]; !defined(name) {
				p.add(cw, "$(%s) in command or args is not in the container's environment", name)
			}
		}
	}

	if v, ok := env["SHARDS"]; ok {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1:
			p.add(cw, "env SHARDS %q is not a whole number from 1", v)
		case indexed && completions != nil && int(*completions) != n:
			p.add(cw, "env SHARDS is %d but the Indexed Job has %d completions: each index is one shard", n, *completions)
		}
		if idx, ok := env["JOB_COMPLETION_INDEX"]; ok && err == nil && !indexed {
			if i, err := strconv.Atoi(idx); err != nil || i < 0 || i >= n {
				p.add(cw, "env JOB_COMPLETION_INDEX %q is not a shard index 0..%d", idx, n-1)
			}
		}
	}

	// Resources: requests for the scheduler, a memory limit, requests within
	// limits (API), and the Go collector's target below the limit.
	req, lim := c.Resources.Requests, c.Resources.Limits
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := req[r]; !ok || q.Sign() <= 0 {
			p.add(cw, "resources.requests.%s is missing", r)
		}
	}
	memLimit, hasLimit := lim[corev1.ResourceMemory]
	if !hasLimit {
		p.add(cw, "resources.limits.memory is missing")
	}
	for r, l := range lim {
		if q, ok := req[r]; ok && q.Cmp(l) > 0 {
			p.add(cw, "resources.requests.%s %s is more than its limit %s (API)", r, q.String(), l.String())
		}
	}
	if g, ok := env["GOMEMLIMIT"]; ok && hasLimit {
		b, err := parseGoBytes(g)
		if err != nil {
			p.add(cw, "env GOMEMLIMIT %q: %v", g, err)
		} else if b >= memLimit.Value() {
			p.add(cw, "env GOMEMLIMIT %s is not below the memory limit %s (GEOS allocates outside the Go heap)", g, memLimit.String())
		}
	}

	// Mounts: each names a volume (API); outputs go to a claim's mount.
	var claimMounts []string
	for _, m := range c.VolumeMounts {
		v, ok := volumes[m.Name]
		if !ok {
			p.add(cw, "volumeMount %q names no volume of the pod (API)", m.Name)
			continue
		}
		if v.PersistentVolumeClaim != nil {
			claimMounts = append(claimMounts, strings.TrimSuffix(m.MountPath, "/")+"/")
		}
	}
	for i, a := range c.Args {
		if a == "--out" && i+1 < len(c.Args) {
			out := c.Args[i+1]
			onClaim := false
			for _, mp := range claimMounts {
				onClaim = onClaim || strings.HasPrefix(out, mp)
			}
			if !onClaim {
				p.add(cw, "--out %s is not on the shared volume (mounted at %v): the merge could not read it", out, claimMounts)
			}
		}
	}
}

// parseGoBytes parses a GOMEMLIMIT value: a number of bytes with an optional
// B, KiB, MiB, GiB or TiB suffix.
func parseGoBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("not a byte count like 4500MiB")
	}
	return n * mult, nil
}

// checkSameShardPod makes sure the pods of every shard Job (the Indexed one
// and the one that reruns a single shard) are the same but for the index
// they set themselves, so a rerun shard is computed exactly as the others.
func checkSameShardPod(p *problems, docs []doc) {
	if len(docs) < 2 {
		return
	}
	strip := func(d doc) corev1.PodSpec {
		ps := *d.Job.Spec.Template.Spec.DeepCopy()
		for i := range ps.Containers {
			var env []corev1.EnvVar
			for _, e := range ps.Containers[i].Env {
				if e.Name != "JOB_COMPLETION_INDEX" {
					env = append(env, e)
				}
			}
			ps.Containers[i].Env = env
		}
		return ps
	}
	first := strip(docs[0])
	for _, d := range docs[1:] {
		if !equality.Semantic.DeepEqual(first, strip(d)) {
			p.add(d.Where, "the shard pod differs from the one in %s (beyond JOB_COMPLETION_INDEX): a rerun shard must run exactly as the others", docs[0].Where)
		}
	}
}
