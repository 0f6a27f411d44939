"""Streets on the consoles' maps without a tile server, from the region's road layer.

The served company works in the Rhine valley; these tests give its running services the
road layer of Liechtenstein as prepared by ``fleetline region import`` (once per session),
and take it away again afterwards, so that the other browser tests see the map as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from fleetline.network.road_layer import RoadLayer, road_layer_for

from .conftest import DESKTOP, SPEC, Served, screenshot

pytestmark = pytest.mark.osrm

BASE_OF = """(selector) => {
  const box = document.querySelector(selector);
  const el = box && getElement(box.id.slice(1));
  if (!el || !el.map) return null;
  const out = {roads: {}, canvas: true, panes: [], tiles: 0, tileUrls: [],
               background: getComputedStyle(box).backgroundColor};
  el.map.eachLayer((layer) => {
    if (layer instanceof L.TileLayer) { out.tiles += 1; out.tileUrls.push(layer._url); }
    if (!layer.options || !layer.options.flRoad) return;
    const parts = layer.getLatLngs();
    out.roads[layer.options.flRoad] = parts.reduce((n, part) => n + part.length, 0);
    out.canvas = out.canvas && layer._renderer instanceof L.Canvas;
    out.panes.push(layer.options.pane);
  });
  return out;
}"""


@pytest.fixture
def streets(served: Served, liechtenstein_region: Path) -> Iterator[RoadLayer]:
    """The served services draw Liechtenstein's streets (no tile server) during one test."""
    layer = road_layer_for(liechtenstein_region)
    assert layer is not None
    services = served.services
    before, tiles = services.road_layer, services.settings.tile_url
    services.road_layer, services.settings.tile_url = layer, None
    try:
        yield layer
    finally:
        services.road_layer, services.settings.tile_url = before, tiles


def _dispatch_page(browser: Any, served: Served) -> tuple[Any, Any, list[str], list[str]]:
    """A dispatcher's page on ``/dispatch``, with every request's host and page errors kept."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    hosts: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).hostname or ""))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served.url}/login?token={served.tokens['dispatcher']}")
    page.wait_for_load_state("networkidle")
    page.goto(f"{served.url}/dispatch")
    page.wait_for_function(
        "() => document.querySelector('.fl-map') && "
        "document.querySelector('.fl-map').dataset.trucks > 0",
        timeout=20_000,
    )
    page.wait_for_load_state("networkidle")
    return context, page, hosts, errors


def test_the_dispatcher_map_draws_the_region_streets_and_asks_no_tile_server(
    browser: Any, served: Served, streets: RoadLayer
) -> None:
    """Offline, a dispatcher still reads the map: the streets of the region lie under the
    routes, stops and trucks, and the page asks nothing of any server but Fleetline's."""
    context, page, hosts, errors = _dispatch_page(browser, served)
    try:
        base = page.evaluate(BASE_OF, ".fl-map")
        assert base is not None
        assert base["tiles"] == 0
        assert set(hosts) == {"127.0.0.1"}, set(hosts)
        drawn = streets.lines()
        assert set(base["roads"]) == {"main", "through", "street", "service"}
        # Liechtenstein is small: the 5 km around the day take in nearly all of its streets.
        assert 0.95 * drawn.points <= sum(base["roads"].values()) <= drawn.points
        assert base["canvas"] is True
        assert set(base["panes"]) == {"overlayPane"}  # under routes (410), stops and trucks
        counts = page.evaluate(
            "() => window.flDispatch.counts(document.querySelector('.fl-map').id.slice(1))"
        )
        assert counts["trucks"] == SPEC.trucks and counts["routes"] >= 1
        screenshot(page, "dispatch_streets_desktop")
        page.locator(".fl-fleet tbody tr").first.click()  # centres on its truck, zoomed in
        page.wait_for_timeout(1500)
        page.locator(".fl-map").screenshot(
            path=str(Path(__file__).parent / "screenshots" / "dispatch_streets_truck.png")
        )
    finally:
        context.close()
    assert errors == [], errors


def test_the_operator_tile_server_replaces_the_streets(
    browser: Any, served: Served, streets: RoadLayer
) -> None:
    """An operator who runs a tile server sees its tiles, with no grey streets over them."""
    served.services.settings.tile_url = f"{served.url}/no-tiles/{{z}}/{{x}}/{{y}}.png"
    context, page, hosts, errors = _dispatch_page(browser, served)
    try:
        base = page.evaluate(BASE_OF, ".fl-map")
        assert base["roads"] == {}
        assert base["tileUrls"] == [served.services.settings.tile_url]
        assert set(hosts) == {"127.0.0.1"}
    finally:
        context.close()
    assert errors == [], errors


def test_without_streets_or_tile_server_the_map_keeps_openstreetmap_tiles(
    open_page: Any, served: Served
) -> None:
    """Online without a region, the dispatcher sees OpenStreetMap's map, as before."""
    assert served.services.road_layer is None
    page = open_page("dispatcher", "/dispatch")
    page.wait_for_function(
        "() => document.querySelector('.fl-map') && "
        "document.querySelector('.fl-map').dataset.trucks > 0",
        timeout=20_000,
    )
    base = page.evaluate(BASE_OF, ".fl-map")
    assert base["roads"] == {}
    assert base["tileUrls"] == ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"]


def test_the_incident_map_draws_the_streets_a_dispatcher_picks_a_place_on(
    open_page: Any, served: Served, streets: RoadLayer
) -> None:
    """Reporting a closure offline, the dispatcher clicks on a street map, not on grey."""
    page = open_page("dispatcher", "/dispatch/controls")
    selector = '[data-testid="incident-map"]'
    page.locator(selector).wait_for()
    page.wait_for_function(
        "(s) => { const b = document.querySelector(s); const el = b && getElement(b.id.slice(1));"
        " let n = 0; if (el && el.map) el.map.eachLayer((l) => { if (l.options.flRoad) n++; });"
        " return n > 0; }",
        arg=selector,
        timeout=20_000,
    )
    base = page.evaluate(BASE_OF, selector)
    assert base["tiles"] == 0
    assert {"main", "street"} <= set(base["roads"])
    assert base["canvas"] is True
    page.wait_for_timeout(1000)
    page.locator(selector).screenshot(
        path=str(Path(__file__).parent / "screenshots" / "controls_incident_streets.png")
    )


def test_the_order_card_map_draws_the_streets_around_the_truck_and_the_stop(
    open_page: Any, served: Served, streets: RoadLayer
) -> None:
    """The agent sees which streets lie between the truck and the client, with no tiles."""
    with served.api("dispatcher") as api:
        plan = api.get(f"/api/v1/plans/{served.plan_id}").json()
    order_id = plan["routes"][0]["stops"][-2]["order_id"]
    page = open_page("agent", f"/service?order={order_id}")
    page.locator(".fl-order-card .nicegui-leaflet").wait_for()
    page.wait_for_function(
        "(s) => { const b = document.querySelector(s); const el = b && getElement(b.id.slice(1));"
        " let n = 0; if (el && el.map) el.map.eachLayer((l) => { if (l.options.flRoad) n++; });"
        " return n > 0; }",
        arg=".fl-order-card .nicegui-leaflet",
        timeout=20_000,
    )
    base = page.evaluate(BASE_OF, ".fl-order-card .nicegui-leaflet")
    assert base["tiles"] == 0
    assert {"main", "street"} <= set(base["roads"])
    assert 0 < sum(base["roads"].values()) <= 30_000
    assert base["canvas"] is True
    page.wait_for_timeout(2000)
    page.locator(".fl-order-card .nicegui-leaflet").screenshot(
        path=str(Path(__file__).parent / "screenshots" / "service_card_streets.png")
    )


def test_the_tracking_page_draws_the_streets_near_the_delivery(
    browser: Any, served: Served, streets: RoadLayer
) -> None:
    """A client of an offline depot sees their truck and their door on streets, with no
    tile asked of any server."""
    from zoneinfo import ZoneInfo

    from fleetline.comms.tracking_links import issue_link

    with served.api("dispatcher") as api:
        plan = api.get(f"/api/v1/plans/{served.plan_id}").json()
        order_id = plan["routes"][0]["stops"][-3]["order_id"]
        vehicle_id = plan["routes"][0]["vehicle_id"]
        now = served.services.clock.now().isoformat()
        moved = api.post(
            "/api/v1/telemetry/positions",
            json={
                "positions": [
                    {"vehicle_id": vehicle_id, "lat": 47.16, "lon": 9.51, "recorded_at": now}
                ]
            },
        )
        assert moved.status_code == 202, moved.text
    served.services.live.refresh()
    services = served.services
    with services.uow_factory() as uow:
        order = uow.orders.get(order_id)
        assert order is not None
        token = issue_link(uow, order, services.clock.now(), ZoneInfo("Europe/Vaduz"))
        uow.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    hosts: list[str] = []
    errors: list[str] = []
    asked: list[str] = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).hostname or ""))
    page.on("request", lambda request: asked.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{served.url}/track/{token}")
        page.locator("#map .leaflet-overlay-pane canvas").wait_for(timeout=15_000)
        page.wait_for_load_state("networkidle")
        assert page.locator("#map img.leaflet-tile").count() == 0
        assert set(hosts) == {"127.0.0.1"}
        assert sum("status?streets=1" in url for url in asked) == 1
        page.wait_for_timeout(500)
        page.locator("#map-card").screenshot(
            path=str(Path(__file__).parent / "screenshots" / "tracking_streets_phone.png")
        )
    finally:
        context.close()
    assert errors == [], errors
