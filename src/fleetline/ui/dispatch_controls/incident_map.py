"""The small map of the incident form: click for the centre (or the corners), see the area.

The trucks (coloured by status) and their remaining stops (small grey dots) are drawn so
that the map reads without tiles (offline depots); the day's incidents in force as red
(closure) or amber (slowdown) areas, and the area being reported as a dashed outline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from nicegui import events, ui
from nicegui.elements.leaflet.leaflet_layer import Layer

from fleetline.domain.live import IncidentKind, TrafficIncident
from fleetline.network.road_layer import RoadLines
from fleetline.ui.dispatch.map_state import STATUS_COLOURS
from fleetline.ui.dispatch_controls.reading import TruckLook
from fleetline.ui.road_base import draw_base

KIND_COLOURS = {IncidentKind.CLOSURE: "#c62828", IncidentKind.SLOWDOWN: "#ef8f00"}
DRAFT_COLOUR = "#1565c0"
MAX_STOP_DOTS = 600
"""Stops drawn at most (evenly picked): enough to see where the day's work is."""


def view_of(
    bounds: tuple[tuple[float, float], tuple[float, float]],
    size_px: tuple[int, int] = (380, 260),
) -> tuple[tuple[float, float], int]:
    """The centre and zoom that show ``bounds`` on a map of about ``size_px`` pixels.

    Parameters
    ----------
    bounds
        South-west and north-east corners, ``(lat, lon)`` each.
    size_px
        The map's width and height (the smaller phone size, so that both fit).

    Returns
    -------
    tuple
        ``((lat, lon), zoom)``, the zoom between 6 and 14.
    """
    (south, west), (north, east) = bounds
    centre = ((south + north) / 2, (west + east) / 2)
    stretch = 1 / max(0.2, math.cos(math.radians(centre[0])))
    spans = (
        (east - west) / size_px[0],
        (north - south) * stretch / size_px[1],
    )
    degrees_per_px = max(max(spans), 1e-9)
    zoom = math.floor(math.log2(360 / (256 * degrees_per_px)))
    return centre, max(6, min(14, zoom))


class IncidentMap:
    """A Leaflet map that reports where it was clicked.

    Parameters
    ----------
    tile_url
        The operator's tile server (see :func:`fleetline.ui.road_base.draw_base`).
    roads
        The region's streets, drawn when there is no tile server.
    bounds
        South-west and north-east corners the map shows first.
    on_click
        Called with ``(lat, lon)`` of each click.
    """

    def __init__(
        self,
        tile_url: str | None,
        roads: RoadLines | None,
        bounds: tuple[tuple[float, float], tuple[float, float]],
        on_click: Callable[[float, float], None],
    ) -> None:
        centre, zoom = view_of(bounds)
        self.leaflet = (
            ui.leaflet(
                center=centre, zoom=zoom, options={"zoomControl": True, "preferCanvas": True}
            )
            .classes("w-full fl-incident-map")
            .props('data-testid="incident-map"')
        )
        draw_base(self.leaflet, tile_url, roads)
        self._context: list[Layer] = []
        self._draft: list[Layer] = []

        def clicked(event: events.GenericEventArguments) -> None:
            point = event.args.get("latlng") if isinstance(event.args, dict) else None
            if isinstance(point, dict) and "lat" in point and "lng" in point:
                on_click(round(float(point["lat"]), 6), round(float(point["lng"]), 6))

        self.leaflet.on("map-click", clicked)

    def _add(self, name: str, *args: object) -> Layer:
        return self.leaflet.generic_layer(name=name, args=list(args))

    def show_context(
        self, trucks: Sequence[TruckLook], incidents: Sequence[TrafficIncident]
    ) -> None:
        """Draw the trucks, their stops and the incidents in force (replacing the last)."""
        for layer in self._context:
            self.leaflet.remove_layer(layer)
        self._context = []
        for incident in incidents:
            style = {
                "color": KIND_COLOURS[incident.kind],
                "fillOpacity": 0.18,
                "weight": 2,
                "interactive": False,
            }
            area = incident.area
            if area.polygon:
                corners = [[p.lat, p.lon] for p in area.polygon]
                self._context.append(self._add("polygon", corners, style))
            elif area.center is not None and area.radius_m is not None:
                centre = [area.center.lat, area.center.lon]
                self._context.append(
                    self._add("circle", centre, {**style, "radius": area.radius_m})
                )
        stop = {
            "radius": 2,
            "color": "#78909c",
            "weight": 1,
            "fillOpacity": 0.8,
            "interactive": False,
        }
        points = [point for truck in trucks for point in truck.stops]
        every = max(1, math.ceil(len(points) / MAX_STOP_DOTS))
        for point in points[::every]:
            self._context.append(self._add("circleMarker", list(point), stop))
        for truck in trucks:
            colour = STATUS_COLOURS.get(truck.status.value, "#757575")
            dot = {
                "radius": 5,
                "color": "#ffffff",
                "weight": 1,
                "fillColor": colour,
                "fillOpacity": 1,
                "interactive": False,
            }
            self._context.append(self._add("circleMarker", list(truck.position), dot))

    def show_draft(
        self,
        centre: tuple[float, float] | None,
        radius_m: float | None,
        corners: Sequence[tuple[float, float]] = (),
    ) -> None:
        """Draw the area being reported: a circle, or the corners clicked so far."""
        for layer in self._draft:
            self.leaflet.remove_layer(layer)
        self._draft = []
        style = {
            "color": DRAFT_COLOUR,
            "weight": 2,
            "dashArray": "6 4",
            "fillOpacity": 0.1,
            "interactive": False,
        }
        if corners:
            points = [list(c) for c in corners]
            if len(points) >= 3:
                self._draft.append(self._add("polygon", points, style))
            elif len(points) == 2:
                self._draft.append(self._add("polyline", points, style))
            for point in points:
                self._draft.append(
                    self._add("circleMarker", point, {**style, "radius": 4, "fillOpacity": 1})
                )
            return
        if centre is None:
            return
        marker = {**style, "radius": 4, "fillOpacity": 1, "dashArray": None}
        self._draft.append(self._add("circleMarker", list(centre), marker))
        if radius_m is not None and 1 <= radius_m <= 100_000:
            self._draft.append(self._add("circle", list(centre), {**style, "radius": radius_m}))
