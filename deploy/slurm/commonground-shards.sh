#!/bin/bash
# One shard of a sharded commonground run, as one task of a Slurm job array.
# Task I runs shard I of SHARDS and writes RUN_DIR/shards/I. submit.sh
# submits it with --array=0-(SHARDS-1) and the merge after it; by hand:
#
#   CONFIG=/shared/inputs/prov/study.yaml RUN_DIR=/shared/runs/prov SHARDS=8 \
#     sbatch --export=ALL --array=0-7 commonground-shards.sh
#
# Without Slurm (how deploy/slurm/test-local.sh runs it), set the task's
# variables by hand: SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=8 ... bash
# commonground-shards.sh
#
# Environment: CONFIG (the study config on the shared file system), RUN_DIR
# (where the run's folders go), SHARDS (the number of shards; may be left out
# when the array is the whole 0..N-1, then SLURM_ARRAY_TASK_COUNT gives it),
# COMMONGROUND (the binary, default "commonground" on PATH).
#
# Resources, per shard (replace with measured figures, see deploy/README.md):
# memory and time follow the shard's part of the map plus a buffer as wide as
# the longest trip any measure considers, not the whole study.
#   --cpus-per-task=2  the search stages run one goroutine per core; past 2-4
#                      cores a shard gains less than another shard would
#   --mem=6G           a province split 8 ways: ~110 MiB per 10,000 street
#                      ways of the shard's part and buffer, the people and
#                      places in it, and headroom for GEOS (outside the Go heap)
#   --time=02:00:00    well over the ~3 CPU-s per 10,000 ways measured whole;
#                      a shard over it is killed and reported as TIMEOUT
#SBATCH --job-name=commonground-shard
#SBATCH --cpus-per-task=2
#SBATCH --mem=6G
#SBATCH --time=02:00:00
#SBATCH --output=commonground-shard-%A_%a.out
set -euo pipefail

COMMONGROUND=${COMMONGROUND:-commonground}
: "${CONFIG:?set CONFIG, the study config on the shared file system}"
: "${RUN_DIR:?set RUN_DIR, the run folder on the shared file system}"
index=${SLURM_ARRAY_TASK_ID:?not a job array task: submit with sbatch --array=0-(N-1), or set SLURM_ARRAY_TASK_ID by hand}

# SLURM_ARRAY_TASK_COUNT counts the tasks submitted, which is the shard count
# only when the whole array 0..N-1 was submitted, not when one shard is rerun
# with --array=I: then SHARDS must be given.
if [ -z "${SHARDS:-}" ]; then
	count=${SLURM_ARRAY_TASK_COUNT:?set SHARDS, the number of shards}
	min=${SLURM_ARRAY_TASK_MIN:-0}
	max=${SLURM_ARRAY_TASK_MAX:-$((count - 1))}
	if [ "$min" != 0 ] || [ "$max" != $((count - 1)) ]; then
		echo "commonground-shards.sh: the array is $min..$max, not 0..$((count - 1)): set SHARDS" >&2
		exit 2
	fi
	SHARDS=$count
fi
case $index in '' | *[!0-9]*) echo "commonground-shards.sh: SLURM_ARRAY_TASK_ID is not a number: $index" >&2; exit 2 ;; esac
case $SHARDS in '' | *[!0-9]* | 0*) echo "commonground-shards.sh: SHARDS is not a whole number from 1: $SHARDS" >&2; exit 2 ;; esac
if [ "$index" -ge "$SHARDS" ]; then
	echo "commonground-shards.sh: task $index is out of range for $SHARDS shards (0..$((SHARDS - 1)))" >&2
	exit 2
fi

# Go sizes its thread pool from the CPUs it may use; GEOS allocates outside
# the Go heap, so the collector aims at three quarters of the job's memory.
if [ -n "${SLURM_CPUS_PER_TASK:-}" ] && [ -z "${GOMAXPROCS:-}" ]; then
	export GOMAXPROCS=$SLURM_CPUS_PER_TASK
fi
if [ -z "${GOMEMLIMIT:-}" ]; then
	if [ -n "${SLURM_MEM_PER_NODE:-}" ]; then
		export GOMEMLIMIT=$((SLURM_MEM_PER_NODE * 3 / 4))MiB
	elif [ -n "${SLURM_MEM_PER_CPU:-}" ] && [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then
		export GOMEMLIMIT=$((SLURM_MEM_PER_CPU * SLURM_CPUS_PER_TASK * 3 / 4))MiB
	fi
fi

out=$RUN_DIR/shards/$index
echo "shard $index of $SHARDS on ${HOSTNAME:-this node}: $COMMONGROUND run --shard $index/$SHARDS --out $out $CONFIG" >&2
exec "$COMMONGROUND" run --shard "$index/$SHARDS" --out "$out" "$CONFIG"
