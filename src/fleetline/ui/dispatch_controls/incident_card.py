"""Report a traffic incident: a closure or a slowdown of a circle or a polygon, for a time.

The centre is picked by clicking the small map (or typed in), the radius typed; in
polygon mode each click adds a corner (or corners are typed, one ``lat, lon`` a line).
The form is checked with the domain's rules before it sends
:class:`~fleetline.domain.commands.ReportTrafficIncident`; a refusal shows next to its
field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from fleetline.domain import commands
from fleetline.domain.live import Area, IncidentKind
from fleetline.domain.model import Location
from fleetline.network.road_layer import RoadLines
from fleetline.ui.dispatch_controls.forms import TOGGLE, FieldErrors, number, send
from fleetline.ui.dispatch_controls.incident_list import IncidentList
from fleetline.ui.dispatch_controls.incident_map import IncidentMap
from fleetline.ui.dispatch_controls.reading import ControlsLook, clock, on_day, parse_clock

KINDS = {IncidentKind.SLOWDOWN.value: "Slowdown", IncidentKind.CLOSURE.value: "Closure"}
SHAPES = {"circle": "Circle", "polygon": "Polygon"}
MAX_RADIUS_M = 100_000
MAX_CORNERS = 200
MAX_NOTE = 2000


def parse_corners(text: str) -> list[tuple[float, float]] | str:
    """Corners typed one ``lat, lon`` a line; the problem in words when one is not."""
    corners: list[tuple[float, float]] = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p for p in line.replace(";", ",").replace(" ", ",").split(",") if p]
        values = [number(p) for p in parts]
        if len(values) != 2 or values[0] is None or values[1] is None:
            return f"Line {n}: write it as 47.14, 9.52."
        lat, lon = values[0], values[1]
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return f"Line {n}: latitude -90 to 90, longitude -180 to 180."
        corners.append((lat, lon))
    return corners


class IncidentCard:
    """The incident form, its map and the day's incidents.

    Parameters
    ----------
    tile_url
        The tile server for the map.
    roads
        The region's streets to draw when there is no tile server.
    bounds
        South-west and north-east corners of what the map shows first.
    by
        Who reports (the signed-in dispatcher's name), kept as the incident's source.
    on_changed
        Called after an incident is reported or ended (the page reads the day again).
    """

    def __init__(
        self,
        tile_url: str | None,
        roads: RoadLines | None,
        bounds: tuple[tuple[float, float], tuple[float, float]],
        by: str,
        on_changed: Callable[[], Awaitable[None]],
    ) -> None:
        self.by = by
        self.on_changed = on_changed
        self.look: ControlsLook | None = None
        self._listed: object = None
        self._drawn: object = None
        with ui.card().classes("w-full fl-card").props('flat bordered data-testid="incidents"'):
            ui.label("Traffic").classes("text-subtitle1 text-weight-medium")
            ui.label(
                "Report a closure or a slowdown: travel times and ETAs follow at the next "
                "refresh; a closure re-plans the stops behind it."
            ).classes("text-caption text-grey-8")
            with ui.element("div").classes("fl-incident w-full"):
                with ui.column().classes("w-full gap-2"):
                    self.hint = ui.label("").classes("text-caption text-primary")
                    self.map = IncidentMap(tile_url, roads, bounds, self._clicked)
                with ui.column().classes("w-full gap-2"):
                    self._form()
            ui.separator()
            self.list = IncidentList(self.by, on_changed)
        self._draw_shape()

    # --- the form ----------------------------------------------------------------------

    def _form(self) -> None:
        with ui.row().classes("w-full items-center gap-2"):
            self.kind = ui.toggle(KINDS, value=IncidentKind.SLOWDOWN.value).props(
                f'{TOGGLE} data-testid="incident-kind"'
            )
            self.shape = ui.toggle(SHAPES, value="circle").props(
                f'{TOGGLE} data-testid="incident-shape"'
            )
        with ui.element("div").classes("fl-form-grid w-full") as self.circle_box:
            self.lat = ui.number("Centre latitude", format="%.6f").props(
                'outlined dense data-testid="incident-lat"'
            )
            self.lon = ui.number("Centre longitude", format="%.6f").props(
                'outlined dense data-testid="incident-lon"'
            )
            self.radius = ui.number("Radius (m)", value=1000, step=100).props(
                'outlined dense data-testid="incident-radius"'
            )
        with ui.column().classes("w-full gap-1") as self.polygon_box:
            self.corners = (
                ui.textarea(
                    "Corners (one 'lat, lon' a line)", placeholder="47.140, 9.520\n47.150, 9.530"
                )
                .props('outlined dense rows=4 data-testid="incident-corners"')
                .classes("w-full")
            )
            ui.button("Clear corners", on_click=self._clear_corners).props(
                'flat dense no-caps color=primary data-testid="incident-clear-corners"'
            )
        with ui.element("div").classes("fl-form-grid w-full"):
            self.factor = ui.number("Travel takes (× as long)", value=2, step=0.5).props(
                'outlined dense data-testid="incident-factor"'
            )
            self.starts = ui.input("From (HH:MM)").props(
                'outlined dense data-testid="incident-starts"'
            )
            self.ends = ui.input("Until (HH:MM)").props(
                'outlined dense hint="Empty: until you end it" data-testid="incident-ends"'
            )
        self.note = (
            ui.input("Note", placeholder="e.g. Accident on the A13 at Balzers")
            .props(f'outlined dense maxlength={MAX_NOTE} data-testid="incident-note"')
            .classes("w-full")
        )
        self.general = ui.label("").classes("text-negative text-caption")
        self.button = ui.button("Report incident", on_click=self._report).props(
            'unelevated color=primary data-testid="incident-report"'
        )
        self.errors = FieldErrors(
            {
                "area": self.lat,
                "center": self.lat,
                "lat": self.lat,
                "lon": self.lon,
                "radius_m": self.radius,
                "polygon": self.corners,
                "factor": self.factor,
                "starts_at": self.starts,
                "ends_at": self.ends,
                "note": self.note,
            },
            self.general,
        )
        self.kind.on_value_change(lambda _e: self._draw_kind())
        self.shape.on_value_change(lambda _e: self._draw_shape())
        for field in (self.lat, self.lon, self.radius):
            field.on_value_change(lambda _e: self._draw_draft())
        self.corners.on_value_change(lambda _e: self._draw_draft())
        self._draw_kind()

    def _draw_kind(self) -> None:
        self.factor.set_visibility(self.kind.value == IncidentKind.SLOWDOWN.value)

    def _draw_shape(self) -> None:
        circle = self.shape.value == "circle"
        self.circle_box.set_visibility(circle)
        self.polygon_box.set_visibility(not circle)
        self.hint.text = (
            "Click the map to set the centre, then give the radius."
            if circle
            else "Click the map at each corner of the area, in order."
        )
        self.errors.fields["area"] = self.lat if circle else self.corners
        self._draw_draft()

    def _draw_draft(self) -> None:
        if self.shape.value == "circle":
            lat, lon = number(self.lat.value), number(self.lon.value)
            centre = (lat, lon) if lat is not None and lon is not None else None
            self.map.show_draft(centre, number(self.radius.value))
            return
        corners = parse_corners(str(self.corners.value or ""))
        self.map.show_draft(None, None, corners if isinstance(corners, list) else [])

    def _clicked(self, lat: float, lon: float) -> None:
        if self.shape.value == "circle":
            self.lat.value, self.lon.value = lat, lon
            self.lat.props(remove="error error-message")
            return
        text = str(self.corners.value or "").rstrip()
        self.corners.value = (text + "\n" if text else "") + f"{lat:.6f}, {lon:.6f}"

    def _clear_corners(self) -> None:
        self.corners.value = ""

    # --- showing the day ---------------------------------------------------------------

    def show(self, look: ControlsLook) -> None:
        """Show the day's incidents (the form keeps what is being typed)."""
        self.look = look
        if not self.starts.value:
            self.starts.value = clock(look.now, look.zone)
        in_force = look.in_force()
        listed = (look.incidents, tuple(i.id for i in in_force))
        if listed != self._listed:
            self._listed = listed
            self.list.show(look)
        drawn = (
            tuple(i.id for i in in_force),
            tuple((t.vehicle_id, t.status, t.stops) for t in look.trucks),
        )
        if drawn != self._drawn:
            self._drawn = drawn
            self.map.show_context(look.trucks, in_force)

    # --- sending -----------------------------------------------------------------------

    def _area(self) -> Area | None:
        if self.shape.value == "circle":
            lat, lon, radius = (number(f.value) for f in (self.lat, self.lon, self.radius))
            if lat is None or not -90 <= lat <= 90:
                self.errors.add("lat", "Click the map or type a latitude (-90 to 90).")
            if lon is None or not -180 <= lon <= 180:
                self.errors.add("lon", "Click the map or type a longitude (-180 to 180).")
            if radius is None or not 1 <= radius <= MAX_RADIUS_M:
                self.errors.add("radius_m", f"From 1 m to {MAX_RADIUS_M:,} m (100 km).")
            if lat is None or lon is None or radius is None or not self.errors.ok:
                return None
            return Area(center=Location(lat, lon), radius_m=radius)
        corners = parse_corners(str(self.corners.value or ""))
        if isinstance(corners, str):
            self.errors.add("polygon", corners)
            return None
        if not 3 <= len(corners) <= MAX_CORNERS:
            self.errors.add("polygon", f"From 3 to {MAX_CORNERS} corners; {len(corners)} given.")
            return None
        return Area(polygon=tuple(Location(lat, lon) for lat, lon in corners))

    async def _report(self) -> None:
        self.errors.clear()
        look = self.look
        area = self._area()
        kind = IncidentKind(self.kind.value)
        factor = None
        if kind is IncidentKind.SLOWDOWN:
            factor = number(self.factor.value)
            if factor is None or not 1 < factor <= 20:
                self.errors.add("factor", "Above 1 (2: travel takes twice as long), at most 20.")
        start = parse_clock(self.starts.value)
        if start is None:
            self.errors.add("starts_at", "A time such as 08:30.")
        end = None
        if str(self.ends.value or "").strip():
            end = parse_clock(self.ends.value)
            if end is None:
                self.errors.add("ends_at", "A time such as 10:30, or leave it empty.")
            elif start is not None and end <= start:
                self.errors.add("ends_at", "After the start.")
        note = str(self.note.value or "").strip()
        if len(note) > MAX_NOTE:
            self.errors.add("note", f"At most {MAX_NOTE} characters.")
        if not self.errors.ok or look is None or area is None or start is None:
            return
        command = commands.ReportTrafficIncident(
            kind=kind,
            area=area,
            starts_at=on_day(look.day, start, look.zone),
            ends_at=on_day(look.day, end, look.zone) if end else None,
            factor=factor,
            source=f"console:{self.by}"[:50],
            note=note,
        )
        self.button.disable()
        try:
            incident = await send(command, self.errors)
        finally:
            self.button.enable()
        if incident is None:
            return
        self.lat.value = self.lon.value = None
        self.corners.value = ""
        self.note.value = ""
        ui.notify(f"{KINDS[incident.kind.value]} reported.")
        await self.on_changed()
