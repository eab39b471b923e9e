#!/bin/bash
# submit.sh submits a sharded commonground run to Slurm: a job array of
# SHARDS tasks (commonground-shards.sh), then the merge
# (commonground-merge.sh) with --dependency=afterok on the array, which Slurm
# starts only once every task has succeeded.
#
#   deploy/slurm/submit.sh CONFIG RUN_DIR SHARDS [--only I[,J...]]
#
# CONFIG and RUN_DIR must be on a file system the compute nodes share.
# Shards go to RUN_DIR/shards/I, the report to RUN_DIR/report, Slurm's logs
# to RUN_DIR/logs. --only reruns the listed shards (those that failed) and
# submits the merge after them. COMMONGROUND names the binary (default
# "commonground" on PATH); it must be the same path on the compute nodes.
# SBATCH (default sbatch) is replaced by a stand-in in test-local.sh.
# Extra sbatch options (a partition, an account) go in SBATCH_OPTS, e.g.
# SBATCH_OPTS="--partition=long --account=geo".
set -euo pipefail

usage() { echo "usage: submit.sh CONFIG RUN_DIR SHARDS [--only I[,J...]]" >&2; exit 2; }
[ $# -eq 3 ] || [ $# -eq 5 ] || usage
here=$(cd "$(dirname "$0")" && pwd)
SBATCH=${SBATCH:-sbatch}
COMMONGROUND=${COMMONGROUND:-commonground}

[ -f "$1" ] || { echo "submit.sh: no config $1" >&2; exit 2; }
CONFIG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
mkdir -p "$2/logs"
RUN_DIR=$(cd "$2" && pwd)
SHARDS=$3
case $SHARDS in '' | *[!0-9]* | 0*) echo "submit.sh: SHARDS is not a whole number from 1: $SHARDS" >&2; exit 2 ;; esac
COMMONGROUND=$(command -v "$COMMONGROUND") || { echo "submit.sh: no commonground binary (set COMMONGROUND)" >&2; exit 2; }
case $COMMONGROUND in /*) ;; *) COMMONGROUND=$(pwd)/$COMMONGROUND ;; esac

array=0-$((SHARDS - 1))
if [ $# -eq 5 ]; then
	[ "$4" = --only ] || usage
	array=$5
	IFS=, read -r -a only <<<"$array"
	for i in "${only[@]}"; do
		case $i in '' | *[!0-9]*) echo "submit.sh: --only takes shard numbers separated by commas: $array" >&2; exit 2 ;; esac
		[ "$i" -lt "$SHARDS" ] || { echo "submit.sh: shard $i is out of range 0..$((SHARDS - 1))" >&2; exit 2; }
	done
fi

# The tasks read these from the environment (--export=ALL), so no value has
# to survive sbatch's comma-separated --export list.
export CONFIG RUN_DIR SHARDS COMMONGROUND
# shellcheck disable=SC2086 # SBATCH_OPTS is a list of options
shards_job=$($SBATCH --parsable --export=ALL ${SBATCH_OPTS:-} --array="$array" \
	--output="$RUN_DIR/logs/shard-%A_%a.out" "$here/commonground-shards.sh")
shards_job=${shards_job%%;*} # --parsable prints JOBID or JOBID;CLUSTER
# afterok on an array job waits for every task; if one fails the dependency
# can never be met, and --kill-on-invalid-dep cancels the merge at once.
# shellcheck disable=SC2086
merge_job=$($SBATCH --parsable --export=ALL ${SBATCH_OPTS:-} --dependency="afterok:$shards_job" --kill-on-invalid-dep=yes \
	--output="$RUN_DIR/logs/merge-%j.out" "$here/commonground-merge.sh")
merge_job=${merge_job%%;*}
echo "shards: job $shards_job (array $array), logs in $RUN_DIR/logs"
echo "merge:  job $merge_job, starts when every shard has succeeded; writes $RUN_DIR/report"
