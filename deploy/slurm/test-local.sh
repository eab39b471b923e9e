#!/bin/bash
# test-local.sh runs the Slurm scripts' logic on this machine, without Slurm:
#  1. each array task of commonground-shards.sh, with SLURM_ARRAY_TASK_ID =
#     0..SHARDS-1 and SLURM_ARRAY_TASK_COUNT set by hand, then
#     commonground-merge.sh, and checks the folders they leave;
#  2. the scripts' own refusals (a task out of range, a one-shard rerun
#     without SHARDS, a task run outside an array, a missing shard folder);
#  3. submit.sh end to end with fake-sbatch (which runs the jobs at once and
#     honours afterok): a failed shard cancels the merge, a rerun of that
#     shard with --only and its merge then succeed.
#
#   COMMONGROUND=path CONFIG=path SHARDS=N deploy/slurm/test-local.sh
#
# COMMONGROUND defaults to fake-commonground (put on PATH as commonground),
# which records its arguments, so the exact command lines are checked too;
# with the real binary the folders and the exit statuses are checked.
# CONFIG defaults to the bundled Delaware example, SHARDS to 3.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/commonground-slurm-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

SHARDS=${SHARDS:-3}
CONFIG=${CONFIG:-$root/datasets/delaware/study.yaml}
[ -f "$CONFIG" ] || { echo "test-local: no config $CONFIG" >&2; exit 2; }
CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
fake=no
if [ -z "${COMMONGROUND:-}" ]; then
	fake=yes
	mkdir -p "$work/bin"
	cp "$here/fake-commonground" "$work/bin/commonground"
	export PATH="$work/bin:$PATH"
	export FAKE_COMMONGROUND_LOG=$work/calls.log
	COMMONGROUND=commonground
fi
case $COMMONGROUND in */*) COMMONGROUND=$(cd "$(dirname "$COMMONGROUND")" && pwd)/$(basename "$COMMONGROUND") ;; esac
export COMMONGROUND
echo "test-local: $SHARDS shards of $CONFIG with $COMMONGROUND (stand-in: $fake)"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
expect() { # DESCRIPTION COMMAND... : the command must succeed
	local what=$1
	shift
	if "$@" >"$work/out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/     /' "$work/out"; fi
}
refuse() { # DESCRIPTION PATTERN COMMAND... : must fail, saying PATTERN
	local what=$1 pattern=$2
	shift 2
	if "$@" >"$work/out" 2>&1; then
		fail "$what (it succeeded)"
	elif grep -q -- "$pattern" "$work/out"; then
		pass "$what"
	else
		fail "$what (no \"$pattern\" in its message)"
		sed 's/^/     /' "$work/out"
	fi
}
# task I [VAR=VALUE...]: run array task I as Slurm would, the whole array 0..N-1.
task() {
	local i=$1
	shift
	env -u SHARDS SLURM_ARRAY_JOB_ID=1 SLURM_ARRAY_TASK_ID="$i" SLURM_ARRAY_TASK_COUNT="$SHARDS" \
		SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_MAX=$((SHARDS - 1)) \
		CONFIG="$CONFIG" RUN_DIR="$run" "$@" bash "$here/commonground-shards.sh"
}
merge() { env RUN_DIR="$run" SHARDS="$SHARDS" bash "$here/commonground-merge.sh"; }

# 1. Every task, then the merge.
run=$work/runs/one
for ((i = 0; i < SHARDS; i++)); do
	expect "task $i of $SHARDS exits 0" task "$i"
	if [ -f "$run/shards/$i/shard.json" ]; then pass "task $i wrote shards/$i/shard.json"; else fail "no $run/shards/$i/shard.json"; fi
done
expect "merge exits 0" merge
for f in report.html manifest.json; do
	if [ -s "$run/report/$f" ]; then pass "merge wrote report/$f"; else fail "no $run/report/$f"; fi
done
if [ $fake = yes ]; then
	{
		for ((i = 0; i < SHARDS; i++)); do echo "run --shard $i/$SHARDS --out $run/shards/$i $CONFIG"; done
		printf 'merge --out %s/report' "$run"
		for ((i = 0; i < SHARDS; i++)); do printf ' %s/shards/%s' "$run" "$i"; done
		echo
	} >"$work/want.log"
	if diff -u "$work/want.log" "$FAKE_COMMONGROUND_LOG" >"$work/out"; then
		pass "commonground was called with exactly the expected arguments"
	else
		fail "commonground's arguments differ (want -, got +)"
		sed 's/^/     /' "$work/out"
	fi
fi

# 2. The scripts' refusals.
refuse "a task past the last shard is refused" "out of range" task "$SHARDS"
refuse "a rerun of one shard without SHARDS is refused" "set SHARDS" \
	env -u SHARDS SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=1 \
	CONFIG="$CONFIG" RUN_DIR="$run" bash "$here/commonground-shards.sh"
refuse "a task outside a job array is refused" "not a job array task" \
	env -u SLURM_ARRAY_TASK_ID CONFIG="$CONFIG" RUN_DIR="$run" SHARDS="$SHARDS" bash "$here/commonground-shards.sh"
expect "a one-shard rerun with SHARDS set runs" \
	env SLURM_ARRAY_TASK_ID=$((SHARDS - 1)) SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=$((SHARDS - 1)) \
	SLURM_ARRAY_TASK_MAX=$((SHARDS - 1)) SHARDS="$SHARDS" CONFIG="$CONFIG" RUN_DIR="$run" bash "$here/commonground-shards.sh"
if [ "$SHARDS" -ge 2 ]; then
	run=$work/runs/missing
	mkdir -p "$run/shards"
	cp -R "$work/runs/one/shards/0" "$run/shards/0" || true
	refuse "the merge refuses a run whose shard 1 is missing" "shards/1" merge
	if [ -e "$run/report" ]; then fail "the refused merge wrote $run/report"; else pass "the refused merge wrote nothing"; fi
fi

# 3. submit.sh with fake-sbatch.
export FAKE_SBATCH_DIR=$work/sbatch
sb() { SBATCH="$here/fake-sbatch" bash "$here/submit.sh" "$@"; }
run=$work/runs/submitted
expect "submit.sh submits the array and the merge" sb "$CONFIG" "$run" "$SHARDS"
if grep -q -- "--array=0-$((SHARDS - 1)) " "$FAKE_SBATCH_DIR/calls.log" &&
	grep -q -- "--dependency=afterok:1001 --kill-on-invalid-dep=yes .*commonground-merge.sh$" "$FAKE_SBATCH_DIR/calls.log"; then
	pass "the merge depends (afterok) on the array job"
else
	fail "sbatch calls were not as expected"
	sed 's/^/     /' "$FAKE_SBATCH_DIR/calls.log"
fi
if [ -s "$run/report/report.html" ] && ls "$run/logs/"shard-1001_0.out >/dev/null 2>&1; then
	pass "submit.sh's run wrote report/ and the task logs"
else
	fail "submit.sh's run left no report or no logs in $run"
fi
refuse "submit.sh refuses --only past the last shard" "out of range" sb "$CONFIG" "$run" "$SHARDS" --only "$SHARDS"
if [ $fake = yes ] && [ "$SHARDS" -ge 2 ]; then
	run=$work/runs/rerun
	FAKE_FAIL_SHARD=1 sb "$CONFIG" "$run" "$SHARDS" >"$work/out" 2>&1
	merge_id=$(cat "$FAKE_SBATCH_DIR/last-id")
	if [ "$(cat "$FAKE_SBATCH_DIR/$merge_id.status")" = cancelled ] && [ ! -e "$run/report" ]; then
		pass "a failed shard cancels the merge (no report)"
	else
		fail "the merge was not cancelled after shard 1 failed"
	fi
	expect "submit.sh --only 1 reruns the failed shard and merges" sb "$CONFIG" "$run" "$SHARDS" --only 1
	if [ -f "$run/shards/1/shard.json" ] && [ -s "$run/report/report.html" ]; then
		pass "after the rerun, shard 1 is complete and the report written"
	else
		fail "after the rerun there is no complete shard 1 or no report"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
