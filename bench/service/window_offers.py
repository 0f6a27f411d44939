"""How long a client waits for the windows the tracking page offers.

``uv run python bench/service/window_offers.py [--trucks 30] [--orders 450] [--time-limit 10]``

Builds the simulator's company on a temporary SQLite database, plans and dispatches the
day with the product's planner (crow-flies travel times, the embedded default), sets the
clock to 10:00 and, for every truck, asks for the windows its middle remaining stop could
move to (:func:`fleetline.operations.window_offers.offered_windows`, what
``GET /track/{token}/windows`` answers with), then the same through the API for a few
stops. Prints a Markdown table to paste into ``bench/README.md``.

Goal: an answer well within a page load (1 s on the server) for a route of about 20 stops.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, time as clock_time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.comms.tracking_links import issue_link
from fleetline.demo import wait_for_plan
from fleetline.domain import commands
from fleetline.domain.model import PlanStatus
from fleetline.operations.window_offers import offered_windows
from fleetline.server import build_app
from fleetline.settings import Settings
from fleetline.sim.company import CompanySpec, seed_company


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--trucks", type=int, default=30)
    parser.add_argument("--orders", type=int, default=450)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--api-calls", type=int, default=10)
    args = parser.parse_args()
    spec = CompanySpec(trucks=args.trucks, orders=args.orders, seed=11)
    zone = ZoneInfo(spec.area.timezone)
    folder = Path(tempfile.mkdtemp(prefix="bench-offers-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fleetline.sqlite3'}",
        solver_processes=0,
        mqtt_url=None,
    )
    clock = FixedClock(datetime.combine(spec.day - timedelta(days=1), clock_time(17), zone))
    services = bootstrap(settings, clock=clock, recover=False)
    seed_company(services.bus, spec)
    requested = services.bus.handle(
        commands.RequestPlan(date=spec.day, time_limit_s=args.time_limit)
    )
    plan = wait_for_plan(services, requested.id, args.time_limit * 6 + 60)
    assert plan.status is PlanStatus.READY, plan
    services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
    clock.set(datetime.combine(spec.day, clock_time(10), zone))
    picture = services.live.refresh(spec.day)
    asked = [
        run.remaining[len(run.remaining) // 2].order_id
        for run in picture.snapshot.vehicles
        if len(run.remaining) >= 3
    ]
    route_lengths = [len(run.remaining) for run in picture.snapshot.vehicles if run.remaining]
    timings, counts = [], []
    for order_id in asked:
        started = time.perf_counter()
        offers = offered_windows(picture, order_id, services.travel_times, clock.now())
        timings.append((time.perf_counter() - started) * 1000)
        counts.append(len(offers))

    with services.uow_factory() as uow:
        links = {}
        for order_id in asked[: args.api_calls]:
            order = uow.orders.get(order_id)
            assert order is not None
            links[order_id] = issue_link(uow, order, clock.now(), zone)
        uow.commit()
    api_ms = []
    with TestClient(build_app(services)) as client:
        for token in links.values():
            started = time.perf_counter()
            answer = client.get(f"/track/{token}/windows")
            api_ms.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
    services.close()

    print()
    print(f"| figure | {args.trucks} trucks, {sum(route_lengths):,} stops left at 10:00 |")
    print("|---|---|")
    print(
        f"| remaining stops per truck, median / most "
        f"| {statistics.median(route_lengths):.0f} / {max(route_lengths)} |"
    )
    print(
        f"| offered windows, one stop per truck ({len(timings)}), median / p95 / worst "
        f"| {statistics.median(timings):.0f} / {_p95(timings):.0f} / {max(timings):.0f} ms |"
    )
    print(f"| windows offered per stop, median | {statistics.median(counts):.0f} |")
    print(
        f"| GET /track/{{token}}/windows, {len(api_ms)} calls, median / worst "
        f"| {statistics.median(api_ms):.0f} / {max(api_ms):.0f} ms |"
    )


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
