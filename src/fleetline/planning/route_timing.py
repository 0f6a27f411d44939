"""Times for routes whose sequence is given (a plan made elsewhere, a manual edit).

The sequence is kept as it is: each vehicle leaves its start at the start of its shift,
drives, waits for the first window it can still make, serves, and drives on. A stop
reached after its last window closes is served late, and the lateness is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fleetline.planning.problem import (
    JobSpec,
    RouteResult,
    RoutingProblem,
    RoutingSolution,
    UnassignedJob,
    VisitResult,
)


def time_routes(
    problem: RoutingProblem,
    sequences: Mapping[str, Sequence[str]],
    unassigned_reason: tuple[str, str] = ("not_planned", "not in the imported plan"),
) -> RoutingSolution:
    """Compute arrivals, loads, distance, duration and overtime of fixed sequences.

    Parameters
    ----------
    problem
        The vehicles, jobs and matrices.
    sequences
        For each vehicle id, the job ids in the order they are visited.
    unassigned_reason
        Reason code and text given to jobs that no sequence contains.

    Returns
    -------
    RoutingSolution
        One route per non-empty sequence; the stats hold ``late_visits`` and
        ``lateness_s`` (total time served after windows closed).
    """
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    jobs = {job.id: job for job in problem.jobs}
    routes: list[RouteResult] = []
    late_visits = 0
    lateness_s = 0
    for vehicle_id, job_ids in sequences.items():
        if not job_ids:
            continue
        vehicle = vehicles[vehicle_id]
        now = vehicle.shift_start_s
        here = vehicle.start
        distance = 0
        load = [0] * len(problem.dimensions)
        for job_id in job_ids:
            for dim, amount in enumerate(jobs[job_id].demand):
                load[dim] += amount
        visits: list[VisitResult] = []
        remaining = list(load)
        for job_id in job_ids:
            job = jobs[job_id]
            arrival = now + int(problem.durations[here, job.location])
            distance += int(problem.distances[here, job.location])
            start, late_by = _service_start(job, arrival)
            if late_by:
                late_visits += 1
                lateness_s += late_by
            remaining = [left - amount for left, amount in zip(remaining, job.demand, strict=True)]
            now = start + job.service_s
            visits.append(VisitResult(job.id, arrival, start, now, tuple(remaining)))
            here = job.location
        end = now + int(problem.durations[here, vehicle.end])
        distance += int(problem.distances[here, vehicle.end])
        overtime = max(0, end - vehicle.shift_end_s)
        duration = end - vehicle.shift_start_s
        cost = (
            vehicle.fixed_cost
            + distance * vehicle.cost_per_distance
            + duration * vehicle.cost_per_second
            + overtime * vehicle.overtime_cost_per_second
        )
        routes.append(
            RouteResult(
                vehicle_id=vehicle_id,
                visits=tuple(visits),
                start_s=vehicle.shift_start_s,
                end_s=end,
                distance=distance,
                duration_s=duration,
                load=tuple(load),
                overtime_s=overtime,
                cost=cost,
            )
        )
    routed = {visit.job_id for route in routes for visit in route.visits}
    code, text = unassigned_reason
    unassigned = tuple(
        UnassignedJob(job.id, code, text) for job in problem.jobs if job.id not in routed
    )
    return RoutingSolution(
        routes=tuple(routes),
        unassigned=unassigned,
        cost=sum(route.cost for route in routes),
        distance=sum(route.distance for route in routes),
        runtime_s=0.0,
        stats={"late_visits": float(late_visits), "lateness_s": float(lateness_s)},
    )


def _service_start(job: JobSpec, arrival: int) -> tuple[int, int]:
    """Return when service starts and how late that is (0 when within a window)."""
    for start, end in job.time_windows:
        if arrival <= end:
            return max(arrival, start), 0
    last_end = job.time_windows[-1][1] if job.time_windows else arrival
    return arrival, arrival - last_end
