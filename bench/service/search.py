"""Time the agent's search and an order's status on a day of 5,000 orders.

The claim it checks: on a dispatched day of 5,000 orders (200 trucks, 25 stops each,
1,000 clients), a search answers in well under 100 ms and an order's status (live
picture warm) in well under 100 ms, on the embedded SQLite store.

Run from the repository root::

    uv run python bench/service/search.py [--orders 5000] [--repeat 200]

The day is built through the bus (clients, orders, an imported plan of 200 routes made
here, its dispatch) into a temporary SQLite file; building it is not timed. The live
picture is computed once before timing status requests, as the live service keeps it
warm. Each query kind is timed ``--repeat`` times (median and 95th percentile).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.model import Contact, Location, TimeWindow
from fleetline.network.factory import travel_times_for
from fleetline.operations.order_status import order_status
from fleetline.operations.search import search
from fleetline.settings import Settings

ZONE = ZoneInfo("Europe/Vaduz")
DAY = date(2026, 11, 26)
TRUCKS = 200
CLIENTS = 1000


def _build(services, orders: int, rng: random.Random) -> list[str]:  # type: ignore[no-untyped-def]
    handle = services.bus.handle
    depot = handle(
        commands.CreateDepot(name="Schaan", location=Location(47.165, 9.5095), timezone=ZONE.key)
    )
    vehicles = [
        handle(
            commands.CreateVehicle(
                name=f"Truck {n}",
                depot_id=depot.id,
                capacity={"pallets": 60},
                shift_start=clock_time(6),
                shift_end=clock_time(20),
            )
        ).id
        for n in range(TRUCKS)
    ]
    clients = [
        handle(
            commands.CreateClient(
                name=f"{rng.choice(['Bäckerei', 'Garage', 'Hotel', 'Praxis'])} {n:04d} AG",
                priority=rng.randint(1, 5),
                contact=Contact(email=f"orders{n}@client{n}.li", phone=f"+423 {n:07d}"),
            )
        ).id
        for n in range(CLIENTS)
    ]
    window = TimeWindow(
        datetime.combine(DAY, clock_time(7), ZONE), datetime.combine(DAY, clock_time(19), ZONE)
    )
    drafts = tuple(
        commands.OrderDraft(
            client_id=clients[i % CLIENTS],
            date=DAY,
            location=Location(rng.uniform(47.06, 47.24), rng.uniform(9.47, 9.60)),
            time_windows=(window,),
            demand={"pallets": 1},
            service_s=120,
            reference=f"REF-{i:05d}",
        )
        for i in range(orders)
    )
    created = handle(commands.CreateOrders(orders=drafts))
    order_ids = [order.id for order in created]
    per_truck = -(-len(order_ids) // TRUCKS)
    routes = tuple(
        commands.RouteDraft(
            vehicle_id=vehicle,
            order_ids=tuple(order_ids[n * per_truck : (n + 1) * per_truck]),
        )
        for n, vehicle in enumerate(vehicles)
        if order_ids[n * per_truck : (n + 1) * per_truck]
    )
    plan = handle(commands.ImportPlan(date=DAY, routes=routes))
    handle(commands.DispatchPlan(plan_id=plan.id))
    return order_ids


def _time(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def main() -> None:
    """Build the day, time the searches and the status, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        clock = FixedClock(datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
        services = bootstrap(
            Settings(database_url=url, solver_processes=0),
            clock=clock,
            travel_times=travel_times_for(None, clock=clock),
            recover=False,
            live_refresh=False,
            send_messages=False,
        )
        try:
            built = time.perf_counter()
            order_ids = _build(services, args.orders, rng)
            print(f"day of {len(order_ids)} orders built in {time.perf_counter() - built:.1f} s")
            services.live.picture(DAY)
            queries = {
                "client name (substring)": "0421 ag",
                "order reference (prefix)": "REF-0421",
                "phone (formatted)": "+423 000 04 21",
                "email": "orders421@client421.li",
            }
            rows = []
            for label, query in queries.items():

                def run(q: str = query) -> object:
                    with services.uow_factory() as uow:
                        return search(uow, q)

                found = run()
                assert found.orders or found.clients, label  # type: ignore[attr-defined]
                rows.append((f"search: {label}", *_time(run, args.repeat)))
            picks = [rng.choice(order_ids) for _ in range(args.repeat)]
            cursor = iter(picks * 2)

            def status() -> object:
                with services.uow_factory() as uow:
                    return order_status(uow, services.live.picture, next(cursor), clock.now())

            rows.append(("order status (live picture warm)", *_time(status, args.repeat)))
        finally:
            services.close()
    print("| query | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for label, p50, p95 in rows:
        print(f"| {label} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
