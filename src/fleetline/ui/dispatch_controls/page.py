"""The controls of the day at ``/dispatch/controls``.

What a dispatcher switches and reports during the day besides the plan: traffic
incidents (with a small map to pick the area), a driver's call about their truck, the
hold on client messages during a major incident, and the re-planning policy of each
trigger. Every form sends a command through the bus; the page reads the day again after
each change and every few seconds.
"""

from __future__ import annotations

from datetime import date

from nicegui import run, ui

from fleetline.bootstrap import Services
from fleetline.domain.access import Role
from fleetline.ui.auth import Principal, require
from fleetline.ui.context import services as running_services
from fleetline.ui.dispatch.nav import console_nav, parse_day
from fleetline.ui.dispatch_controls.hold_card import HoldCard
from fleetline.ui.dispatch_controls.incident_card import IncidentCard
from fleetline.ui.dispatch_controls.policies_card import PoliciesCard
from fleetline.ui.dispatch_controls.reading import ControlsLook, read_controls
from fleetline.ui.dispatch_controls.truck_card import TruckCard
from fleetline.ui.dispatch_edits.reading import in_worker
from fleetline.ui.layout import frame
from fleetline.ui.road_base import roads_near

STREETS_MARGIN_M = 3_000.0
"""Metres of streets drawn around the trucks and stops of the incident map."""
STREETS_MAX_POINTS = 60_000

REFRESH_EVERY_S = 5.0

PAGE_CSS = """
.fl-controls { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px;
  width: 100%; align-items: start; }
.fl-controls-col { display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.fl-incident { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px; }
.fl-incident-map { height: 320px; border-radius: 4px; }
.fl-incident-map.nicegui-leaflet { background: #e9edf1; }
.fl-form-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
  gap: 8px; align-items: start; }
.fl-form-wide { grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); }
.fl-policy { display: flex; align-items: center; justify-content: space-between; gap: 12px;
  padding: 8px 0; border-top: 1px solid #eceff1; flex-wrap: wrap; }
.fl-policy-words { flex: 1 1 220px; min-width: 0; }
.fl-policy-inputs { flex-wrap: wrap !important; margin-left: auto; }
.fl-dot { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  flex: none; }
.fl-shrink { min-width: 0; overflow-wrap: anywhere; }
.fl-truck-row, .fl-incident-row { padding: 4px 0; border-bottom: 1px solid #f3f4f6; }
@media (max-width: 1023px) {
  .fl-controls { grid-template-columns: minmax(0, 1fr); }
  .fl-incident { grid-template-columns: minmax(0, 1fr); }
  .fl-incident-map { height: 260px; }
  .fl-controls-page { padding: 8px !important; }
  .fl-nav { flex-wrap: wrap !important; gap: 8px; }
}
"""


class ControlsPage:
    """One open controls page: its four cards, kept in step with the day.

    Parameters
    ----------
    services
        The running services.
    principal
        Who is signed in (their name goes with what they change).
    day
        The delivery day shown.
    truck
        The truck the driver's-call form starts with (from a truck's timeline).
    """

    def __init__(
        self, services: Services, principal: Principal, day: date, truck: str | None = None
    ) -> None:
        self.services = services
        self.principal = principal
        self.day = day
        self.truck = truck
        self._busy = False
        self._hold_shown: object = None
        self._policies_shown: object = None

    async def build(self) -> None:
        """Draw the page from the day and start the refreshes."""
        look = await in_worker(read_controls, self.services, self.day)
        roads = None
        if not self.services.settings.tile_url:
            roads = await run.io_bound(
                roads_near,
                self.services.road_layer,
                list(look.bounds),
                margin_m=STREETS_MARGIN_M,
                max_points=STREETS_MAX_POINTS,
            )
        with ui.column().classes("w-full q-pa-md gap-3 fl-controls-page"):
            ui.label(f"Controls of the day: {self.day.isoformat()}").classes("text-h6")
            with ui.element("div").classes("fl-controls"):
                with ui.element("div").classes("fl-controls-col"):
                    self.incidents = IncidentCard(
                        self.services.settings.tile_url,
                        roads,
                        look.bounds,
                        self.principal.name,
                        self.refresh,
                    )
                    self.trucks = TruckCard(self.refresh, self.truck)
                with ui.element("div").classes("fl-controls-col"):
                    self.hold = HoldCard(self.principal.name, self.refresh)
                    self.policies = PoliciesCard(look.policies, self.refresh)
        self._show(look)
        ui.timer(REFRESH_EVERY_S, self.refresh)

    def _show(self, look: ControlsLook) -> None:
        self.incidents.show(look)
        self.trucks.show(look)
        if (look.hold, look.waiting) != self._hold_shown:
            self._hold_shown = (look.hold, look.waiting)
            self.hold.show(look)
        if look.policies != self._policies_shown:
            self._policies_shown = look.policies
            self.policies.show(look.policies)

    async def refresh(self) -> None:
        """Read the day again and show what changed (forms keep what is being typed)."""
        if self._busy:
            return
        self._busy = True
        try:
            look = await in_worker(read_controls, self.services, self.day)
        finally:
            self._busy = False
        self._show(look)


def register() -> None:
    """Register the controls page."""

    @ui.page("/dispatch/controls")
    async def controls_page(date: str | None = None, truck: str | None = None) -> None:
        principal = require(Role.DISPATCHER, Role.ADMIN)
        if principal is None:
            return
        services = running_services()
        day = parse_day(date, services.live.today())
        frame(principal, "Controls")
        ui.add_css(PAGE_CSS)
        console_nav("controls", day)
        await ControlsPage(services, principal, day, truck).build()
