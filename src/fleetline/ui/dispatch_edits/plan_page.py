"""The plan page at ``/dispatch/plan``: move a stop with its impact first; plan versions.

A truck's remaining stops in order; a move (stop, truck, position) is checked and timed
by :func:`fleetline.operations.manual_edits.preview` before the dispatcher applies it as a
new live version; the day's versions below with what each one changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nicegui import ui

from fleetline.bootstrap import Services
from fleetline.domain import commands
from fleetline.domain.access import Role
from fleetline.domain.errors import Conflict, DomainError, InvalidField
from fleetline.operations.edit_impact import AppliedEdit, EditPreview
from fleetline.operations.eta import forecast
from fleetline.operations.manual_edits import preview
from fleetline.ui.auth import Principal, require
from fleetline.ui.context import services as running_services
from fleetline.ui.dispatch.nav import console_nav, parse_day
from fleetline.ui.dispatch_edits.impact_view import draw_impact
from fleetline.ui.dispatch_edits.reading import (
    RISK_COLOURS,
    PlanLook,
    TruckLine,
    clock,
    in_worker,
    read_plan,
)
from fleetline.ui.dispatch_edits.versions_panel import VersionsPanel
from fleetline.ui.layout import frame

PAGE_CSS = """
.fl-plan { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 12px;
  width: 100%; align-items: start; }
@media (max-width: 1023px) {
  .fl-plan { grid-template-columns: minmax(0, 1fr); }
  .fl-nav { flex-wrap: wrap !important; gap: 8px; }
}
"""


def _preview(services: Services, plan_id: str, move: commands.StopMove) -> EditPreview:
    with services.uow_factory() as uow:
        return preview(uow, plan_id, (move,), services.clock.now(), services.travel_times, forecast)


class PlanEditor:
    """One open plan page: the trucks' stops, the move form, its impact, the versions.

    Parameters
    ----------
    services
        The running services.
    principal
        Who edits.
    day
        The delivery day shown.
    """

    def __init__(self, services: Services, principal: Principal, day: date) -> None:
        self._services = services
        self._principal = principal
        self._day = day
        self._look = PlanLook(None, None, (), None)
        self._previewed: commands.StopMove | None = None

    async def build(self, chosen_version: int | None) -> None:
        """Draw the page."""
        self._look = await in_worker(read_plan, self._services, self._day)
        with ui.column().classes("w-full q-pa-md gap-3"):
            self._heading = ui.label("").classes("text-h6")
            self._outcome = ui.column().classes("w-full")
            with ui.element("div").classes("fl-plan"):
                with ui.card().props("flat bordered"):
                    ui.label("A truck's stops").classes("text-subtitle1 text-weight-medium")
                    self._truck_pick = (
                        ui.select({}, label="Truck")
                        .props('outlined dense data-testid="truck-pick"')
                        .classes("w-full")
                    )
                    self._truck_pick.on_value_change(lambda _e: self._draw_stops())
                    self._stops_box = ui.column().classes("w-full gap-1")
                with ui.column().classes("w-full gap-3"):
                    self._form()
                    self._impact_box = ui.column().classes("w-full")
            names = {t.vehicle_id: t.name for t in self._look.trucks}
            self._versions = VersionsPanel(self._services, self._day, names, self._look.zone)
            await self._versions.build(chosen_version)
        self._draw_look()

    # --- the trucks and their stops --------------------------------------------------------

    def _draw_look(self) -> None:
        look = self._look
        if look.plan_id is None:
            self._heading.text = "No live plan for this day: plan and dispatch it on the Live page."
        else:
            self._heading.text = f"Live plan: version {look.version}"
        trucks = {t.vehicle_id: f"{t.name} · {len(t.stops)} stops left" for t in look.trucks}
        self._truck_pick.set_options(
            trucks, value=self._truck_pick.value or next(iter(trucks), None)
        )
        self._target.set_options(
            {t.vehicle_id: t.name for t in look.trucks}, value=self._target.value
        )
        self._stop.set_options(
            {
                s.order_id: f"{s.reference} · {s.client_name} · {t.name} #{n}"
                for t in look.trucks
                for n, s in enumerate(t.stops, start=1)
                if s.movable
            },
            value=self._stop.value
            if any(s.order_id == self._stop.value for t in look.trucks for s in t.stops)
            else None,
        )
        self._draw_stops()

    def _truck(self, vehicle_id: Any) -> TruckLine | None:
        return next((t for t in self._look.trucks if t.vehicle_id == vehicle_id), None)

    def _draw_stops(self) -> None:
        self._stops_box.clear()
        truck = self._truck(self._truck_pick.value)
        with self._stops_box:
            if truck is None:
                return
            ui.label(f"Status: {truck.status}").classes("text-caption text-grey-7")
            if not truck.stops:
                ui.label("No stops left.").classes("text-grey-7")
            for n, stop in enumerate(truck.stops, start=1):
                with (
                    ui.row()
                    .classes("items-center w-full no-wrap gap-2")
                    .props(f'data-testid="stop-{stop.reference}"')
                ):
                    ui.label(f"{n}.").classes("text-weight-bold").style("width: 1.6rem")
                    with ui.column().classes("gap-0 col"):
                        ui.label(f"{stop.reference} · {stop.client_name}").classes("ellipsis")
                        ui.label(
                            f"window {stop.window} · ETA {clock(stop.eta, self._look.zone)}"
                        ).classes("text-caption text-grey-8")
                    risk = stop.risk.value.replace("_", " ") if stop.risk else "no ETA"
                    ui.badge(
                        risk, color=RISK_COLOURS.get(stop.risk, "grey") if stop.risk else "grey"
                    )
                    if stop.movable:
                        ui.button("Move", on_click=lambda s=stop.order_id: self._pick(s)).props(
                            "flat dense color=primary"
                        )
                    else:
                        ui.label(stop.state.value.replace("_", " ")).classes("text-caption")

    def _pick(self, order_id: str) -> None:
        self._stop.value = order_id

    # --- the move ----------------------------------------------------------------------------

    def _form(self) -> None:
        with ui.card().classes("w-full").props("flat bordered"):
            ui.label("Move a stop").classes("text-subtitle1 text-weight-medium")
            with ui.row().classes("w-full gap-2 items-start"):
                self._stop = (
                    ui.select({}, label="Stop", with_input=True)
                    .props('outlined dense data-testid="move-stop"')
                    .classes("col-grow")
                    .style("min-width: 240px")
                )
                self._target = (
                    ui.select({}, label="To truck")
                    .props('outlined dense data-testid="move-truck"')
                    .style("min-width: 160px")
                )
                self._position = ui.number("Position", value=1, min=1, step=1, format="%.0f").props(
                    'outlined dense data-testid="move-position" hint="1 = its next stop"'
                )
                self._position.style("width: 130px")
            self._general = ui.label("").classes("text-negative")
            with ui.row().classes("gap-2"):
                ui.button("Preview impact", on_click=self._on_preview).props(
                    'unelevated color=primary data-testid="preview"'
                )
                self._apply = ui.button("Apply move", on_click=self._on_apply).props(
                    'unelevated color=positive data-testid="apply"'
                )
            self._apply.disable()
        for field in (self._stop, self._target, self._position):
            field.on_value_change(lambda _e: self._forget_preview())

    def _forget_preview(self) -> None:
        self._previewed = None
        self._apply.disable()

    def _clear_errors(self) -> None:
        for field in (self._stop, self._target, self._position):
            field.props(remove="error error-message")
        self._general.text = ""

    def _error(self, field: str, message: str) -> None:
        widget = {
            "order_id": self._stop,
            "vehicle_id": self._target,
            "position": self._position,
        }.get(field.rsplit(".", 1)[-1])
        if widget is None:
            self._general.text = message
            return
        widget.props(f"error error-message={_quoted(message)}")

    def _move(self) -> commands.StopMove | None:
        """The move the form holds, checked before it is sent (``None``: errors shown)."""
        self._clear_errors()
        ok = True
        if not self._stop.value:
            self._error("order_id", "Choose the stop to move.")
            ok = False
        target = self._truck(self._target.value)
        if target is None:
            self._error("vehicle_id", "Choose a truck.")
            ok = False
        position = self._position.value
        if position is None or int(position) != position or position < 1:
            self._error("position", "A whole number from 1.")
            ok = False
        elif target is not None:
            others = [s for s in target.stops if s.order_id != self._stop.value]
            lowest = sum(1 for s in others if not s.movable) + 1
            if not lowest <= position <= len(others) + 1:
                self._error("position", f"From {lowest} to {len(others) + 1} on {target.name}.")
                ok = False
        if not ok or self._look.plan_id is None or target is None or position is None:
            return None
        return commands.StopMove(
            order_id=str(self._stop.value), vehicle_id=target.vehicle_id, position=int(position)
        )

    async def _on_preview(self) -> None:
        move = self._move()
        if move is None or self._look.plan_id is None:
            return
        try:
            checked = await in_worker(_preview, self._services, self._look.plan_id, move)
        except (InvalidField, Conflict) as error:
            await self._refused(error)
            return
        except DomainError as error:
            self._general.text = str(error)
            return
        self._impact_box.clear()
        with self._impact_box:
            draw_impact(checked, self._look.zone)
        self._previewed = move if checked.allowed else None
        if checked.allowed:
            self._apply.enable()
        else:
            self._apply.disable()
            first = next(v for v in checked.violations if v.hard)
            self._error(first.field, first.message)

    async def _on_apply(self) -> None:
        move = self._move()
        if move is None or self._look.plan_id is None:
            return
        command = commands.ApplyManualEdit(
            plan_id=self._look.plan_id, moves=(move,), by=self._principal.name
        )
        self._apply.disable()
        try:
            applied: AppliedEdit = await in_worker(self._services.bus.handle, command)
        except (InvalidField, Conflict) as error:
            await self._refused(error)
            return
        except DomainError as error:
            self._general.text = str(error)
            return
        self._previewed = None
        self._impact_box.clear()
        self._outcome.clear()
        with (
            self._outcome,
            ui.card().classes("w-full bg-green-1").props('flat bordered data-testid="outcome"'),
        ):
            ui.label(
                f"Applied: version {applied.plan.version} is live and sent to the drivers."
            ).classes("text-body1")
        await self._reload(applied.plan.version)

    async def _refused(self, error: InvalidField | Conflict) -> None:
        self._forget_preview()
        if isinstance(error, Conflict) and error.field == "plan_id":
            self._general.text = f"{error} The stops below are refreshed: check the move again."
            await self._reload(None)
            return
        self._error(
            error.field or "", error.message if isinstance(error, InvalidField) else str(error)
        )

    async def _reload(self, chosen_version: int | None) -> None:
        self._look = await in_worker(read_plan, self._services, self._day)
        self._draw_look()
        await self._versions.refresh(chosen_version)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def register() -> None:
    """Register the plan page."""

    @ui.page("/dispatch/plan")
    async def plan_page(date: str | None = None, version: int | None = None) -> None:
        principal = require(Role.DISPATCHER, Role.ADMIN)
        if principal is None:
            return
        services = running_services()
        day = parse_day(date, services.live.today())
        frame(principal, "Plan")
        ui.add_css(PAGE_CSS)
        console_nav("plan", day)
        await PlanEditor(services, principal, day).build(version)
