"""The read-only sections of the order card: where it stands, the client, the delivery."""

from __future__ import annotations

from nicegui import ui

from fleetline.domain.model import OrderState
from fleetline.ui.service import words
from fleetline.ui.service.reading import CardData


def _fact(label: str, value: str, *, marker: str, strong: bool = False) -> None:
    with ui.column().classes("gap-0 min-w-0"):
        ui.label(label).classes("text-caption text-grey-7 uppercase")
        text = ui.label(value).classes("text-h6" if strong else "text-body1")
        text.classes("text-weight-medium break-words").props(f"data-fact={marker}")


def header(data: CardData) -> None:
    """The order's reference, client, state and risk badge, and the summary sentence."""
    status = data.status
    order = status.order
    with ui.row().classes("items-center gap-2 w-full"):
        ui.label(order.reference or order.id).classes("text-h5 text-weight-bold")
        ui.badge(
            words.STATE_WORDS[order.state], color=words.STATE_COLOURS.get(order.state, "grey-8")
        )
        if status.risk is not None:
            ui.badge(words.RISK_WORDS[status.risk], color=words.RISK_COLOURS[status.risk]).classes(
                "text-body2 q-px-sm"
            ).props("data-risk=" + status.risk.value)
        ui.space()
        ui.label(f"Delivery {words.day(order.date, data.today)}").classes("text-grey-8")
    if status.client is not None:
        ui.label(status.client.name).classes("text-subtitle1 text-grey-9")
    ui.label(status.summary).classes("text-body1 q-mt-xs fl-summary")


def where_it_stands(data: CardData) -> None:
    """ETA window (never a single minute), promised window, stops before, truck, delay."""
    status = data.status
    zone = data.zone
    with ui.element("div").classes("grid grid-cols-2 gap-x-6 gap-y-3 w-full q-mt-sm"):
        if status.actual_at is not None:
            done = "Delivered at" if status.order.state is OrderState.COMPLETED else "Failed at"
            _fact(done, words.clock(status.actual_at, zone), marker="actual", strong=True)
        elif status.eta_window is not None:
            _fact(
                "Expected between",
                words.window(*status.eta_window, zone),
                marker="eta-window",
                strong=True,
            )
        elif status.no_eta is not None:
            _fact("Expected", f"No ETA now ({words.humanise(status.no_eta)})", marker="eta-window")
        else:
            _fact("Expected", "Not on a truck yet", marker="eta-window")
        promised = status.promised_window
        _fact(
            "Promised window",
            words.window(promised.start, promised.end, zone) if promised else "None told yet",
            marker="promised",
            strong=promised is not None,
        )
        if status.stops_before is not None:
            _fact("Stops before", str(status.stops_before), marker="stops-before")
        if status.vehicle_id is not None:
            driver = f" · driver {status.driver_first_name}" if status.driver_first_name else ""
            _fact("Truck", f"{data.truck_name or status.vehicle_id}{driver}", marker="truck")
        if status.failure_reason is not None:
            _fact("Reason", words.humanise(status.failure_reason), marker="failure")
    if status.delay_reason:
        with ui.row().classes("items-start no-wrap gap-2 q-mt-sm q-pa-sm rounded bg-orange-1"):
            ui.icon("schedule", color="warning").classes("q-mt-xs")
            ui.label(f"Why: {status.delay_reason}").classes("text-body2").props("data-fact=delay")
    if status.position is not None:
        seen = status.position.recorded_at
        where = f"{status.position.location.lat:.4f}, {status.position.location.lon:.4f}"
        when = (
            f"last seen {words.moment(seen, zone, data.today)}"
            if seen
            else "at the depot (no report yet)"
        )
        ui.label(f"Truck position: {where}, {when}").classes("text-caption text-grey-8").props(
            "data-fact=position"
        )
    if status.updated_at is not None:
        ui.label(f"Live picture of {words.clock(status.updated_at, zone)}").classes(
            "text-caption text-grey-6"
        )


def client_and_delivery(data: CardData) -> None:
    """The client's account priority, relationship notes and contact; the delivery's details."""
    status = data.status
    client = status.client
    order = status.order
    if client is not None:
        with ui.row().classes("items-center gap-2"):
            ui.label("Client").classes("text-subtitle2")
            ui.badge(
                f"Priority {client.priority} ({words.PRIORITY_WORDS.get(client.priority, '')})",
                color="deep-purple" if client.priority <= 2 else "blue-grey",
            ).props("data-fact=priority")
        if client.notes:
            with ui.row().classes("items-start no-wrap gap-2 q-pa-sm rounded bg-purple-1 w-full"):
                ui.icon("sticky_note_2", color="deep-purple")
                ui.label(client.notes).classes("text-body2 break-words").props("data-fact=notes")
        else:
            ui.label("No relationship notes.").classes("text-caption text-grey-7")
        contact = [c for c in (client.contact.phone, client.contact.email) if c]
        if contact:
            ui.label(" · ".join(contact)).classes("text-body2 text-grey-9 break-all")
        channels = ", ".join(words.humanise(c.value) for c in client.preferences.channels)
        reach = channels if client.preferences.enabled else "messages turned off"
        ui.label(f"Told by: {reach}").classes("text-caption text-grey-7")
    ui.separator().classes("q-my-sm")
    ui.label("Delivery").classes("text-subtitle2")
    if order.address:
        ui.label(order.address).classes("text-body2")
    windows = ", ".join(words.window(w.start, w.end, data.zone) for w in order.time_windows)
    ui.label(f"Ordered window: {windows}").classes("text-body2")
    if order.instructions:
        with ui.row().classes("items-start no-wrap gap-2"):
            ui.icon("info", color="primary")
            ui.label(order.instructions).classes("text-body2 break-words").props(
                "data-fact=instructions"
            )
    else:
        ui.label("No delivery instructions.").classes("text-caption text-grey-7")
