"""A dispatcher's manual edit of the live plan: its impact before, a new version after.

An edit is a list of moves, each putting one stop on a truck at a position among that
truck's remaining stops (moves apply in order). :func:`preview` checks the edited routes
against every constraint the planner keeps (capacity, skills, time windows, shift end,
stops already being served or done) and times them with the same ETA engine the live
picture uses, before and after, so the dispatcher sees what the edit does before it is
applied. :func:`make_apply_manual_edit` refuses an edit that breaks a hard constraint and
otherwise makes a new live plan version through :func:`~fleetline.operations.revisions.revise`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from fleetline.bus import Context
from fleetline.domain import commands
from fleetline.domain.errors import Conflict, InvalidField, NotFound
from fleetline.domain.live import Risk, StopForecast, VehicleStatus
from fleetline.domain.model import OrderState
from fleetline.domain.snapshot import DaySnapshot, RemainingStop, VehicleRun
from fleetline.network.base import TravelTimes
from fleetline.operations.edit_impact import (
    AppliedEdit,
    EditPreview,
    RouteImpact,
    StopImpact,
    Violation,
)
from fleetline.operations.ports import UnitOfWork
from fleetline.operations.revisions import Forecaster, Revision, revise
from fleetline.operations.snapshot import build_snapshot

MAX_MOVES = 50
"""The most moves one edit may hold."""


def _clock(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else "—"


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _edited_sequences(
    snapshot: DaySnapshot,
    moves: Sequence[commands.StopMove],
    labels: Mapping[str, str],
    states: Mapping[str, OrderState],
) -> tuple[dict[str, list[str]], list[Violation]]:
    """Apply ``moves`` in order to the remaining sequences; list what cannot be done."""
    sequences = {run.vehicle_id: [s.order_id for s in run.remaining] for run in snapshot.vehicles}
    stops = {s.order_id: s for run in snapshot.vehicles for s in run.remaining}
    changed: set[str] = set()
    problems: list[Violation] = []
    for n, move in enumerate(moves):
        field = f"moves[{n}]"
        label = labels.get(move.order_id, move.order_id)
        run = snapshot.run_of(move.vehicle_id)
        if run is None:
            problems.append(
                Violation(
                    f"{field}.vehicle_id", f"truck {move.vehicle_id} is not working today", True
                )
            )
            continue
        if move.order_id not in stops:
            state = states.get(move.order_id)
            why = f"is {state.value}" if state else "is not on today's plan"
            problems.append(
                Violation(f"{field}.order_id", f"stop {label} {why}: it cannot be moved", True)
            )
            continue
        stop = stops[move.order_id]
        if stop.state is not OrderState.DISPATCHED:
            what = "being served" if stop.state is OrderState.ARRIVED else "being driven to"
            problems.append(
                Violation(f"{field}.order_id", f"stop {label} is {what}: it cannot be moved", True)
            )
            continue
        source = next(v for v, seq in sequences.items() if move.order_id in seq)
        sequences[source].remove(move.order_id)
        target = sequences[move.vehicle_id]
        fixed = sum(1 for o in target if stops[o].state is not OrderState.DISPATCHED)
        if not fixed + 1 <= move.position <= len(target) + 1:
            low = fixed + 1
            problems.append(
                Violation(
                    f"{field}.position",
                    f"position {move.position} is not between {low} and {len(target) + 1} "
                    f"on {run.vehicle.name}",
                    True,
                )
            )
            sequences[source].append(move.order_id)  # keep every stop placed for the timing
            continue
        target.insert(move.position - 1, move.order_id)
        changed |= {source, move.vehicle_id}
    return {v: sequences[v] for v in sorted(changed)}, problems


def _edited_snapshot(snapshot: DaySnapshot, sequences: Mapping[str, Sequence[str]]) -> DaySnapshot:
    stops = {s.order_id: s for run in snapshot.vehicles for s in run.remaining}
    runs = []
    for run in snapshot.vehicles:
        if run.vehicle_id not in sequences:
            runs.append(run)
            continue
        remaining = tuple(stops[o] for o in sequences[run.vehicle_id])
        runs.append(dataclasses.replace(run, remaining=remaining, on_board=_load(remaining)))
    return dataclasses.replace(snapshot, vehicles=tuple(runs))


def _load(stops: Sequence[RemainingStop]) -> dict[str, int]:
    load: dict[str, int] = {}
    for stop in stops:
        for dimension, amount in stop.demand.items():
            load[dimension] = load.get(dimension, 0) + amount
    return load


def _route_figures(
    run: VehicleRun, forecasts: Mapping[str, StopForecast], travel_times: TravelTimes
) -> tuple[int, datetime | None, int]:
    """Distance still to drive, return to the depot, and overtime of a run."""
    points = [run.position, *(s.location for s in run.remaining), run.depot.location]
    matrix = travel_times.matrix(points)
    distance = sum(int(matrix.distances[i, i + 1]) for i in range(len(points) - 1))
    last = forecasts.get(run.remaining[-1].order_id) if run.remaining else None
    if last is None:
        return distance, None, 0
    end = last.departure + timedelta(seconds=int(matrix.durations[-2, -1]))
    return distance, end, max(0, int((end - run.shift_end).total_seconds()))


def _hard_checks(
    run: VehicleRun, moved: Mapping[str, str], labels: Mapping[str, str]
) -> list[Violation]:
    """Capacity, skills and a truck that cannot drive, for a truck receiving stops."""
    problems = []
    name = run.vehicle.name
    if run.status in (VehicleStatus.BROKEN_DOWN, VehicleStatus.OFF_DUTY):
        field = next(iter(moved.values()))
        status = run.status.value.replace("_", " ")
        problems.append(Violation(field, f"{name} is {status}: it cannot take stops", True))
    load = _load(run.remaining)
    for dimension, amount in sorted(load.items()):
        capacity = run.vehicle.capacity.get(dimension, 0)
        if amount > capacity:
            field = next(iter(moved.values()))
            problems.append(
                Violation(
                    field,
                    f"{name} would carry {amount} {dimension.replace('_', ' ')}, "
                    f"over its capacity of {capacity}",
                    True,
                )
            )
    for stop in run.remaining:
        missing = stop.required_skills - run.vehicle.skills
        if stop.order_id in moved and missing:
            problems.append(
                Violation(
                    moved[stop.order_id],
                    f"stop {labels.get(stop.order_id, stop.order_id)} needs "
                    f"{', '.join(sorted(missing)).replace('_', ' ')}, which {name} lacks",
                    True,
                )
            )
    return problems


def preview(
    uow: UnitOfWork,
    plan_id: str,
    moves: Sequence[commands.StopMove],
    now: datetime,
    travel_times: TravelTimes,
    forecaster: Forecaster,
) -> EditPreview:
    """Check and time an edit of the live plan ``plan_id`` without changing anything.

    Parameters
    ----------
    uow
        An open unit of work.
    plan_id
        The live plan the edit was made on.
    moves
        The moves, applied in order.
    now
        The current time (from the clock).
    travel_times, forecaster
        How the edited routes are timed (the live picture's ETA engine).

    Raises
    ------
    NotFound
        When the plan does not exist.
    Conflict
        When the plan is no longer its day's live plan (``field`` is ``plan_id``).
    InvalidField
        When there are no moves, or too many.
    """
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFound("plan", plan_id)
    live = uow.plans.live_for(plan.date)
    if live is None or live.id != plan.id:
        current = f"version {live.version} is live now" if live else "the day has no live plan"
        raise Conflict(f"plan version {plan.version} is no longer live: {current}", "plan_id")
    if not moves:
        raise InvalidField("moves", "move at least one stop")
    if len(moves) > MAX_MOVES:
        raise InvalidField("moves", f"at most {MAX_MOVES} moves at once")
    snapshot = build_snapshot(uow, plan.date, now)
    involved = {s.order_id for run in snapshot.vehicles for s in run.remaining}
    involved |= {m.order_id for m in moves}
    orders = {o.id: o for o in uow.orders.get_many(involved)}
    clients = {c.id: c.name for c in uow.clients.get_many({o.client_id for o in orders.values()})}
    labels = {o.id: o.reference or o.id for o in orders.values()}
    states = {o.id: o.state for o in orders.values()}
    sequences, violations = _edited_sequences(snapshot, moves, labels, states)
    edited = _edited_snapshot(snapshot, sequences)
    before, after = forecaster(snapshot, travel_times), forecaster(edited, travel_times)
    moved = {m.order_id: f"moves[{n}].vehicle_id" for n, m in enumerate(moves)}
    routes = []
    for run in edited.vehicles:
        if run.vehicle_id not in sequences:
            continue
        old = snapshot.run_of(run.vehicle_id)
        assert old is not None
        arriving = {o: f for o, f in moved.items() if o in sequences[run.vehicle_id]}
        arriving = {
            o: f for o, f in arriving.items() if o not in {s.order_id for s in old.remaining}
        }
        if arriving:
            violations.extend(_hard_checks(run, arriving, labels))
        distance_before, end_before, overtime_before = _route_figures(old, before, travel_times)
        distance_after, end_after, overtime_after = _route_figures(run, after, travel_times)
        stops = tuple(
            StopImpact(
                order_id=s.order_id,
                label=labels.get(s.order_id, s.order_id),
                client_name=clients.get(s.client_id, ""),
                eta_before=before[s.order_id].eta if s.order_id in before else None,
                eta_after=after[s.order_id].eta if s.order_id in after else None,
                window_end=after[s.order_id].window_end if s.order_id in after else None,
                risk_before=before[s.order_id].risk if s.order_id in before else None,
                risk_after=after[s.order_id].risk if s.order_id in after else None,
                moved_here=s.order_id in arriving,
            )
            for s in run.remaining
        )
        for stop in stops:
            if stop.risk_after is Risk.LATE and stop.risk_before is not Risk.LATE:
                late_by = (
                    (stop.eta_after - stop.window_end).total_seconds()
                    if stop.eta_after and stop.window_end
                    else 0
                )
                violations.append(
                    Violation(
                        moved.get(stop.order_id, "moves"),
                        f"stop {stop.label} would arrive at {_clock(stop.eta_after)}, "
                        f"{_minutes(late_by)} after its window closes at {_clock(stop.window_end)}",
                        False,
                    )
                )
        if overtime_after > overtime_before:
            field = next(iter(arriving.values()), "moves")
            allowed = run.vehicle.max_overtime_s
            beyond = overtime_after > allowed
            violations.append(
                Violation(
                    field,
                    f"{run.vehicle.name} would be back at {_clock(end_after)}, "
                    f"{_minutes(overtime_after)} after its shift ends"
                    + (f", beyond the {_minutes(allowed)} of overtime allowed" if beyond else ""),
                    beyond,
                )
            )
        routes.append(
            RouteImpact(
                vehicle_id=run.vehicle_id,
                vehicle_name=run.vehicle.name,
                stops=stops,
                late_before=sum(1 for s in old.remaining if _late(before, s.order_id)),
                late_after=sum(1 for s in run.remaining if _late(after, s.order_id)),
                distance_before_m=distance_before,
                distance_after_m=distance_after,
                end_before=end_before,
                end_after=end_after,
                overtime_before_s=overtime_before,
                overtime_after_s=overtime_after,
                load_after=_load(run.remaining),
                capacity=dict(run.vehicle.capacity),
            )
        )
    return EditPreview(
        plan_id=plan.id,
        plan_version=plan.version,
        routes=tuple(routes),
        violations=tuple(violations),
        sequences={v: tuple(seq) for v, seq in sequences.items()},
    )


def _late(forecasts: Mapping[str, StopForecast], order_id: str) -> bool:
    forecast = forecasts.get(order_id)
    return forecast is not None and forecast.risk is Risk.LATE


def make_apply_manual_edit(
    travel_times: TravelTimes, forecaster: Forecaster
) -> Callable[[commands.ApplyManualEdit, UnitOfWork, Context], AppliedEdit]:
    """Return the handler that applies a manual edit as a new live plan version."""

    def apply_manual_edit(
        command: commands.ApplyManualEdit, uow: UnitOfWork, context: Context
    ) -> AppliedEdit:
        checked = preview(
            uow, command.plan_id, command.moves, context.clock.now(), travel_times, forecaster
        )
        hard = next((v for v in checked.violations if v.hard), None)
        if hard is not None:
            raise InvalidField(hard.field, hard.message)
        if not checked.sequences:
            raise InvalidField("moves", "the edit changes nothing")
        plan = uow.plans.get(command.plan_id)
        assert plan is not None
        revision = Revision(
            routes={v: list(seq) for v, seq in checked.sequences.items()}, trigger="manual"
        )
        new_plan = revise(uow, context, plan.date, revision, travel_times, forecaster)
        return AppliedEdit(new_plan, checked)

    return apply_manual_edit
