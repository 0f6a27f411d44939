"""Master data, tokens and idempotency records round-trip exactly."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from fleetline.domain.access import ApiToken, Role
from fleetline.domain.errors import Conflict, NotFound
from fleetline.domain.model import (
    Channel,
    Client,
    Contact,
    Driver,
    NotificationPreferences,
    VehicleCosts,
)
from fleetline.store.repositories import IdempotencyRecord
from fleetline.store.unit_of_work import SqlUnitOfWork

from .store_builders import client, depot, seed_master_data, vehicle

pytestmark = pytest.mark.both_databases  # constraints and row revisions are each database's own


def test_depot_vehicle_driver_client_round_trip(uow: SqlUnitOfWork) -> None:
    """What is stored comes back equal, field for field."""
    truck = dataclasses.replace(
        vehicle(),
        costs=VehicleCosts(per_km=0.71, per_hour=33.5, overtime_per_hour=50.25, fixed=12.0),
        max_overtime_s=5400,
        active=False,
    )
    driver = Driver("dr1", "Anna Beck", phone="+423 555 1234", vehicle_id="v1")
    account = Client(
        "c9",
        "Bäckerei Müller",
        1,
        Contact(email="a@b.li", phone="+423 777 8888", webhook_url="https://hooks.example/x"),
        NotificationPreferences(
            channels=(Channel.SMS, Channel.EMAIL),
            locale="de",
            quiet_start=time(21, 0),
            quiet_end=time(6, 30, 15),
            enabled=False,
        ),
        notes="Ring twice.",
    )
    with uow:
        uow.depots.add(depot())
        uow.vehicles.add(truck)
        uow.drivers.add(driver)
        uow.clients.add(account)
        uow.commit()
    with uow:
        assert uow.depots.get("d1") == depot()
        assert uow.vehicles.get("v1") == truck
        assert uow.drivers.get("dr1") == driver
        assert uow.drivers.by_vehicle("v1") == driver
        assert uow.clients.get("c9") == account
        assert uow.clients.get_many(["c9", "nope"]) == [account]
        assert uow.depots.list() == [depot()]
        assert uow.drivers.list() == [driver]
        assert uow.clients.list() == [account]
        assert uow.depots.get("nope") is None


def test_vehicle_list_filters_and_update(uow: SqlUnitOfWork) -> None:
    """Vehicles list by depot and activity; updates replace the stored vehicle."""
    with uow:
        uow.depots.add(depot("d1"))
        uow.depots.add(depot("d2"))
        uow.vehicles.add(vehicle("v1", "d1"))
        uow.vehicles.add(dataclasses.replace(vehicle("v2", "d2"), active=False))
        uow.commit()
    with uow:
        assert [v.id for v in uow.vehicles.list()] == ["v1", "v2"]
        assert [v.id for v in uow.vehicles.list(depot_id="d2")] == ["v2"]
        assert [v.id for v in uow.vehicles.list(active_only=True)] == ["v1"]
        changed = dataclasses.replace(vehicle("v2", "d2"), capacity={"parcels": 400})
        uow.vehicles.update(changed)
        uow.commit()
    with uow:
        assert uow.vehicles.get("v2") == changed
        with pytest.raises(NotFound):
            uow.vehicles.update(vehicle("ghost"))


def test_driver_update_and_missing_references(uow: SqlUnitOfWork) -> None:
    """Drivers move between vehicles; a vehicle on an unknown depot is refused."""
    seed_master_data(uow)
    with uow:
        uow.drivers.add(Driver("dr1", "Anna Beck"))
        uow.commit()
    with uow:
        uow.drivers.update(Driver("dr1", "Anna Beck", vehicle_id="v1"))
        uow.commit()
    with uow:
        assert uow.drivers.by_vehicle("v1") == Driver("dr1", "Anna Beck", vehicle_id="v1")
    with uow, pytest.raises(NotFound):
        uow.vehicles.add(vehicle("v7", "no-such-depot"))


def test_duplicate_id_is_a_conflict(uow: SqlUnitOfWork) -> None:
    """Adding a depot twice raises Conflict on ``id``."""
    seed_master_data(uow)
    with uow, pytest.raises(Conflict) as caught:
        uow.clients.add(client("c1"))
    assert caught.value.field == "id"


def test_tokens_round_trip_and_revoke(uow: SqlUnitOfWork) -> None:
    """Tokens are found by hash, listed, and revoked."""
    seed_master_data(uow)
    created = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=1)))
    admin = ApiToken("t1", "ops", Role.ADMIN, "a" * 64, created)
    with uow:
        uow.drivers.add(Driver("dr1", "Anna"))
        driver_token = ApiToken("t2", "anna", Role.DRIVER, "b" * 64, created, driver_id="dr1")
        uow.tokens.add(admin)
        uow.tokens.add(driver_token)
        uow.commit()
    with uow:
        assert uow.tokens.by_hash("a" * 64) == admin
        assert uow.tokens.list() == [admin, driver_token]
        uow.tokens.revoke("t1")
        uow.commit()
    with uow:
        revoked = uow.tokens.by_hash("a" * 64)
        assert revoked == dataclasses.replace(admin, revoked=True)
        assert revoked is not None
        assert revoked.created_at.tzinfo is not None
        with pytest.raises(NotFound):
            uow.tokens.revoke("nope")
        with pytest.raises(Conflict):
            uow.tokens.add(ApiToken("t3", "x", Role.AGENT, "a" * 64, created))


def test_idempotency_records(uow: SqlUnitOfWork) -> None:
    """A stored answer comes back whole; the same key twice is a conflict."""
    record = IdempotencyRecord(
        principal="t1",
        key="k-1",
        method="POST",
        path="/api/v1/orders",
        request_hash="f" * 64,
        status_code=201,
        response_body={"id": "o1", "items": [1, 2.5, None, "ü"]},
        created_at=datetime(2025, 3, 14, 8, 0, tzinfo=UTC),
    )
    with uow:
        assert uow.idempotency.get("t1", "k-1") is None
        uow.idempotency.put(record)
        uow.commit()
    with uow:
        assert uow.idempotency.get("t1", "k-1") == record
        assert uow.idempotency.get("t2", "k-1") is None
        with pytest.raises(Conflict) as caught:
            uow.idempotency.put(record)
        assert caught.value.field == "idempotency_key"
