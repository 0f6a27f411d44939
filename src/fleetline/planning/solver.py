"""Solve a :class:`RoutingProblem` with PyVRP and report routes a dispatcher can read.

``solve`` screens out jobs no vehicle could serve (with a reason), builds PyVRP's data
(see :mod:`fleetline.planning.pyvrp_model`), runs PyVRP's iterated local search with a
fresh stopping criterion, and turns the best solution back into routes with arrival,
service start and departure per visit, load per dimension, overtime and cost.

The objective is PyVRP's: per vehicle, fixed cost + distance × ``cost_per_distance`` +
duration × ``cost_per_second`` + overtime × ``overtime_cost_per_second``, minus the prizes
of the optional jobs served. With ``cost_per_second = 0`` and ``fixed_cost = 0`` (and
``cost_per_distance = 1``) it is total distance, as in the DIMACS benchmarks.
"""

from __future__ import annotations

import time

import pyvrp
from pyvrp import ProblemData, Solution
from pyvrp._pyvrp import Activity, ActivityType
from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, StoppingCriterion

from fleetline.planning.problem import (
    RouteResult,
    RoutingProblem,
    RoutingSolution,
    UnassignedJob,
    VisitResult,
)
from fleetline.planning.pyvrp_model import ModelMaps, build_data
from fleetline.planning.reasons import TimeFormatter, clock_time, fleet_full, screen

DEFAULT_MAX_PENALTY = 100_000.0
"""PyVRP's own ceiling on penalties, kept where prizes are small."""

DEFAULT_TIME_LIMIT_S = 5.0


class InfeasibleProblemError(RuntimeError):
    """The required jobs cannot all be served within the constraints."""


def _stop(time_limit_s: float | None, max_iterations: int | None) -> StoppingCriterion:
    criteria: list[StoppingCriterion] = []
    if max_iterations is not None:
        criteria.append(MaxIterations(max_iterations))
    if time_limit_s is not None:
        criteria.append(MaxRuntime(time_limit_s))
    if not criteria:
        criteria.append(MaxRuntime(DEFAULT_TIME_LIMIT_S))
    return criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)


def _initial_solution(
    data: ProblemData, maps: ModelMaps, problem: RoutingProblem, initial: RoutingSolution
) -> Solution:
    """Turn a previous solution into PyVRP's, keeping only what still exists.

    A job placed twice (on its route and again for a reload trip) keeps its first place:
    PyVRP refuses a start that visits a job twice.
    """
    job_index = {job.id: j for j, job in enumerate(maps.jobs)}
    placed: set[int] = set()
    type_of = {
        problem.vehicles[v].id: t for t, members in enumerate(maps.type_vehicles) for v in members
    }
    used: dict[int, int] = {}
    routes: list[pyvrp.Route] = []
    for route in initial.routes:
        t = type_of.get(route.vehicle_id)
        if t is None or used.get(t, 0) >= len(maps.type_vehicles[t]):
            continue
        reload_at = {before for before, _ in route.reloads}
        reload_depots = data.vehicle_type(t).reload_depots
        activities: list[Activity] = []
        for k, visit in enumerate(route.visits):
            if k in reload_at and reload_depots:
                activities.append(Activity(ActivityType.DEPOT, reload_depots[0]))
            j = job_index.get(visit.job_id)
            if j is None or j in placed:
                continue
            placed.add(j)
            job = maps.jobs[j]
            choice = next(
                (
                    w
                    for w, (early, late) in enumerate(job.time_windows)
                    if early <= visit.service_start_s <= late
                ),
                0,
            )
            activities.append(Activity(ActivityType.CLIENT, maps.job_clients[j][choice]))
        if any(a.is_client() for a in activities):
            used[t] = used.get(t, 0) + 1
            routes.append(pyvrp.Route(data, _trimmed(activities), t))
    return Solution(data, routes)


def _trimmed(activities: list[Activity]) -> list[Activity]:
    """Drop reload visits with no client after them (they only cost time)."""
    while activities and not activities[-1].is_client():
        activities = activities[:-1]
    return activities


def _violation(route: pyvrp.Route) -> int:
    return sum(route.excess_load()) + route.time_warp() + route.excess_distance()


def _repair(best: Solution, data: ProblemData, maps: ModelMaps) -> Solution:
    """Make a short search's infeasible best solution feasible by dropping optional visits.

    In each infeasible route the optional visit whose removal cuts the violation most
    (then the lowest priority) is dropped until the route is feasible. Required visits
    are kept, so a problem whose required jobs do not fit stays infeasible.
    """
    routes: list[pyvrp.Route] = []
    for route in best.routes():
        schedule = route.schedule()
        # Keep reload visits (inner depot activities) where they are.
        steps = [
            Activity(ActivityType.CLIENT if a.is_client() else ActivityType.DEPOT, a.idx)
            for a in schedule[1 : len(schedule) - 1]
        ]
        vehicle_type = route.vehicle_type()
        current = route
        while not current.is_feasible():
            options = [
                a.idx
                for a in steps
                if a.is_client() and not maps.jobs[maps.client_job[a.idx]].required
            ]
            if not options:
                break

            def score(
                client: int, steps: list[Activity] = steps, vehicle_type: int = vehicle_type
            ) -> tuple[int, int]:
                rest = [a for a in steps if not (a.is_client() and a.idx == client)]
                trial = pyvrp.Route(data, _trimmed(rest), vehicle_type)
                return _violation(trial), -maps.jobs[maps.client_job[client]].priority

            dropped = min(options, key=score)
            steps = _trimmed([a for a in steps if not (a.is_client() and a.idx == dropped)])
            current = pyvrp.Route(data, steps, vehicle_type)
        if any(a.is_client() for a in steps):
            routes.append(current)
    return Solution(data, routes)


def _route_result(
    route: pyvrp.Route, vehicle_id: str, data: ProblemData, maps: ModelMaps, dims: int
) -> RouteResult:
    load = list(route.delivery()[:dims])
    visits: list[VisitResult] = []
    reloads: list[tuple[int, int]] = []
    schedule = route.schedule()
    for position, activity in enumerate(schedule):
        if not activity.is_client():
            if 0 < position < len(schedule) - 1:
                reloads.append((len(visits), activity.start_time - activity.wait_duration))
            continue
        client = data.client(activity.idx)
        load = [
            current - d + p
            for current, d, p in zip(
                load, client.delivery[:dims], client.pickup[:dims], strict=True
            )
        ]
        job = maps.jobs[maps.client_job[activity.idx]]
        visits.append(
            VisitResult(
                job_id=job.id,
                arrival_s=activity.start_time - activity.wait_duration,
                service_start_s=activity.start_time,
                departure_s=activity.end_time,
                load_after=tuple(load),
            )
        )
    overtime = route.overtime()
    # PyVRP's duration cost already includes the overtime cost.
    cost = route.fixed_vehicle_cost() + route.distance_cost() + route.duration_cost()
    return RouteResult(
        vehicle_id=vehicle_id,
        visits=tuple(visits),
        start_s=route.start_time(),
        end_s=route.end_time(),
        distance=route.distance(),
        duration_s=route.duration(),
        load=tuple(route.delivery()[:dims]),
        overtime_s=overtime,
        cost=cost,
        reloads=tuple(reloads),
    )


def _collect(
    best: Solution, data: ProblemData, maps: ModelMaps, problem: RoutingProblem
) -> tuple[list[RouteResult], set[str]]:
    dims = len(problem.dimensions)
    taken: dict[int, int] = {}
    routes: list[RouteResult] = []
    served: set[str] = set()
    for route in best.routes():
        t = route.vehicle_type()
        k = taken.get(t, 0)
        taken[t] = k + 1
        vehicle_id = problem.vehicles[maps.type_vehicles[t][k]].id
        result = _route_result(route, vehicle_id, data, maps, dims)
        served.update(visit.job_id for visit in result.visits)
        routes.append(result)
    order = {v.id: i for i, v in enumerate(problem.vehicles)}
    routes.sort(key=lambda r: order[r.vehicle_id])
    return routes, served


def _params(data: ProblemData) -> pyvrp.SolveParams:
    """Let penalties grow past the largest prize.

    A unit of excess load or a second of lateness must end up costing more than any
    prize it could win, or the search keeps overloaded routes and the final repair
    leaves out jobs that a feasible plan would serve.
    """
    largest_prize = max((client.prize for client in data.clients()), default=0)
    ceiling = max(DEFAULT_MAX_PENALTY, 10.0 * largest_prize)
    return pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=ceiling))


def solve(
    problem: RoutingProblem,
    *,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
    seed: int = 1,
    initial: RoutingSolution | None = None,
    describe_time: TimeFormatter = clock_time,
) -> RoutingSolution:
    """Plan routes for ``problem`` with PyVRP.

    Parameters
    ----------
    problem
        Vehicles, jobs and matrices (seconds and metres or the matrix's own units).
    time_limit_s
        Wall-clock limit of the search. Results then depend on machine speed.
    max_iterations
        Iteration limit; with ``seed`` this makes the result repeatable. When both
        limits are given the search stops at the first reached; when neither,
        after :data:`DEFAULT_TIME_LIMIT_S`.
    seed
        Seed of PyVRP's random number generator.
    initial
        A previous solution to start from (jobs or vehicles no longer present are
        dropped from it).
    describe_time
        Formats problem seconds in the reasons of unassigned jobs (``HH:MM`` by default).

    Returns
    -------
    RoutingSolution
        Routes of the vehicles used (in the order of ``problem.vehicles``), and every
        job not routed with a reason.

    Raises
    ------
    InfeasibleProblemError
        When the best solution found does not serve every required job within all
        constraints.
    """
    started = time.perf_counter()
    problem = problem.within_model_bounds()
    screening = screen(problem, describe_time)
    jobs = screening.feasible
    if not jobs:
        return RoutingSolution(
            routes=(),
            unassigned=screening.rejected,
            cost=0,
            distance=0,
            runtime_s=time.perf_counter() - started,
        )
    data, maps = build_data(problem, jobs)
    start = None if initial is None else _initial_solution(data, maps, problem, initial)
    result = pyvrp.solve(
        data,
        stop=_stop(time_limit_s, max_iterations),
        params=_params(data),
        seed=seed,
        collect_stats=False,
        display=False,
        initial_solution=start,
    )
    best = result.best if result.best.is_feasible() else _repair(result.best, data, maps)
    if not best.is_feasible():
        raise InfeasibleProblemError(
            "no plan found that serves every required job within capacities, windows and shifts"
        )
    routes, served = _collect(best, data, maps, problem)
    left_out: list[UnassignedJob] = [fleet_full(job) for job in jobs if job.id not in served]
    rejected = {u.job_id: u for u in (*screening.rejected, *left_out)}
    unassigned = tuple(rejected[job.id] for job in problem.jobs if job.id in rejected)
    return RoutingSolution(
        routes=tuple(routes),
        unassigned=unassigned,
        cost=sum(route.cost for route in routes),
        distance=sum(route.distance for route in routes),
        runtime_s=time.perf_counter() - started,
        iterations=result.num_iterations,
        stats={
            "solver_runtime_s": result.runtime,
            "objective": float(result.cost()),
            "screened_out": float(len(screening.rejected)),
        },
    )
