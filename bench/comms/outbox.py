"""Client messages through the outbox to a real SMTP server: throughput and delay.

Run from the repository root::

    uv run python bench/comms/outbox.py                      # SQLite and PostgreSQL
    uv run python bench/comms/outbox.py --messages 500 --no-postgres

For each database (a fresh SQLite file; a fresh schema on the PostgreSQL server of
``FLEETLINE_BENCH_POSTGRES_URL`` when reachable), with an aiosmtpd server on a local
port that accepts everything:

- ``burst``: ``--messages`` emails queued in one transaction (a dispatch of the day's
  promised windows), then ``drain()`` until the outbox is empty: messages per second,
  each one claimed (commit), sent over SMTP (one connection per batch of 100) and
  marked sent (commit);
- ``trickle``: the dispatcher's thread running as in production (poll every 2 s),
  ``--trickle`` messages queued one at a time, each followed by the wake-up that the
  ``NotificationsQueued`` event gives; the time from the queuing commit to the SMTP
  server holding the email (median, p95, worst).

Afterwards every message must be ``sent`` and the server must hold each ``Message-ID``
exactly once. Writes ``bench/comms/results/outbox.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time as clock_time, timedelta
from email import message_from_bytes
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from fleetline.clock import SystemClock
from fleetline.comms.channels.email import EmailChannel, SmtpServer
from fleetline.comms.outbox import OutboxDispatcher
from fleetline.domain.messages import NoticeKind, NoticeStatus, Notification
from fleetline.domain.model import (
    Channel,
    Client,
    Contact,
    Depot,
    Location,
    Order,
    TimeWindow,
)
from fleetline.store.database import make_engine, make_session_factory
from fleetline.store.migrate import upgrade
from fleetline.store.unit_of_work import SqlUnitOfWork

POSTGRES_URL = os.environ.get(
    "FLEETLINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
RESULTS = Path(__file__).resolve().parent / "results" / "outbox.md"
DAY = date(2026, 3, 2)


class Sink:
    """Holds what the SMTP server accepted, with the time it arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message_id = str(message_from_bytes(envelope.content)["Message-ID"])
        with self._lock:
            self.arrived[message_id] = [*self.arrived.get(message_id, []), time.perf_counter()]
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[str, Sink]]:
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", sink
    finally:
        controller.stop()


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
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


def postgres_reachable() -> bool:
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def seed(uows: Callable[[], SqlUnitOfWork], orders: int) -> None:
    start = datetime.combine(DAY, clock_time(8), tzinfo=UTC)
    with uows() as uow:
        uow.depots.add(Depot("d1", "Schaan", Location(47.165, 9.51), "Europe/Vaduz"))
        uow.clients.add(Client("c1", "Bench client", 3, Contact(email="c1@example.li")))
        uow.orders.add_many(
            Order(
                f"o{i}",
                "c1",
                DAY,
                Location(47.14, 9.52),
                (TimeWindow(start, start + timedelta(hours=2)),),
                {"weight_kg": 10},
                120,
            )
            for i in range(orders)
        )
        uow.commit()


def email(index: int, now: datetime) -> Notification:
    return Notification(
        id=f"ntf_{index:06d}",
        order_id=f"o{index}",
        client_id="c1",
        kind=NoticeKind.PROMISED_WINDOW,
        channel=Channel.EMAIL,
        recipient=f"client{index}@example.li",
        subject="Your delivery on Monday: 08:00-10:00",
        body="Your delivery arrives on Monday between 08:00 and 10:00.\n" * 6,
        html_body="<p>Your delivery arrives on Monday between <b>08:00 and 10:00</b>.</p>" * 6,
        dedupe_key=f"o{index}:promised_window",
        created_at=now,
        cause_at=now,
        not_before=now,
    )


def run(kind: str, messages: int, trickle: int) -> dict[str, Any]:
    clock = SystemClock()
    with database(kind) as url, smtp_server() as (smtp_url, sink):
        upgrade(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)

        def uows() -> SqlUnitOfWork:
            return SqlUnitOfWork(sessions, clock)

        seed(uows, messages + trickle)
        channel = EmailChannel(SmtpServer.from_url(smtp_url), "bench@fleetline.test")
        dispatcher = OutboxDispatcher(uows, clock, {Channel.EMAIL: channel})

        with uows() as uow:
            uow.notifications.add_new(email(i, clock.now()) for i in range(messages))
            uow.commit()
        started = time.perf_counter()
        report = dispatcher.drain()
        burst_s = time.perf_counter() - started
        assert report.sent == messages, report

        dispatcher.start()
        delays: list[float] = []
        for i in range(messages, messages + trickle):
            with uows() as uow:
                uow.notifications.add_new([email(i, clock.now())])
                uow.commit()
            queued = time.perf_counter()
            dispatcher.wake()
            key = f"<ntf_{i:06d}@fleetline>"
            deadline = queued + 30
            while key not in sink.arrived and time.perf_counter() < deadline:
                time.sleep(0.0005)
            delays.append((sink.arrived[key][0] - queued) * 1000)
            time.sleep(0.02)
        dispatcher.close()

        with uows() as uow:
            open_or_failed = uow.notifications.in_status(
                NoticeStatus.QUEUED, NoticeStatus.SENDING, NoticeStatus.PARKED
            )
        engine.dispose()
        duplicates = sum(len(times) - 1 for times in sink.arrived.values())
        lost = messages + trickle - len(sink.arrived)
        delays.sort()
        return {
            "database": kind,
            "messages": messages,
            "per_s": messages / burst_s,
            "burst_s": burst_s,
            "trickle": trickle,
            "p50_ms": statistics.median(delays),
            "p95_ms": delays[int(0.95 * (len(delays) - 1))],
            "max_ms": delays[-1],
            "duplicates": duplicates,
            "lost": lost,
            "not_sent": len(open_or_failed),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--trickle", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    kinds = ["sqlite"]
    if not args.no_postgres and postgres_reachable():
        kinds.append("postgresql")
    rows = [run(kind, args.messages, args.trickle) for kind in kinds]
    load = os.getloadavg()[0]
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load {load:.1f} at the end "
        "(`uv run python bench/comms/outbox.py`).",
        "",
        "| database | burst | emails/s | queued → at the SMTP server (p50 / p95 / worst) "
        "| lost / doubled / not marked sent |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['database']} | {row['messages']:,} in {row['burst_s']:.1f} s "
            f"| {row['per_s']:,.0f} | {row['p50_ms']:.0f} / {row['p95_ms']:.0f} / "
            f"{row['max_ms']:.0f} ms ({row['trickle']} single messages) "
            f"| {row['lost']} / {row['duplicates']} / {row['not_sent']} |"
        )
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
