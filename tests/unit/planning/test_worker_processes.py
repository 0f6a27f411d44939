"""Solver workers never outlive their server: a server killed outright (no exit handler
runs) leaves no process behind holding memory and CPU, whichever way its pool starts
workers (the planning solves spawn them, the what-if solves use a fork server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .killed_parents import workers_left_after_kill

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


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
@pytest.mark.parametrize("start", ["spawn", "forkserver"])
def test_workers_end_when_their_server_is_killed(start: str) -> None:
    started, left = workers_left_after_kill(KILLED_PARENT, start)
    assert started, "the work ran on worker processes"
    assert left == []
