"""The order card's small map: the truck where it was last seen, the stop, the way between.

The way is drawn through the stops the truck makes before this one (straight legs: the
agent needs "how far, how many stops", not a road map). Without tiles (an offline
depot) the map still reads: the markers are labelled and the stops before are numbered.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from fleetline.domain.model import Location
from fleetline.operations.live_service import LivePicture

DEFAULT_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://openstreetmap.org/copyright">OpenStreetMap</a>'
TRUCK_COLOUR = "#1565c0"
STOP_COLOUR = "#c62828"
WAY_COLOUR = "#546e7a"
NUMBERED = 6
"""Up to this many stops before are numbered on the map; more would hide it."""


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
        The tile server's URL template (OpenStreetMap's when ``None``).
    """

    def __init__(self, tile_url: str | None) -> None:
        self.leaflet = ui.leaflet(center=(47.14, 9.52), zoom=12).classes("w-full fl-order-map")
        self.leaflet.style("height: 260px; background: #e9edf1; border-radius: 6px")
        self.leaflet.clear_layers()
        self.leaflet.tile_layer(
            url_template=tile_url or DEFAULT_TILES,
            options={"attribution": ATTRIBUTION, "maxZoom": 19},
        )
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
                layer.id, "bindTooltip", tooltip, {"permanent": True, "direction": "right"}
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
