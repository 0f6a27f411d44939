"""A driver phones in: report their truck's breakdown, delay, resume or duty for them.

The day's trucks with their status, and a form that sends
:class:`~fleetline.domain.commands.ReportVehicleEvent` as the driver's app would; a
breakdown opens an exception for the truck's remaining stops, linked from here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.live import VehicleEventType, VehicleState, VehicleStatus
from fleetline.ui.dispatch.map_state import STATUS_COLOURS, STATUS_WORDS
from fleetline.ui.dispatch_controls.forms import FieldErrors, send
from fleetline.ui.dispatch_controls.reading import (
    ControlsLook,
    TruckLook,
    clock,
    on_day,
    parse_clock,
)

EVENT_WORDS = {
    VehicleEventType.BREAKDOWN.value: "Broke down",
    VehicleEventType.DELAYED.value: "Is delayed",
    VehicleEventType.RESUMED.value: "Back on the road",
    VehicleEventType.OFF_DUTY.value: "Off duty",
    VehicleEventType.ON_DUTY.value: "On duty",
}
MAX_NOTE = 2000

EXCEPTION_WAIT_S = 0.5
EXCEPTION_WAIT_LOOKS = 30
"""A breakdown's exception is looked for every half second, for 15 s at most."""


class TruckCard:
    """The trucks' status and the report form.

    Parameters
    ----------
    on_reported
        Called after a report is stored (the page reads the day again).
    chosen
        The truck to choose at first (the live page's link from a truck's timeline).
    """

    def __init__(
        self, on_reported: Callable[[], Awaitable[None]], chosen: str | None = None
    ) -> None:
        self.on_reported = on_reported
        self._chosen = chosen
        self.look: ControlsLook | None = None
        self._shown: tuple[TruckLook, ...] | None = None
        with ui.card().classes("w-full fl-card").props('flat bordered data-testid="trucks"'):
            ui.label("A driver calls in").classes("text-subtitle1 text-weight-medium")
            ui.label(
                "Report for the driver what their app would: the truck and the whole day "
                "follow at once (a breakdown opens an exception with options)."
            ).classes("text-caption text-grey-8")
            with ui.element("div").classes("fl-form-grid fl-form-wide w-full"):
                self.truck = (
                    ui.select({}, label="Truck")
                    .props('outlined dense data-testid="truck-pick"')
                    .classes("w-full")
                )
                self.event = (
                    ui.select(EVENT_WORDS, label="What happened")
                    .props('outlined dense data-testid="truck-event"')
                    .classes("w-full")
                )
                self.at = (
                    ui.input("At (HH:MM)")
                    .props('outlined dense data-testid="truck-at"')
                    .classes("w-full")
                )
            self.note = (
                ui.input("Note (the driver's words)", placeholder="e.g. Flat tyre near Vaduz")
                .props(f'outlined dense maxlength={MAX_NOTE} data-testid="truck-note"')
                .classes("w-full")
            )
            self.general = ui.label("").classes("text-negative text-caption")
            self.button = ui.button("Report", on_click=self._report).props(
                'unelevated color=primary data-testid="truck-send"'
            )
            self.outcome = ui.column().classes("w-full gap-1")
            ui.separator()
            self.list = ui.column().classes("w-full gap-1").props('data-testid="truck-list"')
        self.errors = FieldErrors(
            {"vehicle_id": self.truck, "type": self.event, "at": self.at, "note": self.note},
            self.general,
        )

    def show(self, look: ControlsLook) -> None:
        """Show the trucks as they stand (the form keeps what is being typed)."""
        self.look = look
        if not self.at.value:
            self.at.value = clock(look.now, look.zone)
        if look.trucks == self._shown:
            return
        self._shown = look.trucks
        options = {
            t.vehicle_id: f"{t.name} · {STATUS_WORDS.get(t.status.value, t.status.value)}"
            for t in look.trucks
        }
        value = self.truck.value if self.truck.value in options else None
        if value is None and self._chosen in options:
            value, self._chosen = self._chosen, None
        self.truck.set_options(options, value=value)
        self.list.clear()
        with self.list:
            if not look.trucks:
                ui.label("No trucks work this day.").classes("text-grey-7")
            for truck in look.trucks:
                with (
                    ui.row()
                    .classes("w-full items-center no-wrap gap-2 fl-truck-row")
                    .props(f'data-testid="truck-{truck.vehicle_id}"')
                ):
                    ui.html(
                        '<span class="fl-dot" style="background:'
                        f'{STATUS_COLOURS.get(truck.status.value, "#757575")}"></span>',
                        sanitize=False,
                    )
                    with ui.column().classes("gap-0 col fl-shrink"):
                        ui.label(f"{truck.name} · {truck.driver}").classes("text-weight-medium")
                        status = STATUS_WORDS.get(truck.status.value, truck.status.value)
                        detail = f"{status} · {truck.stops_left} stops left"
                        if truck.since is not None and truck.status.value != "on_duty":
                            detail += f" · since {clock(truck.since, look.zone)}"
                        if truck.note and truck.status.value != "on_duty":
                            detail += f" · {truck.note}"
                        ui.label(detail).classes("text-caption text-grey-8")
                    if truck.open_exception:
                        ui.link(
                            "Exception open",
                            f"/dispatch/exceptions?date={look.day.isoformat()}",
                        ).classes("text-negative text-caption text-no-wrap")

    async def _report(self) -> None:
        self.errors.clear()
        look = self.look
        truck = look.truck(self.truck.value) if look else None
        if truck is None:
            self.errors.add("vehicle_id", "Choose the driver's truck.")
        if self.event.value not in EVENT_WORDS:
            self.errors.add("type", "Choose what happened.")
        moment = parse_clock(self.at.value)
        if moment is None:
            self.errors.add("at", "A time such as 08:30.")
        elif look is not None and on_day(look.day, moment, look.zone) > look.now:
            self.errors.add("at", f"Not later than now ({clock(look.now, look.zone)}).")
        note = str(self.note.value or "").strip()
        if len(note) > MAX_NOTE:
            self.errors.add("note", f"At most {MAX_NOTE} characters.")
        if not self.errors.ok or look is None or truck is None or moment is None:
            return
        command = commands.ReportVehicleEvent(
            vehicle_id=truck.vehicle_id,
            type=VehicleEventType(self.event.value),
            at=on_day(look.day, moment, look.zone),
            note=note,
        )
        self.button.disable()
        try:
            state: VehicleState | None = await send(command, self.errors)
        finally:
            self.button.enable()
        if state is None:
            return
        self.note.value = ""
        self.event.value = None
        self.at.value = ""
        await self.on_reported()
        self.outcome.clear()
        status = STATUS_WORDS.get(state.status.value, state.status.value)
        with self.outcome:
            ui.label(f"Reported: {truck.name} is {status.lower()}.").classes("text-positive").props(
                'data-testid="truck-outcome"'
            )
        opened = await self._open_exception_of(truck.vehicle_id, state)
        if opened is not None:
            with (
                self.outcome,
                ui.row().classes("items-center gap-2").props('data-testid="truck-exception"'),
            ):
                ui.icon("warning", color="negative")
                ui.label(opened)
                ui.link(
                    "Open the Exceptions inbox",
                    f"/dispatch/exceptions?date={look.day.isoformat()}",
                )

    async def _open_exception_of(self, vehicle_id: str, state: VehicleState) -> str | None:
        """The truck's open exception; after a breakdown, waited for while it opens.

        The engine opens a breakdown's exception right after the report is stored, off
        the report's request: the card says so and shows the exception once it is open.
        """
        fresh = self.look.truck(vehicle_id) if self.look else None
        if fresh is not None and fresh.open_exception:
            return fresh.open_exception
        if state.status is not VehicleStatus.BROKEN_DOWN:
            return None
        with self.outcome:
            waiting = ui.label("Opening its exception…").classes("text-grey-7")
        try:
            for _ in range(EXCEPTION_WAIT_LOOKS):
                await asyncio.sleep(EXCEPTION_WAIT_S)
                await self.on_reported()
                fresh = self.look.truck(vehicle_id) if self.look else None
                if fresh is not None and fresh.open_exception:
                    return fresh.open_exception
            return None
        finally:
            waiting.delete()
