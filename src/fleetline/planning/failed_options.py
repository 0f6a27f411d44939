"""Options after a failed delivery: try again later today, or move the order to tomorrow.

The goods of a failed delivery are still on the truck, so a retry today is on the same
truck: the order goes back into its route in a later window (one of the order's windows
that opens ``retry_after_s`` from now or later, else from then until the shift ends),
and the truck's route is re-planned around it. Postponing changes no route.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fleetline.domain.live import ExceptionOption, Impact
from fleetline.domain.model import OrderState, TimeWindow
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.planning.impact import UNSERVED_MINUTES
from fleetline.planning.live_problem import (
    DEFAULT_PENALTIES,
    PRIORITY_WEIGHT,
    ReplanPenalties,
    build_live_problem,
)
from fleetline.planning.options import rank
from fleetline.planning.replan import solve_live

RETRY_AFTER_S = 3600


def _find(snapshot: DaySnapshot, order_id: str) -> tuple[VehicleRun, RemainingStop | None]:
    for run in snapshot.vehicles:
        if order_id in run.failed or any(s.order_id == order_id for s in run.remaining):
            stop = next((s for s in run.remaining if s.order_id == order_id), None)
            stop = stop or next((s for s in snapshot.unplanned if s.order_id == order_id), None)
            return run, stop
    raise KeyError(order_id)


def _later_windows(
    stop: RemainingStop, run: VehicleRun, after: TimeWindow
) -> tuple[TimeWindow, ...]:
    later = tuple(w for w in stop.time_windows if w.end > after.start)
    clipped = tuple(TimeWindow(max(w.start, after.start), w.end) for w in later)
    return clipped or (TimeWindow(after.start, max(run.shift_end, after.end)),)


def failed_delivery_options(
    snapshot: DaySnapshot,
    order_id: str,
    travel_times: TravelTimes,
    *,
    stop: RemainingStop | None = None,
    retry_after_s: int = RETRY_AFTER_S,
    time_limit_s: float = 1.0,
    max_iterations: int | None = None,
    penalties: ReplanPenalties = DEFAULT_PENALTIES,
) -> list[ExceptionOption]:
    """Rank "try again later today" against "move to tomorrow" for a failed delivery.

    Parameters
    ----------
    snapshot
        The live day.
    order_id
        The order whose delivery failed (in a run's ``failed`` or ``remaining``).
    travel_times
        Durations and distances, departing now.
    stop
        The order's stop, when the snapshot no longer lists it among remaining stops or
        orders not in the plan.
    retry_after_s
        Earliest retry, from now.
    time_limit_s, max_iterations
        Limits of the retry's solve.
    penalties
        Costs of change.

    Returns
    -------
    list[ExceptionOption]
        The retry and the postponement, by rank.

    Raises
    ------
    KeyError
        When no vehicle carries the order or its stop is unknown.
    """
    run, found = _find(snapshot, order_id)
    stop = stop or found
    if stop is None:
        raise KeyError(order_id)
    retry_from = snapshot.now + timedelta(seconds=retry_after_s)
    windows = _later_windows(stop, run, TimeWindow(retry_from, retry_from + timedelta(hours=1)))
    again = replace(stop, time_windows=windows, promised_window=None, state=OrderState.DISPATCHED)
    others = tuple(s for s in run.remaining if s.order_id != order_id)
    day = replace(
        snapshot,
        vehicles=tuple(replace(r, remaining=others) if r is run else r for r in snapshot.vehicles),
        unplanned=tuple(s for s in snapshot.unplanned if s.order_id != order_id),
    )
    problem, context = build_live_problem(
        day,
        travel_times,
        vehicles={run.vehicle_id},
        penalties=penalties,
        carriers={order_id: run.vehicle_id},
        extra_stops=(again,),
    )
    result = solve_live(
        problem,
        context,
        penalties=penalties,
        time_limit_s=time_limit_s,
        max_iterations=max_iterations,
    )
    served = any(s.order_id == order_id for r in result.routes for s in r.stops)
    first = windows[0]
    retry = ExceptionOption(
        id=f"retry-{order_id}",
        kind="retry_today",
        summary=(
            f"{run.vehicle.name} tries again between {first.start:%H:%M} and {first.end:%H:%M}; "
            f"{result.impact.late_orders} late, {result.impact.extra_distance_m / 1000:+.0f} km"
            if served
            else f"{run.vehicle.name} cannot come back today within its shift"
        ),
        impact=replace(result.impact, clients_to_notify=max(1, result.impact.clients_to_notify)),
        rank=0,
        changes={
            "routes": {r.vehicle_id: [s.order_id for s in r.stops] for r in result.routes},
            "window": {"start": first.start.isoformat(), "end": first.end.isoformat()},
            "postponed": [] if served else [order_id],
        },
    )
    postpone = ExceptionOption(
        id=f"postpone-{order_id}",
        kind="postpone",
        summary=f"Deliver tomorrow: {run.vehicle.name} brings the goods back to the depot",
        impact=Impact(
            late_orders=0,
            priority_weighted_lateness=PRIORITY_WEIGHT[stop.priority] * UNSERVED_MINUTES,
            extra_distance_m=0,
            overtime_s=0,
            cost=0.0,
            unserved_orders=1,
            clients_to_notify=1,
        ),
        rank=0,
        changes={"routes": {}, "postponed": [order_id]},
    )
    return rank([retry, postpone])
