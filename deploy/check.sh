#!/bin/sh
# check.sh is `make deploy-check`: it validates the deployment files without a
# cluster or Slurm, using stand-ins for commonground, kubectl and sbatch.
#  (a) the Kubernetes manifests, decoded strictly into the Kubernetes API's Go
#      types with the deployment's rules (deploy/validate: its tests break each
#      rule on purpose), as committed and as submit.sh fills them in;
#  (b) the Slurm scripts run locally with the array variables set by hand.
# Set COMMONGROUND=path to run (b) with a real binary instead of the stand-in.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
GO=${GO:-go}

echo "== (a) Kubernetes manifests"
cd "$here/validate"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted: $unformatted" >&2
	exit 1
fi
"$GO" vet ./...
"$GO" test -count=1 ./...
"$GO" run . "$here"/kubernetes/*.yaml
bash "$here/kubernetes/test-local.sh"

echo "== (b) Slurm scripts, locally"
bash "$here/slurm/test-local.sh"

if command -v shellcheck >/dev/null 2>&1; then
	echo "== shellcheck"
	shellcheck -x "$here"/check.sh "$here"/kubernetes/*.sh "$here"/kubernetes/fake-kubectl \
		"$here"/slurm/*.sh "$here"/slurm/fake-commonground "$here"/slurm/fake-sbatch
	echo "shellcheck: no findings"
fi
