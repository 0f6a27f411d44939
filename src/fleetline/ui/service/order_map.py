"""The order card's small map: the truck where it was last seen, the stop, the way between.

The way is drawn through the stops the truck makes before this one (straight legs: the
agent needs "how far, how many stops", not a road map). Without a tile server the
region's streets around the truck and the stop are drawn under it (see
:mod:`fleetline.ui.road_base`), and the markers are labelled and the stops before numbered.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from fleetline.domain.model import Location
from fleetline.network.road_layer import BBox, RoadLayer, around
from fleetline.operations.live_service import LivePicture
from fleetline.ui.road_base import draw_base, roads_near

TRUCK_COLOUR = "#1565c0"
STOP_COLOUR = "#c62828"
WAY_COLOUR = "#546e7a"
NUMBERED = 6
"""Up to this many stops before are numbered on the map; more would hide it."""
STREETS_MARGIN_M = 2_500.0
STREETS_MAX_POINTS = 30_000
"""Streets drawn around the truck, the way and the stop (a few hundred KB at most)."""


@dataclass(frozen=True, slots=True)
class MapView:
    """What the small map shows: the truck (if on the road), the stop, the way between."""

    stop: Location
    truck: Location | None = None
    truck_label: str = "Truck"
    way: tuple[Location, ...] = ()
    """The stops before this one, in the order the truck makes them."""


def way_to_stop(picture: LivePicture, vehicle_id: str, order_id: str) -> tuple[Location, ...]:
    """The locations of the stops truck ``vehicle_id`` makes before ``order_id``.

    Parameters
    ----------
    picture
        The live picture of the order's day.
    vehicle_id, order_id
        The truck and the order it carries.
    """
    for run in picture.snapshot.vehicles:
        if run.vehicle_id != vehicle_id:
            continue
        before: list[Location] = []
        for stop in run.remaining:
            if stop.order_id == order_id:
                return tuple(before)
            before.append(stop.location)
    return ()


class OrderMap:
    """A small Leaflet map redrawn (a handful of layers) each time the card refreshes.

    Parameters
    ----------
    tile_url
        The operator's tile server's URL template, if any.
    road_layer
        The region's streets, drawn around what the map shows when there is no tile
        server (OpenStreetMap's tiles when there are neither).
    """

    def __init__(self, tile_url: str | None, road_layer: RoadLayer | None = None) -> None:
        self.leaflet = ui.leaflet(
            center=(47.14, 9.52), zoom=12, options={"preferCanvas": True}
        ).classes("w-full fl-order-map")
        self.leaflet.style("height: 260px; background: #e9edf1; border-radius: 6px")
        self._tile_url = tile_url
        self._road_layer = None if tile_url else road_layer
        self._streets: BBox | None = None
        """The box whose streets are drawn."""
        self.leaflet.clear_layers()  # no tile is asked for before the base is chosen
        if self._road_layer is None:
            draw_base(self.leaflet, tile_url, None)
        self._drawn: list[object] = []
        self._bounds: list[list[float]] = []
        self._view: MapView | None = None
        self.leaflet.on("init", self._redraw)

    def show(self, view: MapView, *, again: bool = False) -> None:
        """Draw ``view`` in place of what was drawn, and frame it (unless nothing moved).

        An unchanged view is left alone (``again`` forces it), so that a refresh does not
        undo the agent's zoom.
        """
        if view == self._view and not again:
            return
        self._view = view
        for layer in self._drawn:
            self.leaflet.remove_layer(layer)  # type: ignore[arg-type]
        self._drawn = []
        self._draw_streets(view)
        stop = [view.stop.lat, view.stop.lon]
        points = [stop]
        if view.truck is not None:
            truck = [view.truck.lat, view.truck.lon]
            way = [truck, *([p.lat, p.lon] for p in view.way), stop]
            points = way
            self._add("polyline", way, {"color": WAY_COLOUR, "weight": 3, "dashArray": "6 6"})
            for number, place in enumerate(view.way, start=1):
                self._add(
                    "circleMarker",
                    [place.lat, place.lon],
                    {"radius": 5, "color": WAY_COLOUR, "fillOpacity": 0.9},
                    tooltip=str(number) if len(view.way) <= NUMBERED else None,
                )
            self._add(
                "circleMarker",
                truck,
                {"radius": 9, "color": "#fff", "weight": 2, "fillColor": TRUCK_COLOUR},
                tooltip=view.truck_label,
                fill=True,
            )
        self._add(
            "circleMarker",
            stop,
            {"radius": 9, "color": "#fff", "weight": 2, "fillColor": STOP_COLOUR},
            tooltip="Delivery",
            fill=True,
        )
        self._bounds = points
        self._fit()

    def _draw_streets(self, view: MapView) -> None:
        """Draw the streets around ``view`` unless those drawn already cover it."""
        if self._road_layer is None:
            return
        places = [(view.stop.lat, view.stop.lon), *((p.lat, p.lon) for p in view.way)]
        if view.truck is not None:
            places.append((view.truck.lat, view.truck.lon))
        if self._streets is not None and all(_inside(p, self._streets) for p in places):
            return
        roads = roads_near(
            self._road_layer, places, margin_m=STREETS_MARGIN_M, max_points=STREETS_MAX_POINTS
        )
        if draw_base(self.leaflet, self._tile_url, roads):
            self._streets = around(places, STREETS_MARGIN_M / 2)  # still framed inside
        else:
            self._road_layer = None  # nothing near: the tiles are drawn once and kept

    def _add(
        self,
        kind: str,
        where: object,
        options: dict[str, object],
        *,
        tooltip: str | None = None,
        fill: bool = False,
    ) -> None:
        if fill:
            options = {**options, "fillOpacity": 1.0}
        layer = self.leaflet.generic_layer(name=kind, args=[where, options])
        self._drawn.append(layer)
        if tooltip is not None:
            self.leaflet.run_layer_method(
                layer.id,
                "bindTooltip",
                tooltip,
                # Offset past the marker's edge: the label's arrow would cut into the dot.
                {"permanent": True, "direction": "right", "offset": [8, 0]},
            )

    def _redraw(self) -> None:
        """Draw again once the browser's map exists (labels sent before are lost)."""
        if self._view is not None:
            self.show(self._view, again=True)

    def _fit(self) -> None:
        if len(self._bounds) == 1:
            self.leaflet.run_map_method("setView", self._bounds[0], 14)
        elif self._bounds:
            self.leaflet.run_map_method(
                "fitBounds", self._bounds, {"padding": [28, 28], "maxZoom": 15}
            )


def _inside(point: tuple[float, float], box: BBox) -> bool:
    return box[1] <= point[0] <= box[3] and box[0] <= point[1] <= box[2]
