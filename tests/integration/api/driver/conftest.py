"""A dispatched day of two trucks and eight stops, and a driver of the first truck."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fleetline.domain.access import Role
from fleetline.operations.access import issue_token

from ...live.conftest import MORNING, Day, at, day  # noqa: F401  (the live day fixture)


@dataclass
class DriverDay:
    """The day, the driver's truck (``mine``) and the other truck (``other``)."""

    day: Day
    mine: str
    other: str

    def headers(self, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.day.api.tokens[Role.DRIVER]}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers


@pytest.fixture
def driver_day(day: Day) -> DriverDay:  # noqa: F811
    """The driver token now belongs to Lea Beck, who drives the first truck."""
    api = day.api
    mine, other = sorted(day.routes)
    lea = api.post(
        "/api/v1/drivers", {"name": "Lea Beck", "phone": "+423 791 0000", "vehicle_id": mine}
    ).json()
    with api.services.uow_factory() as uow:
        secret, _ = issue_token(uow, api.services.bus.context, Role.DRIVER, "lea", lea["id"])
        uow.commit()
    api.tokens[Role.DRIVER] = secret
    return DriverDay(day, mine, other)


__all__ = ["MORNING", "DriverDay", "at"]
