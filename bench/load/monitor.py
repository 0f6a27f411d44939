"""CPU and memory of the server, PostgreSQL and the load generator, every few seconds.

CPU % is of one core (100: one core busy), except ``machine_cpu_pct``, which is of all
cores; ``others_cpu_pct`` is what the rest of the machine used besides the three (other
work sharing it), in one-core units.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import psutil


class _Tree:
    """Processes to sum, kept between samples so that their CPU % covers the interval."""

    def __init__(self) -> None:
        self._known: dict[int, psutil.Process] = {}

    def sample(self, processes: list[psutil.Process]) -> tuple[float, float, int]:
        """Return CPU % (100 = one core busy), RSS in MiB and the number of processes."""
        cpu, rss, alive = 0.0, 0, 0
        current: dict[int, psutil.Process] = {}
        for process in processes:
            known = self._known.get(process.pid, process)
            try:
                # A process seen for the first time reports 0 % (no interval yet).
                cpu += known.cpu_percent(None)
                rss += known.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            current[process.pid] = known
            alive += 1
        self._known = current
        return cpu, rss / 2**20, alive


class Monitor:
    """Samples, every ``every_s`` seconds in a thread of its own, until stopped.

    Parameters
    ----------
    server_pid
        The server's process; it and all its descendants are summed.
    every_s
        Seconds between samples.
    """

    def __init__(self, server_pid: int, every_s: float = 5.0) -> None:
        self.samples: list[dict[str, Any]] = []
        self._server_pid = server_pid
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="monitor", daemon=True)
        self._trees = {"server": _Tree(), "postgres": _Tree(), "generator": _Tree()}

    def start(self) -> None:
        """Take a first reading (the baseline of the CPU %) and start sampling."""
        self._sample(0.0)
        self.samples.clear()
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> list[dict[str, Any]]:
        """Stop sampling and return the samples."""
        self._stop.set()
        self._thread.join(timeout=10)
        return self.samples

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            self._sample(time.monotonic() - self._started)

    def _sample(self, at: float) -> None:
        try:
            server = psutil.Process(self._server_pid)
            server_tree = [server, *server.children(recursive=True)]
        except psutil.NoSuchProcess:
            server_tree = []
        postgres = [p for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"]
        cpu, rss, count = self._trees["server"].sample(server_tree)
        pg_cpu, _, _ = self._trees["postgres"].sample(postgres)
        gen_cpu, gen_rss, _ = self._trees["generator"].sample([psutil.Process(os.getpid())])
        machine = psutil.cpu_percent(None)
        others = machine * (psutil.cpu_count() or 1) - cpu - pg_cpu - gen_cpu
        self.samples.append(
            {
                "t_s": round(at, 1),
                "server_cpu_pct": round(cpu, 1),
                "server_rss_mib": round(rss, 1),
                "server_processes": count,
                "postgres_cpu_pct": round(pg_cpu, 1),
                "generator_cpu_pct": round(gen_cpu, 1),
                "generator_rss_mib": round(gen_rss, 1),
                "machine_cpu_pct": machine,
                "others_cpu_pct": round(max(0.0, others), 1),
                "load_1min": round(os.getloadavg()[0], 2),
            }
        )
