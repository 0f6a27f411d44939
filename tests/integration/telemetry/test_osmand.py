"""The OsmAnd protocol: what Traccar Client and phone trackers send, stored as positions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fleetline.domain.access import Role
from fleetline.domain.live import Position

from .conftest import START, Api, Trucks

PATH = "/api/v1/telemetry/osmand"
AT = START - timedelta(minutes=5)


def last(api: Api, vehicle_id: str) -> Position | None:
    with api.services.uow_factory() as uow:
        return uow.positions.last(vehicle_id)


def test_a_get_with_the_token_in_the_url_stores_the_fix(api: Api, trucks: Trucks) -> None:
    """A phone tracker that can only call a URL reports its truck, speed in knots."""
    params = {
        "id": trucks.own,
        "lat": "47.15",
        "lon": "9.51",
        "timestamp": str(int(AT.timestamp())),
        "speed": "20",
        "bearing": "181.5",
        "accuracy": "12",
        "altitude": "455",
        "batt": "87",
        "token": api.tokens[Role.INTEGRATION],
    }
    answer = api.client.get(PATH, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.content == b""
    fix = last(api, trucks.own)
    assert fix is not None
    assert fix.recorded_at == AT
    assert (fix.location.lat, fix.location.lon) == (47.15, 9.51)
    assert fix.speed_mps == pytest.approx(10.2889, abs=1e-3)
    assert fix.heading == 181.5
    assert fix.source == "osmand"
    again = api.client.get(PATH, params=params)
    assert again.status_code == 200


@pytest.mark.parametrize(
    "stamp",
    [
        str(int(AT.timestamp() * 1000)),
        AT.isoformat(),
        AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        AT.strftime("%Y-%m-%d %H:%M:%S"),
    ],
)
def test_every_time_format_of_the_protocol(api: Api, trucks: Trucks, stamp: str) -> None:
    """Trackers send milliseconds, ISO 8601 or a plain UTC time: each means the same."""
    params = {"id": trucks.own, "lat": "47.1", "lon": "9.5", "timestamp": stamp}
    answer = api.client.get(PATH, params=params, headers=api.headers(Role.INTEGRATION))
    assert answer.status_code == 200, answer.text
    fix = last(api, trucks.own)
    assert fix is not None and fix.recorded_at == AT


def test_the_traccar_client_json_body(api: Api, trucks: Trucks) -> None:
    """Traccar Client 9+ posts JSON with speed in m/s and -1 for what it does not know."""
    body = {
        "location": {
            "timestamp": AT.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "coords": {
                "latitude": 47.16,
                "longitude": 9.52,
                "accuracy": 5,
                "speed": 13.9,
                "heading": -1,
                "altitude": 450,
            },
            "is_moving": True,
            "odometer": 1234,
            "event": "motionchange",
            "battery": {"level": 0.8, "is_charging": False},
            "activity": {"type": "in_vehicle"},
            "extras": {},
        },
        "device_id": trucks.own,
    }
    answer = api.client.post(PATH, json=body, headers=api.headers(Role.INTEGRATION))
    assert answer.status_code == 200, answer.text
    fix = last(api, trucks.own)
    assert fix is not None
    assert fix.recorded_at == AT
    assert fix.speed_mps == 13.9
    assert fix.heading is None


def test_a_form_body(api: Api, trucks: Trucks) -> None:
    """Older trackers post the parameters as a form."""
    form = {"id": trucks.own, "lat": "47.2", "lon": "9.6", "timestamp": str(int(AT.timestamp()))}
    answer = api.client.post(PATH, data=form, params={"token": api.tokens[Role.INTEGRATION]})
    assert answer.status_code == 200, answer.text
    fix = last(api, trucks.own)
    assert fix is not None and fix.location.lat == 47.2


def test_bad_fixes_are_json_errors_naming_the_parameter(api: Api, trucks: Trucks) -> None:
    """A misconfigured tracker learns what is wrong, in the protocol's own names."""
    token = api.tokens[Role.INTEGRATION]
    base = {"id": trucks.own, "lat": "47.1", "lon": "9.5", "token": token}
    future = str(int((START + timedelta(minutes=10)).timestamp()))
    cases = {
        "id": {"id": "veh_unknown"},
        "lat": {"lat": "91"},
        "lon": {"lon": "east"},
        "timestamp": {"timestamp": future},
        "speed": {"speed": "500"},
    }
    for field, change in cases.items():
        answer = api.client.get(PATH, params=base | change)
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["error"]["details"][0]["field"] == field
    missing = api.client.get(PATH, params={"lat": "47.1", "lon": "9.5", "token": token})
    assert missing.json()["error"]["details"][0]["field"] == "id"
    body = {"device_id": trucks.own, "location": {"coords": {"latitude": 95, "longitude": 9}}}
    bad_json = api.client.post(PATH, json=body, params={"token": token})
    assert bad_json.json()["error"]["details"][0]["field"] == "location.coords.latitude"
    assert last(api, trucks.own) is None


def test_trackers_need_a_token(api: Api, trucks: Trucks) -> None:
    """Without a valid token nothing is stored, and the answer is a JSON 401."""
    params = {"id": trucks.own, "lat": "47.1", "lon": "9.5"}
    assert api.client.get(PATH, params=params).status_code == 401
    wrong = api.client.get(PATH, params=params | {"token": "flt_guess"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "unauthorized"
    agent = api.client.get(PATH, params=params | {"token": api.tokens[Role.AGENT]})
    assert agent.status_code == 403
    assert last(api, trucks.own) is None


def test_a_drivers_phone_reports_only_its_truck(api: Api, trucks: Trucks) -> None:
    """The driver's phone can report its own truck, never another."""
    params = {"lat": "47.1", "lon": "9.5", "token": trucks.driver_token}
    assert api.client.get(PATH, params=params | {"id": trucks.own}).status_code == 200
    assert api.client.get(PATH, params=params | {"id": trucks.other}).status_code == 403
    assert last(api, trucks.other) is None
