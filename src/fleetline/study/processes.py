"""The study's day processes: started each in a process group of its own, stopped together.

A day runs as a child process (the replay command), which itself starts solver processes.
Each child leads a new process group, so that stopping it stops its solvers too, and a
Ctrl-C in the terminal reaches only the study, which then stops every child it started
(:meth:`DayProcesses.stop_all`) before it exits: no day goes on playing without it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from types import FrameType

GRACE_S = 10.0
"""Seconds a day process has to stop on SIGTERM before it is killed."""


class StudyStopped(RuntimeError):
    """The study is stopping: no new day is started."""


def _signal_group(process: subprocess.Popen[str], sig: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


class DayProcesses:
    """The day processes running now, each the leader of its own process group."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[str]] = set()
        self.stopping = False

    def run(self, args: Sequence[str]) -> tuple[int, str, str]:
        """Run ``args`` to its end; its exit code, standard output and error.

        Raises
        ------
        StudyStopped
            When the study is stopping (before the start, or because it stopped the
            process).
        """
        with self._lock:
            if self.stopping:
                raise StudyStopped("the study is stopping")
            process = subprocess.Popen(
                list(args),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            self._running.add(process)
        try:
            out, err = process.communicate()
        finally:
            with self._lock:
                self._running.discard(process)
        if self.stopping:
            raise StudyStopped("the study is stopping")
        return process.returncode, out, err

    def stop_all(self, grace_s: float = GRACE_S) -> int:
        """Stop every running day process and its solvers; how many were running.

        Each group gets SIGTERM (a day then removes its temporary database), and SIGKILL
        when it has not ended after ``grace_s``.
        """
        with self._lock:
            self.stopping = True
            running = list(self._running)
        for process in running:
            _signal_group(process, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # solvers it left behind
        return len(running)


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def exit_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM ends the process like an error (``finally`` blocks run).

    Only in the main thread; elsewhere it changes nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
