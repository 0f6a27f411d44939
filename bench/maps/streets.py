"""The streets the maps draw without a tile server: file size, extraction time, first paint.

``uv run python bench/maps/streets.py [--runs 3] [--no-browser]``

* For each extract in ``../shared/osm`` (Liechtenstein, Monaco): the time to read and
  simplify its car roads (what ``fleetline region import`` adds), the points and segments
  kept, the size of ``roads.json`` (plain and gzipped).
* In Chromium (Playwright), on a served company of 4 trucks and 40 orders in the Rhine
  valley: the time from opening ``/dispatch`` until the map shows its trucks, and until
  the streets are drawn, with Liechtenstein's road layer and without it (a local tile URL
  that answers 404, as an unreachable tile server would, quickly); and the bytes the page
  received over its websocket.

Prints Markdown tables to paste into ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import gzip
import socket
import statistics
import tempfile
import threading
import time
from datetime import datetime, time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn

from fleetline.network.road_extract import extract_roads
from fleetline.network.road_layer import RoadLayer, write_roads

OSM = Path(__file__).resolve().parents[2].parent / "shared" / "osm"
CHROMIUM = "/usr/bin/chromium"
DRAWN = """() => { const box = document.querySelector('.fl-map');
  const el = box && getElement(box.id.slice(1)); if (!el || !el.map) return false;
  let n = 0; el.map.eachLayer((l) => { if (l.options && l.options.flRoad) n++; });
  return n > 0; }"""
TRUCKS = "() => { const b = document.querySelector('.fl-map'); return b && b.dataset.trucks > 0; }"


def extraction(names: list[str], folder: Path) -> dict[str, Path]:
    """Print the road layer figures of each extract; return the files written."""
    print("| extract | PBF | read + simplify | ways | points | segments | roads.json | gzipped |")
    print("|---|---|---|---|---|---|---|---|")
    written: dict[str, Path] = {}
    for name in names:
        pbf = OSM / f"{name}.osm.pbf"
        started = time.perf_counter()
        lines = extract_roads(pbf)
        seconds = time.perf_counter() - started
        path = folder / f"{name}-roads.json"
        size = write_roads(lines, path)
        zipped = len(gzip.compress(path.read_bytes()))
        ways = sum(len(v) for v in lines.classes.values())
        print(
            f"| {name} | {pbf.stat().st_size / 1e6:.1f} MB | {seconds:.1f} s | {ways:,} | "
            f"{lines.points:,} | {lines.segments:,} | {size / 1e3:.0f} KB | {zipped / 1e3:.0f} KB |"
        )
        written[name] = path
    return written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def first_paint(roads: Path, runs: int) -> None:
    """Print the time until the dispatcher's map shows, with and without streets."""
    from playwright.sync_api import sync_playwright

    from fleetline.bootstrap import bootstrap
    from fleetline.clock import FixedClock
    from fleetline.domain import commands
    from fleetline.domain.access import Role
    from fleetline.operations.access import issue_token
    from fleetline.server import build_app
    from fleetline.settings import Settings
    from fleetline.sim.company import CompanySpec, seed_company

    spec = CompanySpec(trucks=4, orders=40, seed=11)
    morning = datetime.combine(spec.day, clock_time(8, 30), tzinfo=ZoneInfo("Europe/Vaduz"))
    folder = Path(tempfile.mkdtemp(prefix="bench-streets-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        database_url=f"sqlite:///{folder / 'fleetline.sqlite3'}",
        solver_processes=0,
        public_url=url,
        mqtt_url=None,
    )
    services = bootstrap(settings, clock=FixedClock(morning), recover=False)
    seed_company(services.bus, spec)
    plan = services.bus.handle(commands.RequestPlan(date=spec.day, time_limit_s=2))
    while True:
        with services.uow_factory() as uow:
            stored = uow.plans.get(plan.id)
        if stored is not None and stored.status.value != "solving":
            break
        time.sleep(0.2)
    services.bus.handle(commands.DispatchPlan(plan_id=plan.id))
    with services.uow_factory() as uow:
        token, _ = issue_token(uow, services.bus.context, Role.DISPATCHER, "bench")
        uow.commit()
    server = uvicorn.Server(
        uvicorn.Config(build_app(services), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    layer = RoadLayer(roads)
    layer.lines()  # read once, as the first page of a running server does
    rows: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for label, with_streets in (
                ("streets (Liechtenstein)", True),
                ("no base layer", False),
            ):
                services.road_layer = layer if with_streets else None
                services.settings.tile_url = (
                    None if with_streets else f"{url}/none/{{z}}/{{x}}/{{y}}"
                )
                shown: list[float] = []
                drawn: list[float] = []
                received: list[int] = []
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1440, "height": 900})
                    page = context.new_page()
                    page.goto(f"{url}/login?token={token}")
                    page.wait_for_load_state("networkidle")
                    frames: list[int] = []

                    def listen(socket: Any, frames: list[int] = frames) -> None:
                        socket.on("framereceived", lambda frame: frames.append(len(frame)))

                    page.on("websocket", listen)
                    started = time.perf_counter()
                    page.goto(f"{url}/dispatch")
                    page.wait_for_function(TRUCKS, timeout=30_000)
                    shown.append(time.perf_counter() - started)
                    if with_streets:
                        page.wait_for_function(DRAWN, timeout=30_000)
                        page.evaluate("() => new Promise(requestAnimationFrame)")
                        drawn.append(time.perf_counter() - started)
                    page.wait_for_load_state("networkidle")
                    received.append(sum(frames))
                    context.close()
                streets = f"{statistics.median(drawn) * 1000:.0f} ms" if drawn else "–"
                rows.append(
                    f"| {label} | {statistics.median(shown) * 1000:.0f} ms | {streets} | "
                    f"{statistics.median(received) / 1e3:.0f} KB |"
                )
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        services.close()
    print()
    print(f"| /dispatch, median of {runs} | trucks shown | streets drawn | websocket received |")
    print("|---|---|---|---|")
    for row in rows:
        print(row)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-roads-"))
    written = extraction(["liechtenstein", "monaco"], folder)
    if not args.no_browser:
        first_paint(written["liechtenstein"], args.runs)


if __name__ == "__main__":
    main()
