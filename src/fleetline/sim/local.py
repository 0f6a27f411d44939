"""Where a simulated day runs: in this process on a fresh database, or live beside a server.

``fleetline simulate`` plays the day in-process through FastAPI's test client (real HTTP
requests to the application, without a socket) on a temporary SQLite database; ``fleetline
demo`` plays it in a background thread against the served API at 60× real time.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import threading
import time as walltime
import warnings
from collections.abc import Callable, Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from fleetline.api.app import create_app
from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.access import Role
from fleetline.domain.events import MessageHoldChanged, NotificationsQueued
from fleetline.operations.access import issue_token
from fleetline.settings import Settings
from fleetline.sim.client import SimulationFailed
from fleetline.sim.company import LIECHTENSTEIN
from fleetline.sim.config import DisruptionRates, SimConfig
from fleetline.sim.day import SimulatedDay
from fleetline.sim.held_work import HeldWork
from fleetline.sim.report import SimReport
from fleetline.sim.sends import SimulatedSends

log = logging.getLogger(__name__)


def run_in_process(
    config: SimConfig,
    database_url: str | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    keep: Callable[[SimulatedDay], None] | None = None,
    after: Callable[[httpx.Client, SimReport], None] | None = None,
    settings: Mapping[str, Any] | None = None,
) -> SimReport:
    """Play a day against a Fleetline of its own, in this process.

    Parameters
    ----------
    config
        The day.
    database_url
        The database to use (it should be empty); a temporary SQLite file when not given.
    progress
        Receives a line each simulated hour.
    keep
        Receives the :class:`SimulatedDay` before it runs (tests look at its trucks).
    after
        Called with the API client and the report once the day is over, before the
        system stops (to look at the day through the API).
    settings
        Further settings of the simulated installation (e.g. ``smtp_url``, so that the
        day's client messages reach a mail server).
    """
    with tempfile.TemporaryDirectory(prefix="fleetline-sim-") as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'day.sqlite3'}"
        installation = Settings(
            database_url=url,
            region=config.region,
            solver_processes=0,
            solver_time_limit_s=config.time_limit_s,
            solver_max_iterations=config.plan_iterations,
            options_time_limit_s=min(config.time_limit_s, 60.0),
            options_max_iterations=config.option_iterations,
            mqtt_url=None,
            **(settings or {}),
        )
        zone = ZoneInfo(LIECHTENSTEIN.timezone)
        clock = FixedClock(datetime.combine(config.day, time(5, 0), tzinfo=zone))
        held = HeldWork()
        services = bootstrap(
            installation,
            clock=clock,
            recover=False,
            live_refresh=False,
            send_messages=False,
            background=held,
        )
        try:
            with services.uow_factory() as uow:
                secret, _ = issue_token(uow, services.bus.context, Role.DISPATCHER, "simulator")
                uow.commit()
            replanner = services.replanner
            wait = replanner.wait if replanner is not None else services.exceptions.wait

            def settle() -> None:
                """The server's background solves of this moment, done at this moment."""
                held.run_all()
                wait()

            deliver = None
            if services.outbox is not None:
                deliver = SimulatedSends(services.outbox, clock)
                for nudge in (NotificationsQueued, MessageHoldChanged):
                    services.bus.event_handlers.setdefault(nudge, []).append(deliver.on_event)
            day = SimulatedDay(
                config, set_time=clock.set, settle=settle, deliver=deliver, log=progress
            )
            if keep is not None:
                keep(day)
            headers = {"Authorization": f"Bearer {secret}"}
            with warnings.catch_warnings():  # its transport's deprecation notice is not ours
                warnings.simplefilter("ignore")
                from fastapi.testclient import TestClient  # only simulate runs in-process

            with TestClient(create_app(services), headers=headers) as client:
                report = day.run(client)
                if after is not None:
                    after(client, report)
                return report
        finally:
            services.close()


def demo_clock_start(config: SimConfig) -> datetime:
    """The demo's simulated clock at the start: 06:30 local on the demo's day."""
    zone = ZoneInfo(LIECHTENSTEIN.timezone)
    return datetime.combine(config.day, config.start or time(6, 30), tzinfo=zone)


def start_live_day(
    config: SimConfig, clock: FixedClock, base_url: str, token: str
) -> tuple[threading.Thread, SimulatedDay]:
    """Play the day in a background thread against a server at ``base_url``.

    The server must share ``clock`` (same process); the thread waits for it to answer,
    then plays the day at ``config.speed`` and logs its summary at the end.
    """
    day = SimulatedDay(
        config, set_time=clock.set, log=lambda line: log.warning("simulated %s", line)
    )

    def play() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
            for _ in range(600):
                try:
                    client.get("/api/v1/depots")
                    break
                except httpx.TransportError:
                    walltime.sleep(0.1)
            try:
                report = day.run(client)
            except Exception:
                log.exception("the simulated day stopped")
                return
        print("\n" + report.summary(), flush=True)

    thread = threading.Thread(target=play, name="simulated-day", daemon=True)
    thread.start()
    return thread, day


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError(f"a rate is between 0 and 1, not {text}")
    return value


def config_from_args(args: argparse.Namespace) -> SimConfig:
    """The day that ``fleetline simulate``'s options describe."""
    forced = []
    for item in args.breakdown or ():
        truck, _, clock_time = item.rpartition("@")
        index = int(truck) - 1 if truck else -1
        forced.append((index, time.fromisoformat(clock_time).strftime("%H:%M")))
    return SimConfig(
        trucks=args.trucks,
        orders=args.orders,
        seed=args.seed,
        speed=args.speed,
        region=args.region,
        rates=DisruptionRates(
            breakdowns=_rate(args.breakdowns),
            failures=_rate(args.failures),
            window_changes=_rate(args.window_changes),
            incidents=_rate(args.incidents),
        ),
        until=time.fromisoformat(args.until) if args.until else None,
        time_limit_s=args.time_limit,
        decision_delay_s=args.decision_delay,
        forced_breakdowns=tuple(forced),
        plan_from=args.plan_from,
    )


def run_simulate(args: argparse.Namespace) -> None:
    """``fleetline simulate``: play the day in-process, print the summary, write the report."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        config = config_from_args(args)
    except ValueError as error:
        raise SimulationFailed(f"bad option: {error}") from error
    print(
        f"Simulating {config.day}: {config.trucks} trucks, {config.orders} orders, seed "
        f"{config.seed}, " + ("as fast as possible" if not config.speed else f"{config.speed:g}x"),
        flush=True,
    )
    report = run_in_process(
        config,
        os.environ.get("FLEETLINE_DATABASE_URL"),
        progress=(lambda line: print(f"  {line}", flush=True)) if args.verbose else None,
    )
    print(report.summary())
    if args.report is not None:
        report.write(args.report)
        print(f"report written to {args.report}")
