"""The driver app at ``/driver``: today's stops in order, the actions, the route's changes.

The page is drawn on the server from the driver's own route
(:func:`fleetline.operations.driver_route.driver_route`) and redrawn when it changes. The
actions (arrived, completed, failed, a breakdown or a delay) never go through the page's
connection: the browser queues them (``static/driver_queue.js``) and posts them to the
REST API with the driver's token and an idempotency key each, so that they survive a lost
connection and are applied once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import app, ui

from fleetline.domain.access import Role
from fleetline.domain.live import VehicleStatus
from fleetline.operations.driver_route import DriverRoute, driver_route, route_change
from fleetline.ui.auth import Principal, require
from fleetline.ui.context import services
from fleetline.ui.driver.stop_card import done_stop_row, open_stop_card
from fleetline.ui.layout import frame

STATIC = Path(__file__).parent / "static"
STATIC_URL = "/driver-static"
REFRESH_S = 3.0
"""How often the page looks for a new state of the route (a cheap read of the live
picture the operations service keeps warm)."""

VEHICLE_WORDS = {
    VehicleStatus.ON_DUTY: ("On duty", "positive"),
    VehicleStatus.DELAYED: ("Delayed", "orange-8"),
    VehicleStatus.BROKEN_DOWN: ("Broken down", "negative"),
    VehicleStatus.OFF_DUTY: ("Off duty", "grey-7"),
}

_RESUME = ("Back on the road", "play_arrow", "positive", "resumed")
_DELAY = ("Report a delay", "schedule", "orange-9", "delayed")
_BREAKDOWN = ("Breakdown", "car_crash", "negative", "breakdown")
VEHICLE_ACTIONS = {
    VehicleStatus.ON_DUTY: (_DELAY, _BREAKDOWN),
    VehicleStatus.DELAYED: (_RESUME, _BREAKDOWN),
    VehicleStatus.BROKEN_DOWN: (_RESUME,),
    VehicleStatus.OFF_DUTY: (),
}
"""What a driver may report in each status: words, icon, colour, vehicle event type."""


def read_route(driver_id: str) -> DriverRoute:
    """Read the driver's route of today from the live picture and the store."""
    running = services()
    picture = running.live.picture()
    with running.uow_factory() as uow:
        return driver_route(uow, driver_id, picture, running.clock.now())


def _script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside a ``<script>`` element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


class DriverPage:
    """One browser's view of a driver's route, kept current by a timer."""

    def __init__(self, principal: Principal, driver_id: str) -> None:
        self.principal = principal
        self.driver_id = driver_id
        self.route = read_route(driver_id)
        self.zone = ZoneInfo(self.route.timezone)
        self.alert = ui.column().classes("w-full gap-2")
        self.vehicle = ui.column().classes("w-full gap-2")
        self.stops = ui.column().classes("w-full gap-3")

    # --- the route's changes -----------------------------------------------------------

    @property
    def _ack_key(self) -> str:
        return f"driver_route_seen:{self.driver_id}:{self.route.date.isoformat()}"

    def _open_labels(self) -> list[list[str]]:
        return [[stop.order_id, stop.label] for stop in self.route.open_stops]

    def draw_alert(self) -> None:
        """Say what changed in the route since the driver last acknowledged it."""
        self.alert.clear()
        seen = app.storage.user.get(self._ack_key)
        if seen is None:
            app.storage.user[self._ack_key] = self._open_labels()
            return
        done = {stop.order_id for stop in self.route.done_stops}
        change = route_change(
            [(item[0], item[1]) for item in seen],
            [(stop.order_id, stop.label) for stop in self.route.open_stops],
            done,
        )
        if not change.any:
            return
        with (
            self.alert,
            ui.card().classes("w-full bg-amber-2 q-pa-sm fl-route-changed").props("role=alert"),
        ):
            with ui.row().classes("items-center no-wrap gap-2"):
                ui.icon("alt_route", size="md").classes("text-orange-10")
                ui.label("Your route changed").classes("text-subtitle1 text-weight-bold")
            ui.label(change.summary()).classes("text-body1")
            ui.button("Got it", on_click=self.acknowledge).props(
                "unelevated no-caps color=orange-10"
            ).classes("w-full")

    def acknowledge(self) -> None:
        """Remember the route as it is now as the one the driver has seen."""
        app.storage.user[self._ack_key] = self._open_labels()
        self.draw_alert()

    # --- the truck and the stops -------------------------------------------------------

    def draw_vehicle(self) -> None:
        """The truck, its status, and the buttons to report a delay or a breakdown."""
        self.vehicle.clear()
        route = self.route
        with self.vehicle:
            if route.vehicle_id is None:
                ui.label("No truck is assigned to you today. Ask your dispatcher.").classes(
                    "text-body1 q-pa-md"
                )
                return
            status = route.vehicle_status or VehicleStatus.ON_DUTY
            words, colour = VEHICLE_WORDS[status]
            vehicle = json.dumps(route.vehicle_id)
            with ui.card().classes("w-full q-pa-sm fl-vehicle"):
                with ui.row().classes("w-full items-center justify-between no-wrap"):
                    with ui.column().classes("gap-0"):
                        ui.label(route.vehicle_name or "").classes(
                            "text-subtitle1 text-weight-bold"
                        )
                        done = len(route.done_stops)
                        ui.label(f"{done} of {len(route.stops)} stops done").classes(
                            "text-caption text-grey-8"
                        )
                    ui.badge(words, color=colour).classes("fl-vehicle-status text-body2 q-px-sm")
                if route.vehicle_note and status is not VehicleStatus.ON_DUTY:
                    ui.label(route.vehicle_note).classes("text-caption text-grey-8")
                with ui.row().classes("w-full gap-2 no-wrap"):
                    for text, icon, colour, kind in VEHICLE_ACTIONS[status]:
                        handler = f"() => FleetDriver.vehicleAction('{kind}', {vehicle})"
                        ui.button(text, icon=icon).props(f"outline no-caps color={colour}").classes(
                            "col"
                        ).on("click", js_handler=handler)

    def draw_stops(self) -> None:
        """The open stops in order (the next one first), then the done ones, folded."""
        self.stops.clear()
        route = self.route
        with self.stops:
            if route.vehicle_id is not None and not route.stops:
                ui.label("No stops for your truck today yet.").classes("text-body1 q-pa-md")
            for index, stop in enumerate(route.open_stops):
                open_stop_card(stop, self.zone, is_next=index == 0)
            if route.stops and not route.open_stops:
                ui.label("All stops done. Thank you!").classes(
                    "text-subtitle1 text-positive q-pa-md"
                )
            done = route.done_stops
            if done:
                with ui.element("details").classes("w-full bg-white rounded-borders q-pa-sm"):
                    with ui.element("summary").classes("text-subtitle2 cursor-pointer"):
                        ui.label(f"Done ({len(done)})").classes("inline")
                    for stop in done:
                        done_stop_row(stop, self.zone)

    def draw(self) -> None:
        """Draw everything from ``self.route``."""
        self.draw_alert()
        self.draw_vehicle()
        self.draw_stops()

    def refresh(self) -> None:
        """Read the route again; redraw when it changed; keep the browser's clock in step."""
        now = services().clock.now().isoformat()
        ui.run_javascript(f"window.FleetDriver && FleetDriver.sync({json.dumps(now)})")
        route = read_route(self.driver_id)
        if route == self.route:
            return
        self.route = route
        self.draw()


def _browser_config(principal: Principal, route: DriverRoute, driver_id: str) -> str:
    """The script that tells ``driver_queue.js`` who acts, for which truck, and the time."""
    config = {
        "token": principal.secret,
        "driverId": driver_id,
        "vehicleId": route.vehicle_id,
        "serverNow": services().clock.now().isoformat(),
    }
    return (
        f"<script>window.FLEET_DRIVER_CONFIG = {_script_json(config)};</script>"
        f'<link rel="stylesheet" href="{STATIC_URL}/driver.css">'
        f'<script defer src="{STATIC_URL}/driver_queue.js"></script>'
    )


def register() -> None:
    """Register the driver app's page and its browser-side files."""
    app.add_static_files(STATIC_URL, STATIC, max_cache_age=300)

    @ui.page("/driver")
    def driver_page() -> None:
        principal = require(Role.DRIVER)
        if principal is None:
            return
        frame(principal, "My route", compact=True)
        if principal.driver_id is None:
            ui.label("This access token is not linked to a driver.").classes("text-h6 q-pa-md")
            return
        ui.query(".nicegui-content").classes("q-pa-sm").style("max-width:640px;margin:0 auto")
        page = DriverPage(principal, principal.driver_id)
        ui.add_head_html(_browser_config(principal, page.route, principal.driver_id))
        page.draw()
        ui.timer(REFRESH_S, page.refresh)
        ui.on("driver_action_sent", page.refresh)
