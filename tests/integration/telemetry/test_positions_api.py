"""POST /api/v1/telemetry/positions: batches stored once, refused whole, drivers fenced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fleetline.domain.access import Role
from fleetline.domain.events import PositionsReceived

from .conftest import START, Api, Trucks

pytestmark = pytest.mark.both_databases  # positions are inserted with SQL of each dialect

PATH = "/api/v1/telemetry/positions"


def ping(vehicle_id: str, minute: float, lat: float = 47.1, **extra: Any) -> dict[str, Any]:
    at = START - timedelta(minutes=60) + timedelta(minutes=minute)
    return {"vehicle_id": vehicle_id, "lat": lat, "lon": 9.5, "recorded_at": at.isoformat()} | extra


def stored(api: Api, vehicle_id: str) -> int:
    with api.services.uow_factory() as uow:
        return len(uow.positions.track(vehicle_id, START - timedelta(days=1)))


def test_a_batch_is_accepted_once(api: Api, trucks: Trucks) -> None:
    """A telematics box that resends its buffer gets 'all duplicates' and no doubled track."""
    batch = {
        "positions": [ping(trucks.own, m, speed_mps=12.5, heading=270) for m in range(10)]
        + [ping(trucks.other, m) for m in range(5)]
    }
    first = api.post(PATH, batch, role=Role.INTEGRATION)
    assert first.status_code == 202, first.text
    assert first.json() == {"accepted": 15, "duplicates": 0}
    again = api.post(PATH, batch, role=Role.INTEGRATION)
    assert again.json() == {"accepted": 0, "duplicates": 15}
    assert stored(api, trucks.own) == 10
    with api.services.uow_factory() as uow:
        last = uow.positions.last(trucks.own)
        logged = [e.event for e in uow.events.list() if isinstance(e.event, PositionsReceived)]
    assert last is not None and last.speed_mps == 12.5 and last.heading == 270
    assert len(logged) == 1
    assert logged[0].accepted == 15


def test_a_late_ping_does_not_move_the_truck_back(api: Api, trucks: Trucks) -> None:
    """A ping delayed by a tunnel is kept in the track, not shown as where the truck is."""
    api.post(PATH, {"positions": [ping(trucks.own, 30, lat=47.3)]})
    late = api.post(PATH, {"positions": [ping(trucks.own, 10, lat=47.0)]})
    assert late.json() == {"accepted": 1, "duplicates": 0}
    with api.services.uow_factory() as uow:
        last = uow.positions.last(trucks.own)
    assert last is not None and last.location.lat == 47.3
    assert stored(api, trucks.own) == 2


def test_bad_positions_name_the_field_and_store_nothing(api: Api, trucks: Trucks) -> None:
    """One bad position refuses its whole batch, and the error says which and why."""
    good = [ping(trucks.own, m) for m in range(3)]
    cases = {
        "positions[3].vehicle_id": ping("veh_nope", 4),
        "positions[3].recorded_at": ping(trucks.own, 60 + 3),
        "positions[3].lat": ping(trucks.own, 4, lat=91),
        "positions[3].speed_mps": ping(trucks.own, 4, speed_mps=-1),
    }
    for field, bad in cases.items():
        answer = api.post(PATH, {"positions": [*good, bad]})
        assert answer.status_code == 422, (field, answer.text)
        assert answer.json()["error"]["details"][0]["field"] == field
    nul = api.post(PATH, {"positions": [*good, ping("veh\x00", 4)]})
    assert nul.json()["error"]["details"][0]["field"] == "positions[3].vehicle_id"
    assert api.post(PATH, {"positions": []}).status_code == 422
    naive = ping(trucks.own, 1) | {"recorded_at": "2026-11-25T16:00:00"}
    assert api.post(PATH, {"positions": [naive]}).status_code == 422
    assert stored(api, trucks.own) == 0


def test_a_time_just_ahead_of_the_clock_is_accepted(api: Api, trucks: Trucks) -> None:
    """A phone whose clock runs a minute fast still reports."""
    answer = api.post(PATH, {"positions": [ping(trucks.own, 61)]})
    assert answer.json() == {"accepted": 1, "duplicates": 0}


def test_a_driver_reports_only_its_own_truck(api: Api, trucks: Trucks) -> None:
    """The driver app can report its truck's position but not move another truck."""
    headers = {"Authorization": f"Bearer {trucks.driver_token}"}
    own = api.client.post(PATH, json={"positions": [ping(trucks.own, 1)]}, headers=headers)
    assert own.status_code == 202
    other = api.client.post(PATH, json={"positions": [ping(trucks.other, 1)]}, headers=headers)
    assert other.status_code == 403
    mixed = [ping(trucks.own, 2), ping(trucks.other, 2)]
    assert api.client.post(PATH, json={"positions": mixed}, headers=headers).status_code == 403
    unassigned = api.post(PATH, {"positions": [ping(trucks.own, 3)]}, role=Role.DRIVER)
    assert unassigned.status_code == 403
    assert api.post(PATH, {"positions": [ping(trucks.own, 4)]}, role=Role.AGENT).status_code == 403
    assert stored(api, trucks.other) == 0
    assert stored(api, trucks.own) == 1


def test_a_retried_batch_gets_the_first_answer(api: Api, trucks: Trucks) -> None:
    """A client that retries after a timeout with its Idempotency-Key gets the same answer."""
    batch = {"positions": [ping(trucks.own, m) for m in range(4)]}
    first = api.post(PATH, batch, key="batch-1")
    second = api.post(PATH, batch, key="batch-1")
    assert first.json() == second.json() == {"accepted": 4, "duplicates": 0}
    assert second.headers.get("Idempotent-Replayed") == "true"


def test_ten_thousand_positions_in_one_call(api: Api, trucks: Trucks) -> None:
    """A gateway that uploads a day's backlog in one call is served; more is refused."""
    batch = [ping(trucks.own, -600 + m / 20) for m in range(10_000)]
    answer = api.post(PATH, {"positions": batch})
    assert answer.json() == {"accepted": 10_000, "duplicates": 0}
    too_many = api.post(PATH, {"positions": [*batch, ping(trucks.own, 1)]})
    assert too_many.status_code == 422
