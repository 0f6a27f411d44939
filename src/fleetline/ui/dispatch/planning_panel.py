"""Plan and dispatch a day that has no live plan yet.

Ask for a plan (with a time limit for the solver), watch it solve, read what came out
(each truck's route, orders left out and why) and dispatch it: the same commands as
``POST /api/v1/plans`` and ``POST /api/v1/plans/{id}/dispatch``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import run, ui

from fleetline.bootstrap import Services
from fleetline.domain import commands
from fleetline.domain.errors import DomainError
from fleetline.domain.model import Plan, PlanStatus
from fleetline.operations.company import company_zone
from fleetline.ui.dispatch.fleet_list import load_share

MAX_TIME_LIMIT_S = 3600
"""The longest solve one may ask for (as the API allows)."""


def check_time_limit(text: object) -> tuple[float | None, str | None]:
    """Read the solver's time limit as typed: ``(seconds, None)`` or ``(None, problem)``."""
    try:
        seconds = float(str(text).strip())
    except ValueError:
        return None, "Enter a number of seconds."
    if seconds != seconds or seconds <= 0:
        return None, "The time limit must be more than 0 seconds."
    if seconds > MAX_TIME_LIMIT_S:
        return None, f"The time limit can be at most {MAX_TIME_LIMIT_S} seconds."
    return seconds, None


@dataclass(frozen=True, slots=True)
class DayToPlan:
    """What the panel needs to know about the day: its orders, trucks and latest plan."""

    day: date
    orders: int
    trucks: dict[str, tuple[str, dict[str, int]]]
    """Vehicle id -> (name, capacity)."""
    plan: Plan | None
    zone: ZoneInfo | None


def route_rows(plan: Plan, day: DayToPlan) -> list[dict[str, Any]]:
    """Each route of a plan as a row: truck, stops, distance, hours and load."""
    rows = []
    for route in plan.routes:
        name, capacity = day.trucks.get(route.vehicle_id, (route.vehicle_id, {}))
        zone = day.zone
        start = route.start_at.astimezone(zone) if zone else route.start_at
        end = route.end_at.astimezone(zone) if zone else route.end_at
        share, text = load_share(route.load, capacity)
        rows.append(
            {
                "id": route.vehicle_id,
                "truck": name,
                "stops": len(route.stops),
                "distance": f"{route.distance_m / 1000:.1f} km",
                "hours": f"{start:%H:%M}–{end:%H:%M}",
                "load": f"{round(100 * share)}% · {text}" if capacity else "—",
            }
        )
    return rows


def read_day(services: Services, day: date) -> DayToPlan:
    """Read what planning the day needs (run in a worker thread)."""
    with services.uow_factory() as uow:
        orders = uow.orders.count_by_date(day)
        vehicles = uow.vehicles.list(active_only=True)
        plans = uow.plans.list_by_date(day)
        zone = company_zone(uow)
    latest = max(plans, key=lambda p: p.version) if plans else None
    return DayToPlan(
        day=day,
        orders=orders,
        trucks={v.id: (v.name, dict(v.capacity)) for v in vehicles},
        plan=latest,
        zone=zone,
    )


class PlanningPanel:
    """The panel shown while a day has no live plan.

    Parameters
    ----------
    services
        The running services.
    day
        The day to plan.
    on_dispatched
        Called once the plan is the live plan of the day.
    """

    def __init__(self, services: Services, day: date, on_dispatched: Callable[[], object]) -> None:
        self.services = services
        self.day = day
        self.on_dispatched = on_dispatched
        self._state: DayToPlan | None = None
        self._shown: tuple[str, str] | None = None
        self.card = ui.card().classes("w-full fl-planning").props("flat bordered")
        self._timer = ui.timer(1.0, self._poll, active=False)

    async def load(self) -> None:
        """Read the day and draw the panel."""
        self._state = await run.io_bound(read_day, self.services, self.day)
        self._draw()

    async def _poll(self) -> None:
        state = await run.io_bound(read_day, self.services, self.day)
        if state is None:
            return
        self._state = state
        plan = state.plan
        key = (plan.id, plan.status.value) if plan else ("", "")
        if key != self._shown:
            self._draw()
        if plan is None or plan.status is not PlanStatus.SOLVING:
            self._timer.deactivate()

    def _draw(self) -> None:
        state = self._state
        if state is None:
            return
        plan = state.plan
        self._shown = (plan.id, plan.status.value) if plan else ("", "")
        self.card.clear()
        with self.card:
            ui.label(f"Plan {state.day:%A %d %B %Y}").classes("text-h6")
            ui.label(
                f"No plan is live for this day yet: {state.orders} orders, "
                f"{len(state.trucks)} trucks available."
            ).classes("text-body2 text-grey-8")
            if plan is not None and plan.status is PlanStatus.SOLVING:
                self._draw_solving(plan)
                self._timer.activate()
                return
            if plan is not None and plan.status is PlanStatus.READY and plan.dispatched_at is None:
                self._draw_ready(plan, state)
            elif plan is not None and plan.status is PlanStatus.FAILED:
                ui.label(f"The last solve failed: {plan.error or 'no reason given'}").classes(
                    "text-negative"
                )
            self._draw_request(state)

    def _draw_request(self, state: DayToPlan) -> None:
        with ui.row().classes("items-start gap-3 q-mt-sm"):
            limit = (
                ui.input(
                    "Solver time limit (seconds)",
                    value=f"{self.services.settings.solver_time_limit_s:g}",
                )
                .props('outlined dense data-field="time_limit_s"')
                .classes("w-64")
            )
            again = state.plan is not None and state.plan.status is PlanStatus.READY
            button = ui.button("Plan again" if again else "Plan the day")
            button.props("unelevated color=primary data-action=plan")
            if state.orders == 0:
                button.disable()
                ui.label("There are no orders for this day.").classes("text-grey-7 q-mt-sm")

        async def request() -> None:
            seconds, problem = check_time_limit(limit.value)
            if problem is not None or seconds is None:
                limit.props(f'error error-message="{problem}"')
                return
            limit.props(remove="error error-message")
            command = commands.RequestPlan(date=self.day, time_limit_s=seconds)
            try:
                button.disable()
                await run.io_bound(self.services.bus.handle, command)
            except DomainError as error:
                limit.props(f'error error-message="{_words(error)}"')
                button.enable()
                return
            self._timer.activate()
            await self._poll()

        button.on_click(request)

    def _draw_solving(self, plan: Plan) -> None:
        with ui.row().classes("items-center gap-3 q-mt-sm").props('data-plan-status="solving"'):
            ui.spinner(size="md")
            limit = f" (up to {plan.time_limit_s:g} s)" if plan.time_limit_s else ""
            ui.label(f"Solving plan version {plan.version}{limit}…").classes("text-body1")

    def _draw_ready(self, plan: Plan, state: DayToPlan) -> None:
        planned = sum(len(route.stops) for route in plan.routes)
        with ui.column().classes("w-full gap-2 q-mt-sm").props('data-plan-status="ready"'):
            ui.label(
                f"Plan version {plan.version} is ready: {planned} stops on {len(plan.routes)} "
                f"truck{'' if len(plan.routes) == 1 else 's'}, "
                f"{plan.distance_m / 1000:.0f} km, {len(plan.unassigned)} left out."
            ).classes("text-body1 text-weight-medium")
            ui.table(
                columns=[
                    {"name": "truck", "label": "Truck", "field": "truck", "align": "left"},
                    {"name": "stops", "label": "Stops", "field": "stops"},
                    {"name": "distance", "label": "Distance", "field": "distance"},
                    {"name": "hours", "label": "Hours", "field": "hours"},
                    {"name": "load", "label": "Load at start", "field": "load"},
                ],
                rows=route_rows(plan, state),
                row_key="id",
                pagination=0,
            ).props("dense flat bordered hide-bottom").classes("w-full fl-plan-routes")
            if plan.unassigned:
                ui.label("Left out of the plan").classes("text-subtitle2 q-mt-sm")
                with ui.column().classes("gap-0 fl-unassigned"):
                    for item in plan.unassigned:
                        ui.label(f"{item.order_id}: {item.reason}").classes("text-body2")
            problem = ui.label("").classes("text-negative")

            async def dispatch() -> None:
                try:
                    await run.io_bound(
                        self.services.bus.handle, commands.DispatchPlan(plan_id=plan.id)
                    )
                except DomainError as error:
                    problem.text = _words(error)
                    return
                ui.notify(f"Plan version {plan.version} sent to the drivers.", type="positive")
                self.on_dispatched()

            ui.button("Dispatch this plan", on_click=dispatch).props(
                "unelevated color=positive data-action=dispatch"
            )


def _words(error: DomainError) -> str:
    message = getattr(error, "message", None) or str(error)
    return str(message).replace('"', "'")
