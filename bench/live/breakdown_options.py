"""Time from a breakdown to ranked options, in a 30-, 100- and 200-truck day.

The claim it checks: :func:`fleetline.planning.options.breakdown_options` answers within
5 s (95th percentile) for a 200-truck day.

Run from the repository root::

    uv run python bench/live/breakdown_options.py            # crow-flies, then OSRM
    uv run python bench/live/breakdown_options.py --no-osrm  # crow-flies only

The day: a synthetic company of :mod:`fleetline.sim.company` (its depot, fleet, clients
and about 20 orders per truck), planned once with
:func:`fleetline.planning.day_planner.plan_day` on crow-flies (not timed). At 10:00 every
stop planned to start before 10:00 is taken as done and each truck stands at its last
done stop (the depot if none); trucks the plan did not use stand idle at the depot.
Then ``--breakdowns`` trucks (with at least three stops left, chosen by a seeded draw)
break down one at a time, and the wall time of one ``breakdown_options`` call (matrix,
neighbourhood, the what-if solves in two processes, impacts) is recorded. The OSRM rows
use the Liechtenstein road network, prepared from ``../shared/osm/liechtenstein.osm.pbf``
with :func:`fleetline.network.region.import_region` into a temporary directory (the day
is still planned on crow-flies). Results go to ``bench/live/results/breakdown_options.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fleetline.domain.live import VehicleStatus
from fleetline.domain.model import Client, Depot, Order, OrderState, Route, Vehicle
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.network.osrm_engine import OsrmTravelTimes
from fleetline.network.region import import_region
from fleetline.planning.day_planner import plan_day
from fleetline.planning.options import breakdown_options
from fleetline.sim.company import CompanySpec, client_commands, order_drafts, vehicle_commands

ROOT = Path(__file__).resolve().parents[2]
PBF = ROOT.parent / "shared" / "osm" / "liechtenstein.osm.pbf"
RESULTS = Path(__file__).resolve().parent / "results" / "breakdown_options.md"
GOAL_S = 5.0
PLAN_LIMIT_S = {30: 5.0, 100: 15.0, 200: 30.0}


def make_day(trucks: int, seed: int = 7) -> tuple[Depot, list[Vehicle], list[Order], list[Client]]:
    """A synthetic company's depot, fleet, clients and day of orders (20 per truck)."""
    spec = CompanySpec(trucks=trucks, orders=20 * trucks, seed=seed)
    depot = Depot("depot", "Schaan depot", spec.area.depot, spec.area.timezone)
    vehicles = [
        Vehicle(
            id=f"v{i:03d}",
            name=c.name,
            depot_id=depot.id,
            capacity=c.capacity,
            shift_start=c.shift_start,
            shift_end=c.shift_end,
            skills=c.skills,
            costs=c.costs,
            max_overtime_s=c.max_overtime_s,
        )
        for i, c in enumerate(vehicle_commands(spec, depot.id))
    ]
    clients = [Client(f"c{i:04d}", c.name, c.priority) for i, c in enumerate(client_commands(spec))]
    orders = [
        Order(
            id=f"o{i:05d}",
            client_id=d.client_id,
            date=d.date,
            location=d.location,
            time_windows=d.time_windows,
            demand=d.demand,
            service_s=d.service_s,
            required_skills=d.required_skills,
        )
        for i, d in enumerate(order_drafts(spec, [c.id for c in clients]))
    ]
    return depot, vehicles, orders, clients


def snapshot_at(
    now: datetime,
    depot: Depot,
    vehicles: list[Vehicle],
    orders: list[Order],
    clients: list[Client],
    routes: tuple[Route, ...],
) -> DaySnapshot:
    """The planned day at ``now``: stops started before ``now`` are done."""
    by_id = {o.id: o for o in orders}
    priority = {c.id: c.priority for c in clients}
    by_vehicle = {r.vehicle_id: r for r in routes}
    runs = []
    for vehicle in vehicles:
        shift = vehicle.shift_on(now.date(), depot.zone)
        route = by_vehicle.get(vehicle.id)
        stops = route.stops if route else ()
        done = [s for s in stops if s.service_start < now]
        left = [s for s in stops if s.service_start >= now]
        remaining = []
        for s in left:
            order = by_id[s.order_id]
            window = next(
                (w for w in order.time_windows if w.start <= s.service_start <= w.end), None
            )
            remaining.append(
                RemainingStop(
                    order_id=order.id,
                    client_id=order.client_id,
                    location=order.location,
                    time_windows=order.time_windows,
                    service_s=order.service_s,
                    demand=order.demand,
                    required_skills=order.required_skills,
                    priority=priority[order.client_id],
                    state=OrderState.DISPATCHED,
                    planned_eta=s.eta,
                    promised_window=window,
                )
            )
        on_board: dict[str, int] = {}
        for stop in remaining:
            for name, amount in stop.demand.items():
                on_board[name] = on_board.get(name, 0) + amount
        runs.append(
            VehicleRun(
                vehicle=vehicle,
                depot=depot,
                status=VehicleStatus.ON_DUTY,
                position=by_id[done[-1].order_id].location if done else depot.location,
                position_at=now,
                shift_start=shift.start,
                shift_end=shift.end,
                remaining=tuple(remaining),
                completed=tuple(s.order_id for s in done),
                on_board=on_board,
            )
        )
    return DaySnapshot(now.date(), now, "plan", 1, tuple(runs))


def measure(
    snapshot: DaySnapshot, travel_times: TravelTimes, count: int, time_limit_s: float, seed: int
) -> tuple[list[float], list[int]]:
    """Time ``count`` breakdowns of different trucks; return seconds and option counts."""
    candidates = [r.vehicle_id for r in snapshot.vehicles if len(r.remaining) >= 3]
    chosen = random.Random(seed).sample(candidates, min(count, len(candidates)))
    times: list[float] = []
    counts: list[int] = []
    for vehicle_id in chosen:
        day = replace(
            snapshot,
            vehicles=tuple(
                replace(r, status=VehicleStatus.BROKEN_DOWN) if r.vehicle_id == vehicle_id else r
                for r in snapshot.vehicles
            ),
        )
        started = time.perf_counter()
        options = breakdown_options(day, vehicle_id, travel_times, time_limit_s=time_limit_s)
        times.append(time.perf_counter() - started)
        counts.append(len(options))
        best = options[0]
        print(f"  {vehicle_id}: {times[-1]:.2f} s, {len(options)} options; 1. {best.summary}")
    return times, counts


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark and write the results fragment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fleets", type=int, nargs="+", default=[30, 100, 200])
    parser.add_argument("--breakdowns", type=int, default=12)
    parser.add_argument("--time-limit", type=float, default=2.0, help="per what-if solve (s)")
    parser.add_argument("--no-osrm", action="store_true")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory()
    osrm: TravelTimes | None = None
    if not args.no_osrm and PBF.exists():
        osrm = OsrmTravelTimes(import_region(PBF, Path(tmp.name) / "li"))

    rows = []
    for trucks in args.fleets:
        depot, vehicles, orders, clients = make_day(trucks)
        crow_day = CrowFliesTravelTimes(timezone=depot.zone)
        started = time.perf_counter()
        plan = plan_day(
            orders[0].date,
            [depot],
            vehicles,
            orders,
            clients,
            crow_day,
            time_limit_s=PLAN_LIMIT_S.get(trucks, 30.0),
        )
        planned_s = time.perf_counter() - started
        now = datetime.combine(orders[0].date, datetime.min.time(), tzinfo=depot.zone)
        snapshot = snapshot_at(
            now + timedelta(hours=10), depot, vehicles, orders, clients, plan.routes
        )
        left = sum(len(r.remaining) for r in snapshot.vehicles)
        print(f"{trucks} trucks: planned in {planned_s:.1f} s, {left} stops left at 10:00")
        providers: list[tuple[str, TravelTimes]] = [("crow-flies", crow_day)]
        if osrm is not None:
            providers.append(("OSRM (MLD), Liechtenstein", osrm))
        for name, provider in providers:
            times, counts = measure(snapshot, provider, args.breakdowns, args.time_limit, args.seed)
            rows.append((trucks, name, left, len(times), times, min(counts), max(counts)))

    load = os.getloadavg()
    lines = [
        "## Breakdown: time to ranked options",
        "",
        f"A breakdown at 10:00; {args.breakdowns} different trucks per row; each what-if solve "
        f"limited to {args.time_limit:g} s (rescue a quarter of it), solves in two processes; "
        f"goal p95 ≤ {GOAL_S:g} s at 200 trucks. "
        "Made by `uv run python bench/live/breakdown_options.py`.",
        "",
        "| trucks | travel times | stops left | breakdowns | options | median (s) "
        "| p95 (s) | max (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for trucks, name, left, n, times, lo, hi in rows:
        lines.append(
            f"| {trucks} | {name} | {left} | {n} | {lo}–{hi} | {statistics.median(times):.2f} "
            f"| {_p95(times):.2f} | {max(times):.2f} |"
        )
    lines += [
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"(1, 5, 15 min) at the end: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; measured "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    tmp.cleanup()


if __name__ == "__main__":
    main()
