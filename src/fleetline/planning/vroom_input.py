"""Read VROOM's JSON input into a :class:`RoutingProblem`.

Supported: jobs (``id``, ``location`` ``[lon, lat]`` or ``location_index``, ``setup``,
``service``, ``delivery``/``pickup``/``amount``, ``skills``, ``priority`` 0..100,
``time_windows``) and vehicles (``id``, ``start``/``end`` or their ``_index``,
``capacity``, ``skills``, ``time_window``, ``costs``), with ``matrices`` (per profile;
the first vehicle's profile, or ``car``) or a top-level ``matrix``; without matrices the
given :class:`TravelTimes` is asked. A vehicle without ``start`` (or ``end``) starts (or
ends) anywhere: a virtual location at zero distance from everything stands for it.
``setup`` is added to the service time. Shipments and breaks are not supported.

Costs follow VROOM: ``per_hour`` (default 3600) on travel time, ``per_km`` on distance,
``fixed`` per vehicle used. Internally one VROOM cost unit is :data:`COST_SCALE` units.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fleetline.domain.errors import InvalidField
from fleetline.domain.model import Location
from fleetline.network.base import TravelTimes
from fleetline.planning.problem import IntMatrix, JobSpec, RoutingProblem, VehicleSpec

COST_SCALE = 36_000
"""Internal cost units per VROOM cost unit: keeps per-second and per-metre rates whole."""
HORIZON = 2**40
"""Stands for an open time window's end."""


class VroomFormatError(InvalidField):
    """A VROOM document that cannot be read; ``field`` is a path like ``jobs[3].service``."""


def vroom_priority(priority: int) -> int:
    """Map VROOM's priority (0..100, higher matters more) to Fleetline's 1..5 (1 highest).

    0 becomes 5, 1-25 become 4, 26-50 become 3, 51-75 become 2 and 76-100 become 1.
    """
    return 5 - math.ceil(priority / 25)


@dataclass(frozen=True, slots=True)
class VroomInput:
    """A parsed VROOM document: the problem and what the output needs."""

    problem: RoutingProblem
    real_distances: IntMatrix
    job_ids: dict[str, Any]
    job_locations: dict[str, dict[str, Any]]
    vehicle_ids: dict[str, Any]
    vehicle_places: dict[str, tuple[dict[str, Any], dict[str, Any]]]
    cost_matrix: bool
    """Whether the problem's distance matrix holds VROOM's travel cost (same costs for
    every vehicle) rather than metres."""


def _int(value: Any, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise VroomFormatError(field, "must be a whole number")
    if value < minimum:
        raise VroomFormatError(field, f"must be at least {minimum}")
    return int(value)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise VroomFormatError(field, "must be a number")
    if value < 0:
        raise VroomFormatError(field, "must not be negative")
    return float(value)


def _ints(value: Any, field: str) -> list[int]:
    if not isinstance(value, list):
        raise VroomFormatError(field, "must be a list of whole numbers")
    return [_int(v, f"{field}[{i}]") for i, v in enumerate(value)]


def _window(value: Any, field: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise VroomFormatError(field, "must be [start, end]")
    start, end = _int(value[0], f"{field}[0]"), _int(value[1], f"{field}[1]")
    if end < start:
        raise VroomFormatError(field, "ends before it starts")
    return start, end


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VroomFormatError(field, "must be an object")
    return value


def _matrix(value: Any, field: str) -> IntMatrix:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise VroomFormatError(field, "must be a square list of lists")
    size = len(value)
    for i, row in enumerate(value):
        if len(row) != size:
            raise VroomFormatError(f"{field}[{i}]", f"has {len(row)} entries, expected {size}")
        for j, cell in enumerate(row):
            _int(cell, f"{field}[{i}][{j}]")
    return np.asarray(value, dtype=np.int64).reshape(size, size)


class _Places:
    """Collects locations as coordinates or matrix indices, deduplicated."""

    def __init__(self, with_matrix: bool) -> None:
        self.with_matrix = with_matrix
        self.coords: dict[tuple[float, float], int] = {}
        self.free_needed = False

    def index(self, item: dict[str, Any], key: str, field: str) -> tuple[int, dict[str, Any]]:
        if f"{key}_index" in item:
            index = _int(item[f"{key}_index"], f"{field}.{key}_index")
            shown: dict[str, Any] = {"location_index": index}
            if key in item:
                shown["location"] = item[key]
            return index, shown
        if self.with_matrix:
            raise VroomFormatError(f"{field}.{key}_index", "required when matrices are given")
        raw = item[key]
        if not isinstance(raw, list) or len(raw) != 2:
            raise VroomFormatError(f"{field}.{key}", "must be [lon, lat]")
        lon, lat = (_coordinate(v, f"{field}.{key}[{i}]") for i, v in enumerate(raw))
        try:
            Location(lat=lat, lon=lon)
        except InvalidField as exc:
            raise VroomFormatError(f"{field}.{key}", exc.message) from exc
        return self.coords.setdefault((lon, lat), len(self.coords)), {"location": raw}


def _coordinate(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise VroomFormatError(field, "must be a number")
    return float(value)


def _pick_matrices(doc: dict[str, Any], vehicles: list[Any]) -> dict[str, Any] | None:
    if "matrices" in doc:
        matrices = _object(doc["matrices"], "matrices")
        profile = "car"
        if vehicles and isinstance(vehicles[0], dict):
            profile = str(vehicles[0].get("profile", "car"))
        if profile not in matrices:
            raise VroomFormatError(f"matrices.{profile}", "no matrix for the vehicles' profile")
        chosen = _object(matrices[profile], f"matrices.{profile}")
        if "durations" not in chosen:
            raise VroomFormatError(f"matrices.{profile}.durations", "required")
        return {
            "durations": _matrix(chosen["durations"], f"matrices.{profile}.durations"),
            "distances": _matrix(chosen["distances"], f"matrices.{profile}.distances")
            if "distances" in chosen
            else None,
        }
    if "matrix" in doc:
        return {"durations": _matrix(doc["matrix"], "matrix"), "distances": None}
    return None


def _amounts(job: dict[str, Any], field: str) -> tuple[list[int], list[int]]:
    delivery = _ints(job.get("delivery", job.get("amount", [])), f"{field}.delivery")
    pickup = _ints(job.get("pickup", []), f"{field}.pickup")
    return delivery, pickup


def _sized(values: list[int], dims: int, field: str) -> tuple[int, ...]:
    if values and len(values) != dims:
        raise VroomFormatError(field, f"has {len(values)} amounts, the vehicles have {dims}")
    return tuple(values) if values else (0,) * dims


def parse(doc: Any, travel_times: TravelTimes | None = None) -> VroomInput:
    """Read a VROOM input document.

    Parameters
    ----------
    doc
        The decoded JSON document.
    travel_times
        Asked for durations and distances when the document has no matrices.

    Returns
    -------
    VroomInput
        The routing problem and the maps the output needs.

    Raises
    ------
    VroomFormatError
        Naming the first field at fault, e.g. ``jobs[3].time_windows[0]``.
    """
    doc = _object(doc, "")
    if doc.get("shipments"):
        raise VroomFormatError("shipments", "shipments are not supported")
    jobs_raw, vehicles_raw = doc.get("jobs", []), doc.get("vehicles")
    if not isinstance(jobs_raw, list):
        raise VroomFormatError("jobs", "must be a list")
    if not isinstance(vehicles_raw, list) or not vehicles_raw:
        raise VroomFormatError("vehicles", "must be a non-empty list")
    matrices = _pick_matrices(doc, vehicles_raw)
    places = _Places(with_matrix=matrices is not None)

    vehicles = [_object(v, f"vehicles[{i}]") for i, v in enumerate(vehicles_raw)]
    jobs = [_object(j, f"jobs[{i}]") for i, j in enumerate(jobs_raw)]
    dims = len(vehicles[0].get("capacity", []))
    vehicle_rows: list[
        tuple[dict[str, Any], int | None, int | None, dict[str, Any], dict[str, Any]]
    ]
    vehicle_rows = []
    for i, v in enumerate(vehicles):
        field = f"vehicles[{i}]"
        if "id" not in v:
            raise VroomFormatError(f"{field}.id", "required")
        start = places.index(v, "start", field) if ("start" in v or "start_index" in v) else None
        end = places.index(v, "end", field) if ("end" in v or "end_index" in v) else None
        if start is None and end is None:
            raise VroomFormatError(f"{field}.start", "a vehicle needs a start or an end")
        places.free_needed |= start is None or end is None
        vehicle_rows.append(
            (
                v,
                None if start is None else start[0],
                None if end is None else end[0],
                {} if start is None else start[1],
                {} if end is None else end[1],
            )
        )
    job_rows: list[tuple[dict[str, Any], int, dict[str, Any]]] = []
    for i, j in enumerate(jobs):
        field = f"jobs[{i}]"
        if "id" not in j:
            raise VroomFormatError(f"{field}.id", "required")
        if "location" not in j and "location_index" not in j:
            raise VroomFormatError(f"{field}.location", "a job needs a location or location_index")
        index, shown = places.index(j, "location", field)
        job_rows.append((j, index, shown))

    durations, distances = _travel(matrices, places, travel_times, job_rows, vehicle_rows)
    free = durations.shape[0] - 1 if places.free_needed else -1
    costs = [_costs(v, f"vehicles[{i}].costs") for i, (v, *_rest) in enumerate(vehicle_rows)]
    same_costs = len({(c[1], c[2]) for c in costs}) == 1
    cost_matrix = same_costs
    routing_distances = distances
    if same_costs:
        _, per_hour, per_km = costs[0]
        routing_distances = np.rint(
            durations * (per_hour * COST_SCALE / 3600) + distances * (per_km * COST_SCALE / 1000)
        ).astype(np.int64)

    specs = [
        _vehicle(row, i, dims, free, costs[i], cost_matrix) for i, row in enumerate(vehicle_rows)
    ]
    job_specs = [_job(j, i, index, dims) for i, (j, index, _) in enumerate(job_rows)]
    ids = [spec.id for spec in job_specs]
    if len(set(ids)) != len(ids):
        raise VroomFormatError("jobs", "job ids must be unique")
    problem = RoutingProblem(
        tuple(f"amount{d}" for d in range(dims)), durations, routing_distances, specs, job_specs
    )
    return VroomInput(
        problem=problem,
        real_distances=distances,
        job_ids={str(j["id"]): j["id"] for j, _, _ in job_rows},
        job_locations={str(j["id"]): shown for j, _, shown in job_rows},
        vehicle_ids={str(v["id"]): v["id"] for v, *_ in vehicle_rows},
        vehicle_places={str(row[0]["id"]): (row[3], row[4]) for row in vehicle_rows},
        cost_matrix=cost_matrix,
    )


def _travel(
    matrices: dict[str, Any] | None,
    places: _Places,
    travel_times: TravelTimes | None,
    jobs: Sequence[tuple[dict[str, Any], int, dict[str, Any]]],
    vehicles: Sequence[tuple[dict[str, Any], int | None, int | None, Any, Any]],
) -> tuple[IntMatrix, IntMatrix]:
    if matrices is not None:
        durations: IntMatrix = matrices["durations"]
        distances: IntMatrix = (
            matrices["distances"] if matrices["distances"] is not None else np.zeros_like(durations)
        )
        if distances.shape != durations.shape:
            raise VroomFormatError("matrices", "durations and distances differ in size")
        size = durations.shape[0]
        for number, (_, job_index, _) in enumerate(jobs):
            if job_index >= size:
                raise VroomFormatError(
                    f"jobs[{number}].location_index",
                    f"location index {job_index} is beyond the {size}-location matrix",
                )
        for number, (_, start, end, _, _) in enumerate(vehicles):
            for name, index in (("start_index", start), ("end_index", end)):
                if index is not None and index >= size:
                    raise VroomFormatError(
                        f"vehicles[{number}].{name}",
                        f"location index {index} is beyond the {size}-location matrix",
                    )
    else:
        if travel_times is None:
            raise VroomFormatError("matrices", "required when no travel-time provider is given")
        locations = [Location(lat=lat, lon=lon) for lon, lat in places.coords]
        matrix = travel_times.matrix(locations)
        durations, distances = matrix.durations, matrix.distances
    if places.free_needed:
        size = durations.shape[0]
        durations = np.pad(durations, ((0, 1), (0, 1)))
        distances = np.pad(distances, ((0, 1), (0, 1)))
        assert durations.shape[0] == size + 1
    return durations.astype(np.int64), distances.astype(np.int64)


def _costs(vehicle: dict[str, Any], field: str) -> tuple[int, float, float]:
    costs = _object(vehicle.get("costs", {}), field)
    fixed = _number(costs.get("fixed", 0), f"{field}.fixed")
    per_hour = _number(costs.get("per_hour", 3600), f"{field}.per_hour")
    per_km = _number(costs.get("per_km", 0), f"{field}.per_km")
    return round(fixed * COST_SCALE), per_hour, per_km


def _vehicle(
    row: tuple[dict[str, Any], int | None, int | None, Any, Any],
    i: int,
    dims: int,
    free: int,
    costs: tuple[int, float, float],
    cost_matrix: bool,
) -> VehicleSpec:
    v, start, end, _, _ = row
    field = f"vehicles[{i}]"
    capacity = _ints(v.get("capacity", []), f"{field}.capacity")
    if len(capacity) != dims:
        raise VroomFormatError(f"{field}.capacity", f"has {len(capacity)} amounts, expected {dims}")
    early, late = _window(v.get("time_window", [0, HORIZON]), f"{field}.time_window")
    skills = frozenset(str(s) for s in _ints(v.get("skills", []), f"{field}.skills"))
    fixed, per_hour, per_km = costs
    return VehicleSpec(
        id=str(v["id"]),
        start=free if start is None else start,
        end=free if end is None else end,
        capacity=tuple(capacity),
        shift_start_s=early,
        shift_end_s=late,
        skills=skills,
        fixed_cost=fixed,
        cost_per_distance=1 if cost_matrix else round(per_km * COST_SCALE / 1000),
        cost_per_second=0 if cost_matrix else round(per_hour * COST_SCALE / 3600),
        fixed_start=False,
    )


def _job(j: dict[str, Any], i: int, location: int, dims: int) -> JobSpec:
    field = f"jobs[{i}]"
    delivery, pickup = _amounts(j, field)
    windows_raw = j.get("time_windows", [[0, HORIZON]])
    if not isinstance(windows_raw, list) or not windows_raw:
        raise VroomFormatError(f"{field}.time_windows", "must be a non-empty list")
    windows = sorted(_window(w, f"{field}.time_windows[{k}]") for k, w in enumerate(windows_raw))
    priority = _int(j.get("priority", 0), f"{field}.priority")
    if priority > 100:
        raise VroomFormatError(f"{field}.priority", "must be from 0 to 100")
    service = _int(j.get("service", 0), f"{field}.service") + _int(
        j.get("setup", 0), f"{field}.setup"
    )
    return JobSpec(
        id=str(j["id"]),
        location=location,
        demand=_sized(delivery, dims, f"{field}.delivery"),
        pickup=_sized(pickup, dims, f"{field}.pickup"),
        service_s=service,
        time_windows=tuple(windows),
        skills=frozenset(str(s) for s in _ints(j.get("skills", []), f"{field}.skills")),
        priority=vroom_priority(priority),
    )
