#!/bin/sh
# submit.sh runs one sharded study on Kubernetes: the Indexed Job of the
# shards, then, once every shard has succeeded, the merge Job.
#
#   RUN=NAME SHARDS=N CONFIG=/data/inputs/NAME/study.yaml IMAGE=REF \
#     deploy/kubernetes/submit.sh [all|start|wait|merge|rerun I...|render WHAT]
#
#   all        start, wait, merge (the default)
#   start      apply the shards Job (pods write /data/runs/NAME/shards/I)
#   wait       wait until the shards Job is Complete; if it ends Failed, print
#              its failed indexes and the rerun command, and exit 1
#   merge      apply the merge Job (writes /data/runs/NAME/report) and wait
#   rerun I..  run shards I.. again as plain Jobs and wait for them; then merge
#              (I.. as in .status.failedIndexes: "2 5", "2,5-7")
#   render shards|merge|rerun I
#              print a filled-in manifest and touch no cluster
#
# Optional: PARALLELISM (shards at once, default SHARDS), NAMESPACE, KUBECTL
# (default kubectl), POLL (seconds between status checks, default 30).
# The claim in pvc.yaml must exist and hold CONFIG and its inputs.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
KUBECTL=${KUBECTL:-kubectl}
POLL=${POLL:-30}

die() { echo "submit.sh: $*" >&2; exit 2; }

: "${RUN:?set RUN, the run name (lowercase letters, digits and -)}"
: "${SHARDS:?set SHARDS, the number of shards}"
: "${CONFIG:?set CONFIG, the config path on the volume (/data/...)}"
: "${IMAGE:?set IMAGE, the commonground image (see deploy/README.md)}"
PARALLELISM=${PARALLELISM:-$SHARDS}

# Checked here, before any value goes into a manifest.
case $RUN in
*[!a-z0-9-]* | -* | *- | '') die "RUN must be lowercase letters, digits and inner dashes: $RUN" ;;
esac
[ ${#RUN} -le 30 ] || die "RUN is longer than 30 characters (Kubernetes names are at most 63): $RUN"
is_count() { case $1 in '' | *[!0-9]* | 0*) return 1 ;; esac; [ ${#1} -le 5 ]; }
is_count "$SHARDS" || die "SHARDS must be a whole number from 1: $SHARDS"
is_count "$PARALLELISM" || die "PARALLELISM must be a whole number from 1: $PARALLELISM"
[ "$PARALLELISM" -le "$SHARDS" ] || die "PARALLELISM ($PARALLELISM) is more than SHARDS ($SHARDS)"
case $CONFIG in
/data/*) ;;
*) die "CONFIG must be a path on the shared volume, under /data/: $CONFIG" ;;
esac
for v in "$CONFIG" "$IMAGE"; do
	case $v in *[\|\&\\\"\'\ ]*) die "no spaces, quotes, |, & or \\ in CONFIG or IMAGE: $v" ;; esac
done

kc() {
	if [ -n "${NAMESPACE:-}" ]; then
		"$KUBECTL" --namespace="$NAMESPACE" "$@"
	else
		"$KUBECTL" "$@"
	fi
}

# render FILE [INDEX] fills in the lines of FILE marked "# @NAME".
render() {
	index=${2:-0}
	sed -e "/@INDEX/ s/0/$index/" \
		-e "/# @SHARDS/ s/4/$SHARDS/" \
		-e "/# @PARALLELISM/ s/4/$PARALLELISM/" \
		-e "/# @CONFIG/ s|/data/inputs/example/study.yaml|$CONFIG|" \
		-e "/# @IMAGE/ s|registry.example.org/commonground:0.1.0|$IMAGE|" \
		-e "/# @RUN/ s/example/$RUN/" \
		"$here/$1"
}

check_index() {
	case $1 in '' | *[!0-9]*) die "a shard index is a whole number: $1" ;; esac
	[ "$1" -lt "$SHARDS" ] || die "shard $1 is out of range 0..$((SHARDS - 1))"
}

# wait_job NAME waits until Job NAME is Complete (returns 0) or Failed (1).
wait_job() {
	while :; do
		conds=$(kc get job "$1" -o 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}')
		case " $conds " in
		*" Complete "*) echo "job/$1 complete"; return 0 ;;
		*" Failed "*) echo "job/$1 failed" >&2; return 1 ;;
		esac
		sleep "$POLL"
	done
}

shards_job=commonground-$RUN-shards
merge_job=commonground-$RUN-merge

start() { render shards-job.yaml | kc apply -f -; }

wait_shards() {
	if wait_job "$shards_job"; then return 0; fi
	failed=$(kc get job "$shards_job" -o 'jsonpath={.status.failedIndexes}')
	echo "failed shards: ${failed:-none recorded}; after fixing the cause run" >&2
	echo "  $0 rerun $failed" >&2
	echo "  $0 merge" >&2
	return 1
}

merge() {
	kc delete job "$merge_job" --ignore-not-found
	render merge-job.yaml | kc apply -f -
	wait_job "$merge_job"
	echo "report: /data/runs/$RUN/report on the volume (claim commonground-data)"
}

# indexes I... prints shard indexes one a line, from arguments such as
# "2 5" or "2,5-7" (the form of .status.failedIndexes).
indexes() {
	for arg in "$@"; do
		for part in $(echo "$arg" | tr ',' ' '); do
			case $part in
			*-*)
				a=${part%-*} b=${part#*-}
				check_index "$a"
				check_index "$b"
				while [ "$a" -le "$b" ]; do echo "$a"; a=$((a + 1)); done
				;;
			*) check_index "$part"; echo "$part" ;;
			esac
		done
	done
}

rerun() {
	[ $# -gt 0 ] || die "rerun needs the shard indexes to run again"
	list=$(indexes "$@") || exit 2
	# shellcheck disable=SC2086 # one index a word
	set -- $list
	for i in "$@"; do
		kc delete job "commonground-$RUN-shard-$i" --ignore-not-found
		render shard-rerun-job.yaml "$i" | kc apply -f -
	done
	status=0
	for i in "$@"; do wait_job "commonground-$RUN-shard-$i" || status=1; done
	return $status
}

cmd=${1:-all}
[ $# -eq 0 ] || shift
case $cmd in
all) start && wait_shards && merge ;;
start) start ;;
wait) wait_shards ;;
merge) merge ;;
rerun) rerun "$@" ;;
render)
	case ${1:-} in
	shards) render shards-job.yaml ;;
	merge) render merge-job.yaml ;;
	rerun) check_index "${2:-}"; render shard-rerun-job.yaml "$2" ;;
	*) die "render shards|merge|rerun I" ;;
	esac
	;;
*) die "unknown command $cmd (all, start, wait, merge, rerun I..., render WHAT)" ;;
esac
