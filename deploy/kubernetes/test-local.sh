#!/bin/bash
# test-local.sh runs submit.sh against fake-kubectl (no cluster): the order
# of its calls, a failed shard stopping before the merge and naming the
# rerun, the rerun of one shard, the refusal of bad settings; then it runs
# the validator on every manifest submit.sh applied, so what reaches the
# cluster is checked, not only the templates. Needs Go (the validator).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
GO=${GO:-go}
work=$(mktemp -d "${TMPDIR:-/tmp}/commonground-k8s-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
export KUBECTL=$here/fake-kubectl POLL=0 FAKE_KUBECTL_DIR=$work/ok
export RUN=province SHARDS=3 CONFIG=/data/inputs/province/study.yaml IMAGE=registry.example.org/commonground:test

passed=0 failed=0
check() { # DESCRIPTION STATUS: passes if STATUS is 0
	if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok   $1"; else failed=$((failed + 1)); echo "FAIL $1"; sed 's/^/     /' "$work/out"; fi
}
status() { "$@" >"$work/out" 2>&1 && echo 0 || echo $?; }

# A run whose shards and merge succeed.
mkdir -p "$FAKE_KUBECTL_DIR"
printf '%s\n' "commonground-$RUN-shards Complete" "commonground-$RUN-merge Complete" >"$FAKE_KUBECTL_DIR/outcomes"
check "submit.sh all: shards, then the merge" "$(status "$here/submit.sh" all)"
grep '^apply\|^delete' "$FAKE_KUBECTL_DIR/calls.log" >"$work/calls"
printf '%s\n' "apply -f -" "delete job commonground-$RUN-merge --ignore-not-found" "apply -f -" >"$work/want"
diff -u "$work/want" "$work/calls" >"$work/out" && s=0 || s=1
check "calls in order: apply shards, (re)place the merge" "$s"
[ -f "$FAKE_KUBECTL_DIR/commonground-$RUN-shards.yaml" ] && [ -f "$FAKE_KUBECTL_DIR/commonground-$RUN-merge.yaml" ] && s=0 || s=1
check "both Jobs were applied under their run's names" "$s"
check "a second merge replaces the first Job" "$(status "$here/submit.sh" merge)"

# A run whose shard 1 fails: no merge, and the rerun command is named.
export FAKE_KUBECTL_DIR=$work/failed
mkdir -p "$FAKE_KUBECTL_DIR"
printf '%s\n' "commonground-$RUN-shards Failed 1" "commonground-$RUN-shard-1 Complete" >"$FAKE_KUBECTL_DIR/outcomes"
s=$(status "$here/submit.sh" all)
[ "$s" -eq 1 ] && grep -q "submit.sh rerun 1$" "$work/out" && [ ! -e "$FAKE_KUBECTL_DIR/commonground-$RUN-merge.yaml" ] && s=0 || s=1
check "a failed shard stops before the merge and names 'rerun 1'" "$s"
check "rerun 1 runs shard 1 alone" "$(status "$here/submit.sh" rerun 1)"
grep -q 'value: "1" # @INDEX' "$FAKE_KUBECTL_DIR/commonground-$RUN-shard-1.yaml" && s=0 || s=1
check "the rerun Job sets JOB_COMPLETION_INDEX 1" "$s"
printf '%s\n' "commonground-$RUN-shard-0 Complete" "commonground-$RUN-shard-2 Complete" >>"$FAKE_KUBECTL_DIR/outcomes"
check "rerun 0-2 (a range, as failedIndexes gives it) runs shards 0, 1 and 2" "$(status "$here/submit.sh" rerun 0-2)"
[ "$(grep -c '^apply' "$FAKE_KUBECTL_DIR/calls.log")" -eq 5 ] && s=0 || s=1
check "one Job applied per rerun shard" "$s"

# Settings refused before anything reaches a cluster.
refused() { # DESCRIPTION PATTERN VAR=VALUE... -- ARGS...
	local what=$1 pattern=$2 vars=()
	shift 2
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	local s
	s=$(status env "${vars[@]}" "$here/submit.sh" "$@")
	[ "$s" -eq 2 ] && grep -q -- "$pattern" "$work/out" && s=0 || s=1
	check "$what" "$s"
}
refused "a run name with capitals" "RUN must be" RUN=Prov -- render shards
refused "a config off the volume" "under /data/" CONFIG=/home/me/study.yaml -- render shards
refused "zero shards" "SHARDS must be" SHARDS=0 -- render shards
refused "parallelism over the shard count" "more than SHARDS" PARALLELISM=4 -- render shards
refused "a rerun past the last shard" "out of range" FAKE_KUBECTL_DIR="$work/none" -- rerun 3
refused "a rerun range past the last shard" "out of range" FAKE_KUBECTL_DIR="$work/none" -- rerun 1-3
refused "an image with a space" "no spaces" "IMAGE=a b" -- render shards

# Every manifest that was applied, with the shared volume claim, is valid.
(cd "$here/../validate" && "$GO" run . "$here/pvc.yaml" "$work"/ok/*.yaml "$work"/failed/*.yaml) >"$work/out" 2>&1 && s=0 || s=1
check "the validator passes every manifest submit.sh applied" "$s"
sed 's/^/     /' "$work/out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
