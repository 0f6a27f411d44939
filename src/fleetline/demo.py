"""``fleetline demo``: a synthetic company with its day planned, served on the defaults."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from pathlib import Path

from fleetline.bootstrap import Services, bootstrap
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.domain.model import Plan, PlanStatus
from fleetline.operations.access import issue_token
from fleetline.server import serve
from fleetline.settings import Settings
from fleetline.sim.company import CompanySpec, seed_company
from fleetline.sim.config import DisruptionRates, SimConfig
from fleetline.sim.local import demo_clock_start, start_live_day

DEMO_DATABASE = Path("fleetline-demo.sqlite3")
DEMO_MORNING = dt.time(6, 30)
"""The earliest shift start of the synthetic fleet."""
"""Where the demo's simulated clock starts, local time on the demo's day."""


CONSOLE_TITLES = {
    Role.DISPATCHER: "Dispatcher",
    Role.AGENT: "Customer service",
    Role.ADMIN: "Admin",
    Role.DRIVER: "Driver app",
}
"""The console each printed sign-in link opens, by the role of its token."""


def _fresh_database() -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{DEMO_DATABASE.resolve()}"


def wait_for_plan(services: Services, plan_id: str, timeout_s: float) -> Plan:
    """Return the plan once it is no longer solving, or as it is after ``timeout_s``.

    Parameters
    ----------
    services
        The running services, whose planner solves the plan.
    plan_id
        The plan asked for.
    timeout_s
        Seconds to wait at most.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        with services.uow_factory() as uow:
            plan = uow.plans.get(plan_id)
        assert plan is not None
        if plan.status is not PlanStatus.SOLVING or time.monotonic() > deadline:
            return plan
        time.sleep(0.2)


def run_demo(args: argparse.Namespace) -> None:
    """Seed the company, plan and dispatch its day, print how to look at it, and serve.

    The day is played live on a simulated clock (06:30 local at the start, ``--speed``
    simulated seconds per real second) by trucks that report through the served API.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings(database_url=_fresh_database())
    settings.host = args.host or settings.host
    settings.port = args.port or settings.port
    spec = CompanySpec(trucks=args.trucks, orders=args.orders, seed=args.seed)
    live_day = SimConfig(
        trucks=spec.trucks,
        orders=spec.orders,
        day=spec.day,
        seed=spec.seed,
        speed=args.speed,
        start=DEMO_MORNING,
        prepare=False,
        rates=DisruptionRates(breakdowns=0.05, failures=0.01, window_changes=0.02, incidents=0.05),
    )
    clock = FixedClock(demo_clock_start(live_day))
    services = bootstrap(settings, clock=clock)
    print(f"Seeding a company: {spec.trucks} trucks, {spec.orders} orders on {spec.day} ...")
    company = seed_company(services.bus, spec)
    tokens = {}
    with services.uow_factory() as uow:
        for role in (Role.ADMIN, Role.DISPATCHER, Role.AGENT):
            tokens[role], _ = issue_token(uow, services.bus.context, role, f"demo {role.value}")
        driver = uow.drivers.get(company.driver_ids[0])
        driver_name = driver.name if driver else "driver"
        tokens[Role.DRIVER], _ = issue_token(
            uow, services.bus.context, Role.DRIVER, driver_name, company.driver_ids[0]
        )
        uow.commit()
    print(f"Planning the day ({args.time_limit:g} s) ...", flush=True)
    requested = services.bus.handle(
        commands.RequestPlan(date=spec.day, time_limit_s=args.time_limit)
    )
    plan = wait_for_plan(services, requested.id, args.time_limit * 6 + 60)
    if plan.status is PlanStatus.READY:
        services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
        stops = sum(len(route.stops) for route in plan.routes)
        print(
            f"Plan v{plan.version}: {len(plan.routes)} routes, {stops} stops, "
            f"{len(plan.unassigned)} unassigned, {plan.distance_m / 1000:.0f} km; dispatched."
        )
    else:
        print(f"The plan is {plan.status.value}: {plan.error or 'still solving'}")
    base = f"http://{settings.host}:{settings.port}"
    print(f"\nFleetline demo at {base}")
    print(f"  API reference:   {base}/docs")
    print(f"  The day's plan:  {base}/api/v1/plans/{plan.id}")
    for role, secret in tokens.items():
        print(f"  {role.value:<11} token: {secret}")
    print("\nThe consoles (each link signs its browser in):")
    for role, title in CONSOLE_TITLES.items():
        print(f"  {title:<18} {base}/login?token={tokens[role]}")
    if plan.status is PlanStatus.READY and args.speed > 0:
        print(
            f"  The clock is simulated: {clock.now():%H:%M} on {spec.day} at the start, "
            f"running {args.speed:g}x; the trucks drive and report through the API."
        )
        start_live_day(live_day, clock, base, tokens[Role.DISPATCHER])
    print("Stop with Ctrl+C.\n", flush=True)
    serve(services, settings.host, settings.port)
