"""Solve a problem written in VROOM's JSON input format and answer in VROOM's solution format.

Reading is in :mod:`fleetline.planning.vroom_input`; this module solves and writes. The
answer follows VROOM's documented output: ``code``, ``summary``, ``unassigned`` and
``routes`` with ``steps`` of type ``start``, ``job`` and ``end``, each with ``arrival``,
cumulative travel ``duration`` and ``distance``, ``service``, ``waiting_time`` and the
``load`` after the step. Unassigned jobs also carry Fleetline's ``reason``.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from fleetline.network.base import TravelTimes
from fleetline.planning.problem import JobSpec, RouteResult, VehicleSpec
from fleetline.planning.solver import solve
from fleetline.planning.vroom_input import COST_SCALE, VroomFormatError, VroomInput, parse

__all__ = ["VroomFormatError", "solve_vroom_document"]

_VROOM_PRIORITY = {1: 100, 2: 75, 3: 50, 4: 25, 5: 0}


def _route(
    result: RouteResult, vehicle: VehicleSpec, jobs: dict[str, JobSpec], parsed: VroomInput
) -> dict[str, Any]:
    problem = parsed.problem
    start_place, end_place = parsed.vehicle_places[vehicle.id]
    path = [vehicle.start, *(jobs[v.job_id].location for v in result.visits), vehicle.end]
    travel = [int(problem.durations[a, b]) for a, b in itertools.pairwise(path)]
    metres = [int(parsed.real_distances[a, b]) for a, b in itertools.pairwise(path)]
    cost_legs = [int(problem.distances[a, b]) for a, b in itertools.pairwise(path)]
    load = list(result.load)
    steps: list[dict[str, Any]] = []
    if start_place:
        steps.append(
            {
                "type": "start",
                **start_place,
                "arrival": result.start_s,
                "duration": 0,
                "setup": 0,
                "service": 0,
                "waiting_time": 0,
                "load": list(load),
                "distance": 0,
            }
        )
    duration = distance = waiting = service = 0
    for k, visit in enumerate(result.visits):
        duration += travel[k]
        distance += metres[k]
        job = jobs[visit.job_id]
        load = list(visit.load_after)
        wait = visit.service_start_s - visit.arrival_s
        waiting += wait
        service += job.service_s
        steps.append(
            {
                "type": "job",
                "id": parsed.job_ids[job.id],
                **parsed.job_locations[job.id],
                "arrival": visit.arrival_s,
                "duration": duration,
                "setup": 0,
                "service": job.service_s,
                "waiting_time": wait,
                "load": load,
                "distance": distance,
            }
        )
    duration += travel[-1]
    distance += metres[-1]
    if end_place:
        steps.append(
            {
                "type": "end",
                **end_place,
                "arrival": result.end_s,
                "duration": duration,
                "setup": 0,
                "service": 0,
                "waiting_time": 0,
                "load": load,
                "distance": distance,
            }
        )
    cost = (
        vehicle.fixed_cost
        + vehicle.cost_per_distance * sum(cost_legs)
        + vehicle.cost_per_second * sum(travel)
    )
    delivery = list(result.load)
    pickup = [sum(jobs[v.job_id].pickup[d] for v in result.visits) for d in range(len(delivery))]
    return {
        "vehicle": parsed.vehicle_ids[vehicle.id],
        "cost": round(cost / COST_SCALE),
        "delivery": delivery,
        "amount": delivery,
        "pickup": pickup,
        "setup": 0,
        "service": service,
        "duration": duration,
        "waiting_time": waiting,
        "priority": sum(_VROOM_PRIORITY[jobs[v.job_id].priority] for v in result.visits),
        "distance": distance,
        "steps": steps,
        "violations": [],
    }


def _summary(
    routes: list[dict[str, Any]], unassigned: int, dims: int, times: dict[str, int]
) -> dict[str, Any]:
    def total(key: str) -> int:
        return sum(int(r[key]) for r in routes)

    delivery = [sum(r["delivery"][d] for r in routes) for d in range(dims)]
    return {
        "cost": total("cost"),
        "routes": len(routes),
        "unassigned": unassigned,
        "delivery": delivery,
        "amount": delivery,
        "pickup": [sum(r["pickup"][d] for r in routes) for d in range(dims)],
        "setup": 0,
        "service": total("service"),
        "duration": total("duration"),
        "waiting_time": total("waiting_time"),
        "priority": total("priority"),
        "distance": total("distance"),
        "violations": [],
        "computing_times": times,
    }


def solve_vroom_document(
    doc: dict[str, Any],
    *,
    time_limit_s: float,
    travel_times: TravelTimes | None = None,
    max_iterations: int | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    """Solve a VROOM input document and return VROOM's solution document.

    Parameters
    ----------
    doc
        The decoded VROOM input (``jobs``, ``vehicles``, optional ``matrices``).
    time_limit_s
        Wall-clock limit of the search.
    travel_times
        Used for durations and distances when the document has no matrices.
    max_iterations
        Optional iteration limit (with ``seed``, a repeatable answer when it is reached
        before the time limit).
    seed
        Seed of the search.

    Returns
    -------
    dict
        VROOM's output: ``code`` 0, ``summary``, ``unassigned`` and ``routes``.

    Raises
    ------
    VroomFormatError
        When the document is malformed; ``field`` names the place, e.g.
        ``jobs[3].time_windows[0]``.
    """
    loading = time.perf_counter()
    parsed = parse(doc, travel_times)
    solving = time.perf_counter()
    solution = solve(
        parsed.problem, time_limit_s=time_limit_s, max_iterations=max_iterations, seed=seed
    )
    routing = time.perf_counter()
    problem = parsed.problem
    jobs = {job.id: job for job in problem.jobs}
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    routes = [_route(r, vehicles[r.vehicle_id], jobs, parsed) for r in solution.routes]
    unassigned = [
        {
            "id": parsed.job_ids[u.job_id],
            "type": "job",
            **parsed.job_locations[u.job_id],
            "reason_code": u.reason_code,
            "reason": u.reason,
        }
        for u in solution.unassigned
    ]
    done = time.perf_counter()
    times = {
        "loading": round((solving - loading) * 1000),
        "solving": round((routing - solving) * 1000),
        "routing": round((done - routing) * 1000),
    }
    return {
        "code": 0,
        "summary": _summary(routes, len(unassigned), len(problem.dimensions), times),
        "unassigned": unassigned,
        "routes": routes,
    }
