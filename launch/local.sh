#!/usr/bin/env bash
# Runs an experiment on this machine's devices (one CPU, or every local GPU).
#   launch/local.sh experiments.ch01_regression.hw1 --workdir=/tmp/lee_jax/hw1 [--config=...]
# Running again with the same --workdir resumes from the latest checkpoint.
set -euo pipefail
module="$1"; shift
exec python -m "$module" "$@"
