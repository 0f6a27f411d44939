"""What the consoles' maps show under the day: the operator's tiles, or the region's streets.

- ``FLEETLINE_TILE_URL`` set: that tile server (the operator's own), nothing else.
- No tile server and a region with a road layer: its streets as light grey lines on
  Leaflet's canvas, main roads wider and darker, and no tile is requested at all (an
  offline depot sends nothing outside).
- Neither: OpenStreetMap's public tiles, so that an online installation without a region
  still shows a map.

The streets go to the browser once per page, as one multi-polyline per style (a handful
of layers for 10–20 thousand segments), in the overlay pane below routes, stops and trucks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from nicegui import ui

from fleetline.network.road_layer import RoadLayer, RoadLayerError, RoadLines, around

log = logging.getLogger(__name__)

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://openstreetmap.org/copyright">OpenStreetMap</a> contributors'
ROAD_STYLES: tuple[tuple[str, tuple[str, ...], dict[str, Any]], ...] = (
    ("service", ("service",), {"color": "#cfd5dc", "weight": 1}),
    (
        "street",
        ("unclassified", "residential", "living_street"),
        {"color": "#b3bcc6", "weight": 1.5},
    ),
    ("through", ("secondary", "tertiary"), {"color": "#9ba6b2", "weight": 2.5}),
    ("main", ("motorway", "trunk", "primary"), {"color": "#84909d", "weight": 3.5}),
)
"""Style groups, drawn in this order (the main roads on top of the minor ones)."""
ROADS_BACKGROUND = "#f3f4f1"
"""The map's ground where streets are drawn instead of tiles."""


def roads_near(
    layer: RoadLayer | None,
    points: Iterable[tuple[float, float]],
    *,
    margin_m: float,
    max_points: int,
) -> RoadLines | None:
    """The streets around ``(lat, lon)`` points, or all of the region's without points.

    Parameters
    ----------
    layer
        The region's road layer (``services.road_layer``); ``None`` gives ``None``.
    points
        What the map shows (depots, trucks, stops).
    margin_m
        Metres of streets around them.
    max_points
        Budget of points; minor classes are left out first beyond it.

    Returns
    -------
    RoadLines or None
        ``None`` without a road layer, or when its file cannot be read (logged: the map
        then shows OpenStreetMap's tiles).
    """
    if layer is None:
        return None
    try:
        return layer.lines(around(points, margin_m), max_points=max_points)
    except RoadLayerError as exc:
        log.warning("no streets on the map: %s", exc)
        return None


def draw_base(leaflet: ui.leaflet, tile_url: str | None, roads: RoadLines | None) -> bool:
    """Put the map's base under everything else (see the module's rules).

    Parameters
    ----------
    leaflet
        A map with no layers of its own yet (its default tiles are removed).
    tile_url
        The operator's tile server (``settings.tile_url``).
    roads
        The streets to draw when there is no tile server.

    Returns
    -------
    bool
        Whether streets were drawn.
    """
    leaflet.clear_layers()
    if tile_url:
        leaflet.tile_layer(
            url_template=tile_url, options={"attribution": ATTRIBUTION, "maxZoom": 19}
        )
        return False
    if roads is None or roads.points == 0:
        leaflet.tile_layer(
            url_template=OSM_TILES, options={"attribution": ATTRIBUTION, "maxZoom": 19}
        )
        return False
    attributed = False
    for group, classes, style in ROAD_STYLES:
        lines = [line for name in classes for line in roads.classes.get(name, ())]
        if not lines:
            continue
        options: dict[str, Any] = {
            **style,
            "opacity": 1,
            "interactive": False,
            "lineCap": "round",
            "lineJoin": "round",
            "flRoad": group,
        }
        if not attributed:
            options["attribution"] = ATTRIBUTION  # the streets are OpenStreetMap data
            attributed = True
        leaflet.generic_layer(name="polyline", args=[lines, options])
    leaflet.style(f"background: {ROADS_BACKGROUND}")
    return True
