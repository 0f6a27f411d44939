"""Set-up of a load run: a fresh PostgreSQL database with a company whose day is live now.

Everything is made in this process through the product's own services (``bootstrap``,
the simulator's ``seed_company``, ``RequestPlan``, ``DispatchPlan``, ``issue_token``,
``issue_link``); the services are closed before the server starts on the same database.

``fleetline serve`` runs on the system clock, and the company's time zone says what
"today" is there. So that the served day is a morning in full swing (shifts started at
06:30 and 07:00, the first windows opening at 08:00), the company is given, unless
``--timezone`` says otherwise, the whole-hour zone (``Etc/GMT±N``) whose local time is
nearest to 07:30 now; the company is otherwise the simulator's Rhine-valley company.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as clock_time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from fleetline.bootstrap import bootstrap
from fleetline.comms.tracking_links import issue_link
from fleetline.demo import wait_for_plan
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.domain.model import PlanStatus
from fleetline.operations.access import issue_token
from fleetline.settings import Settings
from fleetline.sim.company import LIECHTENSTEIN, CompanySpec, seed_company

POSTGRES_URL = os.environ.get(
    "FLEETLINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
"""The server and maintenance database the run's own database is created from."""
MORNING = clock_time(7, 30)
"""Local time the served day is placed at when no time zone is given."""


class SetupFailed(Exception):
    """The company or its plan could not be made."""


@dataclass
class Prepared:
    """What the load needs to know about the seeded company, and how long set-up took."""

    database: str
    database_url: str
    day: date
    timezone: str
    depot: tuple[float, float]
    vehicle_ids: list[str]
    routes: dict[str, list[tuple[float, float]]]
    """Each truck's stops in planned order, as (lat, lon)."""
    order_ids: list[str]
    """Orders on a route of the dispatched plan."""
    tokens: dict[str, list[str]]
    """Bearer secrets by role: one admin, one integration, one per agent and console."""
    tracking_tokens: list[str]
    plan: dict[str, Any] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)


def create_database(base_url: str = POSTGRES_URL) -> tuple[str, str]:
    """Create an empty database ``fleetline_load_<random>`` on the server of ``base_url``.

    Parameters
    ----------
    base_url
        SQLAlchemy URL of an existing database on the server (``test`` by default).

    Returns
    -------
    tuple of str
        The new database's name and its SQLAlchemy URL.
    """
    name = f"fleetline_load_{secrets.token_hex(4)}"
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    url = make_url(base_url).set(database=name)
    return name, url.render_as_string(hide_password=False)


def drop_database(name: str, base_url: str = POSTGRES_URL) -> None:
    """Drop the run's database, closing any connection still open to it.

    Parameters
    ----------
    name
        The database made by :func:`create_database`.
    base_url
        SQLAlchemy URL of another database on the same server.
    """
    if not name.startswith("fleetline_load_"):
        raise ValueError(f"refusing to drop {name!r}: not a load-run database")
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def morning_zone(now: datetime, target: clock_time = MORNING) -> str:
    """Return the whole-hour time zone in which ``now`` is nearest to ``target``.

    Only zones whose date at ``now`` is the UTC date are considered, so that the day's
    positions, stored in UTC, fall on the served day's date whatever the hour.

    Parameters
    ----------
    now
        An aware moment (the run's start).
    target
        The local time wanted.

    Returns
    -------
    str
        An IANA name, ``Etc/GMT-2`` for UTC+2 (the ``Etc`` names have inverted signs).
    """
    utc = now.astimezone(UTC)
    wanted = utc.replace(hour=target.hour, minute=target.minute, second=0, microsecond=0)
    best, best_gap = 0, timedelta.max
    for hours in range(-12, 15):
        local = utc + timedelta(hours=hours)
        if local.date() != utc.date():
            continue
        gap = abs(local - wanted)
        if gap < best_gap:
            best, best_gap = hours, gap
    if best == 0:
        return "Etc/UTC"
    return f"Etc/GMT{-best:+d}"


def prepare(
    *,
    trucks: int,
    orders: int,
    tracking_links: int,
    agents: int,
    consoles: int,
    seed: int = 7,
    timezone: str | None = None,
    plan_iterations: int = 2_000,
    plan_time_limit_s: float = 60.0,
    base_url: str = POSTGRES_URL,
    log: Any = print,
) -> Prepared:
    """Create the run's database and a company with its day dispatched for today.

    Parameters
    ----------
    trucks, orders
        Size of the company (the simulator's fleet and orders, from ``seed``).
    tracking_links
        Tracking links to issue, one per planned order (at most one per order).
    agents, consoles
        Agent and dispatcher tokens to issue, one per simulated person.
    seed
        The simulator's seed.
    timezone
        The company's IANA time zone; ``None`` picks :func:`morning_zone`.
    plan_iterations, plan_time_limit_s
        Bounds of the day plan's search (the first reached stops it).
    base_url
        SQLAlchemy URL of an existing database on the PostgreSQL server.
    log
        Called with progress lines.

    Returns
    -------
    Prepared
        The database, the company's ids, tokens and tracking tokens; on failure the
        database is dropped and :class:`SetupFailed` raised.
    """
    zone_name = timezone or morning_zone(datetime.now(UTC))
    zone = ZoneInfo(zone_name)
    day = datetime.now(zone).date()
    name, url = create_database(base_url)
    log(f"database {name}; company time zone {zone_name}, local {datetime.now(zone):%H:%M}")
    try:
        return _prepare_in(
            name,
            url,
            zone_name,
            day,
            trucks=trucks,
            orders=orders,
            tracking_links=tracking_links,
            agents=agents,
            consoles=consoles,
            seed=seed,
            plan_iterations=plan_iterations,
            plan_time_limit_s=plan_time_limit_s,
            log=log,
        )
    except BaseException:
        drop_database(name, base_url)
        raise


def _prepare_in(
    name: str,
    url: str,
    zone_name: str,
    day: date,
    *,
    trucks: int,
    orders: int,
    tracking_links: int,
    agents: int,
    consoles: int,
    seed: int,
    plan_iterations: int,
    plan_time_limit_s: float,
    log: Any,
) -> Prepared:
    timings: dict[str, float] = {}
    settings = Settings(
        database_url=url,
        solver_processes=0,
        solver_max_iterations=plan_iterations,
        solver_time_limit_s=plan_time_limit_s,
        mqtt_url=None,
    )
    started = time.perf_counter()
    services = bootstrap(settings, recover=False, live_refresh=False, send_messages=False)
    try:
        timings["migrate"] = time.perf_counter() - started
        area = dataclasses.replace(LIECHTENSTEIN, timezone=zone_name)
        spec = CompanySpec(trucks=trucks, orders=orders, day=day, seed=seed, area=area)
        log(f"seeding {trucks} trucks and {orders} orders for {day} ...")
        mark = time.perf_counter()
        company = seed_company(services.bus, spec)
        timings["seed"] = time.perf_counter() - mark
        log(f"planning ({plan_iterations} iterations at most, {plan_time_limit_s:g} s) ...")
        mark = time.perf_counter()
        requested = services.bus.handle(
            commands.RequestPlan(date=day, time_limit_s=plan_time_limit_s)
        )
        plan = wait_for_plan(services, requested.id, plan_time_limit_s * 3 + 120)
        timings["plan"] = time.perf_counter() - mark
        if plan.status is not PlanStatus.READY:
            raise SetupFailed(f"the plan is {plan.status.value}: {plan.error or 'still solving'}")
        services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
        mark = time.perf_counter()
        with services.uow_factory() as uow:
            tokens = _issue_tokens(uow, services.bus.context, agents, consoles)
            routed = [stop.order_id for route in plan.routes for stop in route.latest_stops()]
            by_id = {order.id: order for order in uow.orders.get_many(routed)}
            now = services.clock.now()
            links = [
                issue_link(uow, by_id[order_id], now, ZoneInfo(zone_name))
                for order_id in routed[:tracking_links]
            ]
            uow.commit()
        timings["tokens_and_links"] = time.perf_counter() - mark
        routes = {
            route.vehicle_id: [
                (by_id[stop.order_id].location.lat, by_id[stop.order_id].location.lon)
                for stop in route.latest_stops()
            ]
            for route in plan.routes
        }
    finally:
        services.close()
    log(
        f"plan v{plan.version}: {len(plan.routes)} routes, {len(routed)} stops, "
        f"{len(plan.unassigned)} unassigned; dispatched; {len(links)} tracking links"
    )
    return Prepared(
        database=name,
        database_url=url,
        day=day,
        timezone=zone_name,
        depot=(spec.area.depot.lat, spec.area.depot.lon),
        vehicle_ids=list(company.vehicle_ids),
        routes=routes,
        order_ids=routed,
        tokens=tokens,
        tracking_tokens=links,
        plan={
            "id": plan.id,
            "version": plan.version,
            "routes": len(plan.routes),
            "stops": len(routed),
            "unassigned": len(plan.unassigned),
            "iterations_max": plan_iterations,
            "time_limit_s": plan_time_limit_s,
        },
        timings_s={key: round(value, 1) for key, value in timings.items()},
    )


def _issue_tokens(uow: Any, context: Any, agents: int, consoles: int) -> dict[str, list[str]]:
    wanted = {
        Role.ADMIN: 1,
        Role.INTEGRATION: 1,
        Role.AGENT: max(agents, 1),
        Role.DISPATCHER: max(consoles, 1),
    }
    tokens: dict[str, list[str]] = {}
    for role, count in wanted.items():
        tokens[role.value] = [
            issue_token(uow, context, role, f"load {role.value} {number + 1}")[0]
            for number in range(count)
        ]
    return tokens
