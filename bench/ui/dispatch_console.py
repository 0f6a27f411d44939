"""How the dispatcher console copes with 200 trucks and 4,000 stops live.

``uv run python bench/ui/dispatch_console.py [--trucks 200] [--orders 4000] [--pings 10]
[--database-url postgresql+psycopg://...]``

Builds the day on a temporary SQLite database (or the empty database given) through the
bus (the simulator's ``seed_company``, then a plan imported as it is: stops swept around
the depot, 20 per truck, and dispatched), then measures:

* server side: the time to build the page's data (live picture, map content, fleet rows)
  cold and warm, the size of the first map message, and one update batch (positions of
  a tenth of the fleet moved, picture refreshed, map content rebuilt and diffed), with
  the time of the picture's listeners (client messages, lateness watch) that the
  refresher runs on their own thread;
* in Chromium (Playwright): the time until the page shows every truck, and from a
  position posted through the API to that truck's marker having moved on the page.

Prints a Markdown table to paste into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, time as clock_time, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import uvicorn

from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.domain.model import Location
from fleetline.operations.access import issue_token
from fleetline.server import build_app
from fleetline.settings import Settings
from fleetline.sim.company import CompanySpec, seed_company
from fleetline.ui.dispatch.map_state import MapState, map_delta
from fleetline.ui.dispatch.reading import LiveReader

CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--trucks", type=int, default=200)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--pings", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to build the day in (default: a temporary SQLite file)",
    )
    args = parser.parse_args()
    spec = CompanySpec(trucks=args.trucks, orders=args.orders, seed=5)
    morning = datetime.combine(spec.day, clock_time(10, 0), tzinfo=ZoneInfo(spec.area.timezone))
    folder = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    port = _free_port()
    settings = Settings(
        database_url=args.database_url or f"sqlite:///{folder / 'fleetline.sqlite3'}",
        solver_processes=0,
        public_url=f"http://127.0.0.1:{port}",
        mqtt_url=None,
    )
    settings.port = port
    clock = FixedClock(morning)
    services = bootstrap(settings, clock=clock, recover=False)
    started = time.perf_counter()
    company = seed_company(services.bus, spec)
    with services.uow_factory() as uow:
        orders = uow.orders.list_by_date(spec.day, limit=args.orders + 10)
    depot = spec.area.depot
    orders.sort(key=lambda o: math.atan2(o.location.lat - depot.lat, o.location.lon - depot.lon))
    per_truck = math.ceil(len(orders) / len(company.vehicle_ids))
    routes = tuple(
        commands.RouteDraft(
            vehicle_id=vehicle_id,
            order_ids=tuple(o.id for o in orders[i * per_truck : (i + 1) * per_truck]),
        )
        for i, vehicle_id in enumerate(company.vehicle_ids)
        if orders[i * per_truck : (i + 1) * per_truck]
    )
    plan = services.bus.handle(commands.ImportPlan(date=spec.day, routes=routes))
    services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
    first_stop = {r.vehicle_id: r.order_ids[0] for r in routes}
    where = {o.id: o.location for o in orders}
    positions = tuple(
        commands.PositionReport(
            vehicle_id=vehicle_id,
            location=where[order_id],
            recorded_at=morning - timedelta(minutes=5),
        )
        for vehicle_id, order_id in first_stop.items()
    )
    services.bus.handle(commands.RecordPositions(positions=positions, source="bench"))
    print(f"day built in {time.perf_counter() - started:.1f} s: {len(orders)} stops")

    reader = LiveReader(services, spec.day)
    services.live.refresh(spec.day)
    cold_ms, _ = _timed(reader.look)
    warm = [_timed(reader.look)[0] for _ in range(5)]
    look = reader.look()
    first = map_delta(MapState(), look.map)
    first_bytes = len(json.dumps(first, separators=(",", ":")))
    moved = list(first_stop)[: max(1, len(first_stop) // 10)]
    update_ms = []
    update_bytes = []
    listeners_ms: list[float] = []
    for round_ in range(5):
        at = morning - timedelta(minutes=4) + timedelta(seconds=round_ + 1)
        reports = tuple(
            commands.PositionReport(
                vehicle_id=vehicle_id,
                location=Location(
                    where[first_stop[vehicle_id]].lat + 0.001 * (round_ + 1),
                    where[first_stop[vehicle_id]].lon,
                ),
                recorded_at=at,
            )
            for vehicle_id in moved
        )
        services.bus.handle(commands.RecordPositions(positions=reports, source="bench"))
        listeners = list(services.live.after_refresh)
        services.live.after_refresh.clear()  # the refresher runs them off the consoles' path
        refresh_ms, picture = _timed(partial(services.live.refresh, spec.day))
        services.live.after_refresh.extend(listeners)
        started_listeners = time.perf_counter()
        for listener in listeners:
            listener(picture)  # type: ignore[arg-type]
        listeners_ms.append((time.perf_counter() - started_listeners) * 1000)
        before = look.map
        clock_start = time.perf_counter()
        look = reader.look()
        delta = map_delta(before, look.map)
        update_ms.append((refresh_ms, (time.perf_counter() - clock_start) * 1000))
        update_bytes.append(len(json.dumps(delta, separators=(",", ":"))))

    with services.uow_factory() as uow:
        secret, _ = issue_token(uow, services.bus.context, Role.DISPATCHER, "bench")
        uow.commit()
    server = uvicorn.Server(
        uvicorn.Config(build_app(services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    from playwright.sync_api import sync_playwright

    latencies = []
    stored: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{url}/login?token={secret}")
        page.wait_for_load_state("networkidle")
        opened = time.perf_counter()
        page.goto(f"{url}/dispatch")
        page.wait_for_function(
            f"() => document.querySelectorAll('.fl-truck').length >= {len(first_stop)}",
            timeout=120_000,
        )
        page_s = time.perf_counter() - opened
        vehicle_id = moved[0]
        for ping in range(args.pings):
            lat = round(where[first_stop[vehicle_id]].lat - 0.002 * (ping + 1), 6)
            body = {
                "positions": [
                    {
                        "vehicle_id": vehicle_id,
                        "lat": lat,
                        "lon": where[first_stop[vehicle_id]].lon,
                        "recorded_at": (morning + timedelta(seconds=ping + 1)).isoformat(),
                    }
                ]
            }
            posted = time.perf_counter()
            assert api.post("/api/v1/telemetry/positions", json=body).status_code == 202
            stored.append(time.perf_counter() - posted)
            page.wait_for_function(
                """([id, lat]) => {
                    const m = document.querySelector(`.fl-truck[data-vehicle-id="${id}"]`);
                    return m && Math.abs(Number(m.dataset.lat) - lat) < 1e-6;
                }""",
                arg=[vehicle_id, lat],
                timeout=30_000,
            )
            latencies.append(time.perf_counter() - posted)
            time.sleep(0.3)
        browser.close()
    server.should_exit = True
    thread.join(timeout=10)
    services.close()

    refreshes = [r for r, _ in update_ms]
    builds = [b for _, b in update_ms]
    print()
    print(f"| figure | {args.trucks} trucks, {len(orders):,} stops |")
    print("|---|---|")
    print(f"| page data, cold (picture computed) | {cold_ms:.0f} ms |")
    print(f"| page data, warm (median of 5) | {statistics.median(warm):.0f} ms |")
    print(f"| first map message | {first_bytes / 1024:.0f} KiB |")
    print(
        f"| update batch: live picture ({len(moved)} trucks moved), median of 5 "
        f"| {statistics.median(refreshes):.0f} ms |"
    )
    print(
        "| after it, off the consoles' path: client-message rules and lateness watch, "
        f"median of 5 | {statistics.median(listeners_ms):.0f} ms |"
    )
    print(f"| update batch: map content + diff, median of 5 | {statistics.median(builds):.0f} ms |")
    print(f"| update message | {statistics.median(update_bytes) / 1024:.1f} KiB |")
    print(f"| page open → every truck on the map (Chromium) | {page_s:.1f} s |")
    print(
        f"| position posted → marker moved, p50 / worst of {len(latencies)} "
        f"| {statistics.median(latencies):.2f} / {max(latencies):.2f} s |"
    )
    print(
        f"| of which the POST until stored (202), p50 / worst "
        f"| {statistics.median(stored):.2f} / {max(stored):.2f} s |"
    )


if __name__ == "__main__":
    main()
