"""Time a whole-fleet ETA refresh: 200 trucks with 20 remaining stops each.

The claim it checks: one :func:`fleetline.operations.eta.forecast` over a 200-truck
day (4,000 remaining stops) takes at most 100 ms with crow-flies travel times and a warm
cache.

Run from the repository root::

    uv run python bench/live/eta_refresh.py              # crow-flies and OSRM (MLD)
    uv run python bench/live/eta_refresh.py --no-osrm    # crow-flies only

Scenarios, each timed over ``--refreshes`` refreshes (median and 95th percentile):

- ``cold``: a new, empty cache in front of the provider for every refresh (the cache is
  made outside the timed section).
- ``warm, same snapshot``: the same snapshot refreshed again and again through one cache.
- ``warm, every truck moved``: one cache, and every refresh sees every truck at a new
  position (the worst case); the snapshots are built before timing.
- ``warm, 1 in 15 trucks moved``: one cache, refreshes a second apart, each seeing new
  positions from the trucks whose ping (every 15 s) came in since the last one.

The day: positions and stops spread uniformly in the Liechtenstein box (47.06-47.24 N,
9.47-9.60 E), ``now`` at 10:00 Europe/Vaduz, windows two hours wide around a planned
time that advances about 20 minutes per stop, a few trucks serving a stop. The OSRM
region is prepared from ``../shared/osm/liechtenstein.osm.pbf`` with
:func:`fleetline.network.region.import_region` (MLD) into a temporary directory, not
timed. The results go to ``bench/live/results/eta_refresh.md``.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time as clock_time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from fleetline.domain.live import VehicleStatus
from fleetline.domain.model import Depot, Location, OrderState, TimeWindow, Vehicle
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.network.cache import CachedTravelTimes
from fleetline.network.factory import travel_times_for
from fleetline.network.region import import_region
from fleetline.operations.eta import forecast

ROOT = Path(__file__).resolve().parents[2]
PBF = ROOT.parent / "shared" / "osm" / "liechtenstein.osm.pbf"
RESULTS = Path(__file__).resolve().parent / "results" / "eta_refresh.md"
ZONE = ZoneInfo("Europe/Vaduz")
DAY = date(2025, 6, 3)
LAT = (47.06, 47.24)
LON = (9.47, 9.60)
GOAL_MS = 100.0
PING_EVERY_S = 15
"""Seconds between two positions of a truck; the live picture refreshes about every second."""


def _point(rng: random.Random) -> Location:
    return Location(lat=round(rng.uniform(*LAT), 6), lon=round(rng.uniform(*LON), 6))


def build_day(trucks: int, stops: int, seed: int) -> DaySnapshot:
    """A 200-truck-style day at 10:00 with ``stops`` remaining stops per truck."""
    rng = random.Random(seed)
    now = datetime(2025, 6, 3, 10, 0, tzinfo=ZONE)
    depot = Depot(id="d1", name="Schaan", location=Location(47.165, 9.5095), timezone=ZONE.key)
    runs = []
    for t in range(trucks):
        vehicle = Vehicle(
            id=f"v{t:03d}",
            name=f"Truck {t}",
            depot_id=depot.id,
            capacity={"pallets": 30},
            shift_start=clock_time(7),
            shift_end=clock_time(18),
        )
        serving = t % 10 == 0
        remaining = []
        for s in range(stops):
            planned = now + timedelta(minutes=10 + 20 * s + rng.randint(-5, 5))
            window = TimeWindow(planned - timedelta(hours=1), planned + timedelta(hours=1))
            remaining.append(
                RemainingStop(
                    order_id=f"o{t:03d}-{s:02d}",
                    client_id=f"c{t:03d}-{s:02d}",
                    location=_point(rng),
                    time_windows=(window,),
                    service_s=rng.choice((180, 300, 420)),
                    demand={"pallets": 1},
                    required_skills=frozenset(),
                    priority=1,
                    state=OrderState.ARRIVED if serving and s == 0 else OrderState.DISPATCHED,
                    planned_eta=planned,
                    promised_window=window,
                )
            )
        runs.append(
            VehicleRun(
                vehicle=vehicle,
                depot=depot,
                status=VehicleStatus.ON_DUTY,
                position=remaining[0].location if serving else _point(rng),
                position_at=now - timedelta(minutes=rng.randint(0, 4)),
                shift_start=datetime.combine(DAY, clock_time(7), ZONE),
                shift_end=datetime.combine(DAY, clock_time(18), ZONE),
                remaining=tuple(remaining),
                pace=rng.uniform(0.9, 1.2),
            )
        )
    return DaySnapshot(date=DAY, now=now, plan_id="p1", plan_version=1, vehicles=tuple(runs))


def moved(snapshot: DaySnapshot, seed: int, step_s: int = 30, every: int = 1) -> DaySnapshot:
    """The same day ``step_s`` later with driving trucks at new positions.

    With ``every`` > 1 only one truck in ``every`` moves (those whose index is ``seed``
    modulo ``every``): trucks pinging every ``every`` seconds seen by a refresh a second.
    """
    rng = random.Random(seed)
    runs = tuple(
        run
        if run.remaining[0].state is OrderState.ARRIVED or i % every != seed % every
        else replace(run, position=_point(rng), position_at=snapshot.now)
        for i, run in enumerate(snapshot.vehicles)
    )
    return DaySnapshot(
        date=snapshot.date,
        now=snapshot.now + timedelta(seconds=step_s * (seed + 1)),
        plan_id=snapshot.plan_id,
        plan_version=snapshot.plan_version,
        vehicles=runs,
    )


def time_refreshes(
    snapshots: list[DaySnapshot], provider: Callable[[int], TravelTimes]
) -> list[float]:
    """Milliseconds of one forecast per snapshot, with ``provider(i)`` made untimed."""
    timings = []
    for i, snapshot in enumerate(snapshots):
        travel_times = provider(i)
        gc.collect()  # no collection of an earlier refresh's garbage inside this one
        start = time.perf_counter()
        result = forecast(snapshot, travel_times)
        timings.append((time.perf_counter() - start) * 1000.0)
        assert len(result) == sum(len(run.remaining) for run in snapshot.vehicles)
    return timings


def scenarios(
    name: str, make: Callable[[], TravelTimes], base: DaySnapshot, refreshes: int
) -> list[tuple[str, str, list[float]]]:
    """Cold, warm (same snapshot) and warm (trucks moved) timings for one provider."""
    rows = [(name, "cold", time_refreshes([base] * refreshes, lambda _: make()))]
    warm = make()
    forecast(base, warm)  # fill the cache
    rows.append((name, "warm, same snapshot", time_refreshes([base] * refreshes, lambda _: warm)))
    walked = [moved(base, i) for i in range(refreshes)]
    rows.append((name, "warm, every truck moved", time_refreshes(walked, lambda _: warm)))
    pinged, current = [], base
    for i in range(refreshes):
        current = moved(current, i, step_s=1, every=PING_EVERY_S)
        pinged.append(current)
    rows.append(
        (name, f"warm, 1 in {PING_EVERY_S} trucks moved", time_refreshes(pinged, lambda _: warm))
    )
    return rows


def p95(values: list[float]) -> float:
    """The 95th percentile (inclusive method)."""
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def render(rows: list[tuple[str, str, list[float]]], args: argparse.Namespace) -> str:
    """The markdown fragment: one row per provider and scenario, and the machine's load."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "## ETA refresh: whole fleet",
        "",
        f"{args.trucks} trucks × {args.stops} remaining stops "
        f"({args.trucks * args.stops:,} stops), {args.refreshes} refreshes per row, "
        f"goal ≤ {GOAL_MS:.0f} ms with crow-flies and a warm cache. "
        "Made by `uv run python bench/live/eta_refresh.py`.",
        "",
        "| travel times | cache | median (ms) | p95 (ms) | max (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for provider, scenario, timings in rows:
        lines.append(
            f"| {provider} | {scenario} | {statistics.median(timings):.1f} "
            f"| {p95(timings):.1f} | {max(timings):.1f} |"
        )
    lines += [
        "",
        "A refresh asks for each driving truck's trip from its position to its next stop "
        "(single trips: one-cell queries on OSRM, one matrix over their ends on "
        "crow-flies), one matrix per truck over its remaining stops (both at the hour of "
        "`now`), and one small probe per later hour whose ratio to the current hour scales "
        "the legs leaving then. Cold: all of these are computed. Warm, same snapshot: the "
        "matrices come from the cache. Every truck moved: every trip from a position is new "
        "(the worst case). 1 in 15 moved: each refresh, a second after the last, sees new "
        "positions from the trucks whose ping came in (a ping every 15 s); the other "
        "trucks' trips are kept. A load average above the number of cores means other "
        "processes shared the machine and the times are inflated accordingly.",
        "",
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average (1, 5, 15 min) at the end: {load}; "
        f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Time the scenarios and write the markdown fragment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trucks", type=int, default=200)
    parser.add_argument("--stops", type=int, default=20)
    parser.add_argument("--refreshes", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-osrm", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    base = build_day(args.trucks, args.stops, args.seed)
    rows = scenarios("crow-flies", lambda: travel_times_for(None), base, args.refreshes)
    if not args.no_osrm:
        with tempfile.TemporaryDirectory(prefix="eta-bench-") as tmp:
            region = import_region(PBF, tmp, algorithm="MLD")
            inner = travel_times_for(region).provider  # one OSRM handle for every cache
            rows += scenarios(
                "OSRM (MLD), Liechtenstein",
                lambda: CachedTravelTimes(inner),
                base,
                args.refreshes,
            )
    text = render(rows, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
