"""A whole company at once: ``fleetline serve`` on PostgreSQL under a day's concurrent load.

Run from the repository root::

    uv run --group bench python -m bench.load.run                  # 60 s, the full load
    uv run --group bench python -m bench.load.run --duration 600   # the product's target run
    uv run --group bench python -m bench.load.run --viewers 200 --duration 120

1. Set-up (``setup.py``): a fresh database ``fleetline_load_<random>`` on the machine's
   PostgreSQL, the simulator's company (``--trucks``, ``--orders-per-truck``) for today,
   its day planned (bounded by ``--plan-iterations``) and dispatched, tokens and tracking
   links issued; all in this process, the services closed after.
2. ``uv run fleetline serve --host 127.0.0.1 --port <free port>`` as a subprocess on that
   database (``FLEETLINE_SOLVER_PROCESSES=0``), its output in a log file; once ``/health``
   answers, one ``GET /api/v1/live`` and a wait (at most ``--settle`` seconds) until the
   client messages of the dispatch and of the day's first picture are recorded.
3. The load (``load.py``) for ``--duration`` seconds, while ``monitor.py`` samples the
   server's CPU and memory every 5 s.
4. A summary on the terminal and every figure in ``bench/load/results/<name>.json``;
   the server stopped, the database dropped (unless ``--keep``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psutil
import sqlalchemy as sa
import uvloop
from bench.load import load
from bench.load.monitor import DatabaseWaits, Monitor
from bench.load.setup import POSTGRES_URL, Prepared, drop_database, prepare

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"
WRITE_P95_S = 0.300
READ_P95_S = 0.200
FIGURES_P95_S = 1.0
"""The day's figures (`GET /api/v1/kpis`, the Figures page) for a 200-truck day."""
VISIBLE_P95_S = 2.0
COUNTED_TABLES = ("positions", "events", "notifications", "exceptions", "plans", "eta_predictions")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--trucks", type=int, default=200)
    parser.add_argument("--orders-per-truck", type=int, default=15)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--consoles", type=int, default=5)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--seed", type=int, default=7, help="the simulated company's seed")
    parser.add_argument(
        "--timezone",
        default=None,
        help="the company's time zone (default: a whole-hour zone where it is about 07:30)",
    )
    parser.add_argument("--plan-iterations", type=int, default=500)
    parser.add_argument("--plan-time-limit", type=float, default=60.0)
    parser.add_argument("--probe-trucks", type=int, default=5, help="trucks /live is polled for")
    parser.add_argument("--probe-interval", type=float, default=0.5, help="seconds")
    parser.add_argument("--drain", type=float, default=30.0, help="seconds for the last answers")
    parser.add_argument(
        "--settle",
        type=float,
        default=180.0,
        help="seconds at most to let the server record its backlog of client messages "
        "before the load (0: load at once, from a cold start)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="a split installation: `fleetline serve --workers N` and two `fleetline worker` "
        "(one active, one standby); 0: the one-process `fleetline serve`",
    )
    parser.add_argument(
        "--kill-engine-at",
        type=float,
        default=None,
        help="seconds into the load at which the active engine is killed (kill -9)",
    )
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON result")
    parser.add_argument("--keep", action="store_true", help="keep the database after the run")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Set up, serve, load, report; return the exit code."""
    args = _parser().parse_args(argv)
    before = _machine()
    print(
        f"machine: {before['cpus']} CPUs, load {before['load_before']}, "
        f"{before['machine_cpu_pct_before']} % busy before the run"
    )
    for line in before["busy_before"]:
        print(f"  {line}")
    orders = args.trucks * args.orders_per_truck
    setup_started = time.perf_counter()
    prepared = prepare(
        trucks=args.trucks,
        orders=orders,
        tracking_links=args.viewers,
        agents=args.agents,
        consoles=args.consoles,
        seed=args.seed,
        timezone=args.timezone,
        plan_iterations=args.plan_iterations,
        plan_time_limit_s=args.plan_time_limit,
        base_url=args.postgres_url,
    )
    setup_s = time.perf_counter() - setup_started
    print(f"set-up took {setup_s:.0f} s ({prepared.timings_s})")
    port = args.port or _free_port()
    log_path = Path(tempfile.mkdtemp(prefix="fleetline-load-")) / "server.log"
    server: subprocess.Popen[bytes] | None = None
    stopped_s = 0.0
    engines: list[subprocess.Popen[bytes]] = []
    faces = [f"http://127.0.0.1:{port + index}" for index in range(max(1, args.workers))]
    fault: dict[str, Any] | None = None
    try:
        if args.workers:
            engines = start_engines(prepared.database_url, log_path.parent)
            arguments = ("serve", "--workers", str(args.workers), "--host", "127.0.0.1")
            arguments += ("--port", str(port))
            server = start_server(prepared.database_url, port, log_path, arguments)
        else:
            server = start_server(prepared.database_url, port, log_path)
        print(f"server pid {server.pid} on 127.0.0.1:{port}, log {log_path}")
        ready_s = max(wait_for_health(face, server, log_path) for face in faces)
        print(f"/health answered after {ready_s:.1f} s")
        settled = settle(
            f"http://127.0.0.1:{port}",
            prepared.tokens["admin"][0],
            prepared.database_url,
            args.settle,
        )
        print(
            f"the first picture of the day took {settled['first_live_s']} s; the "
            f"{settled['messages_max']} client messages then waiting were recorded after "
            f"{settled['settled_s']} s (open at the start of the load: {settled['open_at_end']})"
        )
        print(f"loading for {args.duration:g} s ...")
        monitor = Monitor([server.pid, *(engine.pid for engine in engines)])
        waits = DatabaseWaits(prepared.database_url)
        monitor.start()
        waits.start()
        killer = None
        if engines and args.kill_engine_at is not None:
            killer = EngineKiller(engines, log_path.parent, args.kill_engine_at)
            killer.start()
        try:
            result = uvloop.run(load.drive(_load_spec(args, prepared, faces)))
        finally:
            samples = monitor.stop()
            database_waits = waits.stop()
            if killer is not None:
                fault = killer.result()
                fault["messages_sent_twice_at_most"] = _sent_again(prepared)
        alive = server.poll() is None
        log_lines_in_load = len(log_path.read_text(errors="replace").splitlines())
        counts = _table_counts(prepared.database_url)
    finally:
        if server is not None:
            stopped_s = stop_server(server)
            print(f"server stopped in {stopped_s:.1f} s (exit code {server.returncode})")
        for engine in engines:
            stop_server(engine)
        if not args.keep:
            drop_database(prepared.database, args.postgres_url)
    server_log = _server_log(log_path, log_lines_in_load)
    report = _report(args, before, prepared, setup_s, result, samples, counts, server_log, alive)
    report["before_the_load"] = settled
    report["database_connections"] = database_waits
    acknowledged = report["requests"][load.POSITIONS]["statuses"].get("202", 0)
    report["writes"] = {
        "positions_acknowledged": acknowledged,
        "positions_stored": counts["positions"],
        "lost": max(0, acknowledged - counts["positions"]),
    }
    if fault is not None:
        report["engine_killed"] = fault
    report["installation"] = (
        f"split: `fleetline serve --workers {args.workers}` + 2 x `fleetline worker`"
        if args.workers
        else "one process: `fleetline serve`"
    )
    if server is not None:
        report["server_stop"] = {"seconds": round(stopped_s, 1), "exit_code": server.returncode}
    path = _write(report, args.out)
    _print_summary(report)
    print(f"\nresults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if args.keep:
        print(f"database kept: {prepared.database_url}")
    return 0


# --- the server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    database_url: str, port: int, log_path: Path, arguments: tuple[str, ...] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``uv run fleetline serve`` on loopback in a process group of its own.

    Parameters
    ----------
    database_url
        The run's database.
    port
        The port to serve on (127.0.0.1 only).
    log_path
        Where the server's output goes.
    arguments
        The command after ``fleetline`` (default: ``serve`` on ``port``); ``("worker",)``
        starts an engine of a split installation.

    Returns
    -------
    subprocess.Popen
        The ``uv`` process; the server is its child, in the same new process group.
    """
    env = {
        **os.environ,
        "FLEETLINE_DATABASE_URL": database_url,
        "FLEETLINE_SOLVER_PROCESSES": "0",
        "FLEETLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    env.pop("FLEETLINE_MQTT_URL", None)
    serve = ("serve", "--host", "127.0.0.1", "--port", str(port))
    command = ["uv", "run", "fleetline", *(arguments or serve)]
    with log_path.open("wb") as log_file:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for_health(
    base_url: str, server: subprocess.Popen[bytes], log_path: Path, timeout_s: float = 180.0
) -> float:
    """Wait until ``/health`` answers 200; return the seconds waited.

    Raises
    ------
    RuntimeError
        When the server exits first or does not answer within ``timeout_s``, with the end
        of its log.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if server.poll() is not None:
            raise RuntimeError(
                f"the server exited with {server.returncode}:\n{_tail(log_path, 40)}"
            )
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"no answer from /health in {timeout_s:g} s:\n{_tail(log_path, 40)}")


def settle(base_url: str, admin_token: str, database_url: str, timeout_s: float) -> dict[str, Any]:
    """Let the server see the day once and send its backlog of client messages.

    Set-up dispatches the plan just before the server starts, so the server begins with
    the day's first live picture and the client messages of the dispatch and of that
    picture (several thousand) to record; in a real morning they were sent hours before
    the peak. This asks ``/api/v1/live`` once, then waits until no message is queued or
    being sent (two looks a second apart), at most ``timeout_s`` (0: not at all).

    Returns
    -------
    dict
        Seconds of the first ``/live``, the most messages seen open, the seconds until
        none was, and how many were still open when the wait ended.
    """
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {admin_token}"}
    httpx.get(f"{base_url}/api/v1/live", headers=headers, timeout=120).raise_for_status()
    first_live_s = time.monotonic() - started
    engine = sa.create_engine(database_url)
    query = sa.text("SELECT count(*) FROM notifications WHERE status IN ('queued', 'sending')")
    most, quiet, open_now = 0, 0, 0
    try:
        while time.monotonic() - started < timeout_s and quiet < 2:
            with engine.connect() as connection:
                open_now = int(connection.execute(query).scalar() or 0)
            most = max(most, open_now)
            quiet = quiet + 1 if open_now == 0 else 0
            time.sleep(1.0)
    finally:
        engine.dispose()
    return {
        "first_live_s": round(first_live_s, 1),
        "messages_max": most,
        "settled_s": round(time.monotonic() - started, 1),
        "open_at_end": open_now,
    }


def start_engines(
    database_url: str, folder: Path, timeout_s: float = 180.0
) -> list[subprocess.Popen[bytes]]:
    """Start two ``fleetline worker``: the first takes the lease, the second stands by.

    Their logs are ``engine-1.log`` and ``engine-2.log`` in ``folder``.
    """
    engines = []
    for index, wanted in ((1, "running (started"), (2, "standby")):
        log = folder / f"engine-{index}.log"
        engine = start_server(database_url, 0, log, ("worker",))
        engines.append(engine)
        started = time.monotonic()
        while wanted not in log.read_text(errors="replace"):
            if engine.poll() is not None or time.monotonic() - started > timeout_s:
                raise RuntimeError(f"engine {index} did not start:\n{_tail(log, 40)}")
            time.sleep(0.2)
        print(f"engine {index} pid {engine.pid}: {wanted.split(' ')[0]}")
    return engines


class EngineKiller:
    """Kills the active engine (``kill -9``, its whole process group) after ``at_s`` seconds,
    and measures how long until the standby's log says it runs."""

    def __init__(self, engines: list[subprocess.Popen[bytes]], folder: Path, at_s: float) -> None:
        self._engines = engines
        self._folder = folder
        self._at_s = at_s
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, name="engine-killer", daemon=True)

    def start(self) -> None:
        """Start counting."""
        self._thread.start()

    def result(self) -> dict[str, Any]:
        """What happened: when the engine was killed and how long the takeover took."""
        self._thread.join(timeout=60)
        return self._outcome

    def _run(self) -> None:
        time.sleep(self._at_s)
        active = self._engines[0]
        os.killpg(active.pid, signal.SIGKILL)
        killed = time.monotonic()
        print(f"killed the active engine (pid {active.pid}) at {self._at_s:g} s")
        standby_log = self._folder / "engine-2.log"
        while time.monotonic() - killed < 60:
            if "running (started" in standby_log.read_text(errors="replace"):
                took = time.monotonic() - killed
                print(f"the standby engine runs {took:.1f} s after the kill")
                self._outcome = {
                    "killed_at_s": self._at_s,
                    "takeover_s": round(took, 2),
                    "target_s": 10.0,
                    "met": took <= 10.0,
                    "standby_log": _tail(standby_log, 8).splitlines(),
                }
                return
            time.sleep(0.1)
        self._outcome = {"killed_at_s": self._at_s, "takeover_s": None, "met": False}


def _sent_again(prepared: Prepared) -> int:
    """Client messages attempted more than once and sent: at most the ones in flight."""
    engine = sa.create_engine(prepared.database_url)
    try:
        with engine.connect() as connection:
            query = "SELECT count(*) FROM notifications WHERE status = 'sent' AND attempts > 1"
            return int(connection.execute(sa.text(query)).scalar() or 0)
    finally:
        engine.dispose()


def stop_server(server: subprocess.Popen[bytes], grace_s: float = 60.0) -> float:
    """Stop the server as Ctrl-C would, and return the seconds it took.

    SIGINT goes to ``uv`` alone, which hands it on to the server (a signal to the whole
    group would reach the server twice and break off its shutdown). Whatever of the
    group is left after ``grace_s`` gets SIGTERM, then SIGKILL.
    """
    started = time.monotonic()
    if server.poll() is not None:
        return 0.0
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        for kill in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, kill)
            try:
                server.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
    return time.monotonic() - started


def _tail(path: Path, lines: int) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- the load ----------------------------------------------------------------------------


def _load_spec(args: argparse.Namespace, prepared: Prepared, faces: list[str]) -> load.LoadSpec:
    return load.LoadSpec(
        base_urls=faces,
        duration_s=args.duration,
        vehicle_ids=prepared.vehicle_ids,
        routes=prepared.routes,
        depot=prepared.depot,
        order_ids=prepared.order_ids,
        tracking_tokens=prepared.tracking_tokens[: args.viewers],
        integration_token=prepared.tokens["integration"][0],
        agent_tokens=prepared.tokens["agent"],
        console_tokens=prepared.tokens["dispatcher"],
        agents=args.agents,
        consoles=args.consoles,
        probe_trucks=args.probe_trucks,
        probe_period_s=args.probe_interval,
        drain_s=args.drain,
        seed=args.seed,
    )


# --- figures -----------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    """The machine and what else was busy on it in the second before the run."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    others = [p for p in psutil.process_iter(["name", "cmdline"]) if p.pid != os.getpid()]
    for process in others:
        with contextlib.suppress(psutil.Error):
            process.cpu_percent(None)
    machine_pct = psutil.cpu_percent(1.0)
    busy = []
    for process in others:
        with contextlib.suppress(psutil.Error):
            share = process.cpu_percent(None)
            if share >= 5:
                command = " ".join(process.info["cmdline"] or [process.info["name"] or "?"])
                busy.append(f"{share:.0f} % {command[:120]}")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "uptime_before": uptime.strip(),
        "load_before": [round(value, 2) for value in os.getloadavg()],
        "machine_cpu_pct_before": machine_pct,
        "busy_before": sorted(busy, key=lambda line: -float(line.split(" %")[0])),
        "commit": commit + (" (uncommitted changes)" if dirty else ""),
    }


def _ms(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)) * 1000, 1) if values else None


def _kind_figures(result: load.LoadResult, kind: str) -> dict[str, Any]:
    requests = result.requests
    latency = requests.latency.get(kind, [])
    oks = requests.ok.get(kind, [])
    target = (
        WRITE_P95_S
        if kind in load.WRITES
        else READ_P95_S
        if kind in load.READS
        else FIGURES_P95_S
        if kind == load.FIGURES
        else None
    )
    target = target if latency else None
    p95 = _ms(latency, 95)
    return {
        "count": len(latency),
        "per_s": round(len(latency) / result.duration_s, 1),
        "planned_per_s": round(result.planned[kind], 1) if kind in result.planned else None,
        "failed": oks.count(False),
        "statuses": dict(requests.statuses.get(kind, Counter())),
        "p50_ms": _ms(latency, 50),
        "p95_ms": p95,
        "p99_ms": _ms(latency, 99),
        "max_ms": round(max(latency) * 1000, 1) if latency else None,
        "start_lag_p95_ms": _ms(requests.lag.get(kind, []), 95),
        "mib_received": round(requests.bytes_in[kind] / 2**20, 1),
        "target_p95_ms": round(target * 1000) if target else None,
        "p95_met": (p95 is not None and p95 <= target * 1000) if target else None,
        "failure_examples": requests.examples.get(kind, []),
    }


def _over_time(result: load.LoadResult, step_s: float = 10.0) -> dict[str, list[dict[str, Any]]]:
    series: dict[str, list[dict[str, Any]]] = {}
    for kind, starts in result.requests.started.items():
        latency = np.array(result.requests.latency[kind])
        oks = np.array(result.requests.ok[kind])
        buckets = (np.array(starts) // step_s).astype(int)
        rows = []
        for bucket in range(int(buckets.max()) + 1 if len(buckets) else 0):
            chosen = buckets == bucket
            if not chosen.any():
                continue
            rows.append(
                {
                    "from_s": bucket * step_s,
                    "count": int(chosen.sum()),
                    "failed": int((~oks[chosen]).sum()),
                    "p50_ms": round(float(np.percentile(latency[chosen], 50)) * 1000, 1),
                    "p95_ms": round(float(np.percentile(latency[chosen], 95)) * 1000, 1),
                }
            )
        series[kind] = rows
    return series


def _visibility(tracker: load.Visibility) -> dict[str, Any]:
    delays = tracker.delays
    return {
        "seen": len(delays),
        "p50_s": round(float(np.percentile(delays, 50)), 2) if delays else None,
        "p95_s": round(float(np.percentile(delays, 95)), 2) if delays else None,
        "max_s": round(max(delays), 2) if delays else None,
        "superseded": tracker.superseded,
        "shown_before_the_answer": tracker.before_answer,
        "not_seen_at_end": tracker.waiting(),
        "target_p95_s": VISIBLE_P95_S,
        "p95_met": bool(delays) and float(np.percentile(delays, 95)) <= VISIBLE_P95_S,
    }


def _streams(result: load.LoadResult, consoles: int) -> dict[str, Any]:
    streams = result.streams
    gaps = streams.gaps_s
    return {
        "consoles": consoles,
        "opened": len(streams.connect_s),
        "to_snapshot_s_median": round(float(np.median(streams.connect_s)), 2)
        if streams.connect_s
        else None,
        "to_snapshot_s_max": round(max(streams.connect_s), 2) if streams.connect_s else None,
        "events": dict(streams.events),
        "live_events_per_min_per_console": round(
            streams.events["live"] / max(consoles, 1) / (result.wall_s / 60), 1
        )
        if result.wall_s
        else 0,
        "gap_between_live_events_p95_s": round(float(np.percentile(gaps, 95)), 2) if gaps else None,
        "gap_between_live_events_max_s": round(max(gaps), 2) if gaps else None,
        "mib_received": round(streams.bytes_in / 2**20, 1),
        "drops": streams.drops,
    }


def _resources(samples: list[dict[str, Any]], duration_s: float) -> dict[str, Any]:
    """Means and peaks of the samples taken during the load (not the drain after it)."""
    samples = [sample for sample in samples if 0 < sample["t_s"] <= duration_s + 1]
    if not samples:
        return {}

    def column(name: str) -> list[float]:
        return [sample[name] for sample in samples]

    return {
        "server_cpu_pct_mean": round(float(np.mean(column("server_cpu_pct"))), 1),
        "server_cpu_pct_max": max(column("server_cpu_pct")),
        "server_rss_mib_first": samples[0]["server_rss_mib"],
        "server_rss_mib_max": max(column("server_rss_mib")),
        "server_rss_mib_last": samples[-1]["server_rss_mib"],
        "postgres_cpu_pct_mean": round(float(np.mean(column("postgres_cpu_pct"))), 1),
        "generator_cpu_pct_mean": round(float(np.mean(column("generator_cpu_pct"))), 1),
        "machine_cpu_pct_mean": round(float(np.mean(column("machine_cpu_pct"))), 1),
        "others_cpu_pct_mean": round(float(np.mean(column("others_cpu_pct"))), 1),
        "others_cpu_pct_max": max(column("others_cpu_pct")),
        "load_1min_max": max(column("load_1min")),
    }


def _table_counts(database_url: str) -> dict[str, int]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            return {
                table: int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar())
                for table in COUNTED_TABLES
            }
    finally:
        engine.dispose()


def _server_log(path: Path, lines_in_load: int) -> dict[str, Any]:
    """Count the server's log lines by level; keep those not at INFO, in and after the load.

    Parameters
    ----------
    path
        The server's output.
    lines_in_load
        Lines written up to the end of the load; the rest came while the server stopped.
    """
    lines = path.read_text(errors="replace").splitlines()
    levels: Counter[str] = Counter()
    for line in lines:
        level = line.split(":", 1)[0].split(" ", 1)[0]
        levels[level if level.isupper() else "other"] += 1
    during = [line for line in lines[:lines_in_load] if not line.startswith("INFO")]
    after = [line for line in lines[lines_in_load:] if not line.startswith("INFO")]
    return {
        "path": str(path),
        "lines": len(lines),
        "by_level": dict(levels),
        "not_info_in_load_count": len(during),
        "not_info_in_load": during[:80],
        "not_info_at_stop_count": len(after),
        "not_info_at_stop": after[:40],
    }


def _report(
    args: argparse.Namespace,
    machine: dict[str, Any],
    prepared: Prepared,
    setup_s: float,
    result: load.LoadResult,
    samples: list[dict[str, Any]],
    counts: dict[str, int],
    server_log: dict[str, Any],
    server_alive: bool,
) -> dict[str, Any]:
    kinds = (load.POSITIONS, load.ORDER_STATUS, load.LIVE, load.TRACKING, load.FIGURES, load.PROBE)
    requests = {kind: _kind_figures(result, kind) for kind in kinds}
    failed = sum(figures["failed"] for figures in requests.values())
    return {
        "started_at": result.started_at.isoformat(timespec="seconds"),
        "arguments": {key: str(value) for key, value in vars(args).items()},
        "machine": {**machine, "load_after": [round(v, 2) for v in os.getloadavg()]},
        "company": {
            "trucks": len(prepared.vehicle_ids),
            "orders": args.trucks * args.orders_per_truck,
            "day": prepared.day.isoformat(),
            "timezone": prepared.timezone,
            "plan": prepared.plan,
            "tracking_links": len(prepared.tracking_tokens),
        },
        "setup_s": round(setup_s, 1),
        "setup_timings_s": prepared.timings_s,
        "load": {
            "duration_s": args.duration,
            "wall_s": round(result.wall_s, 1),
            "trucks": len(prepared.vehicle_ids),
            "agents": args.agents,
            "viewers": len(prepared.tracking_tokens[: args.viewers]),
            "consoles": args.consoles,
        },
        "requests": requests,
        "failed_requests": failed,
        "visible_in_live_probe": _visibility(result.probe),
        "visible_on_stream": _visibility(result.stream_visibility),
        "streams": _streams(result, args.consoles),
        "resources": _resources(samples, args.duration),
        "resource_samples": samples,
        "over_time": _over_time(result),
        "database_after": counts,
        "server_alive_at_end": server_alive,
        "server_log": server_log,
    }


def _write(report: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.fromisoformat(report["started_at"]).astimezone(UTC)
    load_ = report["load"]
    name = (
        f"{started:%Y-%m-%dT%H%MZ}-{load_['trucks']}trucks-{load_['agents']}agents-"
        f"{load_['viewers']}viewers-{load_['duration_s']:g}s.json"
    )
    path = folder / name
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return path


def _cell(value: Any) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else f"{value}"


def _print_summary(report: dict[str, Any]) -> None:
    load_ = report["load"]
    print(
        f"\n{load_['trucks']} trucks, {load_['agents']} agents, {load_['viewers']} viewers, "
        f"{load_['consoles']} consoles for {load_['duration_s']:g} s, the last answer after "
        f"{load_['wall_s']} s (started {report['started_at']}, the company's time zone "
        f"{report['company']['timezone']})\n"
    )
    header = (
        f"{'request':<34} {'count':>7} {'done/s':>7} {'plan/s':>7} {'failed':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for kind, figures in report["requests"].items():
        target = figures["target_p95_ms"]
        verdict = f"p95 ≤ {target}: {'met' if figures['p95_met'] else 'NOT met'}" if target else ""
        print(
            f"{kind:<34} {figures['count']:>7,} {figures['per_s']:>7} "
            f"{_cell(figures['planned_per_s']):>7} {figures['failed']:>6} "
            f"{_cell(figures['p50_ms']):>8} {_cell(figures['p95_ms']):>8} "
            f"{_cell(figures['p99_ms']):>8} {_cell(figures['max_ms']):>8}  {verdict}"
        )
        if figures["failed"]:
            print(f"{'':<34} statuses: {figures['statuses']}")
    for name in ("visible_in_live_probe", "visible_on_stream"):
        seen = report[name]
        print(
            f"{name.replace('_', ' '):<34} {seen['seen']:>7,} {'':>7} {'':>7} {'':>6} "
            f"{_cell(seen['p50_s']):>7}s {_cell(seen['p95_s']):>7}s {'':>8} "
            f"{_cell(seen['max_s']):>7}s  p95 ≤ 2 s: {'met' if seen['p95_met'] else 'NOT met'}"
            f" ({seen['superseded']} superseded, {seen['not_seen_at_end']} unseen at the end)"
        )
    streams = report["streams"]
    print(
        f"\nstreams: {streams['opened']} opened for {streams['consoles']} consoles, snapshot "
        f"after {streams['to_snapshot_s_median']} s (median), "
        f"{streams['live_events_per_min_per_console']} live events/min each, gap p95 "
        f"{streams['gap_between_live_events_p95_s']} s, max "
        f"{streams['gap_between_live_events_max_s']} s; drops: {len(streams['drops'])}"
    )
    resources = report["resources"]
    if resources:
        print(
            f"server: CPU {resources['server_cpu_pct_mean']} % mean, "
            f"{resources['server_cpu_pct_max']} % max (100 = one core); RSS "
            f"{resources['server_rss_mib_first']} → {resources['server_rss_mib_max']} MiB max; "
            f"PostgreSQL CPU {resources['postgres_cpu_pct_mean']} %, load generator "
            f"{resources['generator_cpu_pct_mean']} %, machine "
            f"{resources['machine_cpu_pct_mean']} % of all cores; other work on the machine "
            f"{resources['others_cpu_pct_mean']} % mean, {resources['others_cpu_pct_max']} % "
            f"max; load 1 min max {resources['load_1min_max']}"
        )
    print(f"database after: {report['database_after']}")
    print(f"positions acknowledged and stored: {report['writes']}")
    if "engine_killed" in report:
        print(f"the active engine killed: {report['engine_killed']}")
    waits = report["database_connections"]
    print(
        f"database connections, {waits['looks']} looks every {waits['every_s']} s; looks "
        f"with: {waits['looks_with']}; most at once: {waits['most_at_once']}"
    )
    log = report["server_log"]
    print(
        f"server log: {log['lines']:,} lines {log['by_level']}; not INFO: "
        f"{log['not_info_in_load_count']} during the load, {log['not_info_at_stop_count']} "
        f"while stopping; alive at the end of the load: {report['server_alive_at_end']}"
    )
    for line in log["not_info_in_load"][:20]:
        print(f"  | {line}")
    if log["not_info_at_stop"]:
        print("  while stopping:")
        for line in log["not_info_at_stop"][:8]:
            print(f"  | {line}")
    print(f"failed requests in all: {report['failed_requests']}")


if __name__ == "__main__":
    sys.exit(main())
