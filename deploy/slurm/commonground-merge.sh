#!/bin/bash
# The merge of a sharded commonground run: reads RUN_DIR/shards/0 ..
# SHARDS-1 and writes the study's outputs to RUN_DIR/report. submit.sh
# submits it with --dependency=afterok:ARRAY_JOB_ID, so it starts only once
# every shard task has succeeded. commonground merge itself refuses (exit 1,
# a line naming the folder, nothing written) shard folders that are missing,
# incomplete, or from another config or other inputs.
#
# Environment: RUN_DIR, SHARDS, COMMONGROUND (as in commonground-shards.sh).
#
# Resources (replace with measured figures, see deploy/README.md): the merge
# holds the per-origin results of the whole study, not its street network,
# and writes the report and the GeoPackage.
#SBATCH --job-name=commonground-merge
#SBATCH --cpus-per-task=2
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --output=commonground-merge-%j.out
set -euo pipefail

COMMONGROUND=${COMMONGROUND:-commonground}
: "${RUN_DIR:?set RUN_DIR, the run folder on the shared file system}"
: "${SHARDS:?set SHARDS, the number of shards}"
case $SHARDS in '' | *[!0-9]* | 0*) echo "commonground-merge.sh: SHARDS is not a whole number from 1: $SHARDS" >&2; exit 2 ;; esac

if [ -n "${SLURM_CPUS_PER_TASK:-}" ] && [ -z "${GOMAXPROCS:-}" ]; then
	export GOMAXPROCS=$SLURM_CPUS_PER_TASK
fi
if [ -z "${GOMEMLIMIT:-}" ] && [ -n "${SLURM_MEM_PER_NODE:-}" ]; then
	export GOMEMLIMIT=$((SLURM_MEM_PER_NODE * 3 / 4))MiB
fi

# Every folder 0..SHARDS-1 by name, never a wildcard: a missing one is then
# an error, and a leftover folder of an earlier run with more shards is not
# taken in.
shards=()
for ((i = 0; i < SHARDS; i++)); do
	shards+=("$RUN_DIR/shards/$i")
done
echo "merge of $SHARDS shards on ${HOSTNAME:-this node}: $COMMONGROUND merge --out $RUN_DIR/report ${shards[*]}" >&2
exec "$COMMONGROUND" merge --out "$RUN_DIR/report" "${shards[@]}"
