"""Translate a :class:`RoutingProblem` into PyVRP's ``ProblemData`` and keep the index maps.

Nothing outside ``planning/`` sees PyVRP's indices; this module owns them:

- every matrix index becomes a PyVRP location (so the caller's matrix is used unchanged);
- every distinct start or end location becomes a depot;
- a job with one time window becomes one client; a job with several windows becomes one
  client per window in a mutually exclusive :class:`pyvrp.ClientGroup`, so exactly one
  window is used (or none, if the job is optional and left out);
- identical vehicles share a vehicle type (fewer types make a faster search);
- every skill some job needs becomes an extra load dimension: the job demands 1, a vehicle
  with the skill has room for all such jobs, a vehicle without it has room for none. This
  is exact (a load excess is infeasible) and costs one integer per client, whereas
  routing profiles would need one matrix per skill set and cannot tell apart two jobs at
  one location.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType

from fleetline.planning.problem import JobSpec, RoutingProblem, VehicleSpec

PRIORITY_LEVELS = 5
_PRIZE_CEILING = 10**11
"""The largest prize. PyVRP's penalties must be allowed to exceed it (see the solver),
and a penalty times seconds of lateness or units of excess load must stay far inside
int64, so prizes are kept to this size."""


@dataclass(frozen=True, slots=True)
class ModelMaps:
    """How PyVRP's indices map back to the problem's jobs and vehicles.

    Attributes
    ----------
    client_job
        For each PyVRP client, the index of its job in ``jobs``.
    client_window
        For each PyVRP client, the index of the job's time window it stands for.
    job_clients
        For each job, its PyVRP client indices (one per window).
    type_vehicles
        For each vehicle type, the indices of the vehicles (in ``problem.vehicles``)
        that share it, in order.
    jobs
        The jobs given to PyVRP (impossible ones were filtered out before).
    skills
        The skills that became extra load dimensions, in order.
    """

    client_job: tuple[int, ...]
    client_window: tuple[int, ...]
    job_clients: tuple[tuple[int, ...], ...]
    type_vehicles: tuple[tuple[int, ...], ...]
    jobs: tuple[JobSpec, ...]
    skills: tuple[str, ...]


def priority_prizes(problem: RoutingProblem, jobs: Sequence[JobSpec]) -> dict[int, int]:
    """Return the prize of a served optional job for each priority 1..5.

    The lowest priority (5) earns more than the most that serving any one job can add to
    a route (a round trip to the farthest location, its service time and overtime, a
    vehicle's fixed cost), so no job is left out to save route cost while the fleet has
    room. Each level up is worth ``factor`` times the level below: ``len(jobs) + 1`` when
    the largest prize stays within :data:`_PRIZE_CEILING` (then one job of a priority
    outweighs all jobs of lower priorities), otherwise the largest factor that does
    (at least 2).

    Parameters
    ----------
    problem
        The problem (for matrices and vehicle costs).
    jobs
        The jobs that will be solved.

    Returns
    -------
    dict[int, int]
        Prize per priority.
    """
    vehicles = problem.vehicles
    if not vehicles or not jobs:
        return dict.fromkeys(range(1, PRIORITY_LEVELS + 1), 1)
    max_dist = int(problem.distances.max(initial=0))
    max_dur = int(problem.durations.max(initial=0))
    max_service = max(job.service_s for job in jobs)
    per_dist = max(v.cost_per_distance for v in vehicles)
    per_s = max(v.cost_per_second + v.overtime_cost_per_second for v in vehicles)
    fixed = max(v.fixed_cost for v in vehicles)
    # Time cost includes waiting for a window, so bound it by the longest working day.
    longest_day = max(v.shift_end_s - v.shift_start_s + v.max_overtime_s for v in vehicles)
    time_bound = max(2 * max_dur + max_service, longest_day)
    base = 2 * max_dist * per_dist + time_bound * per_s + fixed + 1
    factor = len(jobs) + 1
    while factor > 2 and base * factor ** (PRIORITY_LEVELS - 1) > _PRIZE_CEILING:
        factor = max(2, min(factor - 1, int(factor * 0.8)))
    return {p: base * factor ** (PRIORITY_LEVELS - p) for p in range(1, PRIORITY_LEVELS + 1)}


def _prize(job: JobSpec, window: int, prizes: dict[int, int]) -> int:
    """The prize of serving optional ``job`` in its ``window``-th window (at least 1)."""
    penalty = job.window_penalties[window] if window < len(job.window_penalties) else 0
    return max(1, prizes[job.priority] - penalty)


def _vehicle_key(vehicle: VehicleSpec) -> tuple[object, ...]:
    return (
        vehicle.start,
        vehicle.end,
        vehicle.capacity,
        vehicle.shift_start_s,
        vehicle.shift_end_s,
        vehicle.max_overtime_s,
        vehicle.skills,
        vehicle.fixed_cost,
        vehicle.cost_per_distance,
        vehicle.cost_per_second,
        vehicle.overtime_cost_per_second,
        vehicle.fixed_start,
        vehicle.reload_depot,
        vehicle.reload_s,
        vehicle.loads_at_start,
    )


def _vehicle_type(
    vehicle: VehicleSpec,
    count: int,
    depot_of: dict[int, int],
    skills: Sequence[str],
    skill_room: Sequence[int],
    name: str,
    depot_goods: int = 0,
) -> VehicleType:
    skill_capacity = [
        room if s in vehicle.skills else 0 for s, room in zip(skills, skill_room, strict=True)
    ]
    extra: dict[str, Any] = {}
    goods: list[int] = []
    if depot_goods:
        goods = [depot_goods]
        unloaded = [0] * (len(vehicle.capacity) + len(skills))
        extra["initial_load"] = [*unloaded, 0 if vehicle.loads_at_start else depot_goods]
    if vehicle.reload_depot is not None:
        extra["reload_depots"] = [depot_of[vehicle.reload_depot]]
        extra["max_reloads"] = 1
    shift = vehicle.shift_end_s - vehicle.shift_start_s
    return VehicleType(
        num_available=count,
        capacity=[*vehicle.capacity, *skill_capacity, *goods],
        start_depot=depot_of[vehicle.start],
        end_depot=depot_of[vehicle.end],
        fixed_cost=vehicle.fixed_cost,
        tw_early=vehicle.shift_start_s,
        tw_late=vehicle.shift_end_s + vehicle.max_overtime_s,
        shift_duration=shift,
        unit_distance_cost=vehicle.cost_per_distance,
        unit_duration_cost=vehicle.cost_per_second,
        # A fixed start makes route duration run from the shift start, so the overtime
        # PyVRP measures (duration beyond the shift) is the time worked after shift end.
        start_late=vehicle.shift_start_s if vehicle.fixed_start else None,
        max_overtime=vehicle.max_overtime_s,
        unit_overtime_cost=vehicle.overtime_cost_per_second,
        name=name,
        **extra,
    )


def build_data(problem: RoutingProblem, jobs: Sequence[JobSpec]) -> tuple[ProblemData, ModelMaps]:
    """Build PyVRP's problem data for ``jobs`` and the problem's vehicles.

    Parameters
    ----------
    problem
        The routing problem (matrices, vehicles, dimensions).
    jobs
        The jobs to place, already cleared of the impossible ones.

    Returns
    -------
    tuple[ProblemData, ModelMaps]
        The data to solve and the maps back to jobs and vehicles.
    """
    size = int(problem.durations.shape[0])
    locations = [Location(x=0.0, y=0.0, name=str(i)) for i in range(size)]

    reloads = {v.reload_depot for v in problem.vehicles if v.reload_depot is not None}
    depot_locations = sorted(
        {v.start for v in problem.vehicles} | {v.end for v in problem.vehicles} | reloads
    )
    depot_of = {loc: i for i, loc in enumerate(depot_locations)}
    loading = {
        loc: max(v.reload_s for v in problem.vehicles if v.reload_depot == loc) for loc in reloads
    }
    depots = [
        Depot(location=loc, service_duration=loading.get(loc, 0), name=f"depot@{loc}")
        for loc in depot_locations
    ]
    depot_goods = sum(1 for job in jobs if job.at_depot)

    skills = tuple(sorted({s for job in jobs for s in job.skills}))
    skill_room = [max(1, sum(1 for job in jobs if s in job.skills)) for s in skills]

    groups_by_key: dict[tuple[object, ...], list[int]] = {}
    for index, vehicle in enumerate(problem.vehicles):
        groups_by_key.setdefault(_vehicle_key(vehicle), []).append(index)
    type_vehicles = tuple(tuple(members) for members in groups_by_key.values())
    vehicle_types = [
        _vehicle_type(
            problem.vehicles[m[0]], len(m), depot_of, skills, skill_room, f"type{t}", depot_goods
        )
        for t, m in enumerate(type_vehicles)
    ]

    prizes = priority_prizes(problem, jobs)
    clients: list[Client] = []
    groups: list[ClientGroup] = []
    client_job: list[int] = []
    client_window: list[int] = []
    job_clients: list[tuple[int, ...]] = []
    for j, job in enumerate(jobs):
        skill_demand = [1 if s in job.skills else 0 for s in skills]
        goods = [1 if job.at_depot else 0] if depot_goods else []
        group: int | None = None
        if len(job.time_windows) > 1:
            group = len(groups)
            groups.append(ClientGroup(required=job.required, name=job.id))
        mine: list[int] = []
        for w, (early, late) in enumerate(job.time_windows):
            index = len(clients)
            clients.append(
                Client(
                    location=job.location,
                    delivery=[*job.demand, *skill_demand, *goods],
                    pickup=[
                        *(job.pickup or (0,) * len(job.demand)),
                        *([0] * (len(skills) + len(goods))),
                    ],
                    service_duration=job.service_s,
                    tw_early=early,
                    tw_late=late,
                    prize=0 if job.required else _prize(job, w, prizes),
                    required=job.required and group is None,
                    group=group,
                    name=job.id,
                )
            )
            if group is not None:
                groups[group].add_client(index)
            mine.append(index)
            client_job.append(j)
            client_window.append(w)
        job_clients.append(tuple(mine))

    # PyVRP's stubs type matrices loosely; the arrays are plain int64.
    durations: Any = np.asarray(problem.durations, dtype=np.int64)
    distances: Any = np.asarray(problem.distances, dtype=np.int64)
    data = ProblemData(locations, clients, depots, vehicle_types, [distances], [durations], groups)
    maps = ModelMaps(
        client_job=tuple(client_job),
        client_window=tuple(client_window),
        job_clients=tuple(job_clients),
        type_vehicles=type_vehicles,
        jobs=tuple(jobs),
        skills=skills,
    )
    return data, maps
