r"""Runs one experiment as N JAX processes on this machine, coordinating over loopback.

    python -m launch.multiprocess --num_processes=2 -- \
        -m experiments.ch01_regression.hw1 --workdir=/tmp/lee_jax/hw1_2proc

This is how a multi-host pod runs, in miniature: each process owns its own devices (here one
CPU each), reads only its slice of every global batch, and joins the others through
``jax.distributed`` (the experiment calls ``lee_jax.engine.parallel.initialize_distributed``,
which reads the variables set here). Process 0 writes the logs, metrics and summary; Orbax
coordinates the checkpoint. Output of process p > 0 is prefixed with ``[p]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from lee_jax.engine import parallel


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def _pump(stream, prefix: str, out) -> None:
  for line in iter(stream.readline, ""):
    out.write(prefix + line)
    out.flush()


def launch(num_processes: int, command: list[str], port: int = 0) -> int:
  """Starts the processes and waits for them.

  If one fails, the others are stopped (they would otherwise wait forever for it in their next
  collective). Returns the exit code of the first process to fail, or 0.
  """
  address = f"127.0.0.1:{port or _free_port()}"
  procs, pumps = [], []
  for pid in range(num_processes):
    env = {
        **os.environ, parallel.ENV_COORDINATOR: address,
        parallel.ENV_NUM_PROCESSES: str(num_processes),
        parallel.ENV_PROCESS_ID: str(pid)
    }
    proc = subprocess.Popen([sys.executable, *command], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    prefix = "" if pid == 0 else f"[{pid}] "
    pump = threading.Thread(target=_pump, args=(proc.stdout, prefix, sys.stdout), daemon=True)
    pump.start()
    procs.append(proc)
    pumps.append(pump)
  failure = 0
  try:
    while any(p.poll() is None for p in procs) and not failure:
      failure = next((p.returncode for p in procs if p.poll()), 0)
      time.sleep(0.2)
  finally:
    for p in procs:
      if p.poll() is None:
        p.terminate()
    for p in procs:
      try:
        p.wait(timeout=10)
      except subprocess.TimeoutExpired:
        p.kill()
    for pump in pumps:  # The last lines (process 0's summary) must reach the terminal.
      pump.join(timeout=10)
  return failure or next((p.returncode for p in procs if p.returncode), 0)


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--num_processes", type=int, default=2)
  parser.add_argument("--port", type=int, default=0, help="coordinator port; 0 picks a free one")
  parser.add_argument("command", nargs=argparse.REMAINDER,
                      help="what each process runs after 'python', e.g. -- -m experiments...")
  args = parser.parse_args()
  # `kill` or `timeout` sends SIGTERM: turn it into an exception so the processes are stopped too.
  signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
  command = args.command[1:] if args.command[:1] == ["--"] else args.command
  if not command:
    parser.error("give the command after '--', e.g. -- -m experiments.ch01_regression.hw1 ...")
  sys.exit(launch(args.num_processes, command, args.port))


if __name__ == "__main__":
  main()
