"""CPU and memory of the server, PostgreSQL and the load generator, every few seconds.

CPU % is of one core (100: one core busy), except ``machine_cpu_pct``, which is of all
cores; ``others_cpu_pct`` is what the rest of the machine used besides the three (other
work sharing it), in one-core units.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from typing import Any

import psutil
import sqlalchemy as sa


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
    server_pids
        The server's processes (the faces' and the engines' of a split installation);
        they and all their descendants are summed.
    every_s
        Seconds between samples.
    """

    def __init__(self, server_pids: list[int], every_s: float = 5.0) -> None:
        self.samples: list[dict[str, Any]] = []
        self._server_pids = server_pids
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
        server_tree = []
        for pid in self._server_pids:
            try:
                server = psutil.Process(pid)
                server_tree += [server, *server.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
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


class DatabaseWaits:
    """What the server's connections are doing, from ``pg_stat_activity``, every 0.5 s.

    Each look counts the run's database connections by state (``active``, ``idle in
    transaction``, ...) and, for those not idle, by what they wait for (``Lock:relation``,
    ``Client:ClientRead``, ...). A wait shorter than the interval is seen only now and then,
    so the figures say how often, not how long.

    Parameters
    ----------
    database_url
        The run's database; only its connections are counted.
    every_s
        Seconds between looks.
    """

    QUERY = sa.text(
        "SELECT state, wait_event_type, wait_event, count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend' GROUP BY 1, 2, 3"
    )

    def __init__(self, database_url: str, every_s: float = 0.5) -> None:
        self._engine = sa.create_engine(database_url, pool_size=1, max_overflow=0)
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-waits", daemon=True)
        self.looks = 0
        self.seen_in: Counter[str] = Counter()
        """Looks in which at least one connection was in each state or wait."""
        self.most: Counter[str] = Counter()
        """The most connections seen at once in each state or wait."""

    def start(self) -> None:
        """Start looking."""
        self._thread.start()

    def stop(self) -> dict[str, Any]:
        """Stop looking; return the looks, and per state or wait how often and how many."""
        self._stop.set()
        self._thread.join(timeout=10)
        self._engine.dispose()
        return {
            "looks": self.looks,
            "every_s": self._every_s,
            "looks_with": dict(self.seen_in.most_common()),
            "most_at_once": dict(self.most.most_common()),
        }

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                with self._engine.connect() as connection:
                    rows = connection.execute(self.QUERY).all()
            except sa.exc.SQLAlchemyError:
                continue
            counts: Counter[str] = Counter()
            for state, wait_type, wait, count in rows:
                counts[f"state {state}"] += count
                if state != "idle" and wait_type:
                    counts[f"waiting {wait_type}:{wait}"] += count
            self.looks += 1
            for key, count in counts.items():
                self.seen_in[key] += 1
                self.most[key] = max(self.most[key], count)
