"""Solver workers never outlive their server: a server killed outright (no exit handler
runs) leaves no process behind holding memory and CPU, whichever way its pool starts
workers (the planning solves spawn them, the what-if solves use a fork server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KILLED_PARENT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from fleetline.planning.worker_processes import end_with_parent
context = multiprocessing.get_context(sys.argv[1])
pool = ProcessPoolExecutor(2, mp_context=context, initializer=end_with_parent)
pids = {pool.submit(os.getpid).result() for _ in range(4)}
print(*pids, flush=True)
time.sleep(120)
"""


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize("start", ["spawn", "forkserver"])
def test_workers_end_when_their_server_is_killed(start: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_PARENT, start], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        workers = [int(pid) for pid in process.stdout.readline().split()]
        assert workers and process.pid not in workers, "the work ran on worker processes"
        assert all(_running(pid) for pid in workers)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _running(pid)]
