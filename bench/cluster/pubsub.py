"""How a live picture travels from the engine to the faces: PostgreSQL or Redis.

Run from the repository root (PostgreSQL and Redis on this machine, loopback only)::

    uv run --group bench python -m bench.cluster.pubsub

A 200-truck picture (3,000 stops, made by the forecaster on a synthetic day) is encoded
once; then, ``--count`` times, ``--every`` seconds apart, it is published and a listener
in another thread receives it whole:

- **PostgreSQL**: the engine's own path (upsert of the day's row and ``NOTIFY`` in one
  transaction, as ``publish_picture``); the listener is the faces' ``Listener``, which
  reads the row when notified (as ``PictureFollower.load``, without the decoding).
- **Redis**: ``SET`` of the same bytes (for a face that starts later) and ``PUBLISH`` of
  the bytes themselves; the listener receives them in the message.

Either way the engine encodes the picture with its rendered live document.

Printed: the time from the start of the publication to the bytes in the listener (p50,
p95, max) and the publisher's CPU time per publication. Encoding and decoding, the same
either way, are measured apart.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time as clock_time, timedelta

import redis
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from fleetline.cluster.notifications import LIVE, Listener, notify
from fleetline.domain.live import VehicleStatus
from fleetline.domain.model import Depot, Location, OrderState, TimeWindow, Vehicle
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.factory import travel_times_for
from fleetline.operations.eta import forecast_fleet
from fleetline.operations.live_service import LivePicture
from fleetline.operations.live_view import live_json
from fleetline.store import tables as t
from fleetline.store.migrate import upgrade
from fleetline.store.picture_codec import picture_to_bytes

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
DAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def synthetic_picture(trucks: int = 200, stops: int = 15) -> LivePicture:
    """A picture of ``trucks`` trucks with ``stops`` remaining stops each, forecast."""
    depot = Depot(id="dep", name="Depot", location=Location(47.17, 9.50), timezone="UTC")
    runs = []
    for index in range(trucks):
        vehicle = Vehicle(
            id=f"veh{index}",
            name=f"Truck {index}",
            depot_id=depot.id,
            capacity={"pallets": 30},
            shift_start=clock_time(7),
            shift_end=clock_time(17),
        )
        remaining = tuple(
            RemainingStop(
                order_id=f"ord{index}_{number}",
                client_id=f"cli{number}",
                location=Location(47.05 + (index * 7 + number) % 30 / 100, 9.45 + number / 100),
                time_windows=(TimeWindow(NOW, NOW + timedelta(hours=4)),),
                service_s=300,
                demand={"pallets": 1},
                required_skills=frozenset(),
                priority=3,
                state=OrderState.DISPATCHED,
            )
            for number in range(stops)
        )
        runs.append(
            VehicleRun(
                vehicle=vehicle,
                depot=depot,
                status=VehicleStatus.ON_DUTY,
                position=Location(47.1 + index % 10 / 100, 9.5),
                position_at=NOW,
                shift_start=NOW - timedelta(hours=2),
                shift_end=NOW + timedelta(hours=8),
                remaining=remaining,
            )
        )
    snapshot = DaySnapshot(DAY, NOW, "pln", 1, tuple(runs))
    fleet = forecast_fleet(snapshot, travel_times_for(None))
    return LivePicture(snapshot, fleet.stops, NOW, 1)


def _measure(
    publish: Callable[[int], None], received: dict[int, float], count: int, every_s: float
) -> tuple[list[float], list[float]]:
    latencies, cpu = [], []
    for number in range(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        publish(number)
        cpu.append(time.process_time() - cpu_started)
        deadline = started + 5
        while number not in received and time.perf_counter() < deadline:
            time.sleep(0.0005)
        if number in received:
            latencies.append(received[number] - started)
        time.sleep(every_s)
    return latencies, cpu


def via_postgresql(payload: bytes, count: int, every_s: float) -> tuple[list[float], list[float]]:
    """Store the bytes as the day's row and notify in one transaction, as the engine does;
    read the row when notified, as a face does."""
    server = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    schema = f"fleetline_pubsub_{uuid.uuid4().hex[:8]}"
    with server.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    database_url = url.render_as_string(hide_password=False)
    upgrade(database_url)
    engine = sa.create_engine(database_url)
    received: dict[int, float] = {}

    def on_notification(_payload: str) -> None:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(t.live_pictures.c.version, t.live_pictures.c.payload)
            ).first()
        if row is not None:
            received[int(row.version)] = time.perf_counter()

    def publish(number: int) -> None:
        statement = postgresql.insert(t.live_pictures).values(
            day=DAY, version=number, computed_at=NOW, payload=payload
        )
        with engine.begin() as connection:
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[t.live_pictures.c.day],
                    set_={"version": number, "payload": payload},
                )
            )
            notify(connection, LIVE, DAY.isoformat())

    listener = Listener(database_url, {LIVE: on_notification})
    listener.start()
    try:
        return _measure(publish, received, count, every_s)
    finally:
        listener.close()
        engine.dispose()
        with server.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        server.dispose()


def via_redis(payload: bytes, count: int, every_s: float) -> tuple[list[float], list[float]]:
    """SET the bytes (for a face that starts later) and PUBLISH them; a subscriber thread
    receives them in the message."""
    client = redis.Redis.from_url(REDIS_URL)
    channel = f"fleetline_live_{uuid.uuid4().hex[:8]}"
    received: dict[int, float] = {}
    subscriber = client.pubsub()
    subscriber.subscribe(channel)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            message = subscriber.get_message(timeout=0.5)
            if message and message["type"] == "message":
                received[int(message["data"][:8])] = time.perf_counter()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()

    def publish(number: int) -> None:
        numbered = b"%08d" % number + payload
        pipe = client.pipeline()
        pipe.set(channel + ":latest", numbered)
        pipe.publish(channel, numbered)
        pipe.execute()

    try:
        return _measure(publish, received, count, every_s)
    finally:
        stop.set()
        thread.join(timeout=2)
        client.delete(channel + ":latest")
        subscriber.close()
        client.close()


def _summary(name: str, latencies: list[float], cpu: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    p50 = statistics.median(ordered)
    return (
        f"{name:<11} {len(latencies):>4} received   latency p50 {p50 * 1000:6.1f} ms"
        f"  p95 {p95 * 1000:6.1f} ms  max {ordered[-1] * 1000:6.1f} ms"
        f"   publisher CPU {statistics.mean(cpu) * 1000:5.1f} ms a picture"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure both ways and print the comparison."""
    parser = argparse.ArgumentParser(prog="python -m bench.cluster.pubsub")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--every", type=float, default=0.05, help="seconds between pictures")
    args = parser.parse_args(argv)
    picture = synthetic_picture()
    started = time.process_time()
    payload = picture_to_bytes((picture, live_json(picture), None, None))
    encoding_ms = (time.process_time() - started) * 1000
    print(
        f"a picture of {len(picture.snapshot.vehicles)} trucks, {len(picture.forecasts)} "
        f"stops: {len(payload) / 1024:.0f} KiB with its live document, encoded in "
        f"{encoding_ms:.0f} ms of CPU (the same either way; not in the figures below)"
    )
    for name, way in (("PostgreSQL", via_postgresql), ("Redis", via_redis)):
        latencies, cpu = way(payload, args.count, args.every)
        print(_summary(name, latencies, cpu))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
