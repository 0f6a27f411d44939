"""VRPTW benchmark instances, best-known solutions and the common solution checker.

Convention (DIMACS 2021 VRPTW challenge): Euclidean distances truncated to one decimal,
travel time equals distance, the objective is total distance and the vehicle count is not
minimised. We work in tenths throughout: the matrix holds ``floor(10 × Euclidean)``, and
time windows and service times are multiplied by 10 so time and distance share a unit.
A distance in tenths is divided by 10 only when compared with a best-known figure.

Every solver's routes go through :func:`check`, which recomputes the distance from the
matrix; a solver's own claimed cost is never used.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import vrplib

#: Where the instances live (``../shared/bench/vrptw`` seen from the repository root).
DATA_DIR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "vrptw"

#: Command-line set names mapped to the ``set`` column of ``bks.csv``.
SETS = {"solomon": "Solomon", "gh200": "GH200", "gh1000": "GH1000"}

SCALE = 10

Routes = list[list[int]]


@dataclass(frozen=True)
class Instance:
    """A VRPTW instance in integer tenths; location 0 is the depot, 1..n the customers."""

    name: str
    set_name: str
    matrix: npt.NDArray[np.int64]
    demand: npt.NDArray[np.int64]
    service: npt.NDArray[np.int64]
    windows: npt.NDArray[np.int64]
    capacity: int
    num_vehicles: int
    bks: float
    bks_vehicles: int

    @property
    def num_customers(self) -> int:
        """Number of customers (locations other than the depot)."""
        return len(self.demand) - 1


@dataclass
class Check:
    """The outcome of checking one solution against its instance."""

    feasible: bool
    distance: int  # tenths, recomputed from the matrix
    vehicles: int
    errors: list[str] = field(default_factory=list)

    @property
    def distance_units(self) -> float:
        """Distance in the instance's units, comparable with the best-known figure."""
        return self.distance / SCALE


def dimacs_matrix(coords: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Return ``floor(10 × Euclidean distance)`` between all pairs of points."""
    xy = np.asarray(coords, dtype=np.float64)
    diff = xy[:, None, :] - xy[None, :, :]
    return np.floor(SCALE * np.sqrt((diff**2).sum(axis=-1))).astype(np.int64)


@cache
def best_known() -> dict[str, tuple[str, int, float]]:
    """Map instance name to (set, vehicles, distance) from ``bks.csv``."""
    with (DATA_DIR / "bks.csv").open(newline="") as fh:
        return {
            row["instance"]: (row["set"], int(row["vehicles"]), float(row["distance"]))
            for row in csv.DictReader(fh)
        }


def names(set_key: str) -> list[str]:
    """Instance names of a set (``solomon``, ``gh200``, ``gh1000`` or ``all``), sorted."""
    wanted = set(SETS.values()) if set_key == "all" else {SETS[set_key]}
    return sorted(name for name, (s, _, _) in best_known().items() if s in wanted)


def load(name: str) -> Instance:
    """Read one instance and its best-known distance."""
    raw = vrplib.read_instance(str(DATA_DIR / f"{name}.vrp"), compute_edge_weights=False)
    n = int(raw["dimension"])
    depots = [int(d) for d in np.atleast_1d(raw["depot"])]
    if depots != [0]:
        raise ValueError(f"{name}: expected a single depot at index 0, got {depots}")
    service = np.broadcast_to(np.asarray(raw["service_time"]), (n,)).astype(np.float64)
    service = np.rint(service * SCALE).astype(np.int64)
    service[0] = 0
    set_name, bks_vehicles, bks = best_known()[name]
    return Instance(
        name=name,
        set_name=set_name,
        matrix=dimacs_matrix(raw["node_coord"]),
        demand=np.asarray(raw["demand"], dtype=np.int64),
        service=service,
        windows=np.rint(np.asarray(raw["time_window"], dtype=np.float64) * SCALE).astype(np.int64),
        capacity=int(raw["capacity"]),
        num_vehicles=int(raw.get("vehicles", n - 1)),
        bks=bks,
        bks_vehicles=bks_vehicles,
    )


def read_bks_routes(name: str) -> Routes:
    """The best-known routes from the ``.sol`` file (customer location indices)."""
    return [
        list(map(int, r)) for r in vrplib.read_solution(str(DATA_DIR / f"{name}.sol"))["routes"]
    ]


def check(inst: Instance, routes: Routes) -> Check:
    """Verify routes and recompute their distance from the matrix.

    Checks that every customer is visited exactly once, loads stay within capacity,
    service starts inside each customer's window (waiting when early is allowed), each
    route leaves the depot no earlier than it opens and returns before it closes, and
    no more vehicles are used than the instance provides. Empty routes are ignored.
    """
    errors: list[str] = []
    routes = [list(map(int, r)) for r in routes if len(r) > 0]
    n = inst.num_customers
    seen = np.zeros(n + 1, dtype=np.int64)
    total = 0
    m, win, svc = inst.matrix, inst.windows, inst.service
    depot_open, depot_close = int(win[0, 0]), int(win[0, 1])
    for k, route in enumerate(routes):
        load = 0
        time = depot_open
        prev = 0
        for loc in route:
            if not 1 <= loc <= n:
                errors.append(f"route {k}: location {loc} is not a customer")
                break
            seen[loc] += 1
            load += int(inst.demand[loc])
            total += int(m[prev, loc])
            time = max(time + int(m[prev, loc]), int(win[loc, 0]))
            if time > win[loc, 1]:
                errors.append(f"route {k}: service at {loc} starts {time} > {win[loc, 1]}")
            time += int(svc[loc])
            prev = loc
        total += int(m[prev, 0])
        time += int(m[prev, 0])
        if time > depot_close:
            errors.append(f"route {k}: returns at {time} > depot close {depot_close}")
        if load > inst.capacity:
            errors.append(f"route {k}: load {load} > capacity {inst.capacity}")
    missing = [int(i) for i in np.flatnonzero(seen[1:] == 0) + 1]
    repeated = [int(i) for i in np.flatnonzero(seen[1:] > 1) + 1]
    if missing:
        errors.append(f"{len(missing)} customers not visited, e.g. {missing[:5]}")
    if repeated:
        errors.append(f"{len(repeated)} customers visited more than once, e.g. {repeated[:5]}")
    if len(routes) > inst.num_vehicles:
        errors.append(f"{len(routes)} routes > {inst.num_vehicles} vehicles")
    return Check(feasible=not errors, distance=total, vehicles=len(routes), errors=errors)


def gap_pct(inst: Instance, result: Check) -> float:
    """Percentage gap of a checked solution to the best-known distance."""
    return 100.0 * (result.distance_units - inst.bks) / inst.bks
