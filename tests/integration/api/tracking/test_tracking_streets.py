"""The tracking page's map without a tile server: the streets near the delivery, kept light."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fleetline.network.road_layer import around, road_layer_for

from .conftest import Day, at, issue


def _truck_at(day: Day, order_id: str, lat: float, lon: float) -> None:
    moved = day.api.post(
        "/api/v1/telemetry/positions",
        {
            "positions": [
                {
                    "vehicle_id": day.vehicle_of(order_id),
                    "lat": lat,
                    "lon": lon,
                    "recorded_at": at("08:29"),
                }
            ]
        },
    )
    assert moved.status_code == 202, moved.text


@pytest.mark.osrm
def test_the_client_sees_the_streets_near_the_delivery_and_no_tile_is_asked(
    day: Day, liechtenstein_region: Path
) -> None:
    """An offline depot's client still reads the map: the streets within a few km of the
    truck and the door come once with the status, in a few tens of KB, and the page names
    no tile server."""
    services = day.api.services
    services.road_layer = road_layer_for(liechtenstein_region)
    order_id = day.stop_of(0, 1)
    _truck_at(day, order_id, 47.10, 9.51)
    token = issue(day.api, order_id)

    page = day.api.client.get(f"/track/{token}")
    assert 'data-tiles=""' in page.text
    assert "tile.openstreetmap.org" not in page.text
    plain = day.api.client.get(f"/track/{token}/status").json()
    assert "streets" not in plain  # the 30-second refresh stays small

    answer = day.api.client.get(f"/track/{token}/status", params={"streets": 1})
    assert answer.status_code == 200
    assert len(answer.content) < 60_000
    streets = answer.json()["streets"]
    assert {"primary", "residential"} <= set(streets["classes"])
    truck = (47.10, 9.51)
    door = (plain["destination"]["lat"], plain["destination"]["lon"])
    box = around([truck, door], 3_000)
    assert box is not None
    min_lon, min_lat, max_lon, max_lat = box
    for lines in streets["classes"].values():
        for line in lines:
            assert any(min_lat <= lat <= max_lat and min_lon <= lon <= max_lon for lat, lon in line)
    c_min_lon, c_min_lat, c_max_lon, c_max_lat = streets["covers"]
    for lat, lon in (truck, door):
        assert c_min_lat <= lat <= c_max_lat and c_min_lon <= lon <= c_max_lon


def test_an_operator_tile_server_is_used_as_it_is(day: Day) -> None:
    """With the operator's own tiles, the page uses them and sends no streets."""
    services = day.api.services
    services.settings.tile_url = "https://tiles.depot.example/{z}/{x}/{y}.png"
    order_id = day.stop_of(0, 1)
    _truck_at(day, order_id, 47.10, 9.51)
    token = issue(day.api, order_id)
    page = day.api.client.get(f"/track/{token}")
    assert 'data-tiles="https://tiles.depot.example/{z}/{x}/{y}.png"' in page.text
    status = day.api.client.get(f"/track/{token}/status", params={"streets": 1}).json()
    assert status["streets"] is None
    assert json.dumps(status).count("[") < 20
