"""Time from a traffic incident update to travel times that reflect it.

Run from the repository root::

    uv run python bench/live/traffic.py             # crow-flies, then OSRM Liechtenstein
    uv run python bench/live/traffic.py --no-osrm   # crow-flies only

Measured, each ``--repeats`` times (median and worst reported):

- crow-flies: ``update()`` with a new incident, then a 200-stop matrix (an ETA refresh)
  that shows it; and a 4,000 × 4,000 matrix with 5 incidents (circles of 300 m to 1.5 km
  and a polygon) against the same matrix without traffic;
- OSRM, Liechtenstein (MLD, prepared from ``../shared/osm/liechtenstein.osm.pbf`` into a
  temporary directory): the first ``update()`` for an area (finding its segments,
  writing speeds, ``osrm-customize`` on a working copy, opening the new engine), a later
  one for an area already seen, the return to no incident, and a 200-stop matrix after.

Writes ``bench/live/results/traffic.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from fleetline.domain.live import Area, IncidentKind, TrafficIncident
from fleetline.domain.model import Location
from fleetline.network.crowflies import CrowFliesTravelTimes
from fleetline.network.traffic import TrafficAwareTravelTimes

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results" / "traffic.md"
CENTRES = [
    Location(lat=47.1410, lon=9.5209),  # Vaduz
    Location(lat=47.1650, lon=9.5095),  # Schaan
    Location(lat=47.1070, lon=9.5270),  # Triesen
    Location(lat=47.2030, lon=9.5430),  # Eschen
    Location(lat=47.0840, lon=9.5090),  # Balzers
]


NOTES = """
How to read it:

- *update + matrix* is the time from an incident report to travel times that show it.
  Crow-flies applies incidents when a matrix is asked (no preparation); OSRM customizes
  the road network during ``update()``, then matrices cost what they cost without traffic.
- OSRM, first update for an area: finding its road segments by routing through the area on
  the original engine (~16 × 7 routes, cached per area), writing the speed file,
  ``osrm-customize`` on a fresh generation of the working copy (four files copied, the
  rest hard-linked), and opening a new engine. The prepared region is never written.
- A burst of reports costs nothing more: ``update()`` compares the set of active incidents
  and customizes at most once every ``min_interval_s`` (15 s) with the latest state.
- The 4,000-stop rows include the crow-flies matrix itself. The valley case is the worst
  one: stops along a 5 km-wide valley, where incidents of up to 1.5 km radius cross most
  legs. Allocating large arrays is slow on this machine (first touch of 128 MB took
  about 0.5 s in a plain numpy test), which weighs on every 4,000-stop row.
"""


def stops(count: int, seed: int, span: tuple[float, float] = (0.17, 0.07)) -> list[Location]:
    """Stops spread over the Liechtenstein valley (or a wider box, ``span`` in degrees)."""
    rng = np.random.default_rng(seed)
    return [
        Location(lat=float(47.06 + span[0] * a), lon=float(9.49 + span[1] * b))
        for a, b in rng.random((count, 2))
    ]


def incident(
    k: int, kind: IncidentKind = IncidentKind.SLOWDOWN, radius: float = 500.0
) -> TrafficIncident:
    return TrafficIncident(
        id=f"bench-{k}",
        kind=kind,
        area=Area(center=CENTRES[k % len(CENTRES)], radius_m=radius),
        starts_at=NOW - timedelta(minutes=1),
        factor=3.0 if kind is IncidentKind.SLOWDOWN else None,
    )


def five_incidents() -> list[TrafficIncident]:
    square = Area(
        polygon=(
            Location(lat=47.195, lon=9.535),
            Location(lat=47.210, lon=9.535),
            Location(lat=47.210, lon=9.555),
            Location(lat=47.195, lon=9.555),
        )
    )
    return [
        incident(0, radius=300),
        incident(1, radius=800),
        incident(2, IncidentKind.CLOSURE, radius=400),
        incident(4, radius=1_500),
        TrafficIncident(
            id="bench-poly", kind=IncidentKind.SLOWDOWN, area=square, starts_at=NOW, factor=2.0
        ),
    ]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def summary(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:,.0f} ms (worst {max(samples) * 1000:,.0f})"


def crow_flies(repeats: int) -> list[str]:
    lines = []
    eta_stops = stops(200, 1)
    update_then_matrix: list[float] = []
    for r in range(repeats):
        traffic = TrafficAwareTravelTimes(CrowFliesTravelTimes())
        update_then_matrix.append(
            timed(lambda t=traffic, r=r: (t.update([incident(r)], NOW), t.matrix(eta_stops)))
        )
    lines.append(f"| crow-flies | update + 200-stop matrix | {summary(update_then_matrix)} |")
    base = CrowFliesTravelTimes()
    for label, span in (("30 × 30 km region", (0.27, 0.40)), ("19 × 5 km valley", (0.17, 0.07))):
        big = stops(4_000, 2, span)
        plain = [timed(lambda b=big: base.matrix(b)) for _ in range(repeats)]
        traffic = TrafficAwareTravelTimes(base)
        traffic.update(five_incidents(), NOW)
        with_traffic = [timed(lambda b=big, t=traffic: t.matrix(b)) for _ in range(repeats)]
        changed = int((traffic.matrix(big).durations != base.matrix(big).durations).sum())
        lines.append(
            f"| crow-flies | 4,000 × 4,000 matrix, {label}, no traffic | {summary(plain)} |"
        )
        lines.append(
            f"| crow-flies | same with the 5 incidents ({changed / 16e6:.0%} of legs slowed) "
            f"| {summary(with_traffic)} |"
        )
    return lines


def osrm(repeats: int, pbf: Path) -> list[str]:
    from fleetline.network.osrm_engine import OsrmTravelTimes
    from fleetline.network.region import import_region

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        region = import_region(pbf, Path(tmp) / "region")
        eta_stops = stops(200, 3)
        first, again, clear, matrix, segments, customize = [], [], [], [], [], []
        for r in range(repeats):
            clock = [0.0]
            traffic = TrafficAwareTravelTimes(
                OsrmTravelTimes(region),
                monotonic=lambda c=clock: c[0],
                work_dir=Path(tmp) / f"w{r}",
            )
            incidents = [incident(r)]
            first.append(timed(lambda t=traffic, i=incidents: t.update(i, NOW)))
            assert traffic.last_customization is not None
            segments.append(traffic.last_customization.segments)
            customize.append(traffic.last_customization.customize_s)
            matrix.append(timed(lambda t=traffic: t.matrix(eta_stops)))
            clock[0] += 60
            clear.append(timed(lambda t=traffic: t.update([], NOW)))
            clock[0] += 60
            again.append(timed(lambda t=traffic, i=incidents: t.update(i, NOW)))
            traffic.close()
        lines += [
            f"| OSRM Liechtenstein | first update for a 500 m area "
            f"(~{statistics.median(segments):.0f} directed segments) | {summary(first)} |",
            f"| OSRM Liechtenstein | of which `osrm-customize` | {summary(customize)} |",
            f"| OSRM Liechtenstein | update for an area already seen | {summary(again)} |",
            f"| OSRM Liechtenstein | back to no incident | {summary(clear)} |",
            f"| OSRM Liechtenstein | 200-stop matrix after the update | {summary(matrix)} |",
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-osrm", action="store_true")
    parser.add_argument(
        "--pbf", type=Path, default=ROOT.parent / "shared/osm/liechtenstein.osm.pbf"
    )
    args = parser.parse_args()
    rows = crow_flies(args.repeats)
    if not args.no_osrm:
        rows += osrm(args.repeats, args.pbf)
    load = os.getloadavg()[0]
    text = "\n".join(
        [
            "## Traffic incidents: from update to travel times",
            "",
            f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, "
            f"{os.cpu_count()} CPUs, load {load:.1f} at the end, median of {args.repeats} "
            "(`uv run python bench/live/traffic.py`).",
            "",
            "| provider | what | time |",
            "|---|---|---|",
            *rows,
            NOTES,
        ]
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
