"""The dispatcher console's live picture at ``/dispatch``.

The KPI strip on top; the map and the fleet list side by side (stacked on a phone); the
selected truck's timeline below. A day without a live plan shows the planning panel
instead of the fleet list. Each open page subscribes to the live picture's change
batches; a timer drains them and sends only what changed. A truck that sent a position
moves on the map at the next tick, before the picture with its new ETAs is computed.
"""

from __future__ import annotations

from datetime import date

from nicegui import run, ui

from fleetline.bootstrap import Services
from fleetline.domain.access import Role
from fleetline.domain.live import Position
from fleetline.ui.auth import require
from fleetline.ui.context import services as running_services
from fleetline.ui.dispatch import timeline
from fleetline.ui.dispatch.fleet_list import FleetList
from fleetline.ui.dispatch.kpi_strip import KpiStrip
from fleetline.ui.dispatch.map_layer import MAP_SCRIPT, LiveMap, legend
from fleetline.ui.dispatch.map_state import MapState, map_delta, moved_trucks
from fleetline.ui.dispatch.nav import console_nav, parse_day
from fleetline.ui.dispatch.planning_panel import PlanningPanel
from fleetline.ui.dispatch.reading import LiveLook, LiveReader
from fleetline.ui.layout import frame
from fleetline.ui.road_base import roads_near

PAGE_CONNECT_S = 30.0
"""Seconds a browser has to open the page's connection before the page gives up."""
UPDATE_EVERY_S = 0.25
"""How often the page looks for news (a new picture, a truck that moved)."""
KPIS_EVERY_S = 10.0
"""The figures are recomputed from the store at most this often."""
STREETS_MARGIN_M = 5_000.0
STREETS_MAX_POINTS = 150_000
"""Streets drawn around the day (about 3 MB at most; a small region is all of it)."""

PAGE_CSS = """
.fl-main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px;
  width: 100%; }
.fl-map-box { height: calc(100vh - 250px); min-height: 420px; }
.fl-side { max-height: calc(100vh - 250px); min-height: 420px; overflow: auto; }
.fl-kpis { overflow-x: auto; }
.fl-kpi { min-width: 128px; }
@media (max-width: 1023px) {
  .fl-main { grid-template-columns: minmax(0, 1fr); }
  .fl-map-box { height: 48vh; min-height: 300px; }
  .fl-side { max-height: none; min-height: 0; }
  .fl-kpis { flex-wrap: wrap !important; }
  .fl-kpi { min-width: calc(50% - 4px); flex: 1 1 calc(50% - 4px); }
  .fl-nav { flex-wrap: wrap !important; gap: 8px; }
}
"""


class DispatchConsole:
    """One open dispatcher page: its widgets and its live updates.

    Parameters
    ----------
    services
        The running services.
    day
        The delivery day shown.
    """

    def __init__(self, services: Services, day: date) -> None:
        self.services = services
        self.day = day
        self.reader = LiveReader(services, day)
        self.subscription = services.live.subscribe()
        self.sent = MapState()
        self.selected: str | None = None
        self.look: LiveLook | None = None
        self._timeline_key: object = None
        self._busy = False
        self._moving = False
        self._changed = True
        self._kpis_busy = False
        self._moves_seen = 0
        self._moved: dict[str, Position] = {}
        """Positions newer than the picture shown, sent ahead of it."""

    async def build(self) -> None:
        """Draw the page from the day's picture and start the updates."""
        look = await run.io_bound(self.reader.look)
        if look is None:
            return
        self.look = look
        self.kpis = KpiStrip()
        depot = look.picture.snapshot.vehicles[0].depot.location if look.map.trucks else None
        center = (depot.lat, depot.lon) if depot else (47.14, 9.52)
        roads = None
        if not self.services.settings.tile_url:
            places = [(t.lat, t.lon) for t in look.map.trucks.values()]
            places += [(s.lat, s.lon) for s in look.map.stops.values()]
            roads = await run.io_bound(
                roads_near,
                self.services.road_layer,
                places,
                margin_m=STREETS_MARGIN_M,
                max_points=STREETS_MAX_POINTS,
            )
        with ui.element("div").classes("fl-main q-mt-sm"):
            with ui.column().classes("gap-1 w-full"):
                with ui.card().tight().classes("w-full fl-map-box").props("flat bordered"):
                    self.map = LiveMap(self.services.settings.tile_url, center, self.select, roads)
                legend()
            with ui.column().classes("fl-side gap-2 w-full"):
                if look.has_plan:
                    ui.label("Fleet · click a truck for its timeline").classes(
                        "text-subtitle1 text-weight-medium"
                    )
                    self.fleet: FleetList | None = FleetList(self.select)
                    self.fleet.show(look.fleet)
                else:
                    self.fleet = None
                    panel = PlanningPanel(self.services, self.day, ui.navigate.reload)
                    await panel.load()
        self.timeline_box = (
            ui.card().classes("w-full q-mt-sm fl-timeline-card").props("flat bordered")
        )
        with self.timeline_box:
            ui.label("Click a truck on the map or in the fleet list to see its timeline.").classes(
                "text-grey-7"
            )
        ui.timer(UPDATE_EVERY_S, self.tick)
        ui.timer(KPIS_EVERY_S, self._show_kpis)
        client = ui.context.client
        client.on_disconnect(self._pause)
        client.on_connect(self._resume)
        client.on_delete(self._pause)

    def _pause(self) -> None:
        self.services.live.unsubscribe(self.subscription)

    def _resume(self) -> None:
        self.services.live.unsubscribe(self.subscription)
        self.subscription = self.services.live.subscribe()
        self._changed = True

    def _drain(self) -> bool:
        changed = False
        day = self.day.isoformat()
        while not self.subscription.messages.empty():
            message = self.subscription.messages.get_nowait()
            changed = changed or message.get("date") == day
        return changed

    async def tick(self) -> None:
        """Bring the page up to date with the live picture, in one batch."""
        self._changed = self._drain() or self._changed
        if not self.map.ready:
            return
        await self._show_moves()  # first: a new position never waits for a new picture
        if self._busy or not self._changed:
            return
        self._busy = True
        try:
            look = await run.io_bound(self.reader.look)
            if look is None:
                return
            self._changed = False
            if self.look is not None and look.has_plan != self.look.has_plan:
                ui.navigate.reload()
                return
            self.look = look
            shown = self._ahead_of(look)
            delta = map_delta(self.sent, shown)
            if delta is not None:
                self.map.send(delta)
                self.sent = shown
            if self.fleet is not None:
                self.fleet.show(look.fleet)
            await self._show_timeline(look)
        finally:
            self._busy = False

    async def _show_moves(self) -> None:
        """Move the trucks that sent a position since the last look, nothing else."""
        mark, moved = self.services.live.moved_since(self._moves_seen)
        if self._moving or not moved or self.look is None or not self.look.has_plan:
            return
        self._moving = True  # alongside a full look: each sends from what was sent last
        try:
            positions = await run.io_bound(self.reader.positions, moved)
            if positions is None:
                return
            self._moves_seen = mark
            self._moved.update(positions)
            state = moved_trucks(self.sent, {v: p.location for v, p in positions.items()})
            delta = map_delta(self.sent, state)
            if delta is not None:
                self.map.send(delta)
                self.sent = state
        finally:
            self._moving = False

    def _ahead_of(self, look: LiveLook) -> MapState:
        """The look's map, with the positions newer than its picture that were sent."""
        snapshot = look.picture.snapshot
        for vehicle_id, position in list(self._moved.items()):
            truck = snapshot.run_of(vehicle_id)
            if truck is None or (
                truck.position_at is not None and truck.position_at >= position.recorded_at
            ):
                del self._moved[vehicle_id]
        return moved_trucks(look.map, {v: p.location for v, p in self._moved.items()})

    async def _show_kpis(self) -> None:
        """Recompute the figures of the strip, on their own timer: the map never waits."""
        look = self.look
        if look is None or self._kpis_busy:
            return
        self._kpis_busy = True
        try:
            shown = await run.io_bound(self.reader.figures, look.picture)
            if shown is not None:
                self.kpis.show(shown)
        finally:
            self._kpis_busy = False

    async def select(self, vehicle_id: str) -> None:
        """Centre the map on a truck and show its timeline."""
        self.selected = vehicle_id
        look = self.look
        if look is None:
            return
        truck = look.map.trucks.get(vehicle_id)
        if truck is not None:
            self.map.centre_on(vehicle_id, truck.lat, truck.lon)
        self._timeline_key = None
        await self._show_timeline(look)

    async def _show_timeline(self, look: LiveLook) -> None:
        if self.selected is None:
            return
        run_of = look.picture.snapshot.run_of(self.selected)
        if run_of is None:
            return
        stops = await run.io_bound(self.reader.timeline, look.picture, self.selected)
        if stops is None:
            return
        key = (self.selected, tuple(stops), run_of.status)
        if key == self._timeline_key:
            return
        self._timeline_key = key
        row = next((r for r in look.fleet if r["id"] == self.selected), None)
        title = run_of.vehicle.name
        if row is not None:
            title += f" · {row['driver']} · {row['status']} · {row['remaining']} stops left"
        self.timeline_box.clear()
        with self.timeline_box:
            timeline.draw(title, stops, look.picture.computed_at, look.zone or run_of.depot.zone)
            ui.link(
                "The driver phoned in? Report it for them",
                f"/dispatch/controls?date={self.day.isoformat()}&truck={self.selected}",
            ).classes("text-caption").props('data-testid="report-for-driver"')


def register() -> None:
    """Register the dispatcher console's live page."""

    @ui.page("/dispatch")
    async def dispatch_page(date: str | None = None) -> None:
        principal = require(Role.DISPATCHER, Role.ADMIN)
        if principal is None:
            return
        services = running_services()
        day = parse_day(date, services.live.today())
        frame(principal, "Dispatch")
        ui.add_css(PAGE_CSS + timeline.TIMELINE_CSS)
        ui.add_head_html(MAP_SCRIPT)  # before the response: the map's updates call it
        console_nav("live", day)
        # The frame first: reading a large day may take longer than a page response may.
        loading = ui.row().classes("items-center gap-2 q-pa-md text-grey-8")
        with loading:
            ui.spinner(size="md")
            ui.label("Reading the day…")
        await ui.context.client.connected(timeout=PAGE_CONNECT_S)
        await DispatchConsole(services, day).build()
        loading.delete()
