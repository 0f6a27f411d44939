"""Position ingest sustained by one process on PostgreSQL, and proof that nothing is lost.

The claim it checks: one Fleetline process stores at least 2,000 positions per second
from a 200-truck fleet, through the real HTTP endpoint, with no position lost.

Run from the repository root (PostgreSQL from ``FLEETLINE_BENCH_POSTGRES_URL``, by
default the machine's server)::

    uv run python bench/live/ingest.py                       # 60 s per configuration
    uv run python bench/live/ingest.py --seconds 10 --batches 200

Each configuration gets a fresh, migrated PostgreSQL schema with 200 trucks and runs for
``--seconds``:

- ``bus``: ``RecordPositions`` commands handed straight to the message bus (validation,
  bulk insert, last-position upsert, event log, commit), no HTTP;
- ``http``: ``POST /api/v1/telemetry/positions`` with JSON bodies, served by uvicorn in a
  thread of the same process, ``--clients`` client threads (also in this process) each
  sending batch after batch.

Batches cycle through the fleet: position ``k`` is truck ``k % 200`` at one second per
round of the fleet, so every batch is new; every tenth batch is the previous one sent
again, which must come back as all duplicates. Afterwards the positions in the database
must equal the accepted ones, and the accepted ones the distinct positions sent. The
results go to ``bench/live/results/ingest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, time as clock_time, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
import uvicorn

from fleetline.api.app import create_app
from fleetline.bootstrap import Services, bootstrap
from fleetline.domain.access import Role
from fleetline.domain.commands import PositionReport, RecordPositions
from fleetline.domain.model import Depot, Location, Vehicle
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.operations.access import issue_token
from fleetline.settings import Settings

POSTGRES_URL = os.environ.get(
    "FLEETLINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
RESULTS = Path(__file__).resolve().parent / "results" / "ingest.md"
FLEET = 200
RESEND_EVERY = 10
GOAL = 2_000
NOTES = [
    "Each batch is validated (trucks known, no time more than 2 minutes ahead), bulk-",
    "inserted skipping repeats, the trucks' last positions moved forward, one",
    "`PositionsReceived` event logged, and committed; the process also runs whatever",
    "subscribes to that event (the live picture's background refresh). `positions/s`",
    "counts new positions stored; `p50`/`p95` are one batch's round trip as its sender",
    "sees it. The HTTP clients (JSON encoding included) share the process and its CPUs",
    "with the server. `lost` compares the positions in the database with the accepted",
    "ones and with the distinct ones sent. The load columns include other work running on",
    "the machine at the time.",
]


@dataclass
class Run:
    """What one configuration measured."""

    mode: str
    batch: int
    clients: int
    seconds: float = 0.0
    sent: int = 0
    distinct: int = 0
    accepted: int = 0
    duplicates: int = 0
    stored: int = 0
    latencies: list[float] = field(default_factory=list)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def rate(self) -> float:
        """New positions stored per second."""
        return self.accepted / self.seconds if self.seconds else 0.0

    @property
    def p95_ms(self) -> float:
        """95th percentile of one batch's round trip, in milliseconds."""
        return statistics.quantiles(self.latencies, n=20)[-1] * 1000

    @property
    def lost(self) -> bool:
        """Whether any accepted position is missing, or any new one was not accepted."""
        return not (self.stored == self.accepted == self.distinct)


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A new PostgreSQL schema for one configuration, dropped afterwards."""
    server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    schema = f"fleetline_bench_{uuid.uuid4().hex[:12]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


def add_fleet(services: Services) -> list[str]:
    """Store a depot and 200 trucks; return their ids."""
    ids = [f"veh_{n:03d}" for n in range(FLEET)]
    with services.uow_factory() as uow:
        uow.depots.add(Depot("dep_1", "Schaan", Location(47.17, 9.5), "Europe/Vaduz"))
        for vehicle_id in ids:
            uow.vehicles.add(
                Vehicle(
                    vehicle_id, vehicle_id, "dep_1", {"pallets": 18}, clock_time(6), clock_time(18)
                )
            )
        uow.commit()
    return ids


class Batches:
    """Hands out batches, thread-safe: new positions, and now and then a resend."""

    def __init__(self, vehicles: list[str], size: int) -> None:
        self.vehicles = vehicles
        self._size = size
        self._next = 0
        self._count = 0
        self._previous: list[tuple[str, datetime, float, float]] = []
        self.start = datetime.now(UTC) - timedelta(hours=20)
        self._lock = threading.Lock()
        self.distinct = 0
        self.sent = 0

    def take(self) -> list[tuple[str, datetime, float, float]]:
        """The next batch of (vehicle id, recorded at, lat, lon)."""
        with self._lock:
            self._count += 1
            if self._count % RESEND_EVERY == 0 and self._previous:
                batch = self._previous
            else:
                first, self._next = self._next, self._next + self._size
                batch = [self._position(k) for k in range(first, self._next)]
                self.distinct += len(batch)
            self._previous = batch
            self.sent += len(batch)
            return batch

    def _position(self, k: int) -> tuple[str, datetime, float, float]:
        round_, truck = divmod(k, len(self.vehicles))
        at = self.start + timedelta(seconds=round_)
        return self.vehicles[truck], at, 47.1 + (k % 997) * 1e-4, 9.5 + (k % 991) * 1e-4


def via_bus(services: Services, batches: Batches) -> Callable[[], tuple[int, int]]:
    """Send one batch as a command on the bus; return (accepted, duplicates)."""

    def send() -> tuple[int, int]:
        reports = tuple(
            PositionReport(vehicle_id=v, location=Location(lat, lon), recorded_at=at, speed_mps=9.0)
            for v, at, lat, lon in batches.take()
        )
        result = services.bus.handle(RecordPositions(positions=reports))
        return result.accepted, result.duplicates

    return send


def via_http(base_url: str, token: str, batches: Batches) -> Callable[[], tuple[int, int]]:
    """Send one batch as JSON to the endpoint; return (accepted, duplicates)."""
    local = threading.local()

    def send() -> tuple[int, int]:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            )
        body = {
            "positions": [
                {
                    "vehicle_id": v,
                    "lat": lat,
                    "lon": lon,
                    "recorded_at": at.isoformat(),
                    "speed_mps": 9.0,
                }
                for v, at, lat, lon in batches.take()
            ]
        }
        answer = client.post(
            "/api/v1/telemetry/positions",
            content=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        answer.raise_for_status()
        counts: dict[str, int] = answer.json()
        return counts["accepted"], counts["duplicates"]

    return send


@contextmanager
def served(services: Services) -> Iterator[str]:
    """Serve the API with uvicorn in a thread of this process; yield its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def drive(run: Run, send: Callable[[], tuple[int, int]], seconds: float) -> None:
    """Send batches from ``run.clients`` threads for ``seconds``; fill in ``run``."""
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            accepted, duplicates = send()
            elapsed = time.perf_counter() - started
            with lock:
                run.latencies.append(elapsed)
                run.accepted += accepted
                run.duplicates += duplicates

    threads = [threading.Thread(target=client) for _ in range(run.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    run.load = os.getloadavg()


def measure(mode: str, batch: int, clients: int, seconds: float) -> Run:
    """Run one configuration on a fresh schema and check that nothing was lost."""
    run = Run(mode, batch, clients)
    with fresh_schema() as url:
        settings = Settings(database_url=url, solver_processes=0)
        services = bootstrap(settings, travel_times=CrowFliesTravelTimes(), recover=False)
        try:
            batches = Batches(add_fleet(services), batch)
            if mode == "bus":
                drive(run, via_bus(services, batches), seconds)
            else:
                with services.uow_factory() as uow:
                    token, _ = issue_token(uow, services.bus.context, Role.INTEGRATION, "bench")
                    uow.commit()
                with served(services) as base_url:
                    drive(run, via_http(base_url, token, batches), seconds)
            run.sent, run.distinct = batches.sent, batches.distinct
            with services.uow_factory() as uow:
                run.stored = sum(
                    len(uow.positions.track(v, batches.start)) for v in batches.vehicles
                )
        finally:
            services.close()
    return run


def render(runs: list[Run], args: argparse.Namespace) -> str:
    """The markdown fragment of the results."""
    lines = [
        "## Position ingest (PostgreSQL, one process)",
        "",
        f"`uv run python bench/live/ingest.py --seconds {args.seconds:g} --clients "
        f"{' '.join(map(str, args.clients))}` on "
        f"{platform.node() or 'this machine'}: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, PostgreSQL on the same machine; 200 trucks, a fresh "
        f"schema per row, every {RESEND_EVERY}th batch a resend (all duplicates). Goal: "
        f"{GOAL:,} positions/s.",
        "",
        "| path | batch | clients | seconds | positions/s | p50 batch ms | p95 batch ms "
        "| accepted | duplicates | in database | lost | load (1/5/15 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in runs:
        lines.append(
            f"| {r.mode} | {r.batch} | {r.clients} | {r.seconds:.0f} | {r.rate:,.0f} "
            f"| {statistics.median(r.latencies) * 1000:.1f} | {r.p95_ms:.1f} | {r.accepted:,} "
            f"| {r.duplicates:,} | {r.stored:,} | {'YES' if r.lost else 'none'} "
            f"| {r.load[0]:.2f} / {r.load[1]:.2f} / {r.load[2]:.2f} |"
        )
    lines += ["", *NOTES]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure every configuration asked for and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per configuration")
    parser.add_argument("--batches", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--modes", nargs="+", default=["bus", "http"], choices=["bus", "http"])
    parser.add_argument("--clients", type=int, nargs="+", default=[1], help="HTTP client threads")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs = []
    for mode in args.modes:
        for clients in args.clients if mode == "http" else [1]:
            for size in args.batches:
                run = measure(mode, size, clients, args.seconds)
                print(
                    f"{mode:4} batch {size:5} clients {clients}: {run.rate:8,.0f} positions/s, "
                    f"p95 {run.p95_ms:7.1f} ms, accepted {run.accepted:,}, in database "
                    f"{run.stored:,}, lost: {'YES' if run.lost else 'none'}",
                    flush=True,
                )
                runs.append(run)
    text = render(runs, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)
    if any(r.lost for r in runs):
        raise SystemExit("positions were lost")


if __name__ == "__main__":
    main()
