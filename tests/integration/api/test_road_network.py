"""Planning a day on a real road network (Liechtenstein, from OpenStreetMap)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fleetline.api.app import create_app
from fleetline.bootstrap import bootstrap
from fleetline.clock import FixedClock
from fleetline.domain.access import Role
from fleetline.operations.access import issue_token
from fleetline.settings import Settings

from .conftest import DAY, START, Api, order_body

pytestmark = pytest.mark.osrm

VADUZ = {"lat": 47.1410, "lon": 9.5209}
TRIESEN = {"lat": 47.1070, "lon": 9.5270}
NAAFKOPF = {"lat": 47.0586, "lon": 9.6070}  # an alpine summit, kilometres from any road


@pytest.fixture
def road_api(database_url: str, liechtenstein_region: Path) -> Iterator[Api]:
    settings = Settings(database_url=database_url, solver_processes=0, region=liechtenstein_region)
    services = bootstrap(settings, clock=FixedClock(START), recover=False)
    with services.uow_factory() as uow:
        secret, _ = issue_token(uow, services.bus.context, Role.DISPATCHER, "desk")
        uow.commit()
    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        yield Api(client, {Role.DISPATCHER: secret}, services)
    services.close()


def test_a_day_on_roads_warns_about_an_address_off_the_network(road_api: Api) -> None:
    """With a region configured, routes follow the roads (longer than a straight line), and
    an order placed kilometres from any road is planned with a warning to check its
    address instead of silently wrong times."""
    api = road_api
    depot = api.post(
        "/api/v1/depots",
        {"name": "Schaan", "location": {"lat": 47.165, "lon": 9.5095}, "timezone": "Europe/Vaduz"},
    ).json()
    api.post(
        "/api/v1/vehicles",
        {
            "name": "Truck",
            "depot_id": depot["id"],
            "capacity": {"pallets": 18},
            "shift_start": "07:00",
            "shift_end": "17:00",
        },
    )
    client = api.post("/api/v1/clients", {"name": "Alpine hut", "priority": 2}).json()
    orders = api.post(
        "/api/v1/orders",
        [
            order_body(client["id"], location=where, reference=name)
            for name, where in (("vaduz", VADUZ), ("triesen", TRIESEN), ("summit", NAAFKOPF))
        ],
    ).json()
    by_reference = {order["reference"]: order["id"] for order in orders}
    plan = api.wait_for_plan(
        api.post("/api/v1/plans", {"date": DAY, "time_limit_s": 1}).json()["id"]
    )
    assert plan["status"] == "ready", plan
    warned = {w["order_id"]: w for w in plan["warnings"]}
    assert set(warned) == {by_reference["summit"]}
    assert warned[by_reference["summit"]]["code"] == "off_network"
    assert "m from the nearest road" in warned[by_reference["summit"]]["message"]
    route = plan["routes"][0]
    # Schaan -> Vaduz -> Triesen -> back is about 6 km as the crow flies; roads are longer.
    assert route["distance_m"] > 8_000
