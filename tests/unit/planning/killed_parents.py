"""Kill a process that started worker processes, and see which of its workers live on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def running(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def workers_left_after_kill(script: str, *args: str, wait_s: float = 30) -> tuple[int, list[int]]:
    """Run ``script``, which prints its workers' pids on one line, then SIGKILL it.

    Returns how many workers it printed, and those still running ``wait_s`` seconds later.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        workers = [int(pid) for pid in process.stdout.readline().split()]
        assert process.pid not in workers and all(running(pid) for pid in workers)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + wait_s
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    return len(workers), [pid for pid in workers if running(pid)]
