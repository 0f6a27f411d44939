"""Re-plan the rest of the day from where it stands.

:func:`replan` builds the live problem (see :mod:`fleetline.planning.live_problem` for
exactly what is modelled), warm-starts PyVRP from the plan in force, and answers with new
routes (domain :class:`Route`, with ETAs), the orders left out with reasons, a diff and
the impact against the plan in force. :func:`solve_live` is the same for a problem the
caller built (the what-if options use it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fleetline.domain.live import Impact
from fleetline.domain.model import PlannedStop, ReasonCode, Route, Unassigned
from fleetline.domain.snapshot import DaySnapshot
from fleetline.network.base import TravelTimes
from fleetline.planning.impact import PlanDiff, assess, plan_in_force
from fleetline.planning.live_problem import (
    COST_UNITS_PER_CURRENCY,
    DEFAULT_PENALTIES,
    LiveContext,
    ReplanPenalties,
    build_live_problem,
)
from fleetline.planning.problem import (
    RouteResult,
    RoutingProblem,
    RoutingSolution,
    UnassignedJob,
    VisitResult,
)
from fleetline.planning.solver import solve


@dataclass(frozen=True, slots=True)
class Replan:
    """A re-plan of the rest of the day.

    Attributes
    ----------
    routes
        New routes of the vehicles in scope (a vehicle without stops gets an empty route
        home); a stop being served now stays first.
    unassigned
        Orders left out, with reasons (``window_unreachable``: needs a new window).
    diff, impact
        Against the plan in force.
    late
        Orders served after their promised window, with the lateness in seconds.
    solution
        The solver's raw solution (problem seconds).
    """

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    diff: PlanDiff
    impact: Impact
    late: dict[str, int]
    solution: RoutingSolution


def warm_start(problem: RoutingProblem, context: LiveContext) -> RoutingSolution:
    """Return the plan in force, with orders needing a new truck put after a reload.

    Each order at the depot goes, by its window's end, to the eligible vehicle expected
    to be free soonest; PyVRP's search does not open a reload trip by itself, so this
    first guess is what lets it move such orders at all.
    """
    timed = {route.vehicle_id: route for route in plan_in_force(problem, context).routes}
    jobs = {job.id: job for job in problem.jobs}
    free_at = {
        v.id: timed[v.id].end_s if v.id in timed else v.shift_start_s for v in problem.vehicles
    }
    extra: dict[str, list[str]] = {v.id: [] for v in problem.vehicles}
    depot: dict[str, list[str]] = {v.id: [] for v in problem.vehicles}
    kept = {
        v.id: {x.job_id for x in timed[v.id].visits} if v.id in timed else set()
        for v in problem.vehicles
    }
    for job in sorted(problem.jobs, key=lambda j: j.time_windows[0][1]):
        owner = context.carrier.get(job.id)
        if owner is not None:
            if owner in extra and job.id not in kept[owner]:
                extra[owner].append(job.id)
            continue
        eligible = [v for v in problem.vehicles if job.skills <= v.skills]
        if not eligible:
            continue
        best = min(
            eligible,
            key=lambda v: free_at[v.id] + int(problem.durations[v.end, job.location]),
        )
        depot[best.id].append(job.id)
        free_at[best.id] += (
            (best.reload_s if len(depot[best.id]) == 1 else 0)
            + int(problem.durations[best.end, job.location])
            + job.service_s
        )
    routes = []
    for vehicle in problem.vehicles:
        route = timed.get(vehicle.id)
        visits = list(route.visits) if route else []
        visits += [_guess(jobs[o].time_windows[0][0], o) for o in extra[vehicle.id]]
        reloads: tuple[tuple[int, int], ...] = ()
        if depot[vehicle.id] and not vehicle.loads_at_start:
            reloads = ((len(visits), 0),)
        visits += [_guess(jobs[o].time_windows[0][0], o) for o in depot[vehicle.id]]
        if visits:
            routes.append(_bare(vehicle.id, visits, reloads))
    return RoutingSolution(routes=tuple(routes), unassigned=(), cost=0, distance=0, runtime_s=0.0)


def _guess(start: int, job_id: str) -> VisitResult:
    return VisitResult(job_id, start, start, start, ())


def _bare(
    vehicle_id: str, visits: Sequence[VisitResult], reloads: tuple[tuple[int, int], ...]
) -> RouteResult:
    return RouteResult(vehicle_id, tuple(visits), 0, 0, 0, 0, (), 0, 0, reloads)


def to_live_routes(
    solution: RoutingSolution, problem: RoutingProblem, context: LiveContext
) -> tuple[Route, ...]:
    """Turn a live solution into domain routes, with the stop being served kept first."""
    by_vehicle = {route.vehicle_id: route for route in solution.routes}
    routes: list[Route] = []
    for vehicle in problem.vehicles:
        vid = vehicle.id
        result = by_vehicle.get(vid)
        stops: list[PlannedStop] = []
        serving = context.in_service.get(vid)
        if serving is not None:
            stop, free_at = serving
            began = context.at(free_at - stop.service_s, vid)
            stops.append(
                PlannedStop(
                    stop.order_id,
                    stop.order_id,
                    1,
                    began,
                    began,
                    context.at(free_at, vid),
                    stop.time_windows,
                )
            )
        if result is None:
            drive_s, drive_m, cost = context.home[vid]
            start = vehicle.shift_start_s
            end, distance, duration, overtime = start + drive_s, drive_m, drive_s, 0
        else:
            start, end, distance = result.start_s, result.end_s, result.distance
            duration, overtime = result.duration_s, result.overtime_s
            cost = result.cost - context.fixed_costs.get(vid, 0)
        for visit in result.visits if result else ():
            stops.append(
                PlannedStop(
                    stop_id=visit.job_id,
                    order_id=visit.job_id,
                    sequence=len(stops) + 1,
                    eta=context.at(visit.arrival_s, vid),
                    service_start=context.at(visit.service_start_s, vid),
                    departure=context.at(visit.departure_s, vid),
                    time_windows=context.stops[visit.job_id].time_windows,
                    load_after=dict(zip(context.dimensions, visit.load_after, strict=False)),
                )
            )
        routes.append(
            Route(
                vehicle_id=vid,
                stops=tuple(stops),
                start_at=context.at(start, vid),
                end_at=context.at(end, vid),
                distance_m=distance,
                duration_s=duration,
                load=dict(zip(context.dimensions, result.load if result else (), strict=False)),
                overtime_s=overtime,
                cost=round(cost / COST_UNITS_PER_CURRENCY, 2),
            )
        )
    return tuple(routes)


def _reason(job: UnassignedJob, context: LiveContext, penalties: ReplanPenalties) -> Unassigned:
    windows = context.base_windows[job.job_id]
    promised = " or ".join(f"{context.clock(a)}-{context.clock(b)}" for a, b in windows)
    limit = context.clock(windows[-1][1] + penalties.max_late_s)
    if context.carrier.get(job.job_id) is not None:
        return Unassigned(
            job.job_id,
            ReasonCode.WINDOW_UNREACHABLE,
            f"its truck cannot reach it by {limit} (promised {promised}): needs a new window",
        )
    if job.reason_code == ReasonCode.FLEET_FULL.value:
        return Unassigned(
            job.job_id,
            ReasonCode.FLEET_FULL,
            f"no truck in reach can load it at the depot and deliver it by {limit} "
            f"(promised {promised})",
        )
    return Unassigned(job.job_id, ReasonCode(job.reason_code), job.reason)


def solve_live(
    problem: RoutingProblem,
    context: LiveContext,
    *,
    penalties: ReplanPenalties = DEFAULT_PENALTIES,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
    seed: int = 1,
    postponed: Sequence[str] = (),
) -> Replan:
    """Solve a live problem from the plan in force and compare the result with it.

    Parameters
    ----------
    problem, context
        From :func:`~fleetline.planning.live_problem.build_live_problem`.
    penalties
        Costs of change.
    time_limit_s, max_iterations, seed
        As for :func:`~fleetline.planning.solver.solve`.
    postponed
        Orders taken out of the day on purpose (for the impact).

    Returns
    -------
    Replan
        Routes, left-out orders, diff and impact.
    """
    solution = solve(
        problem,
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
        seed=seed,
        initial=warm_start(problem, context),
        describe_time=context.clock,
    )
    diff, impact, late = assess(problem, context, solution, penalties, postponed)
    return Replan(
        routes=to_live_routes(solution, problem, context),
        unassigned=tuple(_reason(job, context, penalties) for job in solution.unassigned),
        diff=diff,
        impact=impact,
        late=dict(late),
        solution=solution,
    )


def replan(
    snapshot: DaySnapshot,
    travel_times: TravelTimes,
    *,
    vehicles: set[str] | None = None,
    time_limit_s: float | None = None,
    max_iterations: int | None = None,
    seed: int = 1,
    penalties: ReplanPenalties = DEFAULT_PENALTIES,
) -> Replan:
    """Re-plan the rest of the day of ``vehicles`` (all by default) from ``snapshot``.

    Parameters
    ----------
    snapshot
        The live day.
    travel_times
        Durations and distances, departing now.
    vehicles
        Vehicles to re-plan; the others keep their routes. Orders of a broken-down or
        off-duty vehicle in scope, and orders not in the plan, go to vehicles in scope
        that load them at the depot.
    time_limit_s, max_iterations, seed
        As for :func:`~fleetline.planning.solver.solve` (give ``max_iterations`` for a
        repeatable plan).
    penalties
        Costs of change.

    Returns
    -------
    Replan
        New routes, left-out orders with reasons, diff and impact.
    """
    problem, context = build_live_problem(
        snapshot, travel_times, vehicles=vehicles, penalties=penalties
    )
    return solve_live(
        problem,
        context,
        penalties=penalties,
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
        seed=seed,
    )
