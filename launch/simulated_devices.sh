#!/usr/bin/env bash
# Runs an experiment on N simulated CPU devices: the data-parallel code path of a GPU box or a
# TPU host, on a laptop. The global batch is split N ways; results match a 1-device run.
#   launch/simulated_devices.sh 8 experiments.ch01_regression.hw1 --workdir=/tmp/lee_jax/hw1_8dev
set -euo pipefail
devices="$1"; module="$2"; shift 2
export XLA_FLAGS="--xla_force_host_platform_device_count=${devices} ${XLA_FLAGS:-}"
export JAX_PLATFORMS=cpu
exec python -m "$module" "$@"
