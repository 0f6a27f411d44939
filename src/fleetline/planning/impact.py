"""What a re-plan changes against the plan in force: a readable diff and its impact.

The plan in force is timed on the same problem (same starts, same matrices), so both
sides are compared like for like. Lateness is measured against the promised windows;
an order left out counts as :data:`UNSERVED_MINUTES` of lateness, so that a plan never
looks better by dropping orders. Costs are running costs from now on (driving, paid
time, overtime, the drive home of a vehicle without stops), not the day's fixed costs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from fleetline.domain.live import Impact
from fleetline.planning.live_problem import (
    COST_UNITS_PER_CURRENCY,
    PRIORITY_WEIGHT,
    LiveContext,
    ReplanPenalties,
)
from fleetline.planning.problem import RoutingProblem, RoutingSolution
from fleetline.planning.route_timing import time_routes

UNSERVED_MINUTES = 240.0
"""Minutes of lateness an order left out of today counts as (before its priority weight)."""
ETA_CHANGE_S = 60
"""ETA moves smaller than this are not listed in a diff."""


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """What changes, order by order.

    Attributes
    ----------
    moved
        ``(order_id, from_vehicle, to_vehicle)``; ``from_vehicle`` is ``None`` for an order
        that was not on any route.
    resequenced_vehicles
        Vehicles that visit the stops they keep in another order.
    dropped
        Orders no longer served today.
    eta_changes
        ``(order_id, old_eta, new_eta)`` for ETAs that move by a minute or more.
    """

    moved: tuple[tuple[str, str | None, str], ...]
    resequenced_vehicles: tuple[str, ...]
    dropped: tuple[str, ...]
    eta_changes: tuple[tuple[str, datetime | None, datetime], ...]


def lateness_s(windows: Sequence[tuple[int, int]], service_start: int) -> int:
    """Return how long after its windows a service starts (0 when inside or before one)."""
    if any(early <= service_start <= late for early, late in windows):
        return 0
    closed = [late for _, late in windows if late < service_start]
    return service_start - max(closed) if closed else 0


def plan_in_force(problem: RoutingProblem, context: LiveContext) -> RoutingSolution:
    """Time the remaining sequences of the plan in force on the live problem.

    A broken-down vehicle is timed as if it could drive on, so its remaining route is
    part of what the new plan is compared with.
    """
    jobs = {job.id for job in problem.jobs}
    vehicles = [*problem.vehicles, *context.ghosts]
    timed = RoutingProblem(
        problem.dimensions, problem.durations, problem.distances, vehicles, problem.jobs
    )
    sequences = {v.id: [o for o in context.current.get(v.id, ()) if o in jobs] for v in vehicles}
    return time_routes(timed, {k: v for k, v in sequences.items() if v})


def _running(
    solution: RoutingSolution, context: LiveContext, idle: Sequence[str]
) -> tuple[int, int]:
    """Distance and running cost (units) of a solution, with the drive home of ``idle``."""
    used = {route.vehicle_id for route in solution.routes}
    distance = sum(route.distance for route in solution.routes)
    cost = sum(
        route.cost - context.fixed_costs.get(route.vehicle_id, 0) for route in solution.routes
    )
    for vehicle_id in idle:
        if vehicle_id not in used:
            distance += context.home[vehicle_id][1]
            cost += context.home[vehicle_id][2]
    return distance, cost


def assess(
    problem: RoutingProblem,
    context: LiveContext,
    solution: RoutingSolution,
    penalties: ReplanPenalties,
    postponed: Sequence[str] = (),
) -> tuple[PlanDiff, Impact, Mapping[str, int]]:
    """Compare ``solution`` with the plan in force.

    Parameters
    ----------
    problem, context
        The live problem and its context.
    solution
        The re-plan.
    penalties
        For the cost of moving orders and the ETA change that means telling a client.
    postponed
        Orders taken out of the day on purpose (counted as unserved and notified).

    Returns
    -------
    tuple[PlanDiff, Impact, Mapping[str, int]]
        The diff, the impact, and the lateness (seconds) of every order served late.
    """
    working = [v.id for v in problem.vehicles]
    current = plan_in_force(problem, context)
    old_vehicle = dict(context.carrier)
    for vehicle_id, sequence in context.current.items():
        for order_id in sequence:
            old_vehicle[order_id] = vehicle_id
    served: dict[str, tuple[str, int, int]] = {}
    for route in solution.routes:
        for visit in route.visits:
            served[visit.job_id] = (route.vehicle_id, visit.arrival_s, visit.service_start_s)

    late: dict[str, int] = {}
    weighted = 0.0
    eta_changes: list[tuple[str, datetime | None, datetime]] = []
    notify: set[str] = set()
    moved: list[tuple[str, str | None, str]] = []
    for order_id, (vehicle_id, arrival, start) in served.items():
        stop = context.stops[order_id]
        late_by = lateness_s(context.base_windows[order_id], start)
        if late_by:
            late[order_id] = late_by
            weighted += PRIORITY_WEIGHT[stop.priority] * late_by / 60
            notify.add(stop.client_id)
        new_eta = context.at(arrival, vehicle_id)
        old_eta = stop.planned_eta
        shift = None if old_eta is None else abs((new_eta - old_eta).total_seconds())
        if shift is None or shift >= ETA_CHANGE_S:
            eta_changes.append((order_id, old_eta, new_eta))
        if shift is not None and shift >= penalties.notify_eta_change_s:
            notify.add(stop.client_id)
        if old_vehicle.get(order_id) != vehicle_id:
            moved.append((order_id, old_vehicle.get(order_id), vehicle_id))
    dropped = [o for o in context.stops if o not in served]
    for order_id in (*dropped, *postponed):
        stop = context.snapshot_stop(order_id)
        weighted += PRIORITY_WEIGHT[stop.priority] * UNSERVED_MINUTES
        notify.add(stop.client_id)

    resequenced = []
    for route in solution.routes:
        before = list(context.current.get(route.vehicle_id, ()))
        kept_new = [v.job_id for v in route.visits if v.job_id in set(before)]
        kept_old = [o for o in before if o in set(kept_new)]
        if kept_new != kept_old:
            resequenced.append(route.vehicle_id)

    new_distance, new_cost = _running(solution, context, working)
    old_distance, old_cost = _running(current, context, working)
    impact = Impact(
        late_orders=len(late),
        priority_weighted_lateness=round(weighted, 1),
        extra_distance_m=new_distance - old_distance,
        overtime_s=sum(route.overtime_s for route in solution.routes),
        cost=round(
            (new_cost - old_cost) / COST_UNITS_PER_CURRENCY
            + sum(1 for _, was, _ in moved if was) * penalties.move_to_other_vehicle,
            2,
        ),
        unserved_orders=len(dropped) + len(postponed),
        clients_to_notify=len(notify),
    )
    diff = PlanDiff(
        moved=tuple(moved),
        resequenced_vehicles=tuple(resequenced),
        dropped=tuple(dropped),
        eta_changes=tuple(eta_changes),
    )
    return diff, impact, late
