"""One stop of the driver's route, as a card a thumb can use.

The action buttons run in the browser (``FleetDriver`` in ``static/driver_queue.js``), not
on the server, so that they work without a connection: each action is queued there and
sent to the API when it can be.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from nicegui import ui

from fleetline.domain.live import Risk, StopEventType
from fleetline.domain.model import OrderState
from fleetline.operations.driver_route import DriverStop

STATE_BADGE: dict[OrderState, tuple[str, str]] = {
    OrderState.DISPATCHED: ("To do", "blue-grey-6"),
    OrderState.EN_ROUTE: ("On the way", "indigo-6"),
    OrderState.ARRIVED: ("Arrived", "blue-7"),
    OrderState.COMPLETED: ("Completed", "positive"),
    OrderState.FAILED: ("Failed", "negative"),
}
"""Each stop state's words and colour."""

RISK_CHIP: dict[Risk, tuple[str, str]] = {
    Risk.ON_TIME: ("On time", "green-1 text-green-9"),
    Risk.AT_RISK: ("At risk", "orange-1 text-orange-10"),
    Risk.LATE: ("Late", "red-1 text-red-10"),
}
"""Each risk's words and colours."""

REASON_WORDS = {
    "client_absent": "Client absent",
    "refused": "Refused",
    "no_access": "No access",
    "damaged_goods": "Damaged goods",
    "other": "Other",
}
"""Failure reasons as a driver reads them."""


def clock_time(moment: datetime, zone: ZoneInfo) -> str:
    """``HH:MM`` of ``moment`` in the depot's time zone."""
    return moment.astimezone(zone).strftime("%H:%M")


def navigation_link(stop: DriverStop) -> str:
    """A ``geo:`` link that hands the stop to the phone's navigation app."""
    lat, lon = stop.location.lat, stop.location.lon
    return f"geo:{lat:.6f},{lon:.6f}?q={lat:.6f},{lon:.6f}"


def phone_link(phone: str) -> str:
    """A ``tel:`` link of a phone number as written (spaces dropped)."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _action(kind: str, stop: DriverStop) -> str:
    """The browser-side handler of an action button on ``stop``."""
    args = ", ".join(json.dumps(value) for value in (kind, stop.order_id, stop.label))
    return f"() => FleetDriver.stopAction({args})"


def open_stop_card(stop: DriverStop, zone: ZoneInfo, *, is_next: bool) -> None:
    """Draw a stop still to serve: when, where, who, and the buttons to report it.

    Parameters
    ----------
    stop
        The stop.
    zone
        The depot's time zone (times are shown in it).
    is_next
        Whether it is the next stop (highlighted).
    """
    border = "border-left: 6px solid #1565c0;" if is_next else "border-left: 6px solid #cfd8dc;"
    with (
        ui.card()
        .classes("w-full q-pa-sm fl-stop")
        .style(border)
        .props(f'data-stop-id="{stop.order_id}"')
    ):
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.label(str(stop.sequence)).classes(
                "fl-seq text-weight-bold text-white bg-blue-grey-8 text-center"
            ).style("min-width:2rem;height:2rem;line-height:2rem;border-radius:1rem")
            with ui.column().classes("gap-0 col"):
                if is_next:
                    ui.label("Next stop").classes("text-caption text-blue-8 text-weight-bold")
                ui.label(stop.client_name).classes("text-subtitle1 text-weight-bold ellipsis")
            words, colour = STATE_BADGE[stop.state]
            ui.badge(words, color=colour).classes("fl-state text-body2 q-px-sm")
        ui.label(stop.address or "No street address").classes("text-body1")
        with ui.row().classes("items-center gap-2"):
            if stop.window is not None:
                window = (
                    f"{clock_time(stop.window.start, zone)}–{clock_time(stop.window.end, zone)}"
                )
                ui.label(f"Window {window}").classes("text-body2")
            if stop.eta_window is not None:
                start, end = (clock_time(moment, zone) for moment in stop.eta_window)
                ui.label(f"· ETA {start}–{end}").classes("text-body2 text-weight-medium")
            if stop.risk is not None:
                risk_words, risk_colour = RISK_CHIP[stop.risk]
                ui.label(risk_words).classes(f"bg-{risk_colour} text-caption q-px-sm rounded")
        if stop.instructions:
            ui.label(stop.instructions).classes(
                "text-body2 bg-amber-1 text-brown-10 q-pa-xs rounded w-full"
            )
        if stop.reference:
            ui.label(f"Ref. {stop.reference}").classes("text-caption text-grey-7")
        with ui.row().classes("items-center gap-2"):
            ui.button("Navigate", icon="navigation").props(
                f'outline dense no-caps href="{navigation_link(stop)}" type="a"'
            )
            if stop.client_phone:
                ui.button(f"Call {stop.client_phone}", icon="call").props(
                    f'outline dense no-caps href="{phone_link(stop.client_phone)}" type="a"'
                )
        ui.label("").classes("fl-pending text-caption text-orange-10 text-weight-bold")
        with ui.row().classes("w-full gap-2 no-wrap fl-actions"):
            if stop.state is not OrderState.ARRIVED:
                ui.button("Arrived").props("unelevated no-caps color=blue-7").classes("col").on(
                    "click", js_handler=_action(StopEventType.ARRIVED.value, stop)
                )
            ui.button("Completed").props("unelevated no-caps color=positive").classes("col").on(
                "click", js_handler=_action(StopEventType.COMPLETED.value, stop)
            )
            ui.button("Failed").props("unelevated no-caps color=negative").classes("col").on(
                "click", js_handler=_action(StopEventType.FAILED.value, stop)
            )


def done_stop_row(stop: DriverStop, zone: ZoneInfo) -> None:
    """Draw a stop already served, in one line: what happened, when, with the note."""
    words, colour = STATE_BADGE[stop.state]
    final = next(
        (r for r in reversed(stop.reports) if r.type.value == stop.state.value),
        None,
    )
    with ui.row().classes("w-full items-center no-wrap gap-2 q-py-xs fl-done"):
        ui.label(str(stop.sequence)).classes("text-weight-bold text-grey-7").style(
            "min-width:1.5rem"
        )
        with ui.column().classes("gap-0 col"):
            ui.label(stop.label).classes("text-body2 ellipsis")
            details = []
            if final is not None:
                details.append(clock_time(final.at, zone))
                if final.reason is not None:
                    details.append(REASON_WORDS.get(final.reason.value, final.reason.value))
                if final.note:
                    details.append(final.note)
                if final.proof:
                    details.append("proof kept")
            if details:
                ui.label(" · ".join(details)).classes("text-caption text-grey-7")
        ui.badge(words, color=colour)
