"""Plan a synthetic day on the Liechtenstein road network and time it, matrix included.

The claim it checks: a 200-vehicle, 4,000-order synthetic day on the Liechtenstein road
network is planned (matrix included) in at most 60 s on a 2-core machine; peak memory is
recorded.

Run from the repository root, one scenario and provider per process (so that the peak
RSS belongs to that run alone)::

    uv run python -m bench.planning.synthetic_day --trucks 200 --orders 4000 --algorithm CH
    uv run python -m bench.planning.synthetic_day --trucks 200 --orders 4000 --algorithm MLD
    uv run python -m bench.planning.synthetic_day --trucks 30 --orders 450 --algorithm CH
    uv run python -m bench.planning.synthetic_day --render   # markdown only, from the JSON

Each run replaces its own entry (same trucks, orders, seed, provider) in ``--out``
(JSON) and rewrites the markdown table next to it (``--md``).

What is timed: the travel matrix, the rest of ``build_problem``, ``solve`` and
``to_plan_routes``. The synthetic company comes from :mod:`fleetline.sim.company` (same
commands and drafts the integrator path uses) turned into domain objects directly, with
made-up ids; no database. The OSRM region is prepared once with
:func:`fleetline.network.region.import_region` into ``--region-dir`` (a temporary cache
directory by default) and reused while the source file is unchanged; preparation is not
timed. To measure a commit while the working tree holds someone's unfinished changes,
export it and put it first on the path::

    git archive HEAD src/fleetline | tar -x -C /tmp/fl-head
    FLEETLINE_SOURCE_COMMIT=$(git rev-parse HEAD) PYTHONPATH=/tmp/fl-head/src \
        uv run python -m bench.planning.synthetic_day ...

The off-network count (``travel_times.snap``) is taken after the timed section.

With no ``--time-limit`` the solver gets ``--budget`` minus the time already spent on
matrix and build, minus ``--margin``. The margin must cover what ``solve`` does outside
PyVRP's timed search: screening, building PyVRP's data, and PyVRP's own set-up (its
granular neighbourhood and a full local search of a random first solution), which
``MaxRuntime`` does not count and which grows with the square of the number of clients:
about 10-18 s at 4,000 orders (4,778 PyVRP clients) on this machine, hence 20 s.

``--tracemalloc`` also records Python-allocation peaks of the timed section;
it is off by default because it slows the Python-heavy build and conversion steps
(PyVRP's and OSRM's native allocations are not seen by it anyway).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fleetline
from fleetline.domain.model import Client, Depot, Location, Order, Vehicle
from fleetline.network.base import Snap, TravelMatrix
from fleetline.network.factory import travel_times_for
from fleetline.network.region import RegionError, import_region, read_region
from fleetline.planning.day_planner import build_problem, to_plan_routes
from fleetline.planning.solver import solve
from fleetline.sim.company import CompanySpec, client_commands, order_drafts, vehicle_commands

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PBF = ROOT.parent / "shared" / "osm" / "liechtenstein.osm.pbf"
DEFAULT_REGION_DIR = Path(tempfile.gettempdir()) / "fleetline-bench" / "regions"
DEFAULT_OUT = ROOT / "bench" / "planning" / "results" / "synthetic_day.json"
PROVIDERS = ("CH", "MLD", "crowflies")


# --- the synthetic company as domain objects --------------------------------------------


@dataclass(slots=True)
class Company:
    """The synthetic company and its day, as the planner takes them."""

    spec: CompanySpec
    depots: list[Depot]
    vehicles: list[Vehicle]
    clients: list[Client]
    orders: list[Order]


def make_company(spec: CompanySpec) -> Company:
    """Build depot, fleet, clients and orders from the simulator's commands and drafts."""
    depot = Depot(
        id="dep-1", name="Schaan depot", location=spec.area.depot, timezone=spec.area.timezone
    )
    vehicles = [
        Vehicle(
            id=f"veh-{number:04d}",
            name=command.name,
            depot_id=command.depot_id,
            capacity=command.capacity,
            shift_start=command.shift_start,
            shift_end=command.shift_end,
            skills=command.skills,
            costs=command.costs,
            max_overtime_s=command.max_overtime_s,
        )
        for number, command in enumerate(vehicle_commands(spec, depot.id), start=1)
    ]
    clients = [
        Client(
            id=f"cli-{number:05d}",
            name=command.name,
            priority=command.priority,
            contact=command.contact,
            preferences=command.preferences,
            notes=command.notes,
        )
        for number, command in enumerate(client_commands(spec), start=1)
    ]
    orders = [
        Order(
            id=f"ord-{number:05d}",
            client_id=draft.client_id,
            date=draft.date,
            location=draft.location,
            time_windows=draft.time_windows,
            demand=draft.demand,
            service_s=draft.service_s,
            required_skills=draft.required_skills,
            reference=draft.reference,
            address=draft.address,
            instructions=draft.instructions,
        )
        for number, draft in enumerate(order_drafts(spec, [c.id for c in clients]), start=1)
    ]
    return Company(spec, [depot], vehicles, clients, orders)


# --- travel times -----------------------------------------------------------------------


def prepared_region(pbf: Path, region_dir: Path, algorithm: str) -> tuple[Path, dict[str, float]]:
    """Return a prepared region for ``algorithm``, preparing it only if needed."""
    target = region_dir / f"{pbf.name.split('.')[0]}-{algorithm}"
    try:
        info = read_region(target)
        if Path(info.source) == pbf.resolve() and info.algorithm == algorithm:
            return info.base, {}
    except RegionError:
        pass
    started = time.perf_counter()
    base = import_region(pbf, target, algorithm=algorithm)  # type: ignore[arg-type]
    timings = dict(read_region(base).timings_s)
    timings["total"] = round(time.perf_counter() - started, 3)
    return base, timings


class TimedMatrix:
    """A travel-time provider that records how long its ``matrix`` calls take."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0
        self.sizes: list[int] = []

    def matrix(self, locations: Sequence[Location], departure: datetime | None = None) -> Any:
        started = time.perf_counter()
        result: TravelMatrix = self.inner.matrix(locations, departure)
        self.seconds += time.perf_counter() - started
        self.sizes.append(len(locations))
        return result

    def snap(self, locations: Sequence[Location]) -> list[Snap]:
        return self.inner.snap(locations)


# --- measurement ------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def current_rss_mb() -> float:
    """Current resident set size, in MB (Linux only; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def provenance() -> dict[str, Any]:
    """Which product code ran: the imported package's path, its commit, local changes."""
    package = Path(fleetline.__file__).resolve().parent
    info: dict[str, Any] = {"package": str(package)}

    def git(*command: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(package), *command], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    # An exported tree (``git archive``) is not a repository: its commit comes from the
    # environment then.
    info["commit"] = git("rev-parse", "HEAD") or os.environ.get("FLEETLINE_SOURCE_COMMIT")
    if info["commit"]:
        info["uncommitted_changes"] = git("status", "--porcelain", "--", ".").splitlines()
    return info


def busy_processes(limit: int = 5, threshold: float = 20.0) -> list[str]:
    """Other processes using more than ``threshold`` % CPU, busiest first."""
    try:
        out = subprocess.run(
            ["ps", "-eo", "pid,pcpu,args", "--sort=-pcpu", "--no-headers"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    except OSError:
        return []
    busy = []
    for line in out.splitlines():
        pid, cpu, args = line.split(None, 2)
        if int(pid) != os.getpid() and float(cpu) >= threshold:
            busy.append(f"{pid} {cpu}% {args[:120]}")
    return busy[:limit]


@dataclass(slots=True)
class Phase:
    """Wall seconds and (optionally) tracemalloc peak of one timed step."""

    seconds: float = 0.0
    py_peak_mb: float | None = None


@dataclass(slots=True)
class Stopwatch:
    """Times steps; with ``trace`` also records tracemalloc's peak per step."""

    trace: bool
    phases: dict[str, Phase] = field(default_factory=dict)

    def run(self, name: str, step: Any, *args: Any, **kwargs: Any) -> Any:
        if self.trace:
            tracemalloc.reset_peak()
        started = time.perf_counter()
        result = step(*args, **kwargs)
        phase = Phase(seconds=time.perf_counter() - started)
        if self.trace:
            phase.py_peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        self.phases[name] = phase
        return result


def plan_day(args: argparse.Namespace) -> dict[str, Any]:
    """Run one scenario and return its record."""
    load_at_start = os.getloadavg()
    busy_at_start = busy_processes()
    spec = CompanySpec(trucks=args.trucks, orders=args.orders, seed=args.seed)
    company = make_company(spec)

    preparation: dict[str, float] = {}
    region: Path | None = None
    if args.algorithm != "crowflies":
        region, preparation = prepared_region(args.pbf, args.region_dir, args.algorithm)
    provider = travel_times_for(region, algorithm=None if region is None else args.algorithm)
    timed = TimedMatrix(provider)  # a fresh cache per run: the matrix is really computed
    rss_before = current_rss_mb()
    gc.collect()

    clock = Stopwatch(trace=args.tracemalloc)
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    problem, context = clock.run(
        "build",
        build_problem,
        spec.day,
        company.depots,
        company.vehicles,
        company.orders,
        company.clients,
        timed,
    )
    matrix_s = timed.seconds
    elapsed = time.perf_counter() - started
    if args.time_limit is not None:
        limit = args.time_limit
    else:
        limit = max(args.min_time_limit, args.budget - elapsed - args.margin)
    solution = clock.run(
        "solve",
        solve,
        problem,
        time_limit_s=limit,
        seed=args.seed,
        describe_time=context.clock,
    )
    routes, unassigned = clock.run("convert", to_plan_routes, solution, context)
    total_s = time.perf_counter() - started
    py_peak_total = None
    if args.tracemalloc:
        py_peak_total = max(p.py_peak_mb or 0.0 for p in clock.phases.values())
        tracemalloc.stop()
    rss_peak = peak_rss_mb()

    # Not timed: which order locations are too far from a road to trust.
    snap_started = time.perf_counter()
    snaps = provider.snap([order.location for order in company.orders])
    off = [s for s in snaps if not s.on_network]
    snap_s = time.perf_counter() - snap_started

    reasons = Counter(u.reason_code.value for u in unassigned)
    served = sum(len(r.stops) for r in routes)
    used_routes = [r for r in routes if r.stops]
    distinct = len(context.locations)
    unreachable = int((problem.durations >= 1_000_000_000).sum())
    return {
        "scenario": f"{args.trucks} trucks / {args.orders} orders",
        "trucks": args.trucks,
        "orders": args.orders,
        "seed": args.seed,
        "provider": args.algorithm,
        "provider_name": provider.name,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "product": provenance(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_at_start": [round(v, 2) for v in load_at_start],
            "busy_processes_at_start": busy_at_start,
            "load_at_end": [round(v, 2) for v in os.getloadavg()],
        },
        "region_preparation_s": preparation,
        "matrix_locations": distinct,
        "matrix_calls": timed.sizes,
        "matrix_unreachable_cells": unreachable,
        "time_limit_s": round(limit, 2),
        "budget_s": args.budget,
        "timings_s": {
            "matrix": round(matrix_s, 2),
            "build": round(clock.phases["build"].seconds - matrix_s, 2),
            "solve": round(clock.phases["solve"].seconds, 2),
            "convert": round(clock.phases["convert"].seconds, 2),
            "total": round(total_s, 2),
            "solver_search": round(solution.stats.get("solver_runtime_s", 0.0), 2),
        },
        "within_budget": total_s <= args.budget,
        "memory_mb": {
            "rss_before_timed": rss_before,
            "peak_rss": rss_peak,
            "tracemalloc_peak": py_peak_total,
            "tracemalloc_by_step": {k: v.py_peak_mb for k, v in clock.phases.items()}
            if args.tracemalloc
            else None,
        },
        "snap": {
            "threshold_m": getattr(provider.provider, "snap_threshold_m", None),
            "off_network": len(off),
            "max_distance_m": round(max((s.distance_m for s in snaps), default=0.0), 1),
            "seconds": round(snap_s, 2),
        },
        "plan": {
            "vehicles": len(company.vehicles),
            "routes_used": len(used_routes),
            "served": served,
            "unassigned": len(unassigned),
            "unassigned_by_reason": dict(sorted(reasons.items())),
            "km": round(sum(r.distance_m for r in routes) / 1000, 1),
            "overtime_h": round(sum(r.overtime_s for r in routes) / 3600, 2),
            "cost": round(sum(r.cost for r in routes), 2),
            "feasible": True,  # solve() raises InfeasibleProblemError otherwise
            "iterations": solution.iterations,
            "screened_out": int(solution.stats.get("screened_out", 0)),
        },
    }


# --- results ----------------------------------------------------------------------------


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    return (record["trucks"], record["orders"], record["seed"], record["provider"])


def merge(path: Path, record: dict[str, Any]) -> list[dict[str, Any]]:
    """Replace or add ``record`` in the JSON list at ``path`` and return the list."""
    records: list[dict[str, Any]] = json.loads(path.read_text()) if path.is_file() else []
    records = [r for r in records if _key(r) != _key(record)] + [record]
    records.sort(key=lambda r: (-r["orders"], r["timings_s"]["total"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    return records


def _reasons(record: dict[str, Any]) -> str:
    reasons = record["plan"]["unassigned_by_reason"]
    return ", ".join(f"{k} {v}" for k, v in reasons.items()) or "none"


def markdown(records: list[dict[str, Any]]) -> str:
    """The results as a markdown fragment."""
    lines = [
        "### Synthetic day: plan a whole day, matrix included",
        "",
        "`uv run python -m bench.planning.synthetic_day --trucks 200 --orders 4000"
        " --algorithm CH` (see the script's docstring). Timed: travel matrix, rest of"
        " `build_problem`, `solve` and `to_plan_routes`. `solve` runs PyVRP on one core;"
        " its time limit (60 s budget − matrix − build − 20 s margin) bounds only the"
        " search, shown in brackets: the rest of `solve` is screening, PyVRP's data and"
        " PyVRP's set-up (neighbourhood, first local search). Region preparation is not"
        " timed.",
        "",
        "| scenario | provider | matrix s | build s | solve s (search / limit) | convert s"
        " | total s | peak RSS MB | routes | served | unassigned by reason | off-network | km"
        " | overtime h | load 1/5/15 at start |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in records:
        t, p, m = r["timings_s"], r["plan"], r["memory_mb"]
        load = "/".join(f"{v:.2f}" for v in r["machine"]["load_at_start"])
        lines.append(
            f"| {r['scenario']} | {r['provider']} | {t['matrix']:.2f} | {t['build']:.2f}"
            f" | {t['solve']:.2f} ({t['solver_search']:.1f} / {r['time_limit_s']:.1f})"
            f" | {t['convert']:.2f}"
            f" | **{t['total']:.2f}** | {m['peak_rss']:.0f} | {p['routes_used']}/{p['vehicles']}"
            f" | {p['served']} | {_reasons(r)} | {r['snap']['off_network']}"
            f" | {p['km']:.1f} | {p['overtime_h']:.2f} | {load} |"
        )
    lines += [
        "",
        "All plans feasible (`solve` raises otherwise). Off-network: order locations farther"
        " than 500 m from a road (`travel_times.snap`, not timed). Peak RSS is the whole"
        " process's `ru_maxrss` (one provider per process). Load is `os.getloadavg()`"
        " when the run started, on 2 cores.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trucks", type=int, default=200)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--algorithm", choices=PROVIDERS, default="CH")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="solver seconds; default: budget - (matrix + build) - margin",
    )
    parser.add_argument("--budget", type=float, default=60.0, help="target total seconds")
    parser.add_argument(
        "--margin", type=float, default=20.0, help="seconds kept for work outside the search"
    )
    parser.add_argument("--min-time-limit", type=float, default=1.0)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--pbf", type=Path, default=DEFAULT_PBF)
    parser.add_argument("--region-dir", type=Path, default=DEFAULT_REGION_DIR)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--md", type=Path, default=None, help="default: --out with .md")
    parser.add_argument("--render", action="store_true", help="only rewrite the markdown")
    args = parser.parse_args(argv)
    md_path = args.md or args.out.with_suffix(".md")

    if args.render:
        records = json.loads(args.out.read_text())
    else:
        record = plan_day(args)
        records = merge(args.out, record)
        print(json.dumps(record, indent=2, ensure_ascii=False))
    md_path.write_text(markdown(records))
    print(markdown(records))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
