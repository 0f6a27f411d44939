"""The live map: trucks, routes and stops on Leaflet, changed in one batch per update.

The browser keeps one Leaflet layer per truck, stop and route (stops and routes drawn
on canvas, so that 4,000 stops stay fluid); the server sends, at most once per second,
one message with only what changed (see :func:`~fleetline.ui.dispatch.map_state.map_delta`).
Each truck marker carries ``data-vehicle-id``, ``data-status``, ``data-lat`` and
``data-lon``, so what the map shows can be read back. Under it all, the operator's tiles or
the region's streets (see :mod:`fleetline.ui.road_base`), sent once with the page.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from nicegui import events, ui

from fleetline.network.road_layer import RoadLines
from fleetline.ui.dispatch.map_state import RISK_COLOURS, RISK_WORDS, STATUS_COLOURS, STATUS_WORDS
from fleetline.ui.road_base import draw_base

MAP_SCRIPT = r"""
<script>
window.flDispatch = window.flDispatch || (function () {
  var maps = {};
  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
    });
  }
  function truckIcon(t) {
    return L.divIcon({
      className: 'fl-truck-icon',
      iconSize: [38, 20],
      iconAnchor: [19, 10],
      html: '<div class="fl-truck" data-vehicle-id="' + esc(t.id) + '" data-status="' +
        esc(t.status) + '" data-lat="' + t.lat + '" data-lon="' + t.lon +
        '" style="background:' + esc(t.colour) + '">' + esc(t.label) + '</div>'
    });
  }
  function layersOf(id, el) {
    var s = maps[id];
    if (s && s.map === el.map) { return s; }
    var map = el.map;
    ['flRoutes', 'flStops'].forEach(function (name, i) {
      if (!map.getPane(name)) { map.createPane(name).style.zIndex = 410 + 10 * i; }
    });
    s = maps[id] = {
      map: map, trucks: {}, stops: {}, routes: {},
      routeCanvas: L.canvas({pane: 'flRoutes', padding: 0.5}),
      stopCanvas: L.canvas({pane: 'flStops', padding: 0.5, tolerance: 3})
    };
    return s;
  }
  function apply(id, delta, fit) {
    var el = getElement(id);
    if (!el || !el.map || !window.L) { return false; }
    var s = layersOf(id, el);
    var map = s.map;
    (delta.routes || []).forEach(function (r) {
      var line = s.routes[r.id];
      if (line) { line.setLatLngs(r.points); line.setStyle({color: r.colour}); }
      else {
        s.routes[r.id] = L.polyline(r.points, {color: r.colour, weight: 3, opacity: 0.75,
          renderer: s.routeCanvas, interactive: false}).addTo(map);
      }
    });
    (delta.stops || []).forEach(function (p) {
      var dot = s.stops[p.id];
      if (dot) {
        dot.setLatLng([p.lat, p.lon]);
        dot.setStyle({color: p.colour, fillColor: p.colour});
        dot.setTooltipContent(esc(p.tip));
      } else {
        dot = s.stops[p.id] = L.circleMarker([p.lat, p.lon], {radius: 5, weight: 1,
          color: p.colour, fillColor: p.colour, fillOpacity: 0.85, renderer: s.stopCanvas});
        dot.bindTooltip(esc(p.tip));
        dot.addTo(map);
      }
      dot.flRisk = p.risk;
    });
    (delta.trucks || []).forEach(function (t) {
      var marker = s.trucks[t.id];
      if (marker) { marker.setLatLng([t.lat, t.lon]); marker.setIcon(truckIcon(t)); }
      else {
        marker = s.trucks[t.id] = L.marker([t.lat, t.lon], {icon: truckIcon(t),
          zIndexOffset: 1000, riseOnHover: true});
        marker.on('click', function () { el.$emit('truck-select', {id: t.id}); });
        marker.bindTooltip(esc(t.tip), {direction: 'top', offset: [0, -10]});
        marker.addTo(map);
      }
      marker.setTooltipContent(esc(t.tip));
    });
    var gone = delta.gone || {};
    ['trucks', 'stops', 'routes'].forEach(function (kind) {
      (gone[kind] || []).forEach(function (key) {
        if (s[kind][key]) { map.removeLayer(s[kind][key]); delete s[kind][key]; }
      });
    });
    if (fit) {
      var points = [];
      Object.values(s.trucks).forEach(function (m) { points.push(m.getLatLng()); });
      Object.values(s.stops).forEach(function (m) { points.push(m.getLatLng()); });
      if (points.length) {
        map.fitBounds(L.latLngBounds(points), {padding: [24, 24], maxZoom: 14});
      }
    }
    el.$el.dataset.trucks = Object.keys(s.trucks).length;
    el.$el.dataset.stops = Object.keys(s.stops).length;
    el.$el.dataset.version = (Number(el.$el.dataset.version || 0) + 1);
    return true;
  }
  function truckAt(id, vehicleId) {
    var s = maps[id];
    var marker = s && s.trucks[vehicleId];
    if (!marker) { return null; }
    var p = marker.getLatLng();
    return [p.lat, p.lng];
  }
  function counts(id) {
    var s = maps[id];
    if (!s) { return null; }
    var risks = {};
    Object.values(s.stops).forEach(function (d) { risks[d.flRisk] = (risks[d.flRisk] || 0) + 1; });
    return {trucks: Object.keys(s.trucks).length, stops: Object.keys(s.stops).length,
            routes: Object.keys(s.routes).length, risks: risks};
  }
  function focus(id, vehicleId) {
    var s = maps[id];
    if (!s) { return; }
    Object.keys(s.trucks).forEach(function (key) {
      s.trucks[key].setZIndexOffset(key === vehicleId ? 2000 : 1000);
    });
  }
  return {apply: apply, truckAt: truckAt, counts: counts, focus: focus};
})();
</script>
<style>
.fl-truck-icon { background: transparent; border: none; }
.fl-truck { color: #fff; font: 600 11px/20px sans-serif; text-align: center; width: 38px;
  height: 20px; border-radius: 10px; border: 2px solid #fff; box-shadow: 0 1px 3px #0008; }
.fl-map.nicegui-leaflet { background: #e9edf1; }
.fl-legend-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%;
  margin-right: 4px; vertical-align: middle; }
</style>
"""


class LiveMap:
    """The Leaflet map of the day, fed with deltas.

    Its page adds :data:`MAP_SCRIPT` to the head before the page's response is sent.

    Parameters
    ----------
    tile_url
        The operator's tile server's URL template, if any.
    center
        Where the map starts before the first content fits it.
    on_truck
        Called with the vehicle id of a clicked truck marker.
    roads
        The region's streets, drawn when there is no tile server (OpenStreetMap's tiles
        when there are neither).
    """

    def __init__(
        self,
        tile_url: str | None,
        center: tuple[float, float],
        on_truck: Callable[[str], object],
        roads: RoadLines | None = None,
    ) -> None:
        self.leaflet = ui.leaflet(
            center=center, zoom=11, options={"preferCanvas": True, "zoomControl": True}
        ).classes("w-full h-full fl-map")
        self.streets = draw_base(self.leaflet, tile_url, roads)
        """Whether the region's streets are drawn (no tile server)."""
        self._fitted = False

        async def selected(event: events.GenericEventArguments) -> None:
            vehicle_id = event.args.get("id") if isinstance(event.args, dict) else None
            if isinstance(vehicle_id, str):
                outcome = on_truck(vehicle_id)
                if inspect.isawaitable(outcome):
                    await outcome

        self.leaflet.on("truck-select", selected)

    @property
    def ready(self) -> bool:
        """Whether the browser's map exists (deltas sent before are lost)."""
        return self.leaflet.is_initialized

    def send(self, delta: dict[str, Any]) -> None:
        """Apply ``delta`` in the browser, as one message (fits the view the first time)."""
        fit = "true" if not self._fitted else "false"
        self._fitted = True
        payload = json.dumps(delta, separators=(",", ":"))
        self.leaflet.client.run_javascript(
            f"window.flDispatch.apply({self.leaflet.id}, {payload}, {fit})"
        )

    def centre_on(self, vehicle_id: str, lat: float, lon: float) -> None:
        """Centre the map on a truck, close enough to see the streets, its marker on top."""
        self.leaflet.run_map_method("setView", [lat, lon], 14)
        self.leaflet.client.run_javascript(
            f"window.flDispatch.focus({self.leaflet.id}, {json.dumps(vehicle_id)})"
        )


def legend() -> None:
    """A one-line legend of truck and stop colours (the map must read without tiles)."""
    with ui.row().classes("items-center gap-3 text-caption text-grey-8 q-px-xs fl-legend"):
        ui.label("Trucks:").classes("text-weight-medium")
        for key, colour in STATUS_COLOURS.items():
            ui.html(
                f'<span class="fl-legend-dot" style="background:{colour}"></span>'
                f"{STATUS_WORDS[key]}",
                sanitize=False,
            )
        ui.label("Stops:").classes("text-weight-medium q-ml-sm")
        for key in ("on_time", "at_risk", "late", "done", "failed", "unplanned"):
            ui.html(
                f'<span class="fl-legend-dot" style="background:{RISK_COLOURS[key]}"></span>'
                f"{RISK_WORDS[key]}",
                sanitize=False,
            )
