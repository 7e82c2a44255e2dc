r"""Runs an experiment on a Cloud TPU VM: one host (v4-8) or a pod slice (v4-32 and up).

    python -m launch.tpu --name=lee-jax --zone=us-central2-b --accelerator_type=v4-32 \
        --workdir=gs://BUCKET/lee_jax/hw1 --dry_run -- \
        -m experiments.ch01_regression.hw1 --config=experiments/ch01_regression/hw1_config.py

prints (with ``--dry_run``) or runs the ``gcloud`` commands of each stage: ``create`` the TPU
VM, ``copy`` this checkout's committed tree to every host, ``setup`` the package with the TPU
build of JAX, ``run`` the experiment on all hosts at once, ``delete`` the VM. ``--stages`` picks
some of them.

On a pod every host runs the same program: ``LEE_JAX_DISTRIBUTED=auto`` makes
``jax.distributed.initialize()`` discover the other hosts, each host feeds its own chips with
its slice of every global batch, and the workdir must be shared storage (``gs://``) so that
Orbax can write one checkpoint from all hosts and a restarted run finds it. See WORKSPACE.md.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys

from lee_jax.engine import parallel

STAGES = ("create", "copy", "setup", "run", "delete")
REMOTE_DIR = "lee_jax"


def commands(args: argparse.Namespace, experiment: list[str]) -> dict[str, list[list[str]]]:
  """The command lines of each stage."""
  tpu = ["gcloud", "compute", "tpus", "tpu-vm"]
  where = [f"--zone={args.zone}"] + ([f"--project={args.project}"] if args.project else [])
  archive = f"/tmp/{args.name}-lee_jax.tar.gz"
  remote = " ".join([
      f"cd {REMOTE_DIR} &&",
      f"{parallel.ENV_AUTO}=auto",
      # Each host prepares the embedded datasets on its own disk (lee_jax.data.load).
      "TFDS_DATA_DIR=$HOME/tensorflow_datasets",
      "python3",
      *map(shlex.quote, experiment),
      f"--workdir={shlex.quote(args.workdir)}",
  ])

  def ssh(command: str) -> list[str]:
    return tpu + ["ssh", args.name, *where, "--worker=all", f"--command={command}"]

  create = tpu + ["create", args.name, *where, f"--accelerator-type={args.accelerator_type}"]
  pack = ["git", "-C", args.source, "archive", "--format=tar.gz", f"--output={archive}", "HEAD"]
  upload = tpu + ["scp", archive, f"{args.name}:lee_jax.tar.gz", *where, "--worker=all"]
  unpack = ssh(f"mkdir -p {REMOTE_DIR} && tar -xzf lee_jax.tar.gz -C {REMOTE_DIR}")
  return {
      "create": [create + [f"--version={args.version}"]],
      # The committed tree only (no virtual environment, no local runs), to every host.
      "copy": [pack, upload, unpack],
      "setup": [ssh(f"cd {REMOTE_DIR} && python3 -m pip install -e '.[tpu]'")],
      "run": [ssh(remote)],
      "delete": [tpu + ["delete", args.name, *where, "--quiet"]],
  }


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--name", required=True, help="TPU VM name")
  parser.add_argument("--zone", required=True)
  parser.add_argument("--project", default="")
  parser.add_argument("--accelerator_type", default="v4-8", help="v4-8: one host; v4-32: 4 hosts")
  parser.add_argument("--version", default="tpu-ubuntu2204-base", help="TPU VM software image")
  parser.add_argument("--workdir", required=True, help="shared storage, e.g. gs://BUCKET/run")
  parser.add_argument("--source",
                      default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                      help="the checkout to copy to the hosts")
  parser.add_argument("--stages", default=",".join(STAGES[:-1]),
                      help=f"comma-separated, from {','.join(STAGES)}")
  parser.add_argument("--dry_run", action="store_true", help="print the commands, run nothing")
  parser.add_argument("experiment", nargs=argparse.REMAINDER,
                      help="after '--': the python arguments, e.g. -m experiments... --config=...")
  args = parser.parse_args()
  experiment = args.experiment[1:] if args.experiment[:1] == ["--"] else args.experiment
  stages = [s.strip() for s in args.stages.split(",") if s.strip()]
  unknown = sorted(set(stages) - set(STAGES))
  if unknown:
    parser.error(f"unknown stage(s) {unknown}; choose from {list(STAGES)}")
  if "run" in stages and not experiment:
    parser.error("the run stage needs the experiment after '--', e.g. -- -m experiments...")
  if "run" in stages and not args.workdir.startswith("gs://"):
    print(
        f"warning: --workdir={args.workdir} is not on gs://; on a pod the hosts would each "
        "write their own copy and a restart could not resume.", file=sys.stderr)
  every = commands(args, experiment)
  for stage in stages:
    print(f"# {stage}")
    for command in every[stage]:
      print(shlex.join(command))
      if not args.dry_run:
        subprocess.run(command, check=True)


if __name__ == "__main__":
  main()
